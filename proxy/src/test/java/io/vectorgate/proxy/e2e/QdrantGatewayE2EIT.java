package io.vectorgate.proxy.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vectorgate.proxy.fakes.FakeGateway;
import io.vectorgate.proxy.fakes.FakeUpstream.Recorded;
import io.vectorgate.proxy.fakes.QdrantFake;
import io.vectorgate.proxy.testing.MilvusLite;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The unmodified qdrant-client (REST mode, python/qdrant_e2e.py) through the HTTP gateway, over
 * HTTP/1.1 and HTTP/2 (h2c), with real OIDC tokens and the sample organisation's policy. No
 * Qdrant server can run here: the upstream is {@link QdrantFake}, which answers as the Qdrant
 * OpenAPI spec describes and records what reaches it, so the test also asserts the gateway's
 * credential and the rewritten filters arrived upstream.
 */
class QdrantGatewayE2EIT {
  @TempDir
  static Path work;
  static QdrantFake qdrant;
  static FakeGateway env;
  static final ObjectMapper JSON = new ObjectMapper();

  @BeforeAll
  static void start() throws Exception {
    qdrant = new QdrantFake(FakeGateway.CREDENTIAL);
    for (int i = 1; i <= 10; i++) {
      String tenant = i % 2 == 0 ? "acme" : "globex";
      qdrant.put("docs", i, new double[] {i, 1.0, 0.5, 0.25}, Map.of("tenant_id", tenant, "title", tenant + " report " + i));
    }
    qdrant.put("customers", 1, new double[] {0.1, 0.2, 0.3, 0.4}, Map.of("name", "Ada Lovelace", "email", "ada@acme.example",
        "phone", "+44 20 7946 0001", "ssn", "123-45-6789"));
    env = FakeGateway.start(work, "qdrant", "qdrant-main", qdrant.address());
  }

  @AfterAll
  static void stop() {
    if (env != null) {
      env.close();
    }
    if (qdrant != null) {
      qdrant.close();
    }
  }

  @Test
  void sampleOrganisationScenarioOverHttp1AndHttp2() throws Exception {
    Path tokens = work.resolve("qdrant-tokens.json");
    Files.writeString(tokens, JSON.writeValueAsString(Map.of("admin", env.token("alice"), "analyst", env.token("bob"),
        "engineer", env.token("carol"), "expired", env.oidc.token("bob", List.of("analysts"), "acme", -600))));
    String out = MilvusLite.runPython(work, "qdrant_e2e.py", "--gateway", "127.0.0.1:" + env.port(), "--tokens", tokens.toString());
    JsonNode all = JSON.readTree(out.lines().reduce((a, b) -> b).orElseThrow());

    for (String p : List.of("h1", "h2")) {
      JsonNode r = all.get(p);
      String ctx = p + ": " + r;
      // tenant isolation: the row filter reaches every read shape
      // the h1 pass's own-tenant upsert (id 100) is visible to the h2 pass
      boolean h2 = p.equals("h2");
      List<Integer> acme = h2 ? List.of(10, 8, 6, 4, 2, 100) : List.of(10, 8, 6, 4, 2);
      assertEquals(acme, ids(r.get("analyst_query"), "id"), ctx);
      for (JsonNode pt : r.get("analyst_query")) {
        assertEquals("acme", pt.at("/payload/tenant_id").asText(), ctx);
        assertFalse(pt.get("has_vector").asBoolean(), "vectors reached an analyst: " + ctx);
      }
      assertEquals(0, r.get("analyst_widened_ids").size(), "a `should` widened the tenant: " + ctx);
      assertEquals("[\"acme\"]", r.get("analyst_scroll_tenants").toString(), ctx);
      assertEquals(h2 ? "[2,4,6,8,10,100]" : "[2,4,6,8,10]", r.get("analyst_scroll_ids").toString(), ctx);
      assertEquals(h2 ? 6 : 5, r.get("analyst_count").asInt(), ctx);
      assertEquals("[2,4,6,8,10]", r.get("analyst_retrieve_ids").toString(), ctx);
      // masking per the sample PII config
      JsonNode ada = r.get("analyst_customer");
      assertEquals("Ada Lovelace", ada.get("name").asText(), ctx);
      assertTrue(ada.get("email").asText().startsWith("hmac:"), ctx);
      assertTrue(ada.get("phone").asText().contains("***"), ctx);
      assertFalse(ada.has("ssn"), ctx);
      // denials carry the reasons and the decision id, in Qdrant's error shape
      assertDenied(r.get("analyst_delete"), "no_allow_rule", ctx);
      assertFalse(r.get("analyst_lookup_other").get("ok").asBoolean(), ctx);
      assertTrue(r.at("/analyst_lookup_other/error").asText().contains("unsupported_operation"), ctx);
      assertTrue(r.at("/engineer_upsert_own/ok").asBoolean(), ctx);
      assertDenied(r.get("engineer_upsert_other"), "tenant_write_other_tenant", ctx);
      assertTrue(r.get("engineer_has_vectors").asBoolean(), ctx);
      assertDenied(r.get("engineer_delete_by_filter"), "", ctx);
      assertEquals("[\"acme\",\"globex\"]", r.get("admin_tenants").toString(), ctx);
      assertDenied(r.get("admin_drop"), "destructive_requires_break_glass", ctx);
      assertFalse(r.at("/expired/ok").asBoolean(), ctx);
      assertTrue(r.at("/expired/error").asText().contains("401"), ctx);
      assertTrue(r.at("/legacy_search/status").asInt() >= 400 && r.at("/legacy_search/status").asInt() < 500, ctx);
      assertTrue(r.at("/legacy_search/body/status/error").asText().contains("unknown_route"), ctx);
    }
    assertEquals("HTTP/1.1", all.at("/h1/http_version").asText());
    assertEquals("HTTP/2", all.at("/h2/http_version").asText());

    // what reached the upstream
    List<Recorded> seen = qdrant.requests();
    assertFalse(seen.isEmpty());
    for (Recorded rec : seen) {
      assertEquals(FakeGateway.CREDENTIAL, rec.headers().get("api-key"), "the caller's credential reached Qdrant: " + rec);
      assertFalse(rec.headers().containsKey("authorization"), rec.toString());
      assertFalse(rec.path().endsWith("/points/search"), "an unknown route reached Qdrant");
      assertFalse(rec.method().equals("DELETE"), "a drop reached Qdrant");
    }
    List<Recorded> scrolls = qdrant.requestsTo("POST", "/collections/docs/points/scroll");
    assertEquals(2, scrolls.size());
    for (Recorded s : scrolls) {
      assertEquals("{\"must\":[{\"key\":\"tenant_id\",\"match\":{\"value\":\"acme\"}}]}", s.body().get("filter").toString());
      assertTrue(s.body().get("limit").asInt() <= 100, "the analysts' cap was not applied: " + s.body());
    }
    List<Recorded> upserts = qdrant.requestsTo("PUT", "/collections/docs/points");
    assertEquals(2, upserts.size(), "only the engineer's own-tenant upserts reach Qdrant");
    for (Recorded u : upserts) {
      assertEquals("{\"must\":[{\"key\":\"tenant_id\",\"match\":{\"value\":\"acme\"}}]}", u.body().get("update_filter").toString());
    }
    assertTrue(qdrant.requestsTo("POST", "/collections/docs/points/delete").isEmpty(), "a refused delete reached Qdrant");
    assertEquals(12, qdrant.points("docs").size(), "the two engineer upserts landed, nothing else changed");
  }

  static void assertDenied(JsonNode attempt, String reason, String ctx) {
    assertFalse(attempt.get("ok").asBoolean(), ctx);
    String err = attempt.get("error").asText();
    assertTrue(err.contains("403"), "not a 403: " + err);
    assertTrue(err.contains(reason), "no " + reason + " in " + err);
    assertTrue(err.contains("denied by policy (decision "), "no decision id in " + err);
  }

  static List<Integer> ids(JsonNode arr, String field) {
    List<Integer> out = new ArrayList<>();
    arr.forEach(n -> out.add(n.get(field).asInt()));
    return out;
  }
}
