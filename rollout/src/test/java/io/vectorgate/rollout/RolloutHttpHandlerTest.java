package io.vectorgate.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The webhook and status endpoints on a real JDK HTTP server, with a real repository behind. */
class RolloutHttpHandlerTest {
  static final String SECRET = "webhook-secret-for-tests-0123456789";
  @TempDir Path tmp;
  TestRepo repo;
  RolloutFixture gw;
  HttpServer server;
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void setUp() throws Exception {
    repo = TestRepo.create(tmp.resolve("repo"));
    gw = new RolloutFixture("gw-h", repo.uri(), tmp, new InMemoryRolloutState(), null, null);
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/admin/policy/", new RolloutHttpHandler(gw.controller,
        new WebhookSignature(SECRET.getBytes(StandardCharsets.UTF_8)), RolloutHttpHandler.bearer("admin-token")));
    server.start();
    gw.controller.start();
  }

  @AfterEach
  void tearDown() {
    server.stop(0);
    gw.close();
    repo.close();
  }

  HttpResponse<String> post(String path, String body, String signature) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path))
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (signature != null) {
      b.header(WebhookSignature.HEADER, signature);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> get(String path, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void signedPushTriggersARolloutUnsignedNever() throws Exception {
    String sha = repo.commit("policy", Map.of("policy.vg", Policies.GOOD_VG));
    String body = "{\"ref\":\"refs/heads/main\",\"after\":\"" + sha + "\"}";
    WebhookSignature sig = new WebhookSignature(SECRET.getBytes(StandardCharsets.UTF_8));
    assertEquals(401, post(RolloutHttpHandler.WEBHOOK_PATH, body, null).statusCode());
    assertEquals(401, post(RolloutHttpHandler.WEBHOOK_PATH, body, "sha256=" + "0".repeat(64)).statusCode());
    assertEquals(401, post(RolloutHttpHandler.WEBHOOK_PATH, body + " ", sig.sign(body.getBytes(StandardCharsets.UTF_8)))
        .statusCode());
    assertEquals(0L, gw.controller.metrics().snapshot().get("rollout_checks"), "unauthenticated calls trigger nothing");
    HttpResponse<String> ok = post(RolloutHttpHandler.WEBHOOK_PATH, body, sig.sign(body.getBytes(StandardCharsets.UTF_8)));
    assertEquals(202, ok.statusCode(), ok.body());
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (gw.engine.activeRevision().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertEquals(sha, gw.engine.activeRevision().orElse(null));
    assertEquals(405, http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getAddress().getPort()
        + RolloutHttpHandler.WEBHOOK_PATH)).GET().build(), HttpResponse.BodyHandlers.ofString()).statusCode());
  }

  @Test
  void oversizedWebhookBodyIsRefused() throws Exception {
    String big = "x".repeat(RolloutHttpHandler.MAX_BODY + 10);
    WebhookSignature sig = new WebhookSignature(SECRET.getBytes(StandardCharsets.UTF_8));
    assertEquals(413, post(RolloutHttpHandler.WEBHOOK_PATH, big, sig.sign(big.getBytes(StandardCharsets.UTF_8)))
        .statusCode());
    assertEquals(0L, gw.controller.metrics().snapshot().get("rollout_checks"));
  }

  @Test
  void statusNeedsTheAdminTokenAndShowsTheFailure() throws Exception {
    String good = repo.commit("policy", Map.of("policy.vg", Policies.GOOD_VG));
    gw.controller.checkNow();
    String bad = repo.commit("broken", Map.of("x.rego", Policies.BAD_REGO));
    gw.controller.checkNow();
    assertEquals(401, get(RolloutHttpHandler.STATUS_PATH, null).statusCode());
    assertEquals(401, get(RolloutHttpHandler.STATUS_PATH, "wrong").statusCode());
    HttpResponse<String> r = get(RolloutHttpHandler.STATUS_PATH, "admin-token");
    assertEquals(200, r.statusCode());
    JsonNode s = new ObjectMapper().readTree(r.body());
    assertEquals(good, s.path("active_revision").asText());
    assertEquals(bad, s.path("last_failure").path("revision").asText());
    assertEquals("compile", s.path("last_failure").path("stage").asText());
    assertEquals("x.rego", s.path("last_failure").path("problems").get(0).path("file").asText());
    assertEquals(6, s.path("last_failure").path("problems").get(0).path("line").asInt());
    assertEquals(1, s.path("metrics").path("rollout_failure.compile").asInt());
    assertEquals(good, s.path("instances").get(0).path("active_revision").asText());
    assertEquals(404, get("/admin/policy/other", "admin-token").statusCode());
  }
}
