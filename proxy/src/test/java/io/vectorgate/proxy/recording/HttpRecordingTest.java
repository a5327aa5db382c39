package io.vectorgate.proxy.recording;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorgate.proxy.fakes.FakeGateway;
import io.vectorgate.proxy.fakes.QdrantFake;
import io.vectorgate.recorder.RecordFormat;
import io.vectorgate.recorder.RecordingReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP listener with recording on, in front of the spec-written Qdrant fake: forwarded and
 * refused requests (unknown route, oversized body, bad token) are recorded with what is known, and
 * once recording is impossible requests are refused with 503 naming the recorder problem, nothing
 * reaches the upstream, and the refusals are counted.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HttpRecordingTest {
  @TempDir
  static Path work;
  static QdrantFake qdrant;
  static FakeGateway env;
  static Path dir;
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void start() throws Exception {
    qdrant = new QdrantFake(FakeGateway.CREDENTIAL);
    for (int i = 1; i <= 4; i++) {
      qdrant.put("docs", i, new double[] {i, 1, 0.5, 0.25, 1, 2, 3, 4}, Map.of("tenant_id", i % 2 == 0 ? "acme" : "globex"));
    }
    dir = work.resolve("rec");
    env = FakeGateway.start(work, "qdrant", "qdrant-main", qdrant.address(), """
        recording:
          directory: %s
          fsync: interval
          max_payload_bytes: 4096
        """.formatted(dir));
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

  static HttpResponse<String> post(String path, String token, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + env.port() + path))
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      b.header("api-key", token);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static List<ObjectNode> requests() throws Exception {
    env.gateway.recording().orElseThrow().recorder().flush().get();
    List<ObjectNode> out = new ArrayList<>();
    new RecordingReader(dir).forEach(e -> {
      if (RecordFormat.KIND_REQUEST.equals(e.kind())) {
        out.add(e.entry());
      }
      return true;
    });
    return out;
  }

  @Test
  @Order(1)
  void forwardedAndRefusedRequestsAreRecorded() throws Exception {
    String bob = env.token("bob");
    HttpResponse<String> ok = post("/collections/docs/points/scroll", bob, "{\"limit\": 10, \"with_vector\": true}");
    assertEquals(200, ok.statusCode(), ok.body());
    HttpResponse<String> unknown = post("/collections/docs/points/teleport", bob, "{}");
    assertEquals(403, unknown.statusCode(), unknown.body());
    HttpResponse<String> badToken = post("/collections/docs/points/scroll", "not-a-jwt", "{\"limit\": 1}");
    assertEquals(401, badToken.statusCode(), badToken.body());
    // the gateway answers 413 and closes while the client may still be sending the 2 MB body; the
    // client can then lose the answer to the reset (a TCP race, not a gateway fault): either way the
    // request is refused, and it must be recorded (asserted below)
    String bigBody = null;
    try {
      HttpResponse<String> big = post("/collections/docs/points/scroll", bob, "{\"limit\": 1, \"pad\": \"" + "x".repeat(2_000_000) + "\"}");
      assertEquals(413, big.statusCode(), big.body());
      bigBody = big.body();
    } catch (java.io.IOException e) {
      // connection closed by the gateway before the client read the 413
    }
    HttpResponse<String> notJson = post("/collections/docs/points/scroll", bob, "{not json");
    assertEquals(400, notJson.statusCode(), notJson.body());

    List<ObjectNode> reqs = requests();
    ObjectNode scroll = only(reqs, e -> e.path("operation").path("action").asText().equals("query")
        || e.path("operation").path("action").asText().equals("get"));
    assertEquals("forwarded", scroll.at("/enforcement/outcome").asText(), scroll.toString());
    assertTrue(scroll.at("/enforcement/filter_added").toString().contains("acme"), scroll.toString());
    assertEquals("200", scroll.at("/upstream/status").asText());
    assertEquals("{\"limit\":10,\"with_vector\":true}", scroll.at("/request/body").toString());
    // the response as the client received it: the tenant's rows only, no vectors
    JsonNode client = JSON.readTree(ok.body());
    assertEquals(client.at("/result/points").size(), scroll.at("/response/result/points").size(), scroll.toString());
    scroll.at("/response/result/points").forEach(p -> {
      assertEquals("acme", p.at("/payload/tenant_id").asText());
      assertFalse(p.hasNonNull("vector") && !p.get("vector").has("vectorgate_stripped"), p.toString());
    });

    ObjectNode route = only(reqs, e -> e.at("/request/path").asText().endsWith("/teleport"));
    assertEquals("refused", route.at("/enforcement/outcome").asText());
    assertEquals("unknown_route", route.at("/decision/reasons/0/code").asText(), route.toString());
    assertEquals("bob", route.at("/identity/subject").asText());

    ObjectNode token = only(reqs, e -> e.at("/decision/reasons/0/code").asText().equals("malformed_token"));
    assertFalse(token.has("identity"));
    assertFalse(token.toString().contains("not-a-jwt"), "the token was recorded: " + token);

    ObjectNode tooBig = only(reqs, e -> e.at("/decision/reasons/0/code").asText().equals("body_too_large"));
    assertEquals("POST", tooBig.at("/request/method").asText(), tooBig.toString());
    assertEquals("/collections/docs/points/scroll", tooBig.at("/request/path").asText(), tooBig.toString());
    if (bigBody != null) {
      assertTrue(JSON.readTree(bigBody).isObject(), bigBody);
    }

    ObjectNode bad = only(reqs, e -> e.at("/request/body/vectorgate_omitted").asText().equals("not_json"));
    assertEquals("refused", bad.at("/enforcement/outcome").asText(), bad.toString());
    assertEquals(9, bad.at("/request/body/bytes").asLong());
  }

  @Test
  @Order(2)
  void requestsAreRefusedWhileRecordingIsImpossible() throws Exception {
    long before = env.gateway.metrics().get("recording_unavailable");
    env.gateway.recording().orElseThrow().recorder().close();
    qdrant.clearRequests();
    HttpResponse<String> r = post("/collections/docs/points/scroll", env.token("bob"), "{\"limit\": 1}");
    assertEquals(503, r.statusCode(), r.body());
    assertTrue(r.body().contains("recorder_closed"), r.body());
    assertTrue(r.body().contains("cannot record"), r.body());
    assertTrue(qdrant.requests().isEmpty(), "a request reached the upstream while recording was impossible");
    assertEquals(before + 1, env.gateway.metrics().get("recording_unavailable"));
  }

  private static ObjectNode only(List<ObjectNode> reqs, java.util.function.Predicate<ObjectNode> p) {
    List<ObjectNode> m = reqs.stream().filter(p).toList();
    assertEquals(1, m.size(), "expected exactly one matching record in " + reqs);
    return m.get(0);
  }
}
