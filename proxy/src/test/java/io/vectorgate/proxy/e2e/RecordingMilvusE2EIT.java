package io.vectorgate.proxy.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorgate.proxy.testing.GatewayFixture;
import io.vectorgate.proxy.testing.MilvusLite;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pymilvus sample scenario (python/milvus_e2e.py, as in {@link PymilvusGatewayE2EIT}) through
 * a gateway that records: every request the gateway answered is in the session log with its
 * decision, masked values as the client saw them, no vectors, refused tokens with their failure
 * reason and without the token; the sessions admin API answers auditors only; the chain verifies.
 */
class RecordingMilvusE2EIT {
  @TempDir
  static Path work;
  static GatewayFixture env;

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
    env = GatewayFixture.start(work, null, """
        recording:
          directory: %s
          fsync: interval
          admin:
            address: 127.0.0.1:0
            auditor_groups: [auditors]
        """.formatted(dir));
    Path tokenFile = work.resolve("tokens.json");
    Map<String, String> tokens = env.oidc.writeScenarioTokens(tokenFile);
    ObjectMapper json = new ObjectMapper();
    String out = MilvusLite.runPython(work, "milvus_e2e.py", "--gateway", env.address(),
        "--direct", env.milvus.address(), "--tokens", tokenFile.toString());
    JsonNode r = json.readTree(out.lines().reduce((a, b) -> b).orElseThrow());
    assertTrue(r.get("analyst_customers").get(0).get("email").asText().startsWith("hmac:"), r.toString());

    sessionsApi(json);

    env.gateway.close(); // ends the sessions, drains and seals the recording
    List<ObjectNode> reqs = checks.checkAll(dir, tokens);
    checks.stop();

    // the analyst's search: tenant row filter added to the expression, vectors stripped, forwarded
    List<ObjectNode> searches = RecordingChecks.of(reqs, "bob", "search", "docs");
    assertFalse(searches.isEmpty(), "bob's search was not recorded");
    for (ObjectNode s : searches) {
      assertTrue(s.path("decision").path("allow").asBoolean(), s.toString());
      assertTrue(s.path("decision").hasNonNull("decision_id"), s.toString());
      assertTrue(s.path("decision").hasNonNull("revision"), s.toString());
      JsonNode enf = s.path("enforcement");
      assertEquals("forwarded", enf.path("outcome").asText(), s.toString());
      assertTrue(enf.path("filter_added").asText().contains("acme"), s.toString());
      assertTrue(enf.path("vectors_stripped").asBoolean(), s.toString());
      assertEquals("OK", s.path("upstream").path("status").asText(), s.toString());
      assertEquals("grpc", s.path("client").path("transport").asText());
      assertEquals("grpc", s.path("operation").path("protocol").path("protocol").asText());
      assertTrue(s.path("request").path("collection_name").asText().equals("docs"), s.toString());
    }
    // masked values as the client saw them: no raw PII of the sample customers in bob's entries
    List<ObjectNode> bobs = reqs.stream().filter(e -> "bob".equals(e.path("identity").path("subject").asText())).toList();
    String bobText = bobs.toString();
    assertFalse(bobText.contains("123-45-6789"), "an unmasked ssn reached bob's records");
    assertFalse(bobText.contains("+44 20 7946 0001"), "an unmasked phone reached bob's records");
    // customers carry audit.record_payloads=false in the sample: the masked fields are named, no payloads stored
    List<ObjectNode> customerQueries = RecordingChecks.of(reqs, "bob", "query", "customers");
    assertFalse(customerQueries.isEmpty());
    for (ObjectNode q : customerQueries) {
      assertEquals(List.of("email", "phone", "profile.contact.email", "ssn"),
          json.convertValue(q.path("enforcement").path("fields_masked"), List.class), q.toString());
      assertFalse(q.path("recording").path("payloads").asBoolean(), q.toString());
      assertFalse(q.has("request") || q.has("response"), "payloads recorded despite the audit hint: " + q);
    }
    // the search response is recorded as the client received it: the same hits, only the tenant's rows
    java.util.Set<String> clientIds = new java.util.TreeSet<>();
    r.get("analyst_search").get(0).forEach(h -> clientIds.add(h.get("id").asText()));
    java.util.Set<String> recordedIds = new java.util.TreeSet<>();
    searches.get(0).path("response").path("results").path("ids").path("int_id").path("data")
        .forEach(id -> recordedIds.add(id.asText()));
    assertEquals(clientIds, recordedIds, searches.get(0).toString());
    assertFalse(searches.get(0).path("response").path("results").toString().contains("globex"), searches.get(0).toString());

    // denials with their policy reasons
    for (String action : List.of("drop_collection", "truncate_collection")) {
      List<ObjectNode> denied = RecordingChecks.of(reqs, "bob", action, null);
      assertFalse(denied.isEmpty(), action + " not recorded");
      for (ObjectNode d : denied) {
        assertFalse(d.path("decision").path("allow").asBoolean());
        assertTrue(RecordingChecks.reasonCodes(d).contains("destructive_requires_break_glass"), d.toString());
        assertEquals("denied", d.path("enforcement").path("outcome").asText());
        assertFalse(d.has("upstream"), "a denied request was forwarded: " + d);
        assertEquals("PERMISSION_DENIED", d.path("response").path("grpc_status").asText(), d.toString());
      }
    }
    assertTrue(reqs.stream().anyMatch(e -> "carol".equals(e.path("identity").path("subject").asText())
        && RecordingChecks.reasonCodes(e).contains("approval_required")), "the engineer's held delete is missing");

    // refused before a decision: no identity, the token's failure reason, nothing forwarded
    for (String code : List.of("malformed_token", "expired_token", "wrong_audience")) {
      List<ObjectNode> refused = reqs.stream().filter(e -> RecordingChecks.reasonCodes(e).contains(code)).toList();
      assertFalse(refused.isEmpty(), code + " refusals not recorded");
      for (ObjectNode e : refused) {
        assertFalse(e.has("identity"), e.toString());
        assertEquals("refused", e.path("enforcement").path("outcome").asText(), e.toString());
        assertEquals("UNAUTHENTICATED", e.path("response").path("grpc_status").asText(), e.toString());
        assertFalse(e.has("upstream"), e.toString());
      }
    }
    // the admin's sessions carry alice's identity and start/end on her connections
    assertTrue(reqs.stream().anyMatch(e -> "alice".equals(e.path("identity").path("subject").asText())
        && e.path("identity").path("groups").toString().contains("admins")));
  }

  /** The sessions admin API: auditors read sessions, records and the chain; others are refused. */
  private void sessionsApi(ObjectMapper json) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    String base = "http://127.0.0.1:" + env.gateway.sessionsAdminPort() + "/v1/sessions";
    String auditor = env.oidc.token("dora", List.of("auditors"), null, 600);
    HttpResponse<String> denied = http.send(HttpRequest.newBuilder(URI.create(base))
        .header("Authorization", "Bearer " + env.token("bob")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(403, denied.statusCode(), denied.body());
    HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(URI.create(base)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(401, anonymous.statusCode(), anonymous.body());

    JsonNode bobSessions = get(http, json, base + "?subject=bob", auditor);
    assertFalse(bobSessions.get("sessions").isEmpty(), bobSessions.toString());
    bobSessions.get("sessions").forEach(s -> assertEquals("bob", s.get("subject").asText()));
    JsonNode sessions = get(http, json, base + "?limit=2", auditor);
    assertEquals(2, sessions.get("sessions").size(), sessions.toString());
    assertTrue(sessions.get("next_cursor").isTextual(), "more sessions should page: " + sessions);
    JsonNode next = get(http, json, base + "?limit=2&cursor="
        + java.net.URLEncoder.encode(sessions.get("next_cursor").asText(), java.nio.charset.StandardCharsets.UTF_8), auditor);
    assertFalse(next.get("sessions").isEmpty(), next.toString());
    String sessionId = bobSessions.get("sessions").get(0).get("sessionId").asText();
    JsonNode one = get(http, json, base + "/" + sessionId, auditor);
    assertEquals("session_start", one.get("entries").get(0).get("kind").asText(), one.toString());

    JsonNode deniedRecords = get(http, json, base + "/records?decision=deny&subject=bob", auditor);
    assertFalse(deniedRecords.get("records").isEmpty(), deniedRecords.toString());
    deniedRecords.get("records").forEach(rec -> assertEquals(false, rec.get("allow").asBoolean()));

    HttpResponse<String> bad = http.send(HttpRequest.newBuilder(URI.create(base + "/records?decision=maybe"))
        .header("Authorization", "Bearer " + auditor).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(400, bad.statusCode());
    assertTrue(bad.body().contains("decision"), bad.body());

    // hostile or wrong requests are refused with the parameter or method named
    for (String[] c : new String[][] {{"?subject=a&subject=b", "given twice"}, {"?secret=1", "unknown parameter"},
        {"/records?limit=0", "limit"}, {"/records?from=yesterday", "from"}, {"/verify?x=1", "no parameters"},
        {"?limit=99999", "limit"}}) {
      HttpResponse<String> h = http.send(HttpRequest.newBuilder(URI.create(base + c[0]))
          .header("Authorization", "Bearer " + auditor).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(400, h.statusCode(), c[0] + ": " + h.body());
      assertTrue(h.body().contains(c[1]), c[0] + ": " + h.body());
    }
    HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create(base)).header("Authorization", "Bearer " + auditor)
        .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(405, post.statusCode(), post.body());
    HttpResponse<String> unknown = http.send(HttpRequest.newBuilder(URI.create(base + "/no-such-session"))
        .header("Authorization", "Bearer " + auditor).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(404, unknown.statusCode(), unknown.body());
    HttpResponse<String> sibling = http.send(HttpRequest.newBuilder(URI.create(base + "x"))
        .header("Authorization", "Bearer " + auditor).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(404, sibling.statusCode(), sibling.body());

    HttpResponse<String> export = http.send(HttpRequest.newBuilder(URI.create(base + "/export?subject=bob&action=search"))
        .header("Authorization", "Bearer " + auditor).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, export.statusCode());
    List<String> lines = export.body().lines().toList();
    assertFalse(lines.isEmpty());
    for (String l : lines) {
      JsonNode e = json.readTree(l);
      assertEquals("bob", e.path("identity").path("subject").asText());
      assertTrue(e.path("hash").isTextual());
    }
    assertTrue(get(http, json, base + "/verify", auditor).get("ok").asBoolean());
  }

  private static JsonNode get(HttpClient http, ObjectMapper json, String url, String token) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
        .build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), url + ": " + r.body());
    return json.readTree(r.body());
  }
}
