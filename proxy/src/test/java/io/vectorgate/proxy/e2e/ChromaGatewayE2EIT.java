package io.vectorgate.proxy.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vectorgate.proxy.testing.MilvusLite;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The unmodified chromadb client, through the HTTP gateway, against the real Chroma server, with
 * tokens from a real OIDC provider and the sample organisation's policy (python/chroma_e2e.py
 * drives the client over HTTP/1.1 and HTTP/2): the Milvus gateway's three-user scenario.
 */
class ChromaGatewayE2EIT {
  @TempDir
  static Path work;
  static ChromaGatewayFixture env;

  @BeforeAll
  static void start() throws Exception {
    env = ChromaGatewayFixture.start(work);
  }

  @AfterAll
  static void stop() {
    if (env != null) {
      env.close();
    }
  }

  @Test
  void sampleOrganisationScenario() throws Exception {
    Path tokenFile = work.resolve("chroma-tokens.json");
    env.oidc.writeScenarioTokens(tokenFile);
    ObjectMapper json = new ObjectMapper();
    String out = MilvusLite.runPython(work, "chroma_e2e.py", "--gateway", "127.0.0.1:" + env.port(),
        "--direct", env.chroma.address(), "--tokens", tokenFile.toString());
    JsonNode r = json.readTree(out.lines().reduce((a, b) -> b).orElseThrow());

    assertEquals(List.of("customers", "docs"), strings(r.get("admin_collections")));
    assertEquals(10, r.get("admin_count").asInt());
    assertTrue(r.get("admin_get_identical").asBoolean(), "admin get differs from Chroma: " + r);

    for (String p : List.of("h1", "h2")) {
      // row filter: only the analyst's tenant; vectors stripped; otherwise identical to Chroma
      assertEquals(List.of("acme"), strings(r.get("analyst_" + p + "_query_tenants")), r.toString());
      assertEquals(5, r.get("analyst_" + p + "_query_size").asInt(), r.toString());
      assertTrue(r.get("analyst_" + p + "_query_embeddings").isNull(), "embeddings reached the analyst: " + r);
      assertTrue(r.get("analyst_" + p + "_query_identical_to_direct").asBoolean(), "filtered query differs: " + r);
      assertEquals(5, r.get("analyst_" + p + "_count").asInt(), "count is not confined to the tenant: " + r);
      // masking per the sample PII config: email hashed, phone partial, ssn dropped
      JsonNode ada = r.get("analyst_" + p + "_customer");
      assertEquals("Ada Lovelace", ada.get("name").asText());
      assertTrue(ada.get("email").asText().startsWith("hmac:"), ada.toString());
      assertFalse(ada.get("phone").asText().equals("+44 20 7946 0001"), ada.toString());
      assertTrue(ada.get("phone").asText().contains("***"), ada.toString());
      assertFalse(ada.has("ssn"), ada.toString());
    }
    assertEquals("HTTP/2", r.get("analyst_h2_http_version").asText());
    assertEquals(List.of("2", "4", "6", "8", "10"), strings(r.get("analyst_get_all")));

    JsonNode deleteAll = r.get("analyst_delete_all");
    assertFalse(deleteAll.get("ok").asBoolean(), "delete without ids or where was allowed: " + deleteAll);
    assertEquals("AuthorizationError", deleteAll.get("type").asText(), deleteAll.toString());
    assertTrue(deleteAll.get("error").asText().contains("destructive_requires_break_glass"), deleteAll.toString());
    JsonNode raw = r.get("analyst_delete_raw_empty");
    assertEquals(403, raw.get("status").asInt(), raw.toString());
    assertEquals("AuthorizationError", raw.get("body").get("error").asText(), raw.toString());
    assertTrue(raw.get("body").get("decision_id").isTextual(), raw.toString());
    assertEquals("destructive_requires_break_glass", raw.get("body").get("reasons").get(0).get("code").asText(),
        raw.toString());
    JsonNode drop = r.get("analyst_drop");
    assertFalse(drop.get("ok").asBoolean());
    assertTrue(drop.get("error").asText().contains("denied by policy (decision "), drop.toString());
    assertTrue(drop.get("error").asText().contains("destructive_requires_break_glass"), drop.toString());
    for (String step : List.of("analyst_delete_where_acme", "analyst_add", "analyst_create")) {
      JsonNode s = r.get(step);
      assertFalse(s.get("ok").asBoolean(), step + " was allowed");
      assertTrue(s.get("error").asText().contains("no_allow_rule"), step + ": " + s);
    }

    assertEquals(List.of("acme"), strings(r.get("engineer_query_tenants")));
    assertTrue(r.get("engineer_query_has_embeddings").asBoolean(), "a vector reader lost the embeddings: " + r);
    assertTrue(r.get("engineer_add_own_tenant").get("ok").asBoolean(), r.get("engineer_add_own_tenant").toString());
    JsonNode other = r.get("engineer_add_other_tenant");
    assertFalse(other.get("ok").asBoolean());
    assertTrue(other.get("error").asText().contains("tenant_write_other_tenant"), other.toString());
    JsonNode bulk = r.get("engineer_bulk_delete");
    assertFalse(bulk.get("ok").asBoolean());
    assertTrue(bulk.get("error").asText().contains("approval_required"), bulk.toString());
    assertTrue(r.get("engineer_delete_id").get("ok").asBoolean(), r.get("engineer_delete_id").toString());

    for (String[] t : new String[][] {{"invalid_token", "malformed_token"}, {"expired", "expired_token"},
        {"wrong_audience", "wrong_audience"}, {"no_token", "missing_token"}}) {
      JsonNode s = r.get(t[0]);
      assertFalse(s.get("ok").asBoolean(), t[0] + " was accepted");
      assertEquals("ChromaAuthError", s.get("type").asText(), s.toString());
      assertTrue(s.get("error").asText().startsWith(t[1] + ": "), s.toString());
    }
    assertEquals(10, r.get("docs_count_after").asInt(), "a refused request changed data: " + r);
    assertEquals(List.of("1", "2", "3", "4", "5", "6", "7", "8", "9", "10"), strings(r.get("docs_ids_after")));

    var m = env.gateway.metrics();
    assertTrue(m.get("denied") >= 6, m.snapshot().toString());
    assertTrue(m.get("unauthenticated") >= 4, m.snapshot().toString());
    assertTrue(m.get("approval_required") >= 1, m.snapshot().toString());
  }

  private static List<String> strings(JsonNode n) {
    return StreamSupport.stream(n.spliterator(), false).map(JsonNode::asText).toList();
  }
}
