package io.vectorgate.proxy.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.vectorgate.proxy.config.GatewayConfig.SecretRef;
import java.nio.file.Path;
import java.util.Set;

/**
 * The {@code budgets:} section: where the per-identity usage behind {@code context.usage} is
 * counted (docs/operations.md, "Budgets across instances").
 *
 * <ul>
 *   <li>{@code store}: {@code memory} (default; this instance only) or {@code postgres} (shared by
 *       every instance on {@code postgres: {url, user, password}}, the shape of
 *       {@code recording.postgres});
 *   <li>{@code flush_units} (default 10, 1..1,000,000): an instance flushes a subject's
 *       increments once any counter has this many pending units, so a budget is exceeded by at
 *       most {@code (instances - 1) × (flush_units - 1)} units per counter (1 = write-through);
 *   <li>{@code flush_interval_ms} (default 200, 10..60,000): the background flush period;
 *   <li>{@code pool_size} (default 4, 1..64): connections to PostgreSQL per instance.
 * </ul>
 */
public record BudgetsConfig(
    @JsonProperty("store") String store,
    @JsonProperty("postgres") RecordingConfig.Postgres postgres,
    @JsonProperty("flush_units") Long flushUnits,
    @JsonProperty("flush_interval_ms") Long flushIntervalMs,
    @JsonProperty("pool_size") Integer poolSize) {

  public static final Set<String> STORES = Set.of("memory", "postgres");

  public BudgetsConfig {
    store = store == null ? "memory" : store;
    flushUnits = flushUnits == null ? 10L : flushUnits;
    flushIntervalMs = flushIntervalMs == null ? 200L : flushIntervalMs;
    poolSize = poolSize == null ? 4 : poolSize;
  }

  /** True when usage is shared on PostgreSQL. */
  public boolean shared() {
    return store.equals("postgres");
  }

  BudgetsConfig resolve(Path base) {
    if (postgres == null || postgres.password() == null || postgres.password().file() == null || base == null) {
      return this;
    }
    return new BudgetsConfig(store, new RecordingConfig.Postgres(postgres.url(), postgres.user(),
        new SecretRef(postgres.password().env(), base.resolve(postgres.password().file()).normalize())),
        flushUnits, flushIntervalMs, poolSize);
  }

  void validate(String at) {
    if (!STORES.contains(store)) {
      throw new ConfigException(at + ".store", "must be `memory` or `postgres`, was `" + store + "`");
    }
    if (shared()) {
      if (postgres == null || postgres.url() == null || !postgres.url().startsWith("jdbc:postgresql://")) {
        throw new ConfigException(at + ".postgres.url", "store `postgres` needs a jdbc:postgresql:// URL, was `"
            + (postgres == null ? null : postgres.url()) + "`");
      }
    } else if (postgres != null) {
      throw new ConfigException(at + ".postgres", "applies only to `store: postgres` (store is `" + store + "`)");
    }
    if (flushUnits < 1 || flushUnits > 1_000_000) {
      throw new ConfigException(at + ".flush_units", "must be between 1 and 1000000, was " + flushUnits);
    }
    if (flushIntervalMs < 10 || flushIntervalMs > 60_000) {
      throw new ConfigException(at + ".flush_interval_ms", "must be between 10 and 60000, was " + flushIntervalMs);
    }
    if (poolSize < 1 || poolSize > 64) {
      throw new ConfigException(at + ".pool_size", "must be between 1 and 64, was " + poolSize);
    }
  }
}
