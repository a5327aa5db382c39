package io.vectorgate.proxy.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vectorgate.proxy.Gateway;
import io.vectorgate.proxy.testing.MilvusLite;
import io.vectorgate.proxy.testing.GatewayTestBuilder;
import io.vectorgate.proxy.testing.GatewayTestBuilder.Connection;
import io.vectorgate.proxy.testing.GatewayTestBuilder.Listener;
import io.vectorgate.proxy.testing.OidcProvider;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code admin:} API of a real gateway started from YAML with a static policy and a real OIDC
 * provider: who may read status and metrics, who may operate, hostile requests, approvals mounted
 * on the same server, and the three ways of authenticating {@code /metrics}.
 */
class AdminApiTest {
  @TempDir static Path dir;
  static OidcProvider oidc;
  static final HttpClient HTTP = HttpClient.newHttpClient();
  static final ObjectMapper JSON = new ObjectMapper();
  static final Map<String, String> ENV = Map.of("X", "root:Milvus", "K", "test-mask-key-0123456789abcdef",
      "SCRAPE", "scrape-token-0123456789");

  @BeforeAll
  static void start() throws Exception {
    oidc = OidcProvider.start(0);
    Files.createDirectories(dir.resolve("rego"));
    Files.writeString(dir.resolve("rego/open.rego"), """
        package vectorgate

        import rego.v1

        allow contains {"code": "admin_api_test", "message": "any verified identity"} if input.identity.subject != ""
        """);
  }

  @AfterAll
  static void stop() {
    if (oidc != null) {
      oidc.close();
    }
  }

  private Gateway gateway(String name, String extra) throws Exception {
    return gateway(name, extra, List.of(dir.resolve("rego")));
  }

  private Gateway gateway(String name, String extra, List<Path> regoDirs) throws Exception {
    return GatewayTestBuilder.in(dir).file(name + ".yaml")
        .listener(Listener.milvus("m", "c"))
        .connection(Connection.of("c", "milvus", "127.0.0.1:" + MilvusLite.freePort()).credential("X", ENV.get("X")))
        .identity(oidc)
        .regoDirs(regoDirs).noDataFile()
        .extraYaml(extra)
        .env("SCRAPE", ENV.get("SCRAPE"))
        .clock(Clock.systemUTC())
        .startFromConfig();
  }

  private static String token(String subject, String... groups) {
    return oidc.token(subject, List.of(groups), null, 600);
  }

  static HttpResponse<String> send(String method, String url, String token, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static void refused(HttpResponse<String> r, int status, String fragment) {
    assertEquals(status, r.statusCode(), r.body());
    assertTrue(r.body().contains(fragment), r.body());
  }

  @Test
  void readersReadOperatorsOperateOthersAreRefused() throws Exception {
    try (Gateway g = gateway("gw1", """
        admin:
          address: 127.0.0.1:0
          reader_groups: [sre]
          operator_groups: [policy-admins]
        """)) {
      String base = "http://127.0.0.1:" + g.adminPort();
      String reader = token("rita", "sre");
      String operator = token("otto", "policy-admins");
      String analyst = token("bob", "analysts");

      HttpResponse<String> status = send("GET", base + "/v1/policy/status", reader, null);
      assertEquals(200, status.statusCode(), status.body());
      JsonNode s = JSON.readTree(status.body());
      assertEquals("static", s.get("source").asText());
      assertTrue(s.get("active_revision").isTextual(), s.toString());
      assertEquals(200, send("GET", base + "/v1/policy/status", operator, null).statusCode());

      HttpResponse<String> anonymous = send("GET", base + "/v1/policy/status", null, null);
      refused(anonymous, 401, "missing_token");
      assertEquals("Bearer", anonymous.headers().firstValue("WWW-Authenticate").orElse(""));
      refused(send("GET", base + "/v1/policy/status", "not-a-jwt", null), 401, "\"error\"");
      refused(send("GET", base + "/v1/policy/status", oidc.token("bob", List.of("sre"), null, -600), null), 401, "expired");
      refused(send("GET", base + "/v1/policy/status", analyst, null), 403, "[policy-admins, sre]");
      refused(send("POST", base + "/v1/policy/pin", reader, "{\"revision\": \"abc\"}"), 403, "changing the active policy");
      refused(send("GET", base + "/v1/policy/pin", operator, null), 405, "use POST");
      refused(send("POST", base + "/v1/policy/status", reader, "{}"), 405, "use GET");
      refused(send("POST", base + "/v1/policy/pin", operator, "{\"revision\": \"abc\", \"force\": true}"), 400,
          "unknown field `force`");
      refused(send("POST", base + "/v1/policy/pin", operator, "{}"), 400, "`revision` is required");
      refused(send("POST", base + "/v1/policy/pin", operator, "{\"revision\": 7}"), 400, "must be a string");
      refused(send("POST", base + "/v1/policy/pin", operator, "x".repeat(20_000)), 413, "larger than");
      refused(send("POST", base + "/v1/policy/pin", operator, "{\"revision\": \"abc\"}"), 409, "policy.source");
      refused(send("POST", base + "/v1/policy/rollback", operator, ""), 409, "no_policy_source");
      refused(send("GET", base + "/v1/policy/nothing", reader, null), 404, "not_found");
      refused(send("GET", base + "/v1/approvals", reader, null), 404, "approvals_not_configured");
      refused(send("GET", base + "/v1/policy/webhook", reader, null), 404, "not_found"); // no policy.source
      refused(send("GET", base + "/", reader, null), 404, "not_found");

      refused(send("GET", base + "/metrics", null, null), 401, "missing_token");
      refused(send("GET", base + "/metrics", analyst, null), 403, "reading metrics");
      refused(send("POST", base + "/metrics", reader, ""), 405, "use GET");
      refused(send("GET", base + "/metricsx", reader, null), 404, "not_found");
      g.metrics().count("denied"); // the gateway's own counter (real traffic: AdminRolloutE2EIT)
      HttpResponse<String> m = send("GET", base + "/metrics", reader, null);
      assertEquals(200, m.statusCode(), m.body());
      assertTrue(m.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"),
          m.headers().toString());
      String revision = s.get("active_revision").asText();
      // the engine deciding for the revision: plan by default, and the library needs no fallback
      String engine = io.vectorgate.engine.EngineConfig.Engine.defaultEngine().wireName();
      assertEquals(engine, s.get("engine").asText(), s.toString());
      assertTrue(s.get("engine_fallback").isNull(), s.toString());
      assertTrue(m.body().contains("vectorgate_policy_active_revision_info{engine=\"" + engine
          + "\",plan_fallback=\"false\",revision=\"" + revision + "\",source=\"static\"} 1"), m.body());
      assertTrue(m.body().contains("vectorgate_requests_total{outcome=\"denied\"} 1.0"), m.body());
      assertTrue(m.body().contains("vectorgate_engine_activations_total{result=\"succeeded\"} 1.0"), m.body());
      assertTrue(m.body().contains("# TYPE vectorgate_engine_decisions_total counter"), m.body());
      assertTrue(!m.body().contains("vectorgate_policy_rollout"), "a static policy has no rollout metrics: " + m.body());
    }
  }

  @Test
  void aRevisionThePlanEngineCannotRunIsServedByWasmAndStatusAndMetricsSaySo() throws Exception {
    // the default engine (no -Dvectorgate.engine / VECTORGATE_ENGINE): plan, falling back to Wasm per bundle
    Path walking = Files.createDirectories(dir.resolve("rego-walk"));
    // walk: native in OPA's Wasm, not implemented by the plan engine (line 5)
    Files.writeString(walking.resolve("walk.rego"), """
        package vectorgate.walkcheck

        import rego.v1

        depths contains count(path) if walk(input.identity, [path, _])
        """);
    try (Gateway g = gateway("gw-walk", """
        admin:
          address: 127.0.0.1:0
          reader_groups: [sre]
        """, List.of(dir.resolve("rego"), walking))) {
      String base = "http://127.0.0.1:" + g.adminPort();
      String reader = token("rita", "sre");
      JsonNode s = JSON.readTree(send("GET", base + "/v1/policy/status", reader, null).body());
      assertEquals("wasm", s.get("engine").asText(), s.toString());
      String why = s.get("engine_fallback").asText();
      assertTrue(why.contains("builtin `walk`") && why.contains("walk.rego:5"), why);
      HttpResponse<String> m = send("GET", base + "/metrics", reader, null);
      assertTrue(m.body().contains("vectorgate_policy_active_revision_info{engine=\"wasm\",plan_fallback=\"true\",revision=\""
          + s.get("active_revision").asText() + "\""), m.body());
    }
  }

  @Test
  void metricsCanUseAScrapeTokenOrNoAuthentication() throws Exception {
    try (Gateway g = gateway("gw2", """
        admin:
          address: 127.0.0.1:0
          reader_groups: [sre]
          metrics: {auth: bearer, token: {env: SCRAPE}}
        """)) {
      String url = "http://127.0.0.1:" + g.adminPort() + "/metrics";
      refused(send("GET", url, null, null), 401, "missing_token");
      refused(send("GET", url, "scrape-token-012345678", null), 401, "invalid_token");
      refused(send("GET", url, token("rita", "sre"), null), 401, "invalid_token"); // only the scrape token
      HttpResponse<String> ok = send("GET", url, "scrape-token-0123456789", null);
      assertEquals(200, ok.statusCode(), ok.body());
      assertTrue(ok.body().contains("vectorgate_policy_active_revision_info"), ok.body());
      // the policy routes stay OIDC
      refused(send("GET", "http://127.0.0.1:" + g.adminPort() + "/v1/policy/status", "scrape-token-0123456789", null),
          401, "\"error\"");
    }
    try (Gateway g = gateway("gw3", """
        admin:
          address: 127.0.0.1:0
          operator_groups: [ops]
          metrics: {auth: none}
        """)) {
      HttpResponse<String> ok = send("GET", "http://127.0.0.1:" + g.adminPort() + "/metrics", null, null);
      assertEquals(200, ok.statusCode(), ok.body());
      assertTrue(ok.body().contains("vectorgate_engine_decision_log_dropped_total 0.0"), ok.body());
      // operators are readers too
      assertEquals(200, send("GET", "http://127.0.0.1:" + g.adminPort() + "/v1/policy/status", token("o", "ops"), null)
          .statusCode());
    }
  }

  @Test
  void approvalsAndSessionsMountOnTheAdminServer() throws Exception {
    try (Gateway g = gateway("gw4", """
        admin:
          address: 127.0.0.1:0
          reader_groups: [sre]
        approvals:
          store: {sqlite: var/approvals.db}
          admin: {read_all_groups: [auditors]}
        recording:
          directory: var/rec
          admin: {auditor_groups: [auditors]}
        """)) {
      String base = "http://127.0.0.1:" + g.adminPort();
      assertEquals(g.adminPort(), g.approvals().orElseThrow().adminPort());
      assertEquals(g.adminPort(), g.sessionsAdminPort());
      String auditor = token("dora", "auditors");
      HttpResponse<String> approvals = send("GET", base + "/v1/approvals", auditor, null);
      assertEquals(200, approvals.statusCode(), approvals.body());
      assertTrue(approvals.body().contains("\"approvals\""), approvals.body());
      HttpResponse<String> sessions = send("GET", base + "/v1/sessions", auditor, null);
      assertEquals(200, sessions.statusCode(), sessions.body());
      assertEquals(200, send("GET", base + "/v1/policy/status", token("rita", "sre"), null).statusCode());
      refused(send("GET", base + "/v1/policy/status", auditor, null), 403, "forbidden");
      assertEquals(200, send("GET", base + "/metrics", token("rita", "sre"), null).statusCode());
    }
  }
}
