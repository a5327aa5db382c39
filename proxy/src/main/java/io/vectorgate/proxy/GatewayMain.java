package io.vectorgate.proxy;

import io.vectorgate.proxy.config.ConfigException;
import io.vectorgate.proxy.config.ConfigLoader;
import io.vectorgate.proxy.config.GatewayConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java io.vectorgate.proxy.GatewayMain --config gateway.yaml}: loads the config (invalid
 * config fails here, naming the key), opens the decision log, compiles or rolls out the policy, starts
 * every listener and the admin API, and runs until
 * interrupted. Exit codes: 0 after a clean shutdown, 2 for bad usage or config, 1 otherwise.
 */
public final class GatewayMain {
  private static final Logger LOG = LoggerFactory.getLogger(GatewayMain.class);

  private GatewayMain() {}

  public static void main(String[] args) {
    Path config = null;
    boolean checkOnly = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--config" -> config = i + 1 < args.length ? Path.of(args[++i]) : null;
        case "--check" -> checkOnly = true;
        default -> {
          System.err.println("unknown argument `" + args[i] + "`");
          usage();
        }
      }
    }
    if (config == null) {
      usage();
    }
    try {
      GatewayConfig cfg = ConfigLoader.load(config);
      if (checkOnly) {
        if (cfg.policy() != null && cfg.policy().source() != null) {
          System.out.println("policy source ok: revision "
              + io.vectorgate.proxy.rollout.GatewayRollout.checkSource(cfg.policy().source(), System::getenv));
        }
        System.out.println("config ok: " + config);
        return;
      }
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
      }
      if (cfg.admin() != null) {
        System.out.println("vectorgate: admin API on 127.0.0.1:" + gateway.adminPort()
            + " (/v1/policy, /metrics" + (cfg.approvals() != null ? ", /v1/approvals" : "")
            + (cfg.recording() != null && cfg.recording().admin() != null ? ", /v1/sessions" : "") + ")");
      }
      stopped.await();
    } catch (ConfigException e) {
      System.err.println("vectorgate: invalid configuration: " + e.getMessage());
      System.exit(2);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      LOG.error("event=startup_failed error={}", e.toString(), e);
      System.err.println("vectorgate: failed to start: " + e);
      System.exit(1);
    }
  }

  private static void usage() {
    System.err.println("usage: GatewayMain --config <gateway.yaml> [--check]");
    System.exit(2);
  }
}
