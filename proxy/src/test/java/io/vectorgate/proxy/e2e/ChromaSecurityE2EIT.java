package io.vectorgate.proxy.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
 * The two tenant-isolation / masking holes, closed, with the unmodified chromadb client against
 * real Chroma (python/chroma_security_e2e.py): an upsert or update by id cannot replace another
 * tenant's row (the gateway pre-reads the addressed rows), and a non-reader cannot filter on PII
 * metadata ({@code pii_filter}).
 */
class ChromaSecurityE2EIT {
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
  void writesByIdStayInTheCallersTenantAndPiiCannotBeFilteredOn() throws Exception {
    ObjectMapper json = new ObjectMapper();
    Path tokenFile = work.resolve("chroma-security-tokens.json");
    Files.writeString(tokenFile, json.writeValueAsString(Map.of("engineer", env.token("carol"),
        "analyst", env.token("bob"))));
    String out = MilvusLite.runPython(work, "chroma_security_e2e.py", "--gateway", "127.0.0.1:" + env.port(),
        "--direct", env.chroma.address(), "--tokens", tokenFile.toString());
    JsonNode r = json.readTree(out.lines().reduce((a, b) -> b).orElseThrow());

    for (String step : List.of("upsert_other_tenant_id", "update_other_tenant_id", "upsert_mixed_ids")) {
      JsonNode s = r.get(step);
      assertFalse(s.get("ok").asBoolean(), step + " replaced another tenant's row: " + r);
      String err = s.get("error").asText();
      assertTrue(err.contains("row_filter_violation"), step + ": " + s);
      assertTrue(err.contains("collection `docs`") && err.contains("1 existing row(s)"), step + ": " + s);
      assertFalse(err.contains("globex"), "the denial names another tenant: " + s);
    }
    assertEquals("globex", r.get("row_3_after").get("tenant_id").asText(), r.toString());
    assertEquals("globex", r.get("row_5_after").get("tenant_id").asText(), r.toString());
    assertEquals("globex", r.get("row_7_after").get("tenant_id").asText(), r.toString());
    assertTrue(r.get("upsert_own_and_new").get("ok").asBoolean(), r.get("upsert_own_and_new").toString());
    assertEquals("mine", r.get("row_4_after").get("title").asText(), r.toString());
    assertEquals("acme", r.get("row_new_after").get("tenant_id").asText(), r.toString());
    assertTrue(r.get("update_own").get("ok").asBoolean(), r.get("update_own").toString());
    assertEquals("six", r.get("row_6_after").get("title").asText(), r.toString());

    for (String[] step : new String[][] {{"pii_where_get", "email"}, {"pii_where_nested_query", "ssn"},
        {"pii_where_delete", "phone"}}) {
      JsonNode s = r.get(step[0]);
      assertFalse(s.get("ok").asBoolean(), step[0] + " filtered on PII: " + s);
      String err = s.get("error").asText();
      assertTrue(err.contains("pii_filter") && err.contains(step[1]) && err.contains("pii-readers"), step[0] + ": " + s);
      assertFalse(err.contains("ada@acme.example"), s.toString());
    }
    assertEquals(List.of("1"), List.of(json.treeToValue(r.get("non_pii_where").get("value"), String[].class)),
        r.toString());
    assertEquals(List.of("1", "2", "3"), List.of(json.treeToValue(r.get("customers_after"), String[].class)));
  }
}
