package io.vectorgate.proxy.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.vectorgate.proxy.config.GatewayConfig.SecretRef;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * The {@code admin:} section: the gateway's one admin API (approvals, sessions, policy rollout,
 * metrics), on a loopback address, every route OIDC-authenticated with the gateway's own token
 * verifier except the signed policy webhook and, when configured so, {@code /metrics}.
 *
 * <ul>
 *   <li>{@code address}: loopback {@code host:port} (default {@code 127.0.0.1:9190});
 *   <li>{@code reader_groups}: may read the policy status and the metrics;
 *   <li>{@code operator_groups}: may also pin, unpin and roll back the policy;
 *   <li>{@code metrics.auth}: {@code oidc} (default: a token of a reader or operator group),
 *       {@code bearer} (a static scrape token, {@code metrics.token}) or {@code none};
 *   <li>{@code policy_webhook_secret}: enables the signed push webhook at {@code /v1/policy/webhook};
 *   <li>{@code dashboard}: the browser dashboard ({@link io.vectorgate.proxy.dashboard.DashboardConfig});
 *   <li>{@code connections}: upstream connections managed through the API ({@link ConnectionsApiConfig}).
 * </ul>
 */
public record AdminConfig(
    @JsonProperty("address") String address,
    @JsonProperty("reader_groups") List<String> readerGroups,
    @JsonProperty("operator_groups") List<String> operatorGroups,
    @JsonProperty("metrics") Metrics metrics,
    @JsonProperty("policy_webhook_secret") SecretRef policyWebhookSecret,
    @JsonProperty("dashboard") io.vectorgate.proxy.dashboard.DashboardConfig dashboard,
    @JsonProperty("connections") ConnectionsApiConfig connections) {

  public static final String DEFAULT_ADDRESS = "127.0.0.1:9190";
  public static final Set<String> METRICS_AUTH = Set.of("oidc", "bearer", "none");

  public AdminConfig {
    address = address == null ? DEFAULT_ADDRESS : address;
    readerGroups = readerGroups == null ? List.of() : List.copyOf(readerGroups);
    operatorGroups = operatorGroups == null ? List.of() : List.copyOf(operatorGroups);
    metrics = metrics == null ? new Metrics(null, null) : metrics;
  }

  /** Without a dashboard (the form before {@code admin.dashboard} existed). */
  public AdminConfig(String address, List<String> readerGroups, List<String> operatorGroups, Metrics metrics,
      SecretRef policyWebhookSecret) {
    this(address, readerGroups, operatorGroups, metrics, policyWebhookSecret, null, null);
  }

  /** Without the connections API (the form before {@code admin.connections} existed). */
  public AdminConfig(String address, List<String> readerGroups, List<String> operatorGroups, Metrics metrics,
      SecretRef policyWebhookSecret, io.vectorgate.proxy.dashboard.DashboardConfig dashboard) {
    this(address, readerGroups, operatorGroups, metrics, policyWebhookSecret, dashboard, null);
  }

  /** How {@code GET /metrics} is authenticated. */
  public record Metrics(@JsonProperty("auth") String auth, @JsonProperty("token") SecretRef token) {
    public Metrics {
      auth = auth == null ? "oidc" : auth;
    }
  }

  AdminConfig resolve(Path base) {
    return new AdminConfig(address, readerGroups, operatorGroups,
        new Metrics(metrics.auth(), resolve(base, metrics.token())), resolve(base, policyWebhookSecret),
        dashboard, connections == null ? null : connections.resolve(base));
  }

  private static SecretRef resolve(Path base, SecretRef r) {
    return r == null || r.file() == null || base == null ? r : new SecretRef(r.env(), base.resolve(r.file()).normalize());
  }

  void validate(String at) {
    ConfigLoader.requireHostPort(address, at + ".address");
    String host = ConfigLoader.hostPort(address).host();
    if (!ConfigLoader.isLoopback(host)) {
      throw new ConfigException(at + ".address", "must be a loopback host:port (127.0.0.1, ::1 or localhost), was `"
          + address + "`; put an authenticating proxy in front to reach it from elsewhere");
    }
    checkGroups(readerGroups, at + ".reader_groups");
    checkGroups(operatorGroups, at + ".operator_groups");
    if (readerGroups.isEmpty() && operatorGroups.isEmpty()) {
      throw new ConfigException(at + ".reader_groups", "name at least one group in `reader_groups` or"
          + " `operator_groups` (who may read the policy status and metrics)");
    }
    if (dashboard != null) {
      dashboard.validate(at + ".dashboard");
    }
    if (connections != null) {
      if (operatorGroups.isEmpty()) {
        throw new ConfigException(at + ".operator_groups", "`admin.connections` needs at least one operator group"
            + " (who may change connections)");
      }
      connections.validate(at + ".connections");
    }
    if (!METRICS_AUTH.contains(metrics.auth())) {
      throw new ConfigException(at + ".metrics.auth", "must be one of " + new java.util.TreeSet<>(METRICS_AUTH)
          + ", was `" + metrics.auth() + "`");
    }
    if (metrics.auth().equals("bearer") && metrics.token() == null) {
      throw new ConfigException(at + ".metrics.token", "required with `auth: bearer` (`env` or `file`)");
    }
    if (!metrics.auth().equals("bearer") && metrics.token() != null) {
      throw new ConfigException(at + ".metrics.token", "applies only to `auth: bearer` (auth is `" + metrics.auth() + "`)");
    }
  }

  private static void checkGroups(List<String> groups, String at) {
    for (int i = 0; i < groups.size(); i++) {
      String g = groups.get(i);
      if (g == null || g.isBlank()) {
        throw new ConfigException(at + "[" + i + "]", "empty group name");
      }
    }
  }
}
