package io.vectorgate.proxy;

import io.vectorgate.engine.PolicyEngine;
import io.vectorgate.proxy.config.ConfigException;
import io.vectorgate.proxy.config.ConfigLoader;
import io.vectorgate.proxy.config.GatewayConfig;
import io.vectorgate.proxy.grpc.AdapterMilvusProtocol;
import io.vectorgate.proxy.pipeline.ApprovalGate;
import io.vectorgate.proxy.rollout.GatewayRollout;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java io.vectorgate.proxy.GatewayMain --config gateway.yaml}: loads the config (invalid
 * config fails here, naming the key), compiles the policy, starts every listener and runs until
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
        System.out.println("config ok: " + config);
        return;
      }
      // policy.source: rolled out from git or a bundle server (first revision active before traffic)
      GatewayRollout rollout = cfg.policy().source() == null ? null
          : GatewayRollout.start(cfg.policy().source(), System::getenv);
      PolicyEngine engine = rollout != null ? rollout.engine() : Gateway.compileEngine(cfg.policy());
      Gateway gateway = Gateway.start(cfg, System::getenv, Clock.systemUTC(), engine, ApprovalGate.DENY,
          AdapterMilvusProtocol.factory());
      gateway.own(rollout != null ? rollout : engine);
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
