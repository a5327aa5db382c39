package io.vectorgate.proxy.connections;

import io.vectorgate.proxy.config.ConfigException;
import io.vectorgate.proxy.config.GatewayConfig.ConnectionConfig;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connections in effect on this instance, and the listeners bound to them. The effective set
 * is the YAML file's connections overlaid by the store's entries, by id: a stored connection
 * replaces the YAML one of the same id (or adds one), a stored removal hides it. Every
 * {@code poll_interval_millis} the store's revision is read; when it moved, the whole store is
 * read and each listener whose connection changed is re-bound ({@link Binding#apply}). A store
 * that cannot be read leaves every route as it is (and is logged); a stored entry that does not
 * validate is treated as unusable: its listeners refuse rather than fall back to a definition the
 * operator replaced.
 */
public final class LiveConnections implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LiveConnections.class);

  /** Where a connection comes from. */
  public enum Source {
    YAML, API;

    public String wireName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /**
   * One effective connection: its config (null when {@code deleted} through the API, or stored in
   * a form that does not validate; {@code problem} then says why), where it comes from, the store
   * version (0 for YAML), who wrote it and when (null for YAML).
   */
  public record Effective(String id, ConnectionConfig config, Source source, long version, String by, Instant at,
      String problem, boolean deleted) {
    /** Whether requests for it are refused (deleted, or not usable). */
    public boolean removed() {
      return config == null;
    }
  }

  /** A listener bound to a connection id. */
  public interface Binding {
    String listener();

    String connectionId();

    /**
     * Points the listener at {@code connection}, or makes it refuse when {@code connection} is
     * null ({@code e} says why). Called on the poll thread or an admin request's thread, never
     * concurrently for one binding.
     */
    void apply(Effective e);
  }

  private final Map<String, ConnectionConfig> yaml = new LinkedHashMap<>();
  private final ConnectionStore store;
  private final ConnectionSpecs specs;
  private final List<Binding> bindings = new ArrayList<>();
  private final Map<String, Effective> applied = new HashMap<>();
  private final long pollMillis;
  private volatile Map<String, Effective> effective = Map.of();
  private volatile long revision = -1;
  private ScheduledExecutorService poller;
  private boolean storeFailing;
  private boolean closed;

  /**
   * Reads the store once (a store that cannot be read fails here: an instance must not start on
   * connections the operators replaced).
   */
  public LiveConnections(List<ConnectionConfig> yamlConnections, ConnectionStore store, ConnectionSpecs specs,
      long pollMillis) {
    yamlConnections.forEach(c -> yaml.put(c.name(), c));
    this.store = Objects.requireNonNull(store, "store");
    this.specs = Objects.requireNonNull(specs, "specs");
    this.pollMillis = pollMillis;
    try {
      load(store.snapshot());
    } catch (IllegalStateException e) {
      throw new ConfigException("admin.connections.store", e.getMessage(), e);
    }
  }

  /**
   * The store {@code admin.connections.store} names (in memory without one); a store that cannot be
   * opened is a {@link ConfigException} naming it.
   */
  public static ConnectionStore openStore(io.vectorgate.proxy.config.ConnectionsApiConfig cfg,
      java.util.function.Function<String, String> env) {
    var s = cfg.store();
    if (s == null) {
      return new InMemoryConnectionStore();
    }
    try {
      if (s.sqlite() != null) {
        return JdbcConnectionStore.open("jdbc:sqlite:" + s.sqlite().toAbsolutePath(), null, null);
      }
      String password = s.password() == null ? null
          : io.vectorgate.proxy.config.ConfigLoader.readSecret(s.password(), "admin.connections.store.password", env);
      return JdbcConnectionStore.open(s.postgres(), s.user(), password);
    } catch (java.sql.SQLException | IllegalStateException e) {
      throw new ConfigException("admin.connections.store", "cannot open the connections store: " + e.getMessage(), e);
    }
  }

  /**
   * What {@code gateway --check} reports about listeners whose connection the connections API
   * provides ({@code connection_source: api}): for each, whether the store holds a usable
   * definition of the kind the listener serves now. Missing, removed or unusable ones are warnings
   * (the listener starts and refuses with {@code connection_unavailable} until an operator puts
   * it); a store that cannot be opened is an error (the gateway would not start). An SQLite store
   * file that does not exist yet is not created here.
   *
   * @param env where {@code env:} secrets are read
   */
  public static List<io.vectorgate.proxy.config.ConfigCheck.Problem> checkAwaited(
      io.vectorgate.proxy.config.GatewayConfig cfg, java.util.function.Function<String, String> env) {
    List<io.vectorgate.proxy.config.GatewayConfig.ListenerConfig> awaiting = new ArrayList<>();
    cfg.listeners().stream().filter(io.vectorgate.proxy.config.GatewayConfig.ListenerConfig::connectionFromApi)
        .forEach(awaiting::add);
    List<io.vectorgate.proxy.config.ConfigCheck.Problem> out = new ArrayList<>();
    if (awaiting.isEmpty()) {
      return out;
    }
    var api = cfg.admin().connections(); // the loader requires it for connection_source: api
    Map<String, ConnectionStore.Entry> stored = new HashMap<>();
    String where;
    if (api.store() == null) {
      where = "this process's connections API yet (admin.connections has no store: a definition is lost at restart)";
    } else if (api.store().sqlite() != null && !java.nio.file.Files.exists(api.store().sqlite())) {
      where = "the connections store: `" + api.store().sqlite() + "` does not exist yet (it is created at start)";
    } else {
      where = "the connections store yet";
      try (ConnectionStore store = openStore(api, env)) {
        store.snapshot().entries().forEach(e -> stored.put(e.id(), e));
      } catch (ConfigException e) {
        out.add(new io.vectorgate.proxy.config.ConfigCheck.Problem(e.keyPath(), e.getMessage()
            .substring(Math.min(e.getMessage().length(), e.keyPath().length() + 2)), true));
        return out;
      } catch (IllegalStateException e) {
        out.add(new io.vectorgate.proxy.config.ConfigCheck.Problem("admin.connections.store",
            "cannot read the connections store: " + e.getMessage(), true));
        return out;
      }
    }
    ConnectionSpecs specs = new ConnectionSpecs(api, cfg.connections());
    for (var l : awaiting) {
      String key = "listeners[" + cfg.listeners().indexOf(l) + "].connection";
      String refuses = "; listener `" + l.name() + "` starts and refuses with connection_unavailable (HTTP 503,"
          + " gRPC UNAVAILABLE) until an operator puts it (PUT /v1/connections/" + l.connection()
          + " or `vectorgate connections put " + l.connection() + "`)";
      ConnectionStore.Entry e = stored.get(l.connection());
      String problem = null;
      if (e == null) {
        problem = "connection `" + l.connection() + "` is not in " + where;
      } else if (e.removed()) {
        problem = "connection `" + l.connection() + "` was removed through the admin API (version " + e.version() + ")";
      } else {
        try {
          String at = "connection `" + e.id() + "` (version " + e.version() + ")";
          ConnectionConfig c = specs.stored(e.id(), e.spec());
          io.vectorgate.proxy.config.ConfigLoader.requireListenerFronts(l, c, at);
          io.vectorgate.proxy.config.ConfigLoader.readSecret(c.credential(), at + ".credential", env); // as the binding does
        } catch (ConfigException ex) {
          problem = "the stored definition cannot be served: " + ex.getMessage();
        }
      }
      if (problem != null) {
        out.add(new io.vectorgate.proxy.config.ConfigCheck.Problem(key, problem + refuses, false));
      }
    }
    return out;
  }

  public ConnectionStore store() {
    return store;
  }

  /** The effective connection {@code id}, if it exists (removed ones included). */
  public Optional<Effective> get(String id) {
    return Optional.ofNullable(effective.get(id));
  }

  /** Every effective connection (removed ones included), by id. */
  public Map<String, Effective> all() {
    return effective;
  }

  /** The store revision this instance applied last. */
  public long revision() {
    return revision;
  }

  /** The listeners bound to {@code id}. */
  public synchronized List<String> listenersOf(String id) {
    return bindings.stream().filter(b -> b.connectionId().equals(id)).map(Binding::listener).toList();
  }

  /** Binds a listener (at start-up); it is re-bound whenever its connection changes from now on. */
  public synchronized void bind(Binding b) {
    bindings.add(b);
    applied.put(b.listener(), effective.get(b.connectionId()));
  }

  /** Starts polling the store. */
  public synchronized void start() {
    poller = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "vectorgate-connections-poll");
      t.setDaemon(true);
      return t;
    });
    poller.scheduleWithFixedDelay(this::poll, pollMillis, pollMillis, TimeUnit.MILLISECONDS);
  }

  private void poll() {
    try {
      refresh();
      if (storeFailing) {
        storeFailing = false;
        LOG.info("event=connections_store_recovered revision={}", revision);
      }
    } catch (RuntimeException e) {
      if (!storeFailing) { // once per outage: the routes stay as they are meanwhile
        LOG.warn("event=connections_store_unreadable error={}", e.toString(), e);
        storeFailing = true;
      }
    }
  }

  /** Reads the store now and applies what changed (after a write through this instance's API). */
  public void refresh() {
    if (store.revision() == revision) {
      return;
    }
    ConnectionStore.Snapshot s = store.snapshot();
    synchronized (this) {
      if (closed || s.revision() <= revision) {
        return; // closed: the listeners are gone, nothing may be re-bound
      }
      load(s);
      for (Binding b : bindings) {
        Effective now = effective.get(b.connectionId());
        Effective before = applied.get(b.listener());
        if (!sameConnection(before, now)) {
          LOG.info("event=connection_applied listener={} connection={} source={} version={} outcome={}", b.listener(),
              b.connectionId(), now == null ? "-" : now.source().wireName(), now == null ? 0 : now.version(),
              now == null || now.removed() ? "refusing" : "serving");
          b.apply(now == null ? new Effective(b.connectionId(), null, Source.API, s.revision(), "", null,
              "no connection `" + b.connectionId() + "` is defined", true) : now);
          applied.put(b.listener(), now);
        }
      }
    }
  }

  private static boolean sameConnection(Effective a, Effective b) {
    if (a == null || b == null) {
      return a == b;
    }
    return Objects.equals(a.config(), b.config()) && Objects.equals(a.problem(), b.problem());
  }

  private synchronized void load(ConnectionStore.Snapshot s) {
    Map<String, Effective> next = new LinkedHashMap<>();
    yaml.forEach((id, c) -> next.put(id, new Effective(id, c, Source.YAML, 0, null, null, null, false)));
    for (ConnectionStore.Entry e : s.entries()) {
      if (e.removed()) {
        next.put(e.id(), new Effective(e.id(), null, Source.API, e.version(), e.by(), e.at(),
            "connection `" + e.id() + "` was removed through the admin API (version " + e.version() + ")", true));
        continue;
      }
      try {
        next.put(e.id(), new Effective(e.id(), specs.stored(e.id(), e.spec()), Source.API, e.version(),
            e.by(), e.at(), null, false));
      } catch (ConfigException ex) {
        LOG.error("event=connection_spec_invalid connection={} version={} error={}", e.id(), e.version(), ex.getMessage());
        next.put(e.id(), new Effective(e.id(), null, Source.API, e.version(), e.by(), e.at(),
            "the stored definition of connection `" + e.id() + "` (version " + e.version() + ") is not valid here: "
                + ex.getMessage(), false));
      }
    }
    effective = Map.copyOf(next);
    revision = s.revision();
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (poller != null) {
      poller.shutdownNow();
      poller = null;
    }
    store.close();
  }
}
