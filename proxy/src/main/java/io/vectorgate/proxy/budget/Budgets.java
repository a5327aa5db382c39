package io.vectorgate.proxy.budget;

import io.vectorgate.proxy.config.BudgetsConfig;
import io.vectorgate.proxy.config.ConfigException;
import io.vectorgate.proxy.config.ConfigLoader;
import io.vectorgate.proxy.pipeline.InMemoryUsageTracker;
import io.vectorgate.proxy.pipeline.UsageTracker;
import java.sql.SQLException;
import java.time.Clock;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Builds the usage tracker the {@code budgets:} section asks for. */
public final class Budgets {
  private static final Logger LOG = LoggerFactory.getLogger(Budgets.class);

  private Budgets() {}

  /**
   * The tracker for {@code cfg} (null: in memory). What must be closed at shutdown, in order, is
   * handed to {@code owned} (the tracker first: closing it flushes pending increments).
   *
   * @throws ConfigException when the shared store cannot be opened (named {@code budgets.postgres})
   */
  public static UsageTracker tracker(BudgetsConfig cfg, Function<String, String> env, Clock clock,
      Consumer<AutoCloseable> owned) {
    if (cfg == null || !cfg.shared()) {
      return new InMemoryUsageTracker(clock);
    }
    var pg = cfg.postgres();
    String password = pg.password() == null ? null : ConfigLoader.readSecret(pg.password(), "budgets.postgres.password", env);
    PostgresUsageStore store;
    try {
      store = new PostgresUsageStore(pg.url(), pg.user(), password, cfg.poolSize(), 2_000);
    } catch (SQLException e) {
      throw new ConfigException("budgets.postgres", "cannot open the shared usage store: " + e.getMessage(), e);
    }
    SharedUsageTracker tracker = new SharedUsageTracker(store, clock, cfg.flushUnits(), cfg.flushIntervalMs());
    owned.accept(tracker);
    owned.accept(store);
    LOG.info("event=budgets_shared flush_units={} flush_interval_ms={} pool_size={}", cfg.flushUnits(),
        cfg.flushIntervalMs(), cfg.poolSize());
    return tracker;
  }
}
