package io.vectorgate.proxy.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import java.io.IOException;
import io.vectorgate.proxy.config.GatewayConfig.SecretRef;
import java.nio.file.Path;
import java.util.List;

/**
 * The {@code approvals:} section: where approvals are stored (an SQLite file, or PostgreSQL shared
 * by several instances), how held calls wait, the admin API and webhooks. Without this section
 * every request that needs approval is refused ({@code approval_required}).
 *
 * <ul>
 *   <li>{@code mode}: {@code hold} (default; the call waits for the answer) or {@code grant}
 *       (the call fails at once with "approval pending: id"; the identical request passes once approved);
 *   <li>{@code max_wait_seconds}: longest hold (also bounded by the client's deadline);
 *   <li>{@code grant_below_deadline_seconds}: a client whose deadline leaves less than this gets grant mode;
 *   <li>{@code grant_ttl_seconds}: how long an approval's grant stays usable;
 *   <li>{@code max_uses}: the most identical requests an approver may grant;
 *   <li>{@code poll_interval_millis}: how often held calls re-read the shared store;
 *   <li>{@code max_held_calls}: the most calls held at once over all listeners (each occupies a
 *       worker thread); beyond it a request gets grant mode at once. Default: half of
 *       {@code limits.worker_threads}; 0 never holds. Must stay below {@code limits.worker_threads}.
 * </ul>
 */
public record ApprovalsConfig(
    @JsonProperty("store") Store store,
    @JsonProperty("mode") String mode,
    @JsonProperty("max_wait_seconds") Long maxWaitSeconds,
    @JsonProperty("grant_below_deadline_seconds") Long grantBelowDeadlineSeconds,
    @JsonProperty("grant_ttl_seconds") Long grantTtlSeconds,
    @JsonProperty("max_uses") Integer maxUses,
    @JsonProperty("poll_interval_millis") Long pollIntervalMillis,
    @JsonProperty("admin") Admin admin,
    @JsonProperty("webhooks") List<Webhook> webhooks,
    @JsonProperty("max_held_calls") @JsonDeserialize(using = WholeNumber.class) Integer maxHeldCalls) {

  /** A whole number exactly as written: no fraction (2.5 is not rounded to 2), no string, no boolean. */
  static final class WholeNumber extends JsonDeserializer<Integer> {
    @Override
    public Integer deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
      if (p.currentToken() != JsonToken.VALUE_NUMBER_INT || p.getNumberType() != JsonParser.NumberType.INT) {
        throw InvalidFormatException.from(p, "must be a whole number, was `" + p.getText() + "`", p.getText(),
            Integer.class);
      }
      return p.getIntValue();
    }
  }

  /** Without {@code max_held_calls} (the default: half of the worker threads). */
  public ApprovalsConfig(Store store, String mode, Long maxWaitSeconds, Long grantBelowDeadlineSeconds,
      Long grantTtlSeconds, Integer maxUses, Long pollIntervalMillis, Admin admin, List<Webhook> webhooks) {
    this(store, mode, maxWaitSeconds, grantBelowDeadlineSeconds, grantTtlSeconds, maxUses, pollIntervalMillis, admin,
        webhooks, null);
  }

  /**
   * The most calls held at once with {@code workerThreads} worker threads: the configured value,
   * or half of the worker threads. A configured value must leave at least one worker free.
   */
  public int maxHeldCalls(int workerThreads) {
    if (maxHeldCalls == null) {
      return workerThreads / 2;
    }
    if (maxHeldCalls >= workerThreads) {
      throw new ConfigException("approvals.max_held_calls", "must be less than limits.worker_threads (" + workerThreads
          + ") so held calls cannot occupy every worker, was " + maxHeldCalls);
    }
    return maxHeldCalls;
  }

  public ApprovalsConfig {
    mode = mode == null ? "hold" : mode;
    maxWaitSeconds = maxWaitSeconds == null ? 900L : maxWaitSeconds;
    grantBelowDeadlineSeconds = grantBelowDeadlineSeconds == null ? 5L : grantBelowDeadlineSeconds;
    grantTtlSeconds = grantTtlSeconds == null ? 900L : grantTtlSeconds;
    maxUses = maxUses == null ? 100 : maxUses;
    pollIntervalMillis = pollIntervalMillis == null ? 200L : pollIntervalMillis;
    webhooks = webhooks == null ? List.of() : List.copyOf(webhooks);
  }

  /** Exactly one of {@code sqlite} (a file) or {@code postgres} (a JDBC URL, user, password secret). */
  public record Store(
      @JsonProperty("sqlite") Path sqlite,
      @JsonProperty("postgres") String postgres,
      @JsonProperty("user") String user,
      @JsonProperty("password") SecretRef password) {
    /** Validates the store; {@code at} is its key path (e.g. {@code file: approvals.store}). */
    public void validate(String at) {
      if ((sqlite == null) == (postgres == null)) {
        throw new ConfigException(at, "set exactly one of `sqlite` or `postgres`");
      }
      if (postgres != null && !postgres.startsWith("jdbc:postgresql://")) {
        throw new ConfigException(at + ".postgres", "must be a jdbc:postgresql:// URL, was `" + postgres + "`");
      }
      if (sqlite != null && (user != null || password != null)) {
        throw new ConfigException(at, "`user` and `password` apply only to `postgres`");
      }
    }

    /** With relative paths (the SQLite file, a password file) resolved against {@code base}. */
    public Store resolve(Path base) {
      return new Store(sqlite == null || base == null ? sqlite : base.resolve(sqlite).normalize(), postgres, user,
          password == null || password.file() == null || base == null ? password
              : new SecretRef(password.env(), base.resolve(password.file()).normalize()));
    }
  }

  /** The admin REST API: its loopback address and the groups that may read every approval. */
  public record Admin(
      @JsonProperty("address") String address,
      @JsonProperty("read_all_groups") List<String> readAllGroups) {
    public Admin {
      readAllGroups = readAllGroups == null ? List.of() : List.copyOf(readAllGroups);
    }
  }

  /** A webhook: {@code format} {@code json} (default) or {@code slack}; an optional HMAC secret. */
  public record Webhook(
      @JsonProperty("url") String url,
      @JsonProperty("format") String format,
      @JsonProperty("secret") SecretRef secret,
      @JsonProperty("max_attempts") Integer maxAttempts) {
    public Webhook {
      format = format == null ? "json" : format;
      maxAttempts = maxAttempts == null ? 5 : maxAttempts;
    }
  }

  /** Resolves relative paths against {@code base}. */
  ApprovalsConfig resolve(Path base) {
    Store s = store == null ? null : store.resolve(base);
    List<Webhook> hooks = webhooks.stream().map(w -> w == null || w.secret() == null || w.secret().file() == null
        || base == null ? w : new Webhook(w.url(), w.format(), new SecretRef(w.secret().env(),
        base.resolve(w.secret().file()).normalize()), w.maxAttempts())).toList();
    return new ApprovalsConfig(s, mode, maxWaitSeconds, grantBelowDeadlineSeconds, grantTtlSeconds, maxUses,
        pollIntervalMillis, admin, hooks, maxHeldCalls);
  }

  /** Validates every value; {@code at} is the key path prefix ({@code file: approvals}). */
  void validate(String at) {
    if (store == null) {
      throw new ConfigException(at + ".store", "required: `sqlite: <file>` or `postgres: <jdbc url>`");
    }
    store.validate(at + ".store");
    if (!mode.equals("hold") && !mode.equals("grant")) {
      throw new ConfigException(at + ".mode", "must be `hold` or `grant`, was `" + mode + "`");
    }
    if (maxWaitSeconds < 1 || maxWaitSeconds > 86_400) {
      throw new ConfigException(at + ".max_wait_seconds", "must be between 1 and 86400, was " + maxWaitSeconds);
    }
    if (grantBelowDeadlineSeconds < 0) {
      throw new ConfigException(at + ".grant_below_deadline_seconds", "must be >= 0");
    }
    if (grantTtlSeconds < 1) {
      throw new ConfigException(at + ".grant_ttl_seconds", "must be >= 1");
    }
    if (maxUses < 1 || maxUses > 10_000) {
      throw new ConfigException(at + ".max_uses", "must be between 1 and 10000, was " + maxUses);
    }
    if (pollIntervalMillis < 10 || pollIntervalMillis > 60_000) {
      throw new ConfigException(at + ".poll_interval_millis", "must be between 10 and 60000, was " + pollIntervalMillis);
    }
    if (maxHeldCalls != null && (maxHeldCalls < 0 || maxHeldCalls > 1023)) {
      throw new ConfigException(at + ".max_held_calls", "must be between 0 and 1023, was " + maxHeldCalls);
    }
    if (admin == null || admin.address() == null) {
      throw new ConfigException(at + ".admin.address", "required: where the approvals admin API listens (host:port)");
    }
    ConfigLoader.requireHostPort(admin.address(), at + ".admin.address");
    for (int i = 0; i < webhooks.size(); i++) {
      Webhook w = webhooks.get(i);
      String wat = at + ".webhooks[" + i + "]";
      if (w == null || w.url() == null) {
        throw new ConfigException(wat + ".url", "required");
      }
      if (!w.url().startsWith("http://") && !w.url().startsWith("https://")) {
        throw new ConfigException(wat + ".url", "must be an http(s) URL, was `" + w.url() + "`");
      }
      if (!w.format().equals("json") && !w.format().equals("slack")) {
        throw new ConfigException(wat + ".format", "must be `json` or `slack`, was `" + w.format() + "`");
      }
      if (w.maxAttempts() < 1 || w.maxAttempts() > 20) {
        throw new ConfigException(wat + ".max_attempts", "must be between 1 and 20");
      }
    }
  }
}
