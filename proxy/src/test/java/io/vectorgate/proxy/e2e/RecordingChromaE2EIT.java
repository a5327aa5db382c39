package io.vectorgate.proxy.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorgate.proxy.testing.MilvusLite;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chromadb sample scenario (python/chroma_e2e.py, as in {@link ChromaGatewayE2EIT}, over
 * HTTP/1.1 and HTTP/2) through a gateway that records with durable acknowledgements: every
 * request the gateway answered is recorded with its decision, masked values as the client saw them,
 * embeddings stripped, refused tokens without the token; the chain verifies.
 */
class RecordingChromaE2EIT {
  @TempDir
  static Path work;
  static ChromaGatewayFixture env;

  @AfterAll
  static void stop() {
    if (env != null) {
      env.close();
    }
  }

  @Test
  void everyRequestOfTheScenarioIsRecorded() throws Exception {
    Path dir = work.resolve("recording");
    RecordingChecks checks = new RecordingChecks();
    env = ChromaGatewayFixture.start(work, 1024 * 1024, """
        recording:
          directory: %s
          acknowledge: durable
        """.formatted(dir));
    Path tokenFile = work.resolve("chroma-tokens.json");
    Map<String, String> tokens = env.oidc.writeScenarioTokens(tokenFile);
    ObjectMapper json = new ObjectMapper();
    String out = MilvusLite.runPython(work, "chroma_e2e.py", "--gateway", "127.0.0.1:" + env.port(),
        "--direct", env.chroma.address(), "--tokens", tokenFile.toString());
    JsonNode r = json.readTree(out.lines().reduce((a, b) -> b).orElseThrow());
    assertTrue(r.get("analyst_h1_customer").get("email").asText().startsWith("hmac:"), r.toString());

    env.gateway.close();
    List<ObjectNode> reqs = checks.checkAll(dir, tokens);
    checks.stop();

    // the analyst's queries: tenant filter added to `where`, embeddings stripped, over HTTP/1.1 and HTTP/2
    List<ObjectNode> queries = RecordingChecks.of(reqs, "bob", "search", null);
    assertFalse(queries.isEmpty(), "bob's queries were not recorded");
    for (ObjectNode q : queries) {
      assertTrue(q.path("decision").path("allow").asBoolean(), q.toString());
      assertEquals("forwarded", q.path("enforcement").path("outcome").asText(), q.toString());
      assertTrue(q.path("enforcement").path("filter_added").toString().contains("acme"), q.toString());
      assertTrue(q.path("enforcement").path("vectors_stripped").asBoolean(), q.toString());
      assertEquals("200", q.path("upstream").path("status").asText(), q.toString());
      assertEquals("POST", q.path("request").path("method").asText());
      assertTrue(q.path("request").path("path").asText().startsWith("/api/v2/"), q.toString());
      assertTrue(q.path("request").has("body"), q.toString());
      assertFalse(q.path("request").path("headers").has("x-chroma-token"), "a token header was recorded: " + q);
    }
    Set<String> bobConnections = new HashSet<>();
    RecordingChecks.of(reqs, "bob", "search", null).forEach(e -> bobConnections.add(e.path("client").path("connection_id").asText()));
    assertTrue(bobConnections.size() >= 2, "HTTP/1.1 and HTTP/2 clients share a connection id: " + bobConnections);
    // masked as the client saw it
    List<ObjectNode> bobs = reqs.stream().filter(e -> "bob".equals(e.path("identity").path("subject").asText())).toList();
    String bobText = bobs.toString();
    assertFalse(bobText.contains("123-45-6789"), "an unmasked ssn reached bob's records");
    assertFalse(bobText.contains("+44 20 7946 0001"), "an unmasked phone reached bob's records");
    // customers carry audit.record_payloads=false in the sample: the masked fields are named, no payloads stored
    List<ObjectNode> customers = bobs.stream().filter(e -> "customers".equals(e.path("operation").path("resource")
        .path("collection").asText()) && e.path("decision").path("allow").asBoolean()
        && List.of("get", "search").contains(e.path("operation").path("action").asText())).toList();
    assertFalse(customers.isEmpty(), "bob's customer reads were not recorded");
    for (ObjectNode c : customers) {
      assertTrue(c.path("enforcement").path("fields_masked").toString().contains("email"), c.toString());
      assertFalse(c.has("response"), "payloads recorded despite the audit hint: " + c);
    }
    // the analyst's queries are recorded as the client received them: only the tenant's rows, embeddings null
    for (ObjectNode q : queries) {
      JsonNode resp = q.path("response");
      assertEquals(r.get("analyst_h1_query_size").asInt(), resp.path("ids").path(0).size(), q.toString());
      assertTrue(resp.path("embeddings").isNull(), q.toString());
      resp.path("metadatas").path(0).forEach(m -> assertEquals("acme", m.path("tenant_id").asText(), q.toString()));
    }
    // the engineer reads embeddings (policy allows it) but the recording still strips them
    assertTrue(RecordingChecks.of(reqs, "carol", "search", null).stream()
        .anyMatch(e -> !e.path("enforcement").path("vectors_stripped").asBoolean()), "carol's query kept no vectors?");

    // denials with their policy reasons, answered by the gateway (no upstream)
    List<ObjectNode> drops = RecordingChecks.of(reqs, "bob", "drop_collection", null);
    assertFalse(drops.isEmpty());
    for (ObjectNode d : drops) {
      assertTrue(RecordingChecks.reasonCodes(d).contains("destructive_requires_break_glass"), d.toString());
      assertFalse(d.has("upstream"), d.toString());
      assertEquals("AuthorizationError", d.path("response").path("error").asText(), d.toString());
    }
    // refused before a decision: the token's failure reason, no identity
    for (String code : List.of("malformed_token", "expired_token", "wrong_audience", "missing_token")) {
      List<ObjectNode> refused = reqs.stream().filter(e -> RecordingChecks.reasonCodes(e).contains(code)).toList();
      assertFalse(refused.isEmpty(), code + " refusals not recorded");
      refused.forEach(e -> {
        assertFalse(e.has("identity"), e.toString());
        assertEquals("refused", e.path("enforcement").path("outcome").asText(), e.toString());
      });
    }
  }
}
