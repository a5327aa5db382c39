package io.vectorgate.proxy.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.milvus.v2.client.ConnectConfig;
import io.milvus.v2.client.MilvusClientV2;
import io.milvus.v2.service.vector.request.QueryReq;
import io.vectorgate.proxy.Gateway;
import io.vectorgate.proxy.approval.ApprovalGatewayEnv;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Graceful drain of a real in-process gateway (Milvus Lite, mock-oauth2-server, pymilvus and the
 * Milvus Java SDK as clients): {@link Gateway#close()} is what the SIGTERM hook of GatewayMain
 * runs. Readiness flips to 503 first while liveness stays 200; calls made while draining complete;
 * a call held for approval ends with the retriable {@code approval_interrupted} UNAVAILABLE; the
 * health listener closes last.
 */
class GracefulDrainE2EIT {
  @TempDir
  static Path work;
  static ApprovalGatewayEnv env;
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void start() throws Exception {
    env = new ApprovalGatewayEnv(work, 300); // approvals outlive the drain delay
  }

  @AfterAll
  static void stop() {
    if (env != null) {
      env.close();
    }
  }

  private static HttpResponse<String> probe(int port, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(5))
        .GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void readinessFlipsFirstCallsCompleteHeldCallsEndRetriablyThenTheProbesClose() throws Exception {
    // a long drain delay: the calls below are issued during it (an upper bound, never a pass condition)
    Gateway g = env.startGateway("drain", "sqlite: " + work.resolve("drain.db"), "hold",
        "health: {address: \"127.0.0.1:0\", drain_delay_ms: 10000}\n");
    int port = g.health().orElseThrow().port();
    assertEquals(200, probe(port, "/readyz").statusCode());
    assertEquals("{\"status\":\"ready\"}", probe(port, "/readyz").body());
    assertEquals(200, probe(port, "/livez").statusCode());
    assertEquals(405, HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz"))
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
    assertEquals(404, probe(port, "/readyz/extra").statusCode());

    assertTrue(env.client(g, "alice", "load").get("ok").asBoolean());
    Process held = env.clientAsync(g, "carol", "drain-hold", "delete", "--raw", "--collection", "docs", "--filter",
        "id > 7", "--timeout", "60");
    String approvalId = env.awaitPending(g, "erin", "carol", "id > 7").get("id").asText();
    MilvusClientV2 alice = new MilvusClientV2(ConnectConfig.builder().uri("http://" + ApprovalGatewayEnv.address(g))
        .token(env.token("alice")).build());

    CompletableFuture<Void> closing = CompletableFuture.runAsync(g::close);
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    int ready = 200;
    while (ready == 200 && System.nanoTime() < end) {
      ready = probe(port, "/readyz").statusCode();
    }
    assertEquals(503, ready, "readiness never flipped");
    assertEquals("{\"status\":\"draining\"}", probe(port, "/readyz").body());
    assertEquals(200, probe(port, "/livez").statusCode(), "alive while draining");
    assertFalse(closing.isDone());

    // calls arriving while the balancer takes the instance out of rotation are still served in full
    ExecutorService pool = Executors.newFixedThreadPool(3);
    List<Future<Integer>> calls = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      calls.add(pool.submit(() -> alice.query(QueryReq.builder().collectionName("docs").filter("id >= 0")
          .outputFields(List.of("id")).build()).getQueryResults().size()));
    }
    for (Future<Integer> c : calls) {
      assertEquals(10, c.get(60, TimeUnit.SECONDS));
    }
    pool.shutdown();

    closing.get(120, TimeUnit.SECONDS);
    env.gateways.remove(g);
    alice.close();
    JsonNode r = env.result(held, "drain-hold");
    assertFalse(r.get("ok").asBoolean(), r.toString());
    assertEquals("UNAVAILABLE", r.get("code").asText(), r.toString());
    assertTrue(r.get("error").asText().contains("approval_interrupted") && r.get("error").asText().contains(approvalId),
        r.toString());
    assertThrows(ConnectException.class, () -> probe(port, "/livez"), "the health listener closes last");
  }
}
