package io.vectorgate.proxy;

import io.vectorgate.engine.DecisionEngine;
import io.vectorgate.engine.EngineConfig;
import io.vectorgate.engine.PolicyActivationException;
import io.vectorgate.engine.PolicyCompiler;
import io.vectorgate.engine.PolicyEngine;
import io.vectorgate.engine.CompileResult;
import io.vectorgate.model.Connection;
import io.vectorgate.model.DatabaseKind;
import io.vectorgate.proxy.admin.ConnectionsAdminHandler;
import io.vectorgate.proxy.admin.OidcAdminAuthenticator;
import io.vectorgate.proxy.config.ConfigException;
import io.vectorgate.proxy.config.ConfigLoader;
import io.vectorgate.proxy.config.ConnectionsApiConfig;
import io.vectorgate.proxy.config.GatewayConfig;
import io.vectorgate.proxy.config.GatewayConfig.ConnectionConfig;
import io.vectorgate.proxy.config.GatewayConfig.ListenerConfig;
import io.vectorgate.proxy.connections.ConnectionSpecs;
import io.vectorgate.proxy.connections.LiveConnections;
import io.vectorgate.proxy.connections.LiveRoute;
import io.vectorgate.proxy.grpc.GrpcEventLoops;
import io.vectorgate.proxy.grpc.MilvusGrpcGateway;
import io.vectorgate.proxy.grpc.MilvusRoute;
import io.vectorgate.proxy.grpc.MilvusUpstreamReads;
import io.vectorgate.proxy.grpc.UpstreamMilvus;
import io.vectorgate.proxy.enforce.ValueMasker;
import io.vectorgate.proxy.adapter.AdapterRegistry;
import io.vectorgate.proxy.adapter.milvus.RowFilterBinding;
import io.vectorgate.proxy.http.HttpUpstreamReads;
import io.vectorgate.proxy.http.HttpGateway;
import io.vectorgate.proxy.http.HttpRequestProcessor;
import io.vectorgate.proxy.http.HttpUpstream;
import io.vectorgate.proxy.http.JsonBodies;
import io.vectorgate.proxy.identity.TokenVerifier;
import io.vectorgate.proxy.pipeline.ApprovalGate;
import io.vectorgate.proxy.pipeline.GatewayMetrics;
import io.vectorgate.proxy.pipeline.RequestPipeline;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A running gateway: every configured listener, its upstream, the identity verifier and the engine. */
public final class Gateway implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);

  private final Map<String, MilvusGrpcGateway> listeners = new LinkedHashMap<>();
  private final Map<String, HttpGateway> httpListeners = new LinkedHashMap<>();
  /** Each listener's live route (its connection's upstream), closed at shutdown. */
  private final List<LiveRoute<?>> routes = new ArrayList<>();
  private LiveConnections connections;
  /** Closes replaced Milvus upstreams off the request threads (their close waits for the channel). */
  private ExecutorService retireExecutor;
  private final List<AutoCloseable> owned = new ArrayList<>();
  private final GatewayMetrics metrics = new GatewayMetrics();
  private ExecutorService workers;
  private ExecutorService channelExecutor;
  /** The event loops of every Milvus listener and upstream channel ({@code limits.io_threads}). */
  private GrpcEventLoops grpcLoops;
  private ExecutorService httpUpstreamExecutor;
  private io.vectorgate.proxy.approval.Approvals approvalWorkflow;
  private io.vectorgate.proxy.recording.GatewayRecording recording = io.vectorgate.proxy.recording.GatewayRecording.off();
  private io.vectorgate.recorder.RecordingStore sessionsStore;
  private io.vectorgate.proxy.recording.SessionsAdminHandler.Server sessionsAdmin;
  private io.vectorgate.approvals.admin.AdminServer adminServer;
  private java.util.function.BiConsumer<String, com.sun.net.httpserver.HttpHandler> adminMount;
  private int adminPort = -1;
  private io.vectorgate.proxy.admin.GatewayPrometheus prometheus;
  private io.vectorgate.proxy.health.HealthServer health;
  /** How long each listener waits for calls in flight at shutdown ({@code health.in_flight_timeout_ms}). */
  private long inFlightTimeoutMs = io.vectorgate.proxy.config.HealthConfig.DEFAULT_IN_FLIGHT_TIMEOUT_MS;

  private Gateway() {}

  /**
   * Starts every listener of {@code cfg}.
   *
   * @param env where {@code env:} secrets are read (System::getenv in production)
   * @param policyClock the clock of {@code context.time} in policy input (the system clock in production)
   * @param engine the decision engine (see {@link #compileEngine})
   */
  public static Gateway start(GatewayConfig cfg, Function<String, String> env, Clock policyClock,
      DecisionEngine engine, ApprovalGate approvals) throws IOException {
    return start(cfg, env, policyClock, engine, approvals, AdapterRegistry.defaults());
  }

  /** As {@link #start(GatewayConfig, Function, Clock, DecisionEngine, ApprovalGate)}, with the adapters to use. */
  public static Gateway start(GatewayConfig cfg, Function<String, String> env, Clock policyClock,
      DecisionEngine engine, ApprovalGate approvals, AdapterRegistry adapters) throws IOException {
    return start(cfg, env, policyClock, engine, approvals, adapters, null);
  }

  /**
   * As above, with the policy rollout whose engine is {@code engine} (null: a static policy): the
   * admin API's policy routes and metrics report it.
   */
  public static Gateway start(GatewayConfig cfg, Function<String, String> env, Clock policyClock,
      DecisionEngine engine, ApprovalGate approvals, AdapterRegistry adapters,
      io.vectorgate.proxy.rollout.GatewayRollout rollout) throws IOException {
    Gateway g = new Gateway();
    try {
      g.startAll(cfg, env, policyClock, engine, approvals, adapters, rollout);
      return g;
    } catch (IOException | RuntimeException e) {
      g.close();
      throw e;
    }
  }

  /**
   * Everything {@code cfg} describes, as {@code GatewayMain} runs it: the decision log
   * ({@code decision_log:}), the engine (compiled from {@code policy.rego_dirs} or rolled out from
   * {@code policy.source}, first revision active before any listener opens), every listener, and the
   * admin API. The gateway owns and closes the engine, the rollout and the decision log.
   *
   * @param policyClock the clock of {@code context.time} in policy input (the system clock in production)
   */
  public static Gateway fromConfig(GatewayConfig cfg, Function<String, String> env, Clock policyClock)
      throws IOException {
    io.vectorgate.engine.LongAdderEngineMetrics engineMetrics = new io.vectorgate.engine.LongAdderEngineMetrics();
    io.vectorgate.engine.DecisionLogger decisionLog = decisionLogger(cfg.decisionLog(), engineMetrics);
    EngineConfig engineConfig = cfg.policy().applyTo(EngineConfig.defaults().toBuilder().decisionLogger(decisionLog)
        .metrics(engineMetrics)).build();
    io.vectorgate.proxy.rollout.GatewayRollout rollout = null;
    PolicyEngine engine = null;
    try {
      if (cfg.policy().source() != null) {
        rollout = io.vectorgate.proxy.rollout.GatewayRollout.start(cfg.policy().source(), env, engineConfig);
        engine = rollout.engine();
      } else {
        engine = compileEngine(cfg.policy(), engineConfig);
      }
      Gateway g = start(cfg, env, policyClock, engine, ApprovalGate.DENY, AdapterRegistry.defaults(), rollout);
      g.own(rollout != null ? rollout : engine);
      g.own(decisionLog); // after the engine: every decision taken is queued, then drained
      return g;
    } catch (IOException | RuntimeException e) {
      closeQuietly(rollout != null ? rollout : engine);
      closeQuietly(decisionLog);
      throw e;
    }
  }

  /** The JSON-lines decision log of {@code decision_log:} (none without the section). */
  static io.vectorgate.engine.DecisionLogger decisionLogger(io.vectorgate.proxy.config.DecisionLogConfig dl,
      io.vectorgate.engine.EngineMetrics metrics) {
    if (dl == null) {
      return io.vectorgate.engine.DecisionLogger.NONE;
    }
    io.vectorgate.engine.DecisionLogMasker masker = dl.mask().isEmpty() ? io.vectorgate.engine.DecisionLogMasker.NONE
        : io.vectorgate.engine.DecisionLogMasker.erasing(dl.mask().toArray(String[]::new));
    java.io.OutputStream out;
    if (dl.toStdout()) {
      out = new java.io.FilterOutputStream(System.out) {
        @Override
        public void write(byte[] b, int off, int len) throws IOException {
          this.out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
          flush(); // standard output stays open
        }
      };
    } else {
      try {
        Path parent = dl.file().toAbsolutePath().getParent();
        if (parent != null) {
          java.nio.file.Files.createDirectories(parent);
        }
        out = java.nio.file.Files.newOutputStream(dl.file(), java.nio.file.StandardOpenOption.CREATE,
            java.nio.file.StandardOpenOption.APPEND);
      } catch (IOException e) {
        throw new ConfigException("decision_log.path", "cannot open `" + dl.path() + "` for appending: " + e.getMessage(), e);
      }
    }
    LOG.info("event=decision_log_open path={} mask={} queue_size={}", dl.path(), dl.mask(), dl.queueSize());
    return new io.vectorgate.engine.JsonLinesDecisionLogger(out, dl.queueSize(), masker, metrics, dl.labels());
  }

  private static void closeQuietly(AutoCloseable c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (Exception e) {
      LOG.warn("event=close_failed resource={} error={}", c, e.toString(), e);
    }
  }

  private void startAll(GatewayConfig cfg, Function<String, String> env, Clock policyClock, DecisionEngine engine,
      ApprovalGate approvals, AdapterRegistry adapters,
      io.vectorgate.proxy.rollout.GatewayRollout rollout) throws IOException {
    if (cfg.health() != null) { // probes answer from the start; /readyz turns 200 once every listener is up
      inFlightTimeoutMs = cfg.health().inFlightTimeoutMs();
      try {
        health = io.vectorgate.proxy.health.HealthServer.start(cfg.health());
      } catch (IOException e) {
        throw new ConfigException("health.address", "cannot listen on " + cfg.health().address() + ": " + e.getMessage(), e);
      }
    }
    var id = cfg.identity();
    byte[] hmac = id.hmacSecret() == null ? null
        : ConfigLoader.readSecret(id.hmacSecret(), "identity.hmac_secret", env).getBytes(StandardCharsets.UTF_8);
    TokenVerifier verifier = new TokenVerifier(id, hmac, Clock.systemUTC());
    byte[] maskKey = ConfigLoader.readSecret(cfg.masking().hmacKey(), "masking.hmac_key", env)
        .getBytes(StandardCharsets.UTF_8);
    if (maskKey.length < 16) {
      throw new ConfigException("masking.hmac_key", "must be at least 16 bytes");
    }
    var lim = cfg.limits();
    workers = new ThreadPoolExecutor(lim.workerThreads(), lim.workerThreads(), 60, TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(lim.queueSize()), daemonThreads("vectorgate-worker"), new ThreadPoolExecutor.AbortPolicy());
    channelExecutor = Executors.newFixedThreadPool(2, daemonThreads("vectorgate-upstream"));
    grpcLoops = new GrpcEventLoops(lim.ioThreads());
    if (cfg.recording() != null) {
      // every request, allowed or not, goes to the session log; fail closed unless overflow: drop
      recording = io.vectorgate.proxy.recording.GatewayRecording.open(cfg.recording(), env, metrics);
    }
    if (cfg.approvals() != null) {
      // the configured approval workflow replaces the gate passed in
      approvalWorkflow = io.vectorgate.proxy.approval.Approvals.start(cfg.approvals(), verifier, env,
          recording.enabled() ? new io.vectorgate.proxy.recording.RecordingApprovalAudit(recording.recorder(), metrics)
              : null, Clock.systemUTC(), lim.workerThreads());
      approvals = approvalWorkflow.gate();
    }
    if (cfg.admin() != null) {
      startAdmin(cfg.admin(), verifier, env, engine, rollout);
    } else if (approvalWorkflow != null) {
      adminMount = approvalWorkflow::addAdminRoutes; // the older form: approvals.admin hosts the sessions routes
      adminPort = approvalWorkflow.adminPort();
    }
    if (cfg.recording() != null && cfg.recording().admin() != null) {
      startSessionsAdmin(cfg.recording(), verifier, env);
    }
    if (cfg.admin() != null && cfg.admin().dashboard() != null) {
      java.util.Map<String, io.vectorgate.model.DatabaseKind> kinds = new java.util.HashMap<>();
      cfg.connections().forEach(c -> kinds.put(c.name(), kindOf(c)));
      cfg.listeners().stream().filter(ListenerConfig::connectionFromApi)
          .forEach(l -> kinds.put(l.connection(), kindOf(ConfigLoader.awaitedConnection(l))));
      io.vectorgate.proxy.dashboard.Dashboard.mount(cfg.admin().dashboard(), adminMount, verifier, id.issuer(),
          new io.vectorgate.proxy.dashboard.Dashboard.Sources(
              approvalWorkflow == null ? null : approvalWorkflow.service(),
              cfg.approvals() == null || cfg.approvals().admin() == null ? java.util.Set.of()
                  : new java.util.HashSet<>(cfg.approvals().admin().readAllGroups()), sessionsStore,
              cfg.recording() == null || cfg.recording().admin() == null ? java.util.List.of()
                  : cfg.recording().admin().auditorGroups(),
              engine instanceof PolicyEngine p ? p : null, rollout == null ? null : rollout.controller(),
              new java.util.HashSet<>(cfg.admin().readerGroups()), new java.util.HashSet<>(cfg.admin().operatorGroups()),
              kinds, metrics::snapshot, recording.enabled() ? recording.recorder()::stats : null,
              explainSources(cfg.policy(), rollout)));
    }
    io.vectorgate.proxy.tracing.GatewayTracing tracing = io.vectorgate.proxy.tracing.GatewayTracing.open(cfg.tracing(), env);
    owned.add(tracing); // closed after the listeners: flushes the last spans
    RequestPipeline pipeline = new RequestPipeline(engine, approvals,
        io.vectorgate.proxy.budget.Budgets.tracker(cfg.budgets(), env, Clock.systemUTC(), owned::add), metrics, policyClock,
        verifier, recording, tracing.tracer());
    RouteFactory factory = new RouteFactory(maskKey, adapters, pipeline, lim);
    ConnectionsApiConfig connectionsApi = cfg.admin() == null ? null : cfg.admin().connections();
    if (connectionsApi != null) {
      ConnectionSpecs specs = new ConnectionSpecs(connectionsApi, cfg.connections());
      connections = new LiveConnections(cfg.connections(), LiveConnections.openStore(connectionsApi, env), specs,
          connectionsApi.pollIntervalMillis());
      adminMount.accept(ConnectionsAdminHandler.PREFIX, new ConnectionsAdminHandler(connections, specs, cfg.listeners(), env,
          new OidcAdminAuthenticator(verifier), new java.util.HashSet<>(cfg.admin().operatorGroups()), Clock.systemUTC()));
    }
    for (int i = 0; i < cfg.listeners().size(); i++) {
      ListenerConfig l = cfg.listeners().get(i);
      // connection_source: api: a stand-in of its kind renders refusals until the store provides it
      ConnectionConfig c = l.connectionFromApi() ? ConfigLoader.awaitedConnection(l)
          : cfg.connection(l.connection()).orElseThrow();
      String credentialKey = "connections[" + cfg.connections().indexOf(c) + "].credential";
      if (!adapters.serves(kindOf(c))) {
        throw new ConfigException("connections." + c.name() + ".kind", "this build has no adapter for `" + c.kind() + "`");
      }
      if (l.kind().equals("http")) {
        // while the connection cannot be served, its YAML definition renders the listener's refusals
        LiveRoute<HttpRequestProcessor> route = liveRoute(l, c, credentialKey, env,
            (k, credential) -> factory.http(l, k, credential), () -> factory.http(l, c, ""), p -> { });
        HttpGateway http = new HttpGateway(l, route, workers);
        httpListeners.put(l.name(), http);
        http.start();
        continue;
      }
      if (retireExecutor == null) {
        retireExecutor = Executors.newSingleThreadExecutor(daemonThreads("vectorgate-upstream-retire"));
      }
      ExecutorService retire = retireExecutor;
      LiveRoute<MilvusRoute> route = liveRoute(l, c, credentialKey, env,
          (k, credential) -> factory.milvus(l, k, credential), () -> null, r -> retire(retire, r.upstream()));
      MilvusGrpcGateway listener = new MilvusGrpcGateway(l, new Connection(c.name(), DatabaseKind.MILVUS), route, pipeline, workers, recording)
          .eventLoops(grpcLoops);
      listeners.put(l.name(), listener);
      listener.start();
    }
    if (connections != null) {
      connections.start();
    }
    if (health != null) {
      health.ready();
    }
  }

  /** Builds a listener's route for one connection: its upstream client and the adapter bound to it. */
  private final class RouteFactory {
    private final byte[] maskKey;
    private final AdapterRegistry adapters;
    private final RequestPipeline pipeline;
    private final GatewayConfig.LimitsConfig lim;

    RouteFactory(byte[] maskKey, AdapterRegistry adapters, RequestPipeline pipeline, GatewayConfig.LimitsConfig lim) {
      this.maskKey = maskKey;
      this.adapters = adapters;
      this.pipeline = pipeline;
      this.lim = lim;
    }

    private AdapterRegistry.Settings settings(ConnectionConfig c) {
      return new AdapterRegistry.Settings(c.name(), new ValueMasker(maskKey),
          "literal".equals(c.rowFilterBinding()) ? RowFilterBinding.LITERAL : RowFilterBinding.TEMPLATE, c.preReadIdCap());
    }

    HttpRequestProcessor http(ListenerConfig l, ConnectionConfig c, String credential) {
      synchronized (Gateway.this) {
        if (httpUpstreamExecutor == null) {
          httpUpstreamExecutor = Executors.newCachedThreadPool(daemonThreads("vectorgate-http-upstream"));
        }
      }
      DatabaseKind kind = kindOf(c);
      HttpUpstream up = new HttpUpstream(c, lim.maxMessageBytesCeiling(), httpUpstreamExecutor);
      var adapter = adapters.http(kind, settings(c), HttpUpstreamReads.of(kind, up, credential));
      int depth = (l.http() == null ? GatewayConfig.HttpSettings.DEFAULTS : l.http()).maxJsonDepth();
      return new HttpRequestProcessor(l.name(), new Connection(c.name(), kind), adapter, pipeline, up,
          new JsonBodies(depth), credential, recording);
    }

    MilvusRoute milvus(ListenerConfig l, ConnectionConfig c, String credential) {
      UpstreamMilvus upstream = new UpstreamMilvus(c, credential, l.maxInboundMessageBytes(), channelExecutor, grpcLoops);
      return new MilvusRoute(adapters.milvus(settings(c), MilvusUpstreamReads.of(upstream)), upstream);
    }
  }

  private static DatabaseKind kindOf(ConnectionConfig c) {
    return DatabaseKind.valueOf(c.kind().toUpperCase(java.util.Locale.ROOT));
  }

  /**
   * Listener {@code l}'s live route. Its first route is built from the YAML's connection
   * {@code c} (an unreadable secret is a start-up error naming {@code credentialKey}), or from
   * what the connections API stored for it; {@code renderer} (may give null) stands in while the
   * stored definition cannot be served (it never forwards: its credential is empty). With the connections API, the listener follows every
   * later change of its connection.
   *
   * @param build a route for a connection definition and its credential
   */
  private <T> LiveRoute<T> liveRoute(ListenerConfig l, ConnectionConfig c, String credentialKey,
      Function<String, String> env, java.util.function.BiFunction<ConnectionConfig, String, T> build,
      java.util.function.Supplier<T> renderer,
      java.util.function.Consumer<T> closer) {
    LiveConnections.Effective stored = connections == null ? null : connections.get(c.name()).orElse(null);
    LiveRoute<T> route;
    LiveConnections.Binding binding = null;
    if (stored == null && l.connectionFromApi()) {
      LOG.warn("event=connection_awaited listener={} connection={} kind={}", l.name(), c.name(), c.kind());
      route = new LiveRoute<>(renderer.get(), awaited(l), closer);
    } else if (stored == null || stored.source() == LiveConnections.Source.YAML) {
      route = new LiveRoute<>(build.apply(c, ConfigLoader.readSecret(c.credential(), credentialKey, env)), null, closer);
    } else {
      route = new LiveRoute<>(renderer.get(), new LiveRoute.Unavailable("connection_unavailable", "starting"), closer);
      binding = binding(l, route, build, env);
      binding.apply(stored);
    }
    routes.add(route);
    if (connections != null) {
      connections.bind(binding == null ? binding(l, route, build, env) : binding);
    }
    return route;
  }

  /** The refusal of a {@code connection_source: api} listener whose connection the store does not hold yet. */
  private static LiveRoute.Unavailable awaited(ListenerConfig l) {
    return new LiveRoute.Unavailable("connection_unavailable", "connection `" + l.connection() + "` is not defined"
        + " yet: listener `" + l.name() + "` serves it once it is put through the connections API"
        + " (PUT /v1/connections/" + l.connection() + "); retry later");
  }

  /**
   * How listener {@code l} follows its connection: a new route for a changed definition (read
   * and checked on this instance), a refusal naming the reason for a removed one or one that cannot
   * be used here (its kind, an unreadable secret); never the previous definition.
   */
  private static <T> LiveConnections.Binding binding(ListenerConfig l, LiveRoute<T> route,
      java.util.function.BiFunction<ConnectionConfig, String, T> build, Function<String, String> env) {
    return new LiveConnections.Binding() {
      @Override
      public String listener() {
        return l.name();
      }

      @Override
      public String connectionId() {
        return l.connection();
      }

      @Override
      public void apply(LiveConnections.Effective e) {
        if (e.removed()) {
          route.refuse(new LiveRoute.Unavailable(e.deleted() ? "connection_removed" : "connection_unavailable",
              e.problem()));
          return;
        }
        String at = "connection `" + e.id() + "` (version " + e.version() + ")";
        try {
          ConfigLoader.requireListenerFronts(l, e.config(), at + " for listener `" + l.name() + "`");
          route.serve(build.apply(e.config(), ConfigLoader.readSecret(e.config().credential(), at + ".credential", env)));
        } catch (ConfigException ex) {
          LOG.error("event=connection_unusable listener={} connection={} version={} error={}", l.name(), e.id(),
              e.version(), ex.getMessage());
          route.refuse(new LiveRoute.Unavailable("connection_unavailable", "connection `" + e.id()
              + "` cannot be used on this gateway: " + ex.getMessage()));
        }
      }
    };
  }

  /** Closes a replaced upstream on {@code retire}, or here once that executor has stopped (shutdown). */
  private static void retire(ExecutorService retire, UpstreamMilvus upstream) {
    try {
      retire.execute(upstream::close);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      upstream.close();
    }
  }

  /** The health listener ({@code health:}), when configured. */
  public java.util.Optional<io.vectorgate.proxy.health.HealthServer> health() {
    return java.util.Optional.ofNullable(health);
  }

  /**
   * The {@code admin:} API: the approvals admin server when approvals are configured (its address
   * is {@code admin.address}, see ConfigLoader), else a server of its own; policy and metrics routes on it.
   */
  private void startAdmin(io.vectorgate.proxy.config.AdminConfig ac, TokenVerifier verifier,
      Function<String, String> env, DecisionEngine engine, io.vectorgate.proxy.rollout.GatewayRollout rollout)
      throws IOException {
    if (approvalWorkflow != null) {
      adminMount = approvalWorkflow::addAdminRoutes;
      adminPort = approvalWorkflow.adminPort();
    } else {
      ConfigLoader.HostPort hp = ConfigLoader.hostPort(ac.address());
      try {
        adminServer = io.vectorgate.approvals.admin.AdminServer.withoutApprovals(hp.host(), hp.port());
      } catch (IOException e) {
        throw new ConfigException("admin.address", "cannot listen on " + ac.address() + ": " + e.getMessage(), e);
      }
      adminServer.start();
      adminMount = adminServer::addRoutes;
      adminPort = adminServer.port();
    }
    prometheus = io.vectorgate.proxy.admin.GatewayAdmin.mount(ac, adminMount, verifier, env, metrics,
        engine instanceof PolicyEngine p ? p : null, rollout == null ? null : rollout.controller());
  }

  /** The sessions admin API: on its own address, or on the gateway's admin server. */
  private void startSessionsAdmin(io.vectorgate.proxy.config.RecordingConfig rc, TokenVerifier verifier,
      Function<String, String> env) throws IOException {
    var indexConfig = io.vectorgate.proxy.recording.GatewayRecording.recorderConfig(rc, env).index();
    sessionsStore = io.vectorgate.recorder.RecordingStore.open(rc.directory(), indexConfig);
    var handler = new io.vectorgate.proxy.recording.SessionsAdminHandler(sessionsStore,
        new io.vectorgate.proxy.admin.OidcAdminAuthenticator(verifier), new java.util.HashSet<>(rc.admin().auditorGroups()));
    if (rc.admin().address() != null) {
      ConfigLoader.HostPort hp = ConfigLoader.hostPort(rc.admin().address());
      sessionsAdmin = handler.serve(hp.host(), hp.port());
    } else {
      adminMount.accept(io.vectorgate.proxy.recording.SessionsAdminHandler.PREFIX, handler);
    }
  }

  /** The port of the admin API ({@code admin:}, or the older {@code approvals.admin}). */
  public int adminPort() {
    if (adminPort < 0) {
      throw new IllegalStateException("no admin API is configured (admin: or approvals.admin)");
    }
    return adminPort;
  }

  /** The Prometheus exposition of this gateway's metrics, when {@code admin:} is configured. */
  public java.util.Optional<io.vectorgate.proxy.admin.GatewayPrometheus> prometheus() {
    return java.util.Optional.ofNullable(prometheus);
  }

  /** The session log, when the config has a {@code recording:} section. */
  public java.util.Optional<io.vectorgate.proxy.recording.GatewayRecording> recording() {
    return recording.enabled() ? java.util.Optional.of(recording) : java.util.Optional.empty();
  }

  /**
   * Where the dashboard's "Explain" finds the active revision's Rego: the rollout's checkout, or the
   * static {@code policy.rego_dirs} and {@code data_file}.
   */
  private static io.vectorgate.proxy.dashboard.ActiveSources explainSources(GatewayConfig.PolicyConfig policy,
      io.vectorgate.proxy.rollout.GatewayRollout rollout) {
    if (rollout != null) {
      return io.vectorgate.proxy.dashboard.ActiveSources.rollout(rollout.controller());
    }
    if (policy == null || policy.regoDirs().isEmpty()) {
      return null;
    }
    List<Path> sources = new ArrayList<>(policy.regoDirs());
    if (policy.dataFile() != null) {
      sources.add(policy.dataFile());
    }
    return io.vectorgate.proxy.dashboard.ActiveSources.files(sources);
  }

  /** The port of the sessions admin API: its own server's, or the approvals admin server's. */
  public int sessionsAdminPort() {
    if (sessionsAdmin != null) {
      return sessionsAdmin.port();
    }
    if (sessionsStore != null && adminPort >= 0) {
      return adminPort;
    }
    throw new IllegalStateException("no sessions admin API is configured (recording.admin)");
  }

  /**
   * Compiles the configured policy (rego directories plus the data file) with the real {@code opa}
   * and starts a {@link PolicyEngine} with it. A policy that does not compile or activate is a
   * start-up error naming {@code policy}. The engine is the one {@code policy.engine} names (else the
   * default), with {@code policy.shadow_rate}.
   */
  public static PolicyEngine compileEngine(GatewayConfig.PolicyConfig policy) {
    return compileEngine(policy, policy.applyTo(EngineConfig.defaults().toBuilder()).build());
  }

  /** As {@link #compileEngine(GatewayConfig.PolicyConfig)}, with the engine's config (decision log, metrics). */
  public static PolicyEngine compileEngine(GatewayConfig.PolicyConfig policy, EngineConfig engineConfig) {
    List<Path> sources = new ArrayList<>(policy.regoDirs());
    if (policy.dataFile() != null) {
      sources.add(policy.dataFile());
    }
    CompileResult result = PolicyCompiler.create().compile(sources.toArray(Path[]::new));
    if (!result.succeeded()) {
      throw new ConfigException("policy", "the policy does not compile:\n  " + result.diagnostics().stream()
          .map(Object::toString).collect(Collectors.joining("\n  ")));
    }
    try {
      PolicyEngine engine = PolicyEngine.start(engineConfig, result.orThrow());
      LOG.info("event=policy_active revision={} sources={}", engine.activeRevision().orElse("?"), sources);
      return engine;
    } catch (PolicyActivationException e) {
      throw new ConfigException("policy", "the policy compiled but could not be activated: " + e.getMessage(), e);
    }
  }

  /** The bound port of listener {@code name}. */
  public int port(String name) {
    HttpGateway h = httpListeners.get(name);
    if (h != null) {
      return h.port();
    }
    MilvusGrpcGateway l = listeners.get(name);
    if (l == null) {
      throw new IllegalArgumentException("no listener named " + name);
    }
    return l.port();
  }

  public GatewayMetrics metrics() {
    return metrics;
  }

  /** The approval workflow, when the config has an {@code approvals:} section. */
  public java.util.Optional<io.vectorgate.proxy.approval.Approvals> approvals() {
    return java.util.Optional.ofNullable(approvalWorkflow);
  }

  /** Closes {@code c} together with the gateway. */
  public void own(AutoCloseable c) {
    owned.add(c);
  }

  @Override
  public void close() {
    if (health != null) {
      health.drain(); // not ready at once; keeps serving for health.drain_delay_ms so balancers stop sending
    }
    if (approvalWorkflow != null) {
      approvalWorkflow.stopHolding(); // held calls end now with a retriable error
    }
    listeners.values().forEach(l -> l.close(inFlightTimeoutMs));
    httpListeners.values().forEach(l -> l.close(inFlightTimeoutMs));
    if (connections != null) {
      connections.close(); // no more re-binding
    }
    routes.forEach(LiveRoute::close);
    if (retireExecutor != null) {
      retireExecutor.shutdown();
      try {
        if (!retireExecutor.awaitTermination(10, TimeUnit.SECONDS)) {
          LOG.warn("event=upstream_close_slow");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (workers != null) {
      workers.shutdownNow();
    }
    if (channelExecutor != null) {
      channelExecutor.shutdownNow();
    }
    if (grpcLoops != null) {
      grpcLoops.close(); // after every listener and upstream channel
    }
    if (httpUpstreamExecutor != null) {
      httpUpstreamExecutor.shutdownNow();
    }
    if (approvalWorkflow != null) {
      approvalWorkflow.close();
    }
    if (sessionsAdmin != null) {
      sessionsAdmin.close();
      sessionsAdmin = null;
    }
    if (adminServer != null) {
      adminServer.close();
      adminServer = null;
    }
    if (sessionsStore != null) {
      try {
        sessionsStore.close();
      } catch (IOException e) {
        LOG.warn("event=close_failed resource=sessions_store error={}", e.toString(), e);
      }
      sessionsStore = null;
    }
    try {
      recording.close(); // after the listeners: every answered request is queued; drains and seals
    } catch (IOException e) {
      LOG.error("event=recording_close_failed error={}", e.toString(), e);
    }
    for (AutoCloseable c : owned) {
      try {
        c.close();
      } catch (Exception e) {
        LOG.warn("event=close_failed resource={} error={}", c, e.toString(), e);
      }
    }
    if (health != null) {
      health.close(); // last: /livez answers until everything above is flushed and closed
      health = null;
    }
  }

  private static java.util.concurrent.ThreadFactory daemonThreads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
