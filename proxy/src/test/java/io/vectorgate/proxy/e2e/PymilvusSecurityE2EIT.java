package io.vectorgate.proxy.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vectorgate.proxy.testing.GatewayFixture;
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
 * Unmodified pymilvus through the gateway against Milvus Lite (python/milvus_security_e2e.py):
 * an upsert under a tenant row filter cannot overwrite another tenant's row by its id (the
 * gateway pre-reads the addressed rows), and a caller outside the PII readers cannot filter on
 * PII fields ({@code pii_filter}).
 */
class PymilvusSecurityE2EIT {
  @TempDir
  static Path work;
  static GatewayFixture env;
  static JsonNode r;

  @BeforeAll
  static void start() throws Exception {
    env = GatewayFixture.start(work);
    Map<String, String> tokens = Map.of(
        "admin", env.token("alice"),
        "analyst", env.token("bob"),
        "engineer", env.token("carol"));
    Path tokenFile = work.resolve("tokens.json");
    ObjectMapper json = new ObjectMapper();
    Files.writeString(tokenFile, json.writeValueAsString(tokens));
    String out = MilvusLite.runPython(work, "milvus_security_e2e.py", "--gateway", env.address(),
        "--direct", env.milvus.address(), "--tokens", tokenFile.toString());
    r = json.readTree(out.lines().reduce((a, b) -> b).orElseThrow());
  }

  @AfterAll
  static void stop() {
    if (env != null) {
      env.close();
    }
  }

  @Test
  void upsertCannotTakeOverAnotherTenantsRowById() {
    JsonNode takeover = r.get("takeover");
    assertFalse(takeover.get("ok").asBoolean(), takeover.toString());
    String error = takeover.get("error").asText();
    assertTrue(error.contains("row_filter_violation"), error);
    assertTrue(error.contains("`docs` addresses 1 existing row outside"), error);
    assertFalse(error.contains("globex"), "the refusal reveals the other tenant: " + error);

    JsonNode mixed = r.get("takeover_mixed");
    assertFalse(mixed.get("ok").asBoolean(), mixed.toString());
    assertTrue(mixed.get("error").asText().contains("addresses 2 existing rows outside"), mixed.toString());

    // nothing changed: the globex rows are still globex's, the caller's row and the new id untouched
    assertEquals(List.of(
        row(1, "globex", "globex report 1"), row(2, "acme", "acme report 2"), row(3, "globex", "globex report 3"),
        row(5, "globex", "globex report 5")), list(r.get("rows_after_takeover")));
  }

  @Test
  void upsertOfOwnRowsAndNewIdsGoesThrough() {
    assertTrue(r.get("own_upsert").get("ok").asBoolean(), r.get("own_upsert").toString());
    assertEquals(List.of(row(2, "acme", "acme report 2 (edited)"), row(102, "acme", "acme new")),
        list(r.get("rows_after_own")));
  }

  @Test
  void tenancyBypassUpsertsWithoutPreRead() {
    assertTrue(r.get("admin_upsert").get("ok").asBoolean(), r.get("admin_upsert").toString());
    assertEquals(List.of(row(1, "globex", "globex report 1 (admin)")), list(r.get("rows_after_admin")));
  }

  @Test
  void filtersOnPiiFieldsAreDeniedToNonReaders() {
    for (String[] step : new String[][] {{"pii_filter_query", "email"}, {"pii_filter_search", "ssn"},
        {"pii_filter_count", "phone"}}) {
      JsonNode s = r.get(step[0]);
      assertFalse(s.get("ok").asBoolean(), step[0] + " was allowed: " + s);
      String error = s.get("error").asText();
      assertTrue(error.contains("denied by policy (decision "), error);
      assertTrue(error.contains("pii_filter"), error);
      assertTrue(error.contains("references PII field(s) " + step[1] + ","), error);
      assertTrue(error.contains("only pii-readers may filter on them"), error);
    }
  }

  @Test
  void otherFiltersAndReadersAreNotAffected() {
    JsonNode plain = r.get("plain_filter_query");
    assertTrue(plain.get("ok").asBoolean(), plain.toString());
    assertEquals(2, plain.get("value").size(), plain.toString());
    JsonNode admin = r.get("admin_pii_filter_query");
    assertFalse(admin.get("ok").asBoolean(), admin.toString()); // admins are not PII readers either
    assertTrue(admin.get("error").asText().contains("pii_filter"), admin.toString());
  }

  private static Map<String, Object> row(long id, String tenant, String title) {
    return Map.of("id", id, "tenant_id", tenant, "title", title);
  }

  private static List<Map<String, Object>> list(JsonNode n) {
    return java.util.stream.StreamSupport.stream(n.spliterator(), false)
        .map(x -> Map.<String, Object>of("id", x.get("id").asLong(), "tenant_id", x.get("tenant_id").asText(),
            "title", x.get("title").asText()))
        .toList();
  }
}
