package io.vectorgate.proxy.connections;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vectorgate.proxy.Gateway;
import io.vectorgate.proxy.fakes.QdrantFake;
import io.vectorgate.proxy.testing.GatewayTestBuilder;
import io.vectorgate.proxy.testing.GatewayTestBuilder.Connection;
import io.vectorgate.proxy.testing.GatewayTestBuilder.Listener;
import io.vectorgate.proxy.testing.OidcProvider;
import io.vectorgate.proxy.testing.PostgresFixture;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Two gateway instances (in process) sharing PostgreSQL for {@code admin.connections}, each with
 * an HTTP listener on connection {@code vectors}, in front of two Qdrant stand-ins
 * ({@link QdrantFake}: no Qdrant server can run here) that expect different API keys. An operator
 * changes {@code vectors} through instance A's admin API; instance B's listener routes new
 * requests to the new upstream with the new credential within a bound, without a restart;
 * removing it makes B refuse with {@code connection_removed}; putting it back serves again.
 * Secrets (the API keys) never appear in an API answer or in the log.
 */
class ConnectionsApiE2EIT {
  static final String KEY_A = "qdrant-key-a-5d1f0c9e7b";
  static final String KEY_B = "qdrant-key-b-8a2e4f6c3d";
  static final long BOUND_SECONDS = 20;
  static final HttpClient HTTP = HttpClient.newHttpClient();
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  static Path dir;
  static PostgresFixture pg;
  static OidcProvider oidc;
  static QdrantFake upA;
  static QdrantFake upB;
  static ListAppender<ILoggingEvent> log;

  @BeforeAll
  static void start() throws Exception {
    log = new ListAppender<>();
    log.start();
    ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(log);
    pg = PostgresFixture.start();
    oidc = OidcProvider.start(0);
    upA = new QdrantFake(KEY_A);
    upB = new QdrantFake(KEY_B);
    for (int i = 1; i <= 3; i++) {
      upA.put("docs", i, new double[] {i, 0, 0, 0}, Map.of("source", "a"));
      upB.put("docs", 100 + i, new double[] {i, 0, 0, 0}, Map.of("source", "b"));
    }
    Files.createDirectories(dir.resolve("rego"));
    Files.writeString(dir.resolve("rego/open.rego"), """
        package vectorgate

        import rego.v1

        allow contains {"code": "connections_test", "message": "any verified identity"} if input.identity.subject != ""
        """);
  }

  @AfterAll
  static void stop() throws Exception {
    ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(log);
    for (AutoCloseable c : new AutoCloseable[] {upA, upB, oidc, pg}) {
      if (c != null) {
        c.close();
      }
    }
  }

  static Gateway gateway(String name, String storeUrl) throws Exception {
    return gateway(name, "{store: {postgres: \"" + storeUrl + "\"}, poll_interval_millis: 100}", upA.address());
  }

  /** A gateway whose {@code vectors} connection is {@code upstream}, with {@code admin.connections: <connectionsYaml>}. */
  static Gateway gateway(String name, String connectionsYaml, String upstream) throws Exception {
    return GatewayTestBuilder.in(dir).file(name + ".yaml")
        .listener(Listener.http("api", "vectors"))
        .connection(Connection.of("vectors", "qdrant", upstream).credential("VECTORGATE_UPSTREAM_A", KEY_A))
        .identity(oidc)
        .regoDirs(List.of(dir.resolve("rego"))).noDataFile()
        .section("admin", """
            address: 127.0.0.1:0
            reader_groups: [sre]
            operator_groups: [platform]
            connections: %s
            """.formatted(connectionsYaml))
        .env("VECTORGATE_UPSTREAM_B", KEY_B)
        .clock(Clock.systemUTC())
        .startFromConfig();
  }

  static String token(String subject, String group) {
    return oidc.token(subject, List.of(group), null, 600);
  }

  static final List<String> ANSWERS = new ArrayList<>();

  static HttpResponse<String> admin(Gateway g, String method, String path, String token, String body,
      String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + g.adminPort() + path))
        .header("Authorization", "Bearer " + token)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    ANSWERS.add(r.body() + r.headers().map());
    return r;
  }

  /** Scrolls {@code docs} through the gateway's listener; the status and body. */
  static HttpResponse<String> scroll(Gateway g, String token) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + g.port("api")
            + "/collections/docs/points/scroll"))
        .header("Authorization", "Bearer " + token).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"limit\": 10, \"with_payload\": true}")).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static String sources(HttpResponse<String> r) throws Exception {
    if (r.statusCode() != 200) {
      return r.statusCode() + " " + r.body();
    }
    List<String> s = new ArrayList<>();
    JSON.readTree(r.body()).at("/result/points").forEach(p -> s.add(p.at("/payload/source").asText()));
    return String.join(",", s);
  }

  /** Scrolls through {@code g} until {@code done} holds for the answer; fails after {@link #BOUND_SECONDS}. */
  static String awaitScroll(Gateway g, String token, Predicate<String> done, String what) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(BOUND_SECONDS);
    String last = null;
    while (System.nanoTime() < end) {
      last = sources(scroll(g, token));
      if (done.test(last)) {
        return last;
      }
      Thread.sleep(50);
    }
    throw new AssertionError(what + " not seen within " + BOUND_SECONDS + " s; last answer: " + last);
  }

  @Test
  void aConnectionChangedOnOneInstanceIsFollowedByTheOtherWithoutARestart() throws Exception {
    String store = pg.freshDatabase("vg_connections_e2e");
    try (Gateway a = gateway("gw-a", store); Gateway b = gateway("gw-b", store)) {
      String user = token("uma", "analysts");
      String ops = token("otto", "platform");
      int portB = b.port("api");
      assertEquals("a,a,a", sources(scroll(b, user)), "B starts on the YAML's upstream");

      // the effective view: the YAML's connection, its reference only
      JsonNode list = JSON.readTree(admin(a, "GET", "/v1/connections", ops, null).body());
      JsonNode vectors = list.get("connections").get(0);
      assertEquals("yaml", vectors.get("source").asText());
      assertEquals(0, vectors.get("version").asLong());
      assertEquals("{\"env\":\"VECTORGATE_UPSTREAM_A\"}", vectors.at("/connection/credential").toString());
      assertEquals("[\"api\"]", vectors.get("listeners").toString());

      // readers may not manage connections; a bad body is refused with its field and changes nothing
      assertEquals(403, admin(a, "GET", "/v1/connections", token("rita", "sre"), null).statusCode());
      HttpResponse<String> bad = admin(a, "PUT", "/v1/connections/vectors", ops,
          "{\"kind\": \"qdrant\", \"upstream\": \"" + upB.address() + "\", \"credential\": \"" + KEY_B + "\"}");
      assertEquals(400, bad.statusCode(), bad.body());
      assertEquals("connection.credential", JSON.readTree(bad.body()).get("field").asText());
      HttpResponse<String> wrongKind = admin(a, "PUT", "/v1/connections/vectors", ops,
          "{\"kind\": \"milvus\", \"upstream\": \"" + upB.address() + "\", \"credential\": {\"env\": \"VECTORGATE_UPSTREAM_B\"}}");
      assertEquals(400, wrongKind.statusCode(), wrongKind.body());
      assertTrue(wrongKind.body().contains("listener `api`"), wrongKind.body());
      HttpResponse<String> unset = admin(a, "PUT", "/v1/connections/vectors", ops,
          "{\"kind\": \"qdrant\", \"upstream\": \"" + upB.address() + "\", \"credential\": {\"env\": \"VECTORGATE_UPSTREAM_C\"}}");
      assertEquals(400, unset.statusCode(), unset.body());
      assertEquals("connection.credential.env", JSON.readTree(unset.body()).get("field").asText());
      assertEquals(404, admin(a, "GET", "/v1/connections/nope", ops, null).statusCode());
      assertEquals(404, admin(a, "GET", "/v1/connections/..%2Fetc", ops, null).statusCode());
      assertEquals(413, admin(a, "PUT", "/v1/connections/vectors", ops, "{\"kind\": \"" + "q".repeat(20_000) + "\"}")
          .statusCode());

      // the change, conditional on the YAML's version
      String put = "{\"kind\": \"qdrant\", \"upstream\": \"" + upB.address() + "\", \"credential\": {\"env\": "
          + "\"VECTORGATE_UPSTREAM_B\"}, \"timeout_seconds\": 20}";
      HttpResponse<String> changed = admin(a, "PUT", "/v1/connections/vectors", ops, put, "If-Match", "\"0\"");
      assertEquals(200, changed.statusCode(), changed.body());
      JsonNode c = JSON.readTree(changed.body());
      long version = c.get("version").asLong();
      assertEquals("api", c.get("source").asText());
      assertEquals("otto", c.get("updated_by").asText());
      assertEquals("\"" + version + "\"", changed.headers().firstValue("ETag").orElseThrow());
      assertEquals("b,b,b", sources(scroll(a, user)), "A applies its own write before answering");

      upB.clearRequests();
      awaitScroll(b, user, "b,b,b"::equals, "instance B routing to the new upstream");
      assertEquals(portB, b.port("api"), "B kept its listener: no restart");
      assertTrue(upB.requests().stream().allMatch(r -> KEY_B.equals(r.headers().get("api-key"))),
          "the new upstream got the new credential");
      assertFalse(upB.requests().isEmpty());
      try (Gateway late = gateway("gw-c", store)) {
        assertEquals("b,b,b", sources(scroll(late, user)), "an instance starting now starts on the stored definition");
      }

      // a write on a stale version is refused; B's view shows the API's definition
      HttpResponse<String> stale = admin(b, "PUT", "/v1/connections/vectors", ops, put, "If-Match", "\"0\"");
      assertEquals(412, stale.statusCode(), stale.body());
      JsonNode onB = JSON.readTree(admin(b, "GET", "/v1/connections/vectors", ops, null).body());
      assertEquals(version, onB.get("version").asLong());
      assertEquals(upB.address(), onB.at("/connection/upstream").asText());

      // removed through B: A refuses with the reason
      HttpResponse<String> del = admin(b, "DELETE", "/v1/connections/vectors", ops, null, "If-Match",
          "\"" + version + "\"");
      assertEquals(200, del.statusCode(), del.body());
      assertTrue(JSON.readTree(del.body()).get("removed").asBoolean());
      String refused = awaitScroll(a, user, s -> s.startsWith("503"), "instance A refusing the removed connection");
      assertTrue(refused.contains("connection_removed"), refused);
      assertEquals(404, admin(a, "DELETE", "/v1/connections/vectors", ops, null).statusCode(), "already removed");
      try (Gateway d = gateway("gw-d", store)) {
        String fresh = sources(scroll(d, user));
        assertTrue(fresh.startsWith("503") && fresh.contains("connection_removed"),
            "an instance starting now does not bring the YAML's definition back: " + fresh);
      }

      // put back (on the first upstream): both serve again
      HttpResponse<String> back = admin(a, "PUT", "/v1/connections/vectors", ops, "{\"kind\": \"qdrant\", \"upstream\": \""
          + upA.address() + "\", \"credential\": {\"env\": \"VECTORGATE_UPSTREAM_A\"}}");
      assertEquals(200, back.statusCode(), back.body());
      awaitScroll(b, user, "a,a,a"::equals, "instance B serving the connection put back");

      // the audit trail
      JsonNode history = JSON.readTree(admin(a, "GET", "/v1/connections/_history", ops, null).body()).get("history");
      assertEquals(List.of("put", "delete", "put"), List.of(history.get(0).get("action").asText(),
          history.get(1).get("action").asText(), history.get(2).get("action").asText()));
      assertEquals("otto", history.get(1).get("by").asText());
    }
    // secrets by reference only: no answer and no log line carries a secret value
    for (String answer : ANSWERS) {
      assertFalse(answer.contains(KEY_A) || answer.contains(KEY_B), "a secret in an API answer: " + answer);
    }
    List<ILoggingEvent> events = List.copyOf(log.list);
    assertTrue(events.stream().anyMatch(e -> e.getFormattedMessage().contains("event=connection_admin action=put")),
        "writes are logged");
    for (ILoggingEvent e : events) {
      String text = e.getFormattedMessage() + throwableText(e.getThrowableProxy());
      assertFalse(text.contains(KEY_A) || text.contains(KEY_B), "a secret in the log: " + text);
    }
  }

  /**
   * A request in flight when its connection changes finishes on the upstream it started with;
   * the next request goes to the new one (in-memory store: one instance).
   */
  @Test
  void aCallInFlightFinishesOnTheOldUpstreamWhileNewCallsUseTheNewOne() throws Exception {
    try (GatedQdrant gated = new GatedQdrant(); Gateway g = gateway("gw-mem", "{}", gated.address())) {
      String user = token("uma", "analysts");
      java.util.concurrent.CompletableFuture<HttpResponse<String>> inFlight = java.util.concurrent.CompletableFuture
          .supplyAsync(() -> {
            try {
              return scroll(g, user);
            } catch (Exception e) {
              throw new java.util.concurrent.CompletionException(e);
            }
          });
      assertTrue(gated.arrived.await(BOUND_SECONDS, TimeUnit.SECONDS), "the first call did not reach the old upstream");
      HttpResponse<String> put = admin(g, "PUT", "/v1/connections/vectors", token("otto", "platform"),
          "{\"kind\": \"qdrant\", \"upstream\": \"" + upB.address() + "\", \"credential\": {\"env\": "
              + "\"VECTORGATE_UPSTREAM_B\"}}");
      assertEquals(200, put.statusCode(), put.body());
      assertEquals("b,b,b", sources(scroll(g, user)), "a new call uses the new upstream at once");
      assertFalse(inFlight.isDone());
      gated.release.countDown();
      assertEquals("gated", sources(inFlight.get(BOUND_SECONDS, TimeUnit.SECONDS)),
          "the call in flight finished on the upstream it started with");
      assertEquals(1, gated.requests().size());
    }
  }

  /** A Qdrant stand-in whose scroll answers one point only once {@link #release} opens. */
  static final class GatedQdrant extends io.vectorgate.proxy.fakes.FakeUpstream {
    final java.util.concurrent.CountDownLatch arrived = new java.util.concurrent.CountDownLatch(1);
    final java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);

    GatedQdrant() throws java.io.IOException {
    }

    @Override
    protected Reply handle(Recorded request) {
      arrived.countDown();
      try {
        if (!release.await(60, TimeUnit.SECONDS)) {
          return new Reply(504, JSON.createObjectNode().put("status", "never released"));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return new Reply(503, JSON.createObjectNode().put("status", "interrupted"));
      }
      com.fasterxml.jackson.databind.node.ObjectNode body = JSON.createObjectNode().put("status", "ok").put("time", 0.0);
      com.fasterxml.jackson.databind.node.ObjectNode p = body.putObject("result").putArray("points").addObject();
      p.put("id", 7).putObject("payload").put("source", "gated");
      body.with("result").putNull("next_page_offset");
      return new Reply(200, body);
    }
  }

  private static String throwableText(IThrowableProxy t) {
    StringBuilder sb = new StringBuilder();
    for (IThrowableProxy p = t; p != null; p = p.getCause()) {
      sb.append(' ').append(p.getMessage());
    }
    return sb.toString();
  }
}
