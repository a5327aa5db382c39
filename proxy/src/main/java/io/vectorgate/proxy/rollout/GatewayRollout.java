package io.vectorgate.proxy.rollout;

import com.sun.net.httpserver.HttpServer;
import io.vectorgate.engine.EngineConfig;
import io.vectorgate.engine.PolicyEngine;
import io.vectorgate.proxy.config.ConfigException;
import io.vectorgate.proxy.config.ConfigLoader;
import io.vectorgate.rollout.BundleServerConfig;
import io.vectorgate.rollout.BundleServerSource;
import io.vectorgate.rollout.BundleSignatureVerifier;
import io.vectorgate.rollout.GitPolicySource;
import io.vectorgate.rollout.GitSourceConfig;
import io.vectorgate.rollout.ImpactCheck;
import io.vectorgate.rollout.InMemoryRolloutState;
import io.vectorgate.rollout.JdbcRolloutState;
import io.vectorgate.rollout.PolicySource;
import io.vectorgate.rollout.RolloutController;
import io.vectorgate.rollout.RolloutHttpHandler;
import io.vectorgate.rollout.RolloutMetrics;
import io.vectorgate.rollout.RolloutPipeline;
import io.vectorgate.rollout.RolloutState;
import io.vectorgate.rollout.SampleImpactCheck;
import io.vectorgate.rollout.WebhookSignature;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's policy rollout: builds the source, the shared state, the pipeline and the
 * controller from {@code policy.source}, activates the first revision before the gateway takes
 * traffic (when the branch head or the pin is broken, the newest revision the shared state records
 * as activated; start-up fails, naming {@code policy.source}, when none can be activated), then polls,
 * and serves the webhook and status endpoints when {@code policy.source.http} is set.
 */
public final class GatewayRollout implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GatewayRollout.class);

  private final PolicyEngine engine;
  private final PolicySource source;
  private final RolloutState state;
  private final RolloutController controller;
  private final HttpServer http;

  private GatewayRollout(PolicyEngine engine, PolicySource source, RolloutState state, RolloutController controller,
      HttpServer http) {
    this.engine = engine;
    this.source = source;
    this.state = state;
    this.controller = controller;
    this.http = http;
  }

  /** Starts rollout with the engine defaults. */
  public static GatewayRollout start(PolicySourceConfig cfg, Function<String, String> env) {
    return start(cfg, env, EngineConfig.defaults());
  }

  public static GatewayRollout start(PolicySourceConfig cfg, Function<String, String> env, EngineConfig engineConfig) {
    String at = "policy.source";
    PolicyEngine engine = new PolicyEngine(engineConfig);
    PolicySource source = null;
    RolloutState state = null;
    RolloutController controller = null;
    try {
      String instance = cfg.instanceId() != null ? cfg.instanceId() : defaultInstanceId();
      source = source(cfg, env, at, cfg.workDir().resolve("mirror.git"));
      state = cfg.state() == null ? new InMemoryRolloutState() : JdbcRolloutState.open(cfg.state());
      ImpactCheck impact = cfg.impact() == null ? null
          : new SampleImpactCheck(cfg.impact().sample(), cfg.impact().expectations(), engineConfig);
      RolloutPipeline pipeline = RolloutPipeline.standard(impact, cfg.workDir().resolve("work"), new RolloutMetrics());
      controller = new RolloutController(instance, source, pipeline, engine, state, Clock.systemUTC(),
          Duration.ofSeconds(cfg.pollIntervalSeconds()));
      RolloutController.CheckResult first = controller.checkNow();
      if (engine.activeRevision().isEmpty()) {
        String why = first instanceof RolloutController.CheckResult.Failed f ? f.failure().render()
            : first instanceof RolloutController.CheckResult.KnownBad k ? k.failure().render()
            : "the source has no revision yet";
        throw new ConfigException(at, "no policy revision could be activated from " + source.describe() + ":\n  " + why);
      }
      if (first instanceof RolloutController.CheckResult.FellBack fb) {
        LOG.warn("event=policy_rollout_degraded_start instance={} serving={} broken={} stage={} failure=\"{}\"",
            instance, fb.revision(), fb.broken(), fb.failure().stage().wireName(),
            fb.failure().render().replace("\n", " | "));
      }
      controller.start();
      HttpServer server = cfg.http() == null ? null : http(cfg.http(), controller, env, at + ".http");
      LOG.info("event=policy_rollout_started instance={} source=\"{}\" revision={} poll_seconds={} state={} http={}",
          instance, source.describe(), engine.activeRevision().orElse(null), cfg.pollIntervalSeconds(),
          cfg.state() == null ? "memory" : state instanceof JdbcRolloutState j ? j.describe() : "?",
          server == null ? "off" : server.getAddress());
      return new GatewayRollout(engine, source, state, controller, server);
    } catch (RuntimeException e) {
      if (controller != null) {
        controller.close();
      }
      if (source != null) {
        source.close();
      }
      if (state != null) {
        state.close();
      }
      engine.close();
      throw e;
    }
  }

  /**
   * For {@code gateway --check}: builds the source into a throw-away mirror and asks it for its
   * newest revision (git: the branch must exist at the URL; bundle server: the bundle must download
   * and verify). A source that cannot be reached fails with a {@link ConfigException} naming
   * {@code policy.source} and the reason.
   *
   * @return the source's newest revision
   */
  public static String checkSource(PolicySourceConfig cfg, Function<String, String> env) {
    String at = "policy.source";
    Path tmp;
    try {
      tmp = Files.createTempDirectory("vectorgate-check-");
    } catch (IOException e) {
      throw new ConfigException(at, "cannot create a temporary folder to check the source: " + e.getMessage(), e);
    }
    try (PolicySource source = source(cfg, env, at, tmp.resolve("mirror.git"))) {
      return source.latest().orElseThrow(() -> new ConfigException(at, source.describe() + " has no revision yet"));
    } catch (io.vectorgate.rollout.RolloutException e) {
      throw new ConfigException(at, "the policy source is not reachable: " + e.failure().message(), e);
    } finally {
      deleteTree(tmp);
    }
  }

  private static void deleteTree(Path dir) {
    try (var walk = Files.walk(dir)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      LOG.warn("event=check_cleanup_failed dir={} error=\"{}\"", dir, e.toString());
    }
  }

  private static PolicySource source(PolicySourceConfig cfg, Function<String, String> env, String at, Path mirror) {
    try {
      if (cfg.kind().equals("git")) {
        GitSourceConfig.GitCredentials creds = null;
        PolicySourceConfig.Credentials c = cfg.credentials();
        if (c != null && c.sshKeyFile() != null) {
          creds = GitSourceConfig.GitCredentials.ssh(c.username(), c.sshKeyFile(), c.sshKeyPassphrase() == null ? null
              : ConfigLoader.readSecret(c.sshKeyPassphrase(), at + ".credentials.ssh_key_passphrase", env),
              c.knownHostsFile());
        } else if (c != null) {
          creds = new GitSourceConfig.GitCredentials(c.username(),
              ConfigLoader.readSecret(c.token(), at + ".credentials.token", env));
        }
        return new GitPolicySource(new GitSourceConfig(cfg.url(), cfg.branch(), cfg.path(),
            mirror, creds, cfg.signatures() == null ? null : cfg.signatures().allowedSignersFile(),
            cfg.signatures() == null ? List.of() : cfg.signatures().publicKeys()));
      }
      BundleSignatureVerifier verifier = null;
      if (cfg.signing() != null) {
        String keyId = cfg.signing().keyId() == null ? "default" : cfg.signing().keyId();
        verifier = new BundleSignatureVerifier(Map.of(keyId, BundleSignatureVerifier.publicKeyFromPem(
            Files.readString(cfg.signing().publicKeyFile()))), keyId, cfg.signing().scope());
      }
      String token = cfg.token() == null ? null : ConfigLoader.readSecret(cfg.token(), at + ".token", env);
      return new BundleServerSource(new BundleServerConfig(URI.create(cfg.url()), token, verifier, null, null));
    } catch (IOException e) {
      throw new ConfigException(at, "cannot set up the source: " + e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(at, e.getMessage(), e);
    }
  }

  private static HttpServer http(PolicySourceConfig.Http h, RolloutController controller, Function<String, String> env,
      String at) {
    WebhookSignature webhook = h.webhookSecret() == null ? null : new WebhookSignature(
        ConfigLoader.readSecret(h.webhookSecret(), at + ".webhook_secret", env).getBytes(StandardCharsets.UTF_8));
    var admin = h.adminToken() == null ? null
        : RolloutHttpHandler.bearer(ConfigLoader.readSecret(h.adminToken(), at + ".admin_token", env));
    int port = Integer.parseInt(h.address().substring(h.address().lastIndexOf(':') + 1));
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
      server.createContext("/admin/policy/", new RolloutHttpHandler(controller, webhook, admin));
      server.setExecutor(java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "vectorgate-rollout-http");
        t.setDaemon(true);
        return t;
      }));
      server.start();
      return server;
    } catch (IOException e) {
      throw new ConfigException(at + ".address", "cannot listen on " + h.address() + ": " + e.getMessage(), e);
    }
  }

  static String defaultInstanceId() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      host = "localhost";
    }
    return host + "-" + ProcessHandle.current().pid();
  }

  /** The live engine the gateway decides with; rollout swaps its bundle. */
  public PolicyEngine engine() {
    return engine;
  }

  public RolloutController controller() {
    return controller;
  }

  /** The status for the admin API ({@link RolloutHttpHandler#statusJson} renders it). */
  public RolloutController.Status status() {
    return controller.status();
  }

  /** The bound port of the rollout HTTP endpoints, when configured. */
  public Optional<Integer> httpPort() {
    return http == null ? Optional.empty() : Optional.of(http.getAddress().getPort());
  }

  @Override
  public void close() {
    if (http != null) {
      http.stop(0);
    }
    controller.close();
    source.close();
    state.close();
    engine.close();
  }
}
