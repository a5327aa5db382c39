package io.vectorgate.proxy.connections;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.milvus.v2.client.ConnectConfig;
import io.milvus.v2.client.MilvusClientV2;
import io.vectorgate.proxy.Gateway;
import io.vectorgate.proxy.e2e.ChromaServer;
import io.vectorgate.proxy.testing.Closer;
import io.vectorgate.proxy.testing.GatewayTestBuilder;
import io.vectorgate.proxy.testing.GatewayTestBuilder.Listener;
import io.vectorgate.proxy.testing.MilvusLite;
import io.vectorgate.proxy.testing.OidcProvider;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Listeners whose connections exist only in the connections API's shared store
 * ({@code connection_source: api}, no YAML definition): two gateways on one SQLite store, a Milvus
 * gRPC listener (Milvus Lite behind it, the Milvus Java SDK as client) and a Chroma HTTP listener
 * (a real Chroma behind it). Before the connections are put, both gateways start and refuse with
 * the retriable {@code connection_unavailable} naming the connection (gRPC UNAVAILABLE in band,
 * HTTP 503 in Chroma's error shape); once they are put through gateway A's admin API, A serves at
 * once and B within the bound, both reaching the real upstreams, without a restart.
 */
class ApiProvidedConnectionE2EIT {
  @TempDir
  static Path dir;
  static MilvusLite milvus;
  static ChromaServer chroma;
  static OidcProvider oidc;
  static final HttpClient HTTP = HttpClient.newHttpClient();
  static final ObjectMapper JSON = new ObjectMapper();
  /** How long instance B may take to apply a change made through A (poll 200 ms; a loaded 2-core machine). */
  static final Duration BOUND = Duration.ofSeconds(20);

  @BeforeAll
  static void start() throws Exception {
    milvus = MilvusLite.start(dir, 0);
    chroma = ChromaServer.start(dir.resolve("chroma"));
    oidc = OidcProvider.start(0);
    Files.createDirectories(dir.resolve("rego"));
    Files.writeString(dir.resolve("rego/open.rego"), """
        package vectorgate

        import rego.v1

        allow contains {"code": "connections_test", "message": "any verified identity"} if input.identity.subject != ""
        """);
  }

  @AfterAll
  static void stop() throws Exception {
    Closer.closeAll(oidc, chroma, milvus);
  }

  private static Gateway gateway(String name) throws Exception {
    return GatewayTestBuilder.in(dir).file(name + ".yaml")
        .listener(Listener.milvus("m", "lite").option("connection_source", "api"))
        .listener(Listener.http("h", "docs").option("connection_source", "api").option("connection_kind", "chroma"))
        .identity(oidc)
        .regoDirs(List.of(dir.resolve("rego"))).noDataFile()
        .section("admin", """
            address: 127.0.0.1:0
            operator_groups: [platform]
            connections: {store: {sqlite: %s}, poll_interval_millis: 200}
            """.formatted(GatewayTestBuilder.quote(dir.resolve("connections.db").toString())))
        .env("VECTORGATE_UPSTREAM_MILVUS", "root:Milvus")
        .env("VECTORGATE_UPSTREAM_CHROMA", "chroma-token")
        .clock(Clock.systemUTC())
        .startFromConfig();
  }

  private static HttpResponse<String> put(Gateway g, String id, String body) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + g.adminPort() + "/v1/connections/" + id))
        .header("Authorization", "Bearer " + oidc.token("otto", List.of("platform"), null, 600))
        .PUT(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> heartbeat(Gateway g) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + g.port("h") + "/api/v2/heartbeat"))
        .timeout(Duration.ofSeconds(20)).header("authorization", "Bearer " + oidc.token("uma", List.of("analysts"), null, 600))
        .GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  /** listCollections through the gateway's Milvus listener with a new SDK client. */
  private static List<String> collections(Gateway g) {
    MilvusClientV2 client = new MilvusClientV2(ConnectConfig.builder().uri("http://127.0.0.1:" + g.port("m"))
        .token(oidc.token("uma", List.of("analysts"), null, 600)).build());
    try {
      return client.listCollections().getCollectionNames();
    } finally {
      client.close();
    }
  }

  @Test
  void listenersServeConnectionsThatOnlyTheSharedStoreProvides() throws Exception {
    try (Gateway a = gateway("a"); Gateway b = gateway("b")) {
      // nothing stored yet: both instances started, and refuse naming the connection
      for (Gateway g : List.of(a, b)) {
        RuntimeException refused = assertThrows(RuntimeException.class, () -> collections(g));
        String m = String.valueOf(refused.getMessage());
        assertTrue(m.contains("connection_unavailable") && m.contains("connection `lite` is not defined yet"), m);
        HttpResponse<String> r = heartbeat(g);
        assertEquals(503, r.statusCode(), r.body());
        assertTrue(r.body().contains("connection `docs` is not defined yet"), r.body());
        assertTrue(JSON.readTree(r.body()).has("error"), "Chroma's error shape: " + r.body());
      }
      assertTrue(a.metrics().snapshot().toString().contains("connection_unavailable"), a.metrics().snapshot().toString());

      HttpResponse<String> r = put(a, "lite", "{\"kind\": \"milvus\", \"upstream\": \"" + milvus.address() + "\", "
          + "\"credential\": {\"env\": \"VECTORGATE_UPSTREAM_MILVUS\"}, \"row_filter_binding\": \"literal\"}");
      assertEquals(200, r.statusCode(), r.body());
      r = put(a, "docs", "{\"kind\": \"chroma\", \"upstream\": \"" + chroma.address() + "\", "
          + "\"credential\": {\"env\": \"VECTORGATE_UPSTREAM_CHROMA\"}}");
      assertEquals(200, r.statusCode(), r.body());
      // a connection of another kind than the listener serves is refused by the API, naming the listener
      r = put(a, "docs", "{\"kind\": \"qdrant\", \"upstream\": \"" + chroma.address() + "\", "
          + "\"credential\": {\"env\": \"VECTORGATE_UPSTREAM_CHROMA\"}}");
      assertEquals(400, r.statusCode(), r.body());
      assertTrue(r.body().contains("listener `h` serves `chroma` clients"), r.body());

      // A applied its own write before answering
      assertEquals(List.of(), collections(a), "Milvus Lite (empty) answers through A");
      r = heartbeat(a);
      assertEquals(200, r.statusCode(), r.body());
      assertTrue(JSON.readTree(r.body()).has("nanosecond heartbeat"), r.body());

      // B follows the shared store within the bound, without a restart
      long deadline = System.nanoTime() + BOUND.toNanos();
      while (heartbeat(b).statusCode() != 200 && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      r = heartbeat(b);
      assertEquals(200, r.statusCode(), "B serves the stored Chroma connection within " + BOUND + ": " + r.body());
      assertTrue(JSON.readTree(r.body()).has("nanosecond heartbeat"), r.body());
      assertEquals(List.of(), collections(b), "Milvus Lite answers through B");
    }
  }
}
