package io.vectorgate.proxy;

import io.vectorgate.proxy.config.ConfigCheck;
import io.vectorgate.proxy.config.ConfigException;
import io.vectorgate.proxy.config.ConfigLoader;
import io.vectorgate.proxy.config.GatewayConfig;
import java.net.BindException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java io.vectorgate.proxy.GatewayMain --config gateway.yaml}: loads the config (invalid
 * config fails here, naming the key), opens the decision log, compiles or rolls out the policy, starts
 * every listener and the admin API, and runs until
 * interrupted. Before starting it checks what the config needs from the machine ({@link ConfigCheck}:
 * secrets, free listen addresses); {@code --check} also compiles the policy and probes the upstreams.
 * Exit codes: 0 after a clean shutdown, 2 for bad usage or config, 1 otherwise.
 */
public final class GatewayMain {
  private static final Logger LOG = LoggerFactory.getLogger(GatewayMain.class);

  private GatewayMain() {}

  public static void main(String[] args) {
    int code = run(args);
    if (code != 0) {
      System.exit(code);
    }
  }

  /**
   * Runs the gateway (until the JVM shuts down) or, with {@code --check}, only checks the config.
   * Returns the exit code instead of exiting, for the CLI and tests.
   */
  public static int run(String... args) {
    Path config = null;
    boolean checkOnly = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--config" -> config = i + 1 < args.length ? Path.of(args[++i]) : null;
        case "--check" -> checkOnly = true;
        default -> {
          System.err.println("unknown argument `" + args[i] + "`");
          return usage();
        }
      }
    }
    if (config == null) {
      return usage();
    }
    try {
      GatewayConfig cfg = ConfigLoader.load(config);
      if (checkOnly) {
        return check(config, cfg);
      }
      List<ConfigCheck.Problem> problems = ConfigCheck.startProblems(cfg, System::getenv);
      if (!problems.isEmpty()) {
        for (ConfigCheck.Problem p : problems) {
          System.err.println("vectorgate: cannot start: " + config + ": " + p);
        }
        return 2;
      }
      LOG.info("event=gateway_starting config={} listeners={} connections={}", config, cfg.listeners().size(),
          cfg.connections().size());
      // decision log, engine (policy.source: first revision active before traffic), listeners, admin API
      Gateway gateway = Gateway.fromConfig(cfg, System::getenv, Clock.systemUTC());
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        LOG.info("event=shutdown metrics={}", gateway.metrics().snapshot());
        gateway.close();
        stopped.countDown();
      }, "vectorgate-shutdown"));
      for (var l : cfg.listeners()) {
        System.out.println("vectorgate: listener " + l.name() + " (" + l.kind() + ") on 127.0.0.1:" + gateway.port(l.name())
            + " -> " + l.connection());
        LOG.info("event=listener_started name={} kind={} port={} connection={}", l.name(), l.kind(),
            gateway.port(l.name()), l.connection());
      }
      if (cfg.admin() != null) {
        System.out.println("vectorgate: admin API on 127.0.0.1:" + gateway.adminPort()
            + " (/v1/policy, /metrics" + (cfg.approvals() != null ? ", /v1/approvals" : "")
            + (cfg.recording() != null && cfg.recording().admin() != null ? ", /v1/sessions" : "") + ")");
      }
      // an upstream that is down now is reported, not fatal: requests to it fail until it is up
      for (ConfigCheck.Problem p : ConfigCheck.unreachableUpstreams(cfg, 2000)) {
        LOG.warn("event=upstream_unreachable key={} message=\"{}\"", p.key(), p.message());
        System.err.println("vectorgate: warning: " + p);
      }
      LOG.info("event=gateway_started config={}", config);
      stopped.await();
      return 0;
    } catch (ConfigException e) {
      System.err.println("vectorgate: invalid configuration: " + e.getMessage());
      return 2;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    } catch (Exception e) {
      BindException bind = cause(e, BindException.class);
      if (bind != null) {
        // a port taken between the check and the bind: one line, no stack trace
        System.err.println("vectorgate: failed to start: cannot listen: " + bind.getMessage());
        return 1;
      }
      LOG.error("event=startup_failed error={}", e.toString(), e);
      System.err.println("vectorgate: failed to start: " + e);
      return 1;
    }
  }

  /**
   * {@code --check}: every problem of {@link ConfigCheck#all} on stderr (errors and warnings), then
   * {@code config ok} on stdout when there is no error. Returns the exit code (0 ok, 2 errors).
   */
  static int check(Path config, GatewayConfig cfg) {
    List<ConfigCheck.Problem> problems = new java.util.ArrayList<>(ConfigCheck.all(cfg, System::getenv));
    problems.addAll(io.vectorgate.proxy.connections.LiveConnections.checkAwaited(cfg, System::getenv));
    if (cfg.policy() != null && cfg.policy().source() != null) {
      try {
        String revision = io.vectorgate.proxy.rollout.GatewayRollout.checkSource(cfg.policy().source(), System::getenv);
        System.out.println("policy source ok: revision " + revision);
      } catch (ConfigException e) {
        String prefix = e.keyPath() + ": ";
        String message = e.getMessage().startsWith(prefix) ? e.getMessage().substring(prefix.length()) : e.getMessage();
        problems.add(new ConfigCheck.Problem(e.keyPath(), message, true));
      }
    }
    long errors = problems.stream().filter(ConfigCheck.Problem::fatal).count();
    for (ConfigCheck.Problem p : problems) {
      System.err.println((p.fatal() ? "error: " : "warning: ") + config + ": " + p);
    }
    if (errors > 0) {
      System.err.println("vectorgate: " + errors + (errors == 1 ? " error" : " errors") + " in " + config);
      return 2;
    }
    long warnings = problems.size() - errors;
    System.out.println("config ok: " + config + (warnings == 0 ? "" : " (" + warnings
        + (warnings == 1 ? " warning" : " warnings") + ")"));
    return 0;
  }

  private static <T extends Throwable> T cause(Throwable e, Class<T> type) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
  }

  private static int usage() {
    System.err.println("usage: GatewayMain --config <gateway.yaml> [--check]");
    return 2;
  }
}
