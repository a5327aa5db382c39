package io.vectorgate.proxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorgate.approvals.admin.AdminClient;
import io.vectorgate.engine.PolicyBundle;
import io.vectorgate.engine.PolicyEngine;
import io.vectorgate.proxy.Gateway;
import io.vectorgate.proxy.approval.HoldingApprovalGate;
import io.vectorgate.proxy.testing.MilvusLite;
import io.vectorgate.proxy.testing.Closer;
import io.vectorgate.proxy.testing.GatewayTestBuilder;
import io.vectorgate.proxy.testing.GatewayTestBuilder.Connection;
import io.vectorgate.proxy.testing.GatewayTestBuilder.Listener;
import io.vectorgate.proxy.testing.OidcProvider;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hold mode on the HTTP listener, with a recording upstream in place of Chroma (so the bytes that
 * reach it can be compared with the bytes the client sent), real OIDC tokens, the shipped library
 * and the sample organisation, and the approvals admin API: a held delete is released by an
 * approval and forwarded byte for byte; a client that disconnects leaves the approval pending and
 * nothing is forwarded; beyond {@code max_held_calls} a request gets "approval pending" at once; a
 * policy swapped to deny during the wait wins; rejection, expiry and the client's deadline.
 */
class HttpApprovalHoldTest {
  static final String DOCS_ID = "0a1b2c3d-0000-4000-8000-00000000d0c5";
  static final String DB = "/api/v2/tenants/default_tenant/databases/default_database";
  static final String DELETE = DB + "/collections/" + DOCS_ID + "/delete";
  static final ObjectMapper JSON = new ObjectMapper();
  /** Bulk-delete approvals of this test's organisation expire after this many seconds. */
  static final int EXPIRES = 12;
  static final Map<String, List<String>> GROUPS = Map.of(
      "alice", List.of("admins"),
      "carol", List.of("ml-engineers"),
      "erin", List.of("db-admins"));

  @TempDir
  static Path work;
  static RecordingUpstream upstream;
  static OidcProvider oidc;
  static PolicyEngine engine;
  static Gateway gateway;
  static HoldingApprovalGate gate;
  static HttpClient http;
  static String base;

  @BeforeAll
  static void start() throws Exception {
    upstream = new RecordingUpstream(HttpApprovalHoldTest::answer);
    oidc = OidcProvider.start(0);
    gateway = startGateway("approvals.db");
    gate = gateway.approvals().orElseThrow().gate();
    base = "http://127.0.0.1:" + gateway.port("chroma");
    http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  }

  /** A gateway with its own approvals store in {@code storeFile}, sharing the engine (compiled once). */
  static Gateway startGateway(String storeFile) throws Exception {
    Path root = MilvusLite.root();
    ObjectNode org = (ObjectNode) JSON.readTree(root.resolve("samples/org/data.json").toFile());
    ((ObjectNode) org.get("vectorgate_config").get("bulk_delete")).put("expires_in_seconds", EXPIRES);
    Path data = work.resolve("org-data.json");
    Files.writeString(data, JSON.writeValueAsString(org));
    GatewayTestBuilder b = GatewayTestBuilder.in(work).file(storeFile + ".yaml")
        .listener(Listener.http("chroma", "chroma"))
        .connection(Connection.of("chroma", "chroma", upstream.address()).credential("VG_CHROMA_TOKEN", "gateway-secret")
            .timeoutSeconds(10))
        .identity(oidc)
        .sampleRego("chroma-demo").dataFile(data)
        .section("limits", "{worker_threads: 4}")
        .section("approvals", """
            store: {sqlite: "%s"}
            mode: hold
            max_wait_seconds: 60
            grant_below_deadline_seconds: 1
            poll_interval_millis: 50
            max_held_calls: 1
            admin: {address: "127.0.0.1:0"}
            """.formatted(work.resolve(storeFile)));
    if (engine == null) {
      engine = b.compileEngine();
    }
    return b.engine(engine).start().gateway();
  }

  @AfterAll
  static void stop() throws Exception {
    Closer.closeAll(gateway, engine, oidc, upstream);
  }

  @BeforeEach
  void clear() throws Exception {
    await(() -> gate.held() == 0, "a call from an earlier test is still held");
    upstream.seen.clear();
  }

  static RecordingUpstream.Answer answer(RecordingUpstream.Seen s) {
    if (s.target().equals(DB + "/collections/by-id/" + DOCS_ID)) {
      return new RecordingUpstream.Answer(200, "{\"id\":\"" + DOCS_ID + "\",\"name\":\"docs\",\"tenant\":"
          + "\"default_tenant\",\"database\":\"default_database\",\"metadata\":null}");
    }
    return new RecordingUpstream.Answer(200, "{}");
  }

  static String token(String user) {
    return oidc.token(user, GROUPS.get(user), user.equals("alice") ? null : "acme", 3600);
  }

  static AdminClient admin(String user) {
    return new AdminClient(URI.create("http://127.0.0.1:" + gateway.approvals().orElseThrow().adminPort()), token(user));
  }

  static HttpRequest.Builder delete(String user, String body) {
    return HttpRequest.newBuilder(URI.create(base + DELETE)).header("authorization", "Bearer " + token(user))
        .header("content-type", "application/json").timeout(Duration.ofSeconds(90))
        .POST(HttpRequest.BodyPublishers.ofString(body));
  }

  static CompletableFuture<HttpResponse<String>> send(HttpRequest r) {
    return http.sendAsync(r, HttpResponse.BodyHandlers.ofString());
  }

  static List<RecordingUpstream.Seen> deletesSeen() {
    return upstream.seen.stream().filter(s -> s.target().endsWith("/delete")).toList();
  }

  /** The pending approval of {@code requester} whose summary mentions {@code text}. */
  static JsonNode awaitPending(String requester, String text) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < end) {
      for (JsonNode a : admin("erin").list("pending", 100).get("approvals")) {
        if (a.get("requester").get("subject").asText().equals(requester)
            && a.get("summary").get("text").asText().contains(text)) {
          return a;
        }
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no pending approval of " + requester + " mentioning `" + text + "`");
  }

  static void await(BooleanSupplier condition, String failure) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError(failure);
      }
      Thread.sleep(20);
    }
  }

  /** Odd spacing, key order and a unicode escape: a re-serialized body could not be byte-identical. */
  static String oddBody(String title) {
    return "{ \"where\" :\n  {\"title\": {\"$eq\": \"" + title + " caf\\u00e9\"}} ,\"ids\":[] }";
  }

  @Test
  void heldDeleteIsReleasedByApprovalAndForwardedByteForByte() throws Exception {
    String body = oddBody("release");
    CompletableFuture<HttpResponse<String>> call = send(delete("alice", body).build());
    JsonNode pending = awaitPending("alice", "release");
    String id = pending.get("id").asText();
    assertEquals("POST " + DELETE, pending.get("summary").get("method").asText());
    assertEquals("delete", pending.get("summary").get("action").asText());
    assertEquals("docs", pending.get("summary").get("collection").asText());
    assertEquals(1, gate.held());
    assertFalse(call.isDone(), "the call ended before anyone answered");
    assertTrue(deletesSeen().isEmpty(), "the delete reached the upstream before the approval");

    admin("erin").approve(id, "checked", 1);
    HttpResponse<String> r = call.get(30, TimeUnit.SECONDS);
    assertEquals(200, r.statusCode(), r.body());
    List<RecordingUpstream.Seen> seen = deletesSeen();
    assertEquals(1, seen.size(), seen.toString());
    assertEquals(body, seen.get(0).body(), "the upstream must get the approved bytes exactly");
    assertEquals(List.of("gateway-secret"), seen.get(0).headers().get("x-chroma-token"));
    assertFalse(seen.get(0).headers().containsKey("authorization"));
    assertEquals("approved", admin("erin").show(id).get("status").asText());
  }

  @Test
  void aBodyTheGatewayChangedIsReSerializedAndAnUnchangedOneIsSentAsIs() throws Exception {
    // carol's reads get the tenant row filter: the body changes, so it is re-serialized
    String get = "{ \"where\": {\"title\": \"x\"} ,  \"limit\": 5 }";
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + DB + "/collections/" + DOCS_ID + "/get"))
        .header("authorization", "Bearer " + token("carol")).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(get)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    RecordingUpstream.Seen filtered = upstream.seen.stream().filter(s -> s.target().endsWith("/get")).findFirst()
        .orElseThrow();
    assertNotEquals(get, filtered.body());
    JsonNode sent = JSON.readTree(filtered.body());
    assertTrue(sent.get("where").toString().contains("acme"), sent.toString());
    // alice bypasses tenancy: the body is not changed, so her exact bytes go upstream
    upstream.seen.clear();
    r = http.send(HttpRequest.newBuilder(URI.create(base + DB + "/collections/" + DOCS_ID + "/get"))
        .header("authorization", "Bearer " + token("alice")).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(get)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    assertEquals(get, upstream.seen.stream().filter(s -> s.target().endsWith("/get")).findFirst().orElseThrow().body());
  }

  @Test
  void clientDisconnectWhileHeldLeavesTheApprovalPendingAndForwardsNothing() throws Exception {
    String body = oddBody("disconnect");
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    String id;
    try (Socket s = new Socket("127.0.0.1", gateway.port("chroma"))) {
      OutputStream out = s.getOutputStream();
      out.write(("POST " + DELETE + " HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer " + token("alice")
          + "\r\nContent-Type: application/json\r\nContent-Length: " + b.length + "\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.write(b);
      out.flush();
      id = awaitPending("alice", "disconnect").get("id").asText();
      await(() -> gate.held() == 1, "the call is not held");
    }
    await(() -> gate.held() == 0, "the held call did not notice that its client closed the connection");
    assertEquals("pending", admin("erin").show(id).get("status").asText());
    admin("erin").approve(id, "too late for that call", 1);
    assertTrue(deletesSeen().isEmpty(), "a call whose client left was forwarded: " + deletesSeen());
  }

  @Test
  void beyondMaxHeldCallsARequestGetsApprovalPendingAtOnceAndRejectionIs403WithIdAndReason() throws Exception {
    CompletableFuture<HttpResponse<String>> held = send(delete("alice", oddBody("first")).build());
    String first = awaitPending("alice", "first").get("id").asText();
    await(() -> gate.held() == 1, "the first call is not held");

    HttpResponse<String> second = http.send(delete("alice", oddBody("second")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(403, second.statusCode(), second.body());
    JsonNode err = JSON.readTree(second.body());
    String secondId = awaitPending("alice", "second").get("id").asText();
    assertNotEquals(first, secondId);
    assertEquals("approval_pending", err.get("reasons").get(0).get("code").asText(), second.body());
    assertTrue(err.get("message").asText().contains("approval pending: " + secondId), second.body());
    assertEquals(1, gate.held());

    admin("erin").reject(first, "wrong filter");
    HttpResponse<String> r = held.get(30, TimeUnit.SECONDS);
    assertEquals(403, r.statusCode(), r.body());
    JsonNode rejected = JSON.readTree(r.body());
    assertEquals("approval_rejected", rejected.get("reasons").get(0).get("code").asText(), r.body());
    assertTrue(rejected.get("message").asText().contains(first), r.body());
    assertTrue(rejected.get("message").asText().contains("wrong filter"), r.body());
    assertTrue(deletesSeen().isEmpty(), deletesSeen().toString());
    admin("erin").reject(secondId, "clean up");
  }

  @Test
  void aDifferentBodyDoesNotRideOnAnApprovalButTheIdenticalOneDoes() throws Exception {
    // grant mode by deadline: X-Request-Timeout below grant_below_deadline_seconds + margin
    String body = oddBody("grant");
    HttpResponse<String> r = http.send(delete("alice", body).header("X-Request-Timeout", "1").build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(403, r.statusCode(), r.body());
    String id = awaitPending("alice", "grant").get("id").asText();
    assertTrue(r.body().contains("approval pending: " + id), r.body());
    admin("erin").approve(id, "once", 1);
    // same identity, same target, other bytes (one space more): a new approval, nothing forwarded
    r = http.send(delete("alice", body + " ").header("X-Request-Timeout", "1").build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(403, r.statusCode(), r.body());
    assertTrue(r.body().contains("approval_pending"), r.body());
    assertFalse(r.body().contains(id), r.body());
    assertTrue(deletesSeen().isEmpty());
    // the identical request uses the grant
    r = http.send(delete("alice", body).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    assertEquals(List.of(body), deletesSeen().stream().map(RecordingUpstream.Seen::body).toList());
    for (JsonNode a : admin("erin").list("pending", 100).get("approvals")) {
      admin("erin").reject(a.get("id").asText(), "clean up");
    }
  }

  @Test
  void policySwappedToDenyDuringTheWaitWinsAfterTheApproval() throws Exception {
    PolicyBundle before = engine.activeBundle().orElseThrow();
    Path extra = work.resolve("freeze");
    Files.createDirectories(extra);
    Files.writeString(extra.resolve("freeze.rego"), """
        package vectorgate

        import rego.v1

        deny contains {"code": "deletes_frozen", "message": "deletes are frozen"} if {
        	input.operation.action == "delete"
        }
        """);
    Path root = MilvusLite.root();
    PolicyBundle frozen = io.vectorgate.engine.PolicyCompiler.create().compile(root.resolve("rego-policies/src/main/rego"),
        root.resolve("samples/chroma-demo/rego"), work.resolve("org-data.json"), extra).orThrow();
    CompletableFuture<HttpResponse<String>> call = send(delete("alice", oddBody("swap")).build());
    String id = awaitPending("alice", "swap").get("id").asText();
    try {
      engine.activate(frozen);
      admin("erin").approve(id, "fine by me", 1);
      HttpResponse<String> r = call.get(30, TimeUnit.SECONDS);
      assertEquals(403, r.statusCode(), r.body());
      assertTrue(r.body().contains("deletes_frozen"), r.body());
      assertTrue(deletesSeen().isEmpty(), deletesSeen().toString());
    } finally {
      engine.activate(before);
    }
  }

  @Test
  void expiryAndTheClientsDeadline() throws Exception {
    // deadline 3 s: held (above grant_below_deadline_seconds), then "approval pending" before the client gives up
    HttpResponse<String> r = http.send(delete("alice", oddBody("deadline")).header("X-Request-Timeout", "3").build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(403, r.statusCode(), r.body());
    String id = awaitPending("alice", "deadline").get("id").asText();
    assertTrue(r.body().contains("approval pending: " + id), r.body());
    assertTrue(r.body().contains("not answered while the call was held"), r.body());

    // the identical request held again until the approval expires
    r = http.send(delete("alice", oddBody("deadline")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(403, r.statusCode(), r.body());
    assertTrue(r.body().contains("approval_expired"), r.body());
    assertTrue(r.body().contains(id), r.body());
    assertTrue(deletesSeen().isEmpty());
  }

  @Test
  void http2StreamResetWhileHeldLeavesTheApprovalPendingAndForwardsNothing() throws Exception {
    okhttp3.OkHttpClient ok = new okhttp3.OkHttpClient.Builder()
        .protocols(List.of(okhttp3.Protocol.H2_PRIOR_KNOWLEDGE)).readTimeout(Duration.ofSeconds(90)).build();
    try {
      okhttp3.Call call = ok.newCall(new okhttp3.Request.Builder().url(base + DELETE)
          .header("authorization", "Bearer " + token("alice"))
          .post(okhttp3.RequestBody.create(oddBody("h2 reset").getBytes(StandardCharsets.UTF_8),
              okhttp3.MediaType.get("application/json"))).build());
      CompletableFuture<String> ended = new CompletableFuture<>();
      call.enqueue(new okhttp3.Callback() {
        @Override
        public void onFailure(okhttp3.Call c, java.io.IOException e) {
          ended.complete("failed: " + e);
        }

        @Override
        public void onResponse(okhttp3.Call c, okhttp3.Response r) {
          ended.complete("answered " + r.code() + " over " + r.protocol());
          r.close();
        }
      });
      String id = awaitPending("alice", "h2 reset").get("id").asText();
      await(() -> gate.held() == 1, "the HTTP/2 call is not held");
      call.cancel(); // RST_STREAM; the connection stays open
      assertTrue(ended.get(30, TimeUnit.SECONDS).startsWith("failed"), ended.get());
      await(() -> gate.held() == 0, "the held call did not notice the stream reset");
      assertEquals("pending", admin("erin").show(id).get("status").asText());
      admin("erin").approve(id, "after the client left", 1);
      assertTrue(deletesSeen().isEmpty(), deletesSeen().toString());
    } finally {
      ok.dispatcher().executorService().shutdown();
      ok.connectionPool().evictAll();
    }
  }

  @Test
  void shutdownEndsAHeldCallWithARetriable503AndTheApprovalStays() throws Exception {
    Gateway second = startGateway("second.db");
    boolean closed = false;
    try {
      CompletableFuture<HttpResponse<String>> call = send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
              + second.port("chroma") + DELETE)).header("authorization", "Bearer " + token("alice"))
          .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(oddBody("shutdown")))
          .build());
      HoldingApprovalGate secondGate = second.approvals().orElseThrow().gate();
      await(() -> secondGate.held() == 1, "the call is not held on the second gateway");
      String id = new AdminClient(URI.create("http://127.0.0.1:" + second.approvals().orElseThrow().adminPort()),
          token("erin")).list("pending", 10).get("approvals").get(0).get("id").asText();
      closed = true;
      second.close();
      HttpResponse<String> r = call.get(30, TimeUnit.SECONDS);
      assertEquals(503, r.statusCode(), r.body());
      assertEquals(java.util.Optional.of("1"), r.headers().firstValue("retry-after"));
      assertTrue(r.body().contains("approval_interrupted"), r.body());
      assertTrue(r.body().contains(id), r.body());
      assertTrue(r.body().contains("stays pending"), r.body());
      assertTrue(deletesSeen().isEmpty(), deletesSeen().toString());
    } finally {
      if (!closed) {
        second.close();
      }
    }
  }

  @Test
  void aMalformedRequestTimeoutIsRefusedNamingTheHeader() throws Exception {
    for (String bad : List.of("0", "-1", "+5", "05", "1.5", "1e3", "86401", "9999999", "abc", "1 2")) {
      HttpResponse<String> r = http.send(delete("alice", oddBody("timeout")).header("X-Request-Timeout", bad).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(400, r.statusCode(), bad + ": " + r.body());
      assertTrue(r.body().contains("x-request-timeout"), r.body());
    }
    try (Socket s = new Socket("127.0.0.1", gateway.port("chroma"))) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(("GET " + DB + "/collections/" + DOCS_ID + " HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer "
          + token("alice") + "\r\nX-Request-Timeout: 5\r\nX-Request-Timeout: 50\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      InputStream in = s.getInputStream();
      String head = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
      assertEquals("HTTP/1.1 400", head);
    }
    assertTrue(deletesSeen().isEmpty());
  }
}
