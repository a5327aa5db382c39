package io.vectorgate.proxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectorgate.engine.PolicyEngine;
import io.vectorgate.proxy.Gateway;
import io.vectorgate.proxy.config.GatewayConfig;
import io.vectorgate.proxy.config.HealthConfig;
import io.vectorgate.proxy.testing.Closer;
import io.vectorgate.proxy.testing.GatewayTestBuilder;
import io.vectorgate.proxy.testing.GatewayTestBuilder.Connection;
import io.vectorgate.proxy.testing.GatewayTestBuilder.Listener;
import io.vectorgate.proxy.testing.OidcProvider;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code health.in_flight_timeout_ms}: at shutdown the HTTP listener stops accepting and waits for
 * the requests in flight up to that bound. The upstream (a recording stand-in for Chroma) holds
 * every heartbeat until the test releases it, so "in flight" is a state the test controls, not a
 * timing: with a long bound the held request completes after the listener stopped accepting,
 * even when held past the default bound; with 0 it is cut off.
 */
class InFlightTimeoutTest {
  @TempDir
  static Path work;
  static OidcProvider oidc;
  static PolicyEngine engine;
  static volatile CountDownLatch release;
  static volatile CountDownLatch arrived;
  static RecordingUpstream upstream;

  @BeforeAll
  static void start() throws Exception {
    oidc = OidcProvider.start(0);
    upstream = new RecordingUpstream(s -> {
      arrived.countDown();
      try {
        release.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return new RecordingUpstream.Answer(200, "{\"nanosecond heartbeat\":7}");
    });
  }

  @AfterAll
  static void stop() throws Exception {
    Closer.closeAll(engine, oidc, upstream);
  }

  private static Gateway gateway(long inFlightTimeoutMs) throws Exception {
    GatewayTestBuilder b = GatewayTestBuilder.in(work).file("gw-" + inFlightTimeoutMs + ".yaml")
        .listener(Listener.http("chroma", "chroma"))
        .connection(Connection.of("chroma", "chroma", upstream.address()).credential("VG_CHROMA_TOKEN", "gateway-secret")
            .timeoutSeconds(90))
        .identity(oidc)
        .sampleRego("chroma-demo")
        .section("health", "{address: \"127.0.0.1:0\", drain_delay_ms: 0, in_flight_timeout_ms: %d}".formatted(inFlightTimeoutMs))
        .clock(Clock.systemUTC());
    GatewayConfig cfg = b.config();
    assertEquals(inFlightTimeoutMs, cfg.health().inFlightTimeoutMs());
    if (engine == null) {
      engine = Gateway.compileEngine(cfg.policy());
    }
    return b.engine(engine).start().gateway();
  }

  /** Sends a heartbeat and waits until the upstream holds it. */
  private static CompletableFuture<HttpResponse<String>> heldHeartbeat(Gateway g) throws InterruptedException {
    release = new CountDownLatch(1);
    arrived = new CountDownLatch(1);
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    String token = oidc.token("alice", List.of("admins"), null, 3600);
    CompletableFuture<HttpResponse<String>> call = http.sendAsync(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + g.port("chroma") + "/api/v2/heartbeat"))
        .header("authorization", "Bearer " + token).timeout(Duration.ofSeconds(90)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertTrue(arrived.await(60, TimeUnit.SECONDS), "the heartbeat never reached the upstream");
    return call;
  }

  private static boolean accepting(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Test
  void aRequestInFlightCompletesWithinTheBoundAfterTheListenerStoppedAccepting() throws Exception {
    Gateway g = gateway(120_000);
    int port = g.port("chroma");
    CompletableFuture<HttpResponse<String>> call = heldHeartbeat(g);
    CompletableFuture<Void> closing = CompletableFuture.runAsync(g::close);
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (accepting(port) && System.nanoTime() < end) {
      Thread.sleep(20);
    }
    assertTrue(!accepting(port), "the listener kept accepting after close() began");
    // held past the default bound (5 s): only the configured one keeps it alive
    Thread.sleep(HealthConfig.DEFAULT_IN_FLIGHT_TIMEOUT_MS + 1_000);
    assertTrue(!closing.isDone(), "close() returned while a request was in flight, inside the bound");
    release.countDown();
    HttpResponse<String> r = call.get(60, TimeUnit.SECONDS);
    assertEquals(200, r.statusCode(), r.body());
    assertEquals("{\"nanosecond heartbeat\":7}", r.body());
    closing.get(60, TimeUnit.SECONDS);
  }

  @Test
  void withABoundOfZeroARequestInFlightIsCutOff() throws Exception {
    Gateway g = gateway(0);
    CompletableFuture<HttpResponse<String>> call = heldHeartbeat(g);
    try {
      g.close(); // does not wait for the held heartbeat
      ExecutionException e = assertThrows(ExecutionException.class, () -> call.get(60, TimeUnit.SECONDS));
      assertTrue(e.getCause() instanceof IOException, e.toString());
    } finally {
      release.countDown();
    }
  }
}
