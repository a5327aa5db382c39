package io.vectorgate.proxy.e2e;

import static io.vectorgate.proxy.e2e.PineconeGatewayE2EIT.assertDenied;
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
 * The two tenant-isolation / masking holes, closed, with the unmodified Pinecone SDK
 * (python/pinecone_security_e2e.py) through the gateway to {@link PineconeFake} index hosts: an
 * upsert or an update by id cannot change another tenant's record (the gateway fetches the addressed
 * ids first), and
 * a non-reader cannot filter on PII metadata ({@code pii_filter}).
 */
class PineconeSecurityE2EIT {
  @TempDir
  static Path work;
  static PineconeFake docs;
  static PineconeFake customers;
  static FakeGateway docsGateway;
  static FakeGateway customersGateway;
  static final ObjectMapper JSON = new ObjectMapper();

  @BeforeAll
  static void start() throws Exception {
    docs = new PineconeFake(FakeGateway.CREDENTIAL);
    for (int i = 1; i <= 10; i++) {
      String tenant = i % 2 == 0 ? "acme" : "globex";
      docs.put("", Integer.toString(i), new double[] {i, 1.0, 0.5, 0.25}, Map.of("tenant_id", tenant, "title", "r" + i));
    }
    customers = new PineconeFake(FakeGateway.CREDENTIAL);
    customers.put("", "1", new double[] {0.1, 0.2, 0.3, 0.4}, Map.of("name", "Ada Lovelace",
        "email", "ada@acme.example", "ssn", "123-45-6789"));
    Files.createDirectories(work.resolve("docs"));
    Files.createDirectories(work.resolve("customers"));
    docsGateway = FakeGateway.start(work.resolve("docs"), "pinecone", "docs", docs.address());
    customersGateway = FakeGateway.start(work.resolve("customers"), "pinecone", "customers", customers.address());
  }

  @AfterAll
  static void stop() {
    for (AutoCloseable c : new AutoCloseable[] {docsGateway, customersGateway, docs, customers}) {
      if (c != null) {
        try {
          c.close();
        } catch (Exception e) {
          throw new IllegalStateException("closing " + c, e);
        }
      }
    }
  }

  @Test
  void upsertsStayInTheCallersTenantAndPiiCannotBeFilteredOn() throws Exception {
    Path tokens = work.resolve("tokens.json");
    Files.writeString(tokens, JSON.writeValueAsString(Map.of("engineer", docsGateway.token("carol"),
        "analyst", customersGateway.token("bob"))));
    String out = MilvusLite.runPython(work, "pinecone_security_e2e.py", "--docs", "127.0.0.1:" + docsGateway.port(),
        "--customers", "127.0.0.1:" + customersGateway.port(), "--tokens", tokens.toString());
    JsonNode r = JSON.readTree(out.lines().reduce((a, b) -> b).orElseThrow());
    String ctx = r.toString();

    for (String step : List.of("upsert_other_tenant_id", "upsert_batch_with_other_tenant_id")) {
      assertDenied(r.get(step), "row_filter_violation", ctx);
      String err = r.get(step).get("error").asText();
      assertTrue(err.contains("index `docs`") && err.contains("1 existing record(s)"), err);
      assertFalse(err.contains("globex"), err);
    }
    assertEquals("globex", docs.records("").stream().filter(x -> x.get("id").asText().equals("3")).findFirst()
        .orElseThrow().at("/metadata/tenant_id").asText());
    assertEquals(2, r.at("/upsert_own_and_new/value").asInt(), ctx);
    // refused upserts never reached Pinecone; the pre-reads went out in batches of at most 100 ids
    assertEquals(1, docs.requestsTo("POST", "/vectors/upsert").size(), ctx);
    List<Recorded> fetches = docs.requestsTo("GET", "/vectors/fetch");
    // updates by id: another tenant's record and a move to another tenant are refused; the own and
    // the missing record (a no-op upstream) are forwarded after one single-id pre-read each
    // (the policy itself refuses written values in another tenant; the adapter's own check of
    // setMetadata is covered by PineconePreReadTest)
    assertDenied(r.get("update_other_tenant_id"), "row_filter_violation", ctx);
    assertTrue(r.at("/update_other_tenant_id/error").asText().contains("update in index `docs`"), ctx);
    assertFalse(r.at("/update_other_tenant_id/error").asText().contains("globex"), ctx);
    assertDenied(r.get("update_own_to_other_tenant"), "tenant_write_other_tenant", ctx);
    assertEquals(1, r.at("/update_own/value").asInt(), ctx);
    assertEquals(0, r.at("/update_missing/value").asInt(), ctx);
    Map<String, JsonNode> byId = new java.util.HashMap<>();
    docs.records("").forEach(x -> byId.put(x.get("id").asText(), x));
    assertEquals("r5", byId.get("5").at("/metadata/title").asText());
    assertEquals("globex", byId.get("5").at("/metadata/tenant_id").asText());
    assertEquals("updated", byId.get("6").at("/metadata/title").asText());
    assertEquals("acme", byId.get("6").at("/metadata/tenant_id").asText());
    assertFalse(byId.containsKey("nope"), "an update of a missing id creates nothing");
    List<Recorded> updates = docs.requestsTo("POST", "/vectors/update");
    assertEquals(2, updates.size(), updates.toString());
    assertEquals(1 + 2 + 1 + 3, fetches.size(), fetches.toString());
    for (Recorded f : fetches) {
      assertEquals(FakeGateway.CREDENTIAL, f.headers().get("api-key"));
      assertTrue(f.query().get("ids").size() <= 100, f.toString());
      assertEquals(List.of(""), f.query().get("namespace"), f.toString());
    }
    assertEquals(11, docs.records("").size(), "only `fresh` was added; `4` was replaced");

    for (String[] step : new String[][] {{"pii_filter_query", "email"}, {"pii_filter_nested", "ssn"}}) {
      assertDenied(r.get(step[0]), "pii_filter", ctx);
      String err = r.get(step[0]).get("error").asText();
      assertTrue(err.contains(step[1]) && err.contains("pii-readers"), err);
      assertFalse(err.contains("ada@acme.example"), err);
    }
    assertEquals("[\"1\"]", r.at("/non_pii_filter/value").toString(), ctx);
    assertEquals(1, customers.requestsTo("POST", "/query").size(), "only the non-PII query reached Pinecone");
  }
}
