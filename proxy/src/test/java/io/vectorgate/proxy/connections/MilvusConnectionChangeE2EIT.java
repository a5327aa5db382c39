package io.vectorgate.proxy.connections;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.milvus.v2.client.ConnectConfig;
import io.milvus.v2.client.MilvusClientV2;
import io.vectorgate.proxy.Gateway;
import io.vectorgate.proxy.testing.MilvusLite;
import io.vectorgate.proxy.testing.GatewayTestBuilder;
import io.vectorgate.proxy.testing.GatewayTestBuilder.Connection;
import io.vectorgate.proxy.testing.GatewayTestBuilder.Listener;
import io.vectorgate.proxy.testing.OidcProvider;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Milvus gRPC listener follows its connection at run time: a gateway whose YAML points the
 * connection at a closed port, the admin API's store on SQLite, Milvus Lite as the real upstream
 * and the Milvus Java SDK as the real client. After a PUT the client's calls reach Milvus Lite;
 * after a DELETE the same client connection is refused with {@code connection_removed}; after a
 * PUT again it is served again. The listener and the client's connection stay up throughout.
 */
class MilvusConnectionChangeE2EIT {
  @TempDir
  static Path dir;
  static MilvusLite milvus;
  static OidcProvider oidc;
  static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    milvus = MilvusLite.start(dir, 0);
    oidc = OidcProvider.start(0);
    Files.createDirectories(dir.resolve("rego"));
    Files.writeString(dir.resolve("rego/open.rego"), """
        package vectorgate

        import rego.v1

        allow contains {"code": "connections_test", "message": "any verified identity"} if input.identity.subject != ""
        """);
  }

  @AfterAll
  static void stop() {
    if (oidc != null) {
      oidc.close();
    }
    if (milvus != null) {
      milvus.close();
    }
  }

  static HttpResponse<String> admin(Gateway g, String method, String body) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + g.adminPort() + "/v1/connections/lite"))
        .header("Authorization", "Bearer " + oidc.token("otto", List.of("platform"), null, 600))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theListenerFollowsPutDeleteAndPutAgain() throws Exception {
    try (Gateway g = GatewayTestBuilder.in(dir).file("gw.yaml")
        .listener(Listener.milvus("m", "lite"))
        .connection(Connection.of("lite", "milvus", "127.0.0.1:" + MilvusLite.freePort())
            .credential("VECTORGATE_UPSTREAM_MILVUS", "root:Milvus").rowFilterBinding("literal"))
        .identity(oidc)
        .regoDirs(List.of(dir.resolve("rego"))).noDataFile()
        .section("admin", """
            address: 127.0.0.1:0
            operator_groups: [platform]
            connections: {store: {sqlite: connections.db}, poll_interval_millis: 200}
            """)
        .clock(Clock.systemUTC())
        .startFromConfig()) {
      String put = "{\"kind\": \"milvus\", \"upstream\": \"" + milvus.address() + "\", \"credential\": {\"env\": "
          + "\"VECTORGATE_UPSTREAM_MILVUS\"}, \"row_filter_binding\": \"literal\"}";
      HttpResponse<String> r = admin(g, "PUT", put);
      assertEquals(200, r.statusCode(), r.body());
      int port = g.port("m");
      MilvusClientV2 client = new MilvusClientV2(ConnectConfig.builder().uri("http://127.0.0.1:" + port)
          .token(oidc.token("uma", List.of("analysts"), null, 600)).build());
      try {
        assertTrue(client.listCollections().getCollectionNames().isEmpty(), "Milvus Lite answers through the gateway");
        r = admin(g, "DELETE", null);
        assertEquals(200, r.statusCode(), r.body());
        RuntimeException refused = assertThrows(RuntimeException.class, client::listCollections);
        assertTrue(String.valueOf(refused.getMessage()).contains("connection_removed"), refused.toString());
        r = admin(g, "PUT", put);
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(client.listCollections().getCollectionNames().isEmpty(), "served again on the same client connection");
        assertEquals(port, g.port("m"));
      } finally {
        client.close();
      }
    }
  }
}
