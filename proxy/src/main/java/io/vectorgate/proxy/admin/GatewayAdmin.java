package io.vectorgate.proxy.admin;

import com.sun.net.httpserver.HttpHandler;
import io.vectorgate.approvals.admin.AdminAuthenticator;
import io.vectorgate.engine.PolicyEngine;
import io.vectorgate.proxy.config.AdminConfig;
import io.vectorgate.proxy.config.ConfigLoader;
import io.vectorgate.proxy.identity.TokenVerifier;
import io.vectorgate.proxy.pipeline.GatewayMetrics;
import io.vectorgate.rollout.RolloutController;
import io.vectorgate.rollout.RolloutHttpHandler;
import io.vectorgate.rollout.WebhookSignature;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mounts the policy and metrics routes of the {@code admin:} section on the gateway's admin server:
 * {@link PolicyAdminHandler} under {@code /v1/policy}, the signed webhook at {@code /v1/policy/webhook}
 * (when {@code policy_webhook_secret} is set and the policy is rolled out), and {@link MetricsHandler}
 * at {@code /metrics}.
 */
public final class GatewayAdmin {
  public static final String WEBHOOK_PATH = PolicyAdminHandler.PREFIX + "/webhook";
  private static final Logger LOG = LoggerFactory.getLogger(GatewayAdmin.class);

  private GatewayAdmin() {}

  /**
   * @param mount adds a context (path, handler) to the admin server
   * @param engine the live engine (null for a test double)
   * @param rollout the rollout controller (null: a static policy)
   * @return the metrics, for the caller's shutdown log
   */
  public static GatewayPrometheus mount(AdminConfig cfg, BiConsumer<String, HttpHandler> mount, TokenVerifier verifier,
      Function<String, String> env, GatewayMetrics metrics, PolicyEngine engine, RolloutController rollout) {
    AdminAuthenticator auth = new OidcAdminAuthenticator(verifier);
    Set<String> readers = new HashSet<>(cfg.readerGroups());
    readers.addAll(cfg.operatorGroups());
    mount.accept(PolicyAdminHandler.PREFIX + "/", new PolicyAdminHandler(rollout, engine, auth,
        new HashSet<>(cfg.readerGroups()), new HashSet<>(cfg.operatorGroups())));
    boolean webhook = false;
    if (cfg.policyWebhookSecret() != null) {
      byte[] secret = ConfigLoader.readSecret(cfg.policyWebhookSecret(), "admin.policy_webhook_secret", env)
          .getBytes(StandardCharsets.UTF_8);
      if (rollout == null) {
        LOG.warn("event=admin_webhook_unused reason=\"admin.policy_webhook_secret is set but there is no policy.source\"");
      } else {
        WebhookSignature signature;
        try {
          signature = new WebhookSignature(secret);
        } catch (IllegalArgumentException e) {
          throw new io.vectorgate.proxy.config.ConfigException("admin.policy_webhook_secret", e.getMessage(), e);
        }
        mount.accept(WEBHOOK_PATH, RolloutHttpHandler.webhookOnly(rollout, signature));
        webhook = true;
      }
    }
    GatewayPrometheus prometheus = new GatewayPrometheus(metrics, engine, rollout);
    MetricsHandler.Access access = switch (cfg.metrics().auth()) {
      case "none" -> new MetricsHandler.Access.None();
      case "bearer" -> new MetricsHandler.Access.StaticToken(
          ConfigLoader.readSecret(cfg.metrics().token(), "admin.metrics.token", env));
      default -> new MetricsHandler.Access.Oidc(auth, readers);
    };
    mount.accept(MetricsHandler.PATH, new MetricsHandler(prometheus, access));
    LOG.info("event=admin_routes_mounted policy={} webhook={} metrics_auth={} reader_groups={} operator_groups={}",
        rollout == null ? "static" : "rollout", webhook, cfg.metrics().auth(), cfg.readerGroups(), cfg.operatorGroups());
    return prometheus;
  }
}
