package io.vectorgate.proxy.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vectorgate.proxy.fakes.FakeGateway;
import io.vectorgate.proxy.fakes.FakeUpstream.Recorded;
import io.vectorgate.proxy.fakes.PineconeFake;
import io.vectorgate.proxy.testing.MilvusLite;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The unmodified Pinecone Python SDK (python/pinecone_e2e.py, {@code Index(host="http://...")})
 * through the HTTP gateway, with real OIDC tokens and the sample organisation's policy; the index
 * is {@code docs} (multi-tenant by {@code tenant_id}). Pinecone cannot run here: the upstream is
 * {@link PineconeFake}, which answers as the data-plane OpenAPI spec describes and records what
 * reaches it. The SDK speaks HTTP/1.1 only; the HTTP/2 (h2c) path is exercised with the same
 * data-plane request sent by httpx.
 */
class PineconeGatewayE2EIT {
  @TempDir
  static Path work;
  static PineconeFake pinecone;
  static FakeGateway env;
  static final ObjectMapper JSON = new ObjectMapper();

  @BeforeAll
  static void start() throws Exception {
    pinecone = new PineconeFake(FakeGateway.CREDENTIAL);
    for (int i = 1; i <= 10; i++) {
      String tenant = i % 2 == 0 ? "acme" : "globex";
      pinecone.put("", Integer.toString(i), new double[] {i, 1.0, 0.5, 0.25}, Map.of("tenant_id", tenant, "title", tenant + " report " + i));
    }
    env = FakeGateway.start(work, "pinecone", "docs", pinecone.address());
  }

  @AfterAll
  static void stop() {
    if (env != null) {
      env.close();
    }
    if (pinecone != null) {
      pinecone.close();
    }
  }

  @Test
  void sampleOrganisationScenario() throws Exception {
    Path tokens = work.resolve("pinecone-tokens.json");
    Files.writeString(tokens, JSON.writeValueAsString(Map.of("admin", env.token("alice"), "analyst", env.token("bob"),
        "engineer", env.token("carol"), "expired", env.oidc.token("bob", List.of("analysts"), "acme", -600))));
    String out = MilvusLite.runPython(work, "pinecone_e2e.py", "--gateway", "127.0.0.1:" + env.port(), "--tokens", tokens.toString());
    JsonNode r = JSON.readTree(out.lines().reduce((a, b) -> b).orElseThrow());
    String ctx = r.toString();

    // tenant isolation: a top-level $or cannot widen the tenant; vectors are stripped for analysts
    assertEquals(List.of("10", "8", "6", "4", "2"), r.get("analyst_query").findValuesAsText("id"), ctx);
    for (JsonNode m : r.get("analyst_query")) {
      assertEquals("acme", m.at("/metadata/tenant_id").asText(), ctx);
      assertEquals(0, m.get("values").size(), ctx);
    }
    // fetch takes no filter: the gateway filters the response
    assertEquals("[\"2\",\"4\",\"6\",\"8\",\"10\"]", r.get("analyst_fetch_ids").toString(), ctx);
    assertTrue(r.get("analyst_fetch_values_zero").asBoolean(), ctx);
    assertDenied(r.get("analyst_list"), "row_filter_unenforceable", ctx);
    assertDenied(r.get("analyst_upsert"), "no_allow_rule", ctx);
    assertEquals(5, r.at("/analyst_stats/value").asInt(), "stats are not confined to the tenant: " + ctx);

    assertEquals(1, r.at("/engineer_upsert_own/value").asInt(), ctx);
    assertDenied(r.get("engineer_upsert_other"), "tenant_write_other_tenant", ctx);
    assertDenied(r.get("engineer_delete_ids"), "row_filter_unenforceable", ctx);
    assertTrue(r.get("engineer_has_values").asBoolean(), ctx);

    assertEquals("[\"acme\",\"globex\"]", r.get("admin_tenants").toString(), ctx);
    assertDenied(r.get("admin_delete_all"), "destructive_requires_break_glass", ctx);
    assertFalse(r.at("/expired/ok").asBoolean(), ctx);
    assertEquals(401, r.at("/expired/status").asInt(), ctx);

    assertEquals("HTTP/2", r.get("h2_http_version").asText(), ctx);
    assertEquals("[\"acme\"]", r.get("h2_query_tenants").toString(), ctx);
    assertEquals(403, r.at("/h2_unknown_route/status").asInt(), ctx);
    assertEquals("unknown_route", r.at("/h2_unknown_route/body/details/0/reason").asText(), ctx);

    // what reached the upstream
    for (Recorded rec : pinecone.requests()) {
      assertEquals(FakeGateway.CREDENTIAL, rec.headers().get("api-key"), "the caller's credential reached Pinecone: " + rec);
      assertFalse(rec.path().startsWith("/records"), "an unknown route reached Pinecone");
      assertFalse(rec.path().equals("/vectors/list"), "a list under a row filter reached Pinecone");
      assertFalse(rec.path().equals("/vectors/delete"), "a refused delete reached Pinecone");
    }
    Recorded first = pinecone.requestsTo("POST", "/query").get(0);
    assertEquals("{\"$and\":[{\"$or\":[{\"tenant_id\":\"globex\"},{\"title\":{\"$exists\":true}}]},{\"tenant_id\":{\"$eq\":\"acme\"}}]}",
        first.body().get("filter").toString());
    assertEquals(100, first.body().get("topK").asInt(), "the analysts' cap clamps topK");
    assertEquals("", first.body().get("namespace").asText(), "the namespace is pinned explicitly");
    assertFalse(first.body().get("includeValues").asBoolean());
    assertEquals("2026-07", first.headers().get("x-pinecone-api-version"));
    assertEquals(1, pinecone.requestsTo("POST", "/vectors/upsert").size(), "only the engineer's own-tenant upsert reaches Pinecone");
    assertEquals(11, pinecone.records("").size());
  }

  static void assertDenied(JsonNode attempt, String reason, String ctx) {
    assertFalse(attempt.get("ok").asBoolean(), ctx);
    assertEquals(403, attempt.get("status").asInt(), ctx);
    assertTrue(attempt.get("error").asText().contains(reason), "no " + reason + " in " + attempt);
  }
}
