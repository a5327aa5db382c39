package io.vectorgate.proxy.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectorgate.proxy.fakes.FakeGateway;
import io.vectorgate.proxy.fakes.FakeUpstream.Recorded;
import io.vectorgate.proxy.fakes.QdrantFake;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tracing through a real gateway: an HTTP listener in front of {@link QdrantFake} (a spec-written
 * fake: no Qdrant server runs here) that records what reaches it, exporting over OTLP/HTTP
 * (protobuf, the JDK sender) to a loopback receiver in this test, which decodes the export's wire
 * format. With tracing on: the gateway's spans arrive at close (flushed), the upstream got a
 * {@code traceparent} in the same trace as the exported spans (the client's trace when it sent a
 * valid one), a malformed client value is dropped, the collector header is read from its secret
 * reference. With tracing off: no exporter thread, no export, and no {@code traceparent} upstream,
 * not even the client's.
 */
class TracingE2EIT {
  static final String CLIENT_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  static final String CLIENT_TRACEPARENT = "00-" + CLIENT_TRACE + "-00f067aa0ba902b7-01";
  static final Pattern TRACEPARENT = Pattern.compile("00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}");

  @TempDir
  Path work;
  QdrantFake qdrant;
  OtlpReceiver receiver;
  List<OtlpReceiver.Export> exports;
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeEach
  void start() throws Exception {
    qdrant = new QdrantFake(FakeGateway.CREDENTIAL);
    qdrant.put("docs", 2, new double[] {1, 0, 0, 0}, Map.of("tenant_id", "acme", "title", "a"));
    receiver = new OtlpReceiver();
    exports = receiver.exports;
  }

  @AfterEach
  void stop() {
    if (receiver != null) {
      receiver.close();
    }
    if (qdrant != null) {
      qdrant.close();
    }
  }

  String tracingYaml() {
    return receiver.tracingYaml("vectorgate-e2e") + "  headers: {x-collector-key: {env: VG_MASK_KEY}}\n";
  }

  int scroll(FakeGateway env, String traceparent) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + env.port()
            + "/collections/docs/points/scroll"))
        .header("authorization", "Bearer " + env.token("bob")).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"limit\":3,\"with_payload\":true}"));
    if (traceparent != null) {
      b.header("traceparent", traceparent);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString()).statusCode();
  }

  @Test
  void spansAreExportedOverOtlpAndTheUpstreamIsInTheSameTrace() throws Exception {
    FakeGateway env = FakeGateway.start(work, "qdrant", "qdrant-main", qdrant.address(), tracingYaml());
    try {
      assertEquals(200, scroll(env, CLIENT_TRACEPARENT));
      assertEquals(200, scroll(env, null));
      assertEquals(200, scroll(env, "00-" + CLIENT_TRACE + "-zzzzzzzzzzzzzzzz-01"));
    } finally {
      env.close(); // flushes the batch processor
    }
    List<Recorded> upstream = qdrant.requestsTo("POST", "/collections/docs/points/scroll");
    assertEquals(3, upstream.size());

    assertFalse(exports.isEmpty(), "nothing was exported");
    List<OtlpReceiver.SpanRow> spans = new ArrayList<>();
    for (OtlpReceiver.Export e : exports) {
      assertEquals("application/x-protobuf", e.headers().get("content-type"));
      assertEquals("test-mask-key-0123456789abcdef", e.headers().get("x-collector-key"),
          "the collector header comes from its secret reference");
      assertTrue(OtlpReceiver.decodeServiceNames(e.body()).contains("vectorgate-e2e"));
      spans.addAll(OtlpReceiver.decodeSpans(e.body()));
    }
    List<OtlpReceiver.SpanRow> servers = spans.stream().filter(s -> s.kind() == 2).toList(); // SPAN_KIND_SERVER
    assertEquals(3, servers.size(), spans.toString());
    for (OtlpReceiver.SpanRow s : servers) {
      assertEquals("vectorgate query", s.name());
      assertEquals("api", s.attrs().get("vectorgate.listener"));
      assertEquals("qdrant", s.attrs().get("vectorgate.database.kind"));
      assertEquals("docs", s.attrs().get("vectorgate.collection"));
      assertEquals("forwarded", s.attrs().get("vectorgate.outcome"));
      assertTrue(s.attrs().containsKey("vectorgate.decision_id"), s.toString());
      assertTrue(s.attrs().containsKey("vectorgate.request_id"), s.toString());
      for (String stage : List.of("authenticate", "decode", "decide", "apply", "upstream", "rewrite")) {
        assertEquals(1, spans.stream().filter(c -> c.name().equals(stage) && c.parentSpanId().equals(s.spanId())).count(),
            stage + " under " + s);
      }
    }

    // every upstream call carried the gateway's traceparent: its own upstream span, in an exported trace
    for (int i = 0; i < 3; i++) {
      String sent = upstream.get(i).headers().get("traceparent");
      assertTrue(sent != null && TRACEPARENT.matcher(sent).matches(), "request " + i + ": " + sent);
      Matcher m = TRACEPARENT.matcher(sent);
      assertTrue(m.matches());
      OtlpReceiver.SpanRow up = spans.stream().filter(s -> s.spanId().equals(m.group(2))).findFirst()
          .orElseThrow(() -> new AssertionError("the upstream's parent span was not exported: " + sent));
      assertEquals("upstream", up.name());
      assertEquals(3, up.kind(), "SPAN_KIND_CLIENT");
      assertEquals(m.group(1), up.traceId());
    }
    String first = upstream.get(0).headers().get("traceparent");
    assertEquals(CLIENT_TRACE, first.substring(3, 35), "the client's trace continues upstream");
    assertNotEquals(CLIENT_TRACEPARENT, first, "the gateway's span, not the client's string");
    assertNotEquals(CLIENT_TRACE, upstream.get(1).headers().get("traceparent").substring(3, 35));
    assertNotEquals(CLIENT_TRACE, upstream.get(2).headers().get("traceparent").substring(3, 35),
        "a malformed traceparent is dropped: a new trace");
    OtlpReceiver.SpanRow clientParented = servers.stream().filter(s -> s.traceId().equals(CLIENT_TRACE)).findFirst().orElseThrow();
    assertEquals("00f067aa0ba902b7", clientParented.parentSpanId());
    // nothing sensitive left the gateway in the export
    String token = FakeGateway.CREDENTIAL;
    for (OtlpReceiver.Export e : exports) {
      String text = new String(e.body(), java.nio.charset.StandardCharsets.ISO_8859_1);
      assertFalse(text.contains(token), "the upstream credential was exported");
      assertFalse(text.contains("acme"), "a tenant (claim / row filter value) was exported");
      assertFalse(text.contains("Bearer") || text.contains("eyJ"), "a token was exported");
    }
  }

  @Test
  void tracingOffStartsNoExporterAndForwardsNoTraceparent() throws Exception {
    java.util.Set<Thread> before = exporterThreads();
    FakeGateway env = FakeGateway.start(work, "qdrant", "qdrant-main", qdrant.address(), "");
    try {
      java.util.Set<Thread> started = exporterThreads();
      started.removeAll(before); // an earlier gateway's exporter may still be ending
      assertEquals(java.util.Set.of(), started, "an exporter thread started with tracing off");
      assertEquals(200, scroll(env, CLIENT_TRACEPARENT));
      assertEquals(200, scroll(env, null));
    } finally {
      env.close();
    }
    for (Recorded r : qdrant.requestsTo("POST", "/collections/docs/points/scroll")) {
      assertFalse(r.headers().containsKey("traceparent"), "a traceparent went upstream with tracing off: " + r);
    }
    assertEquals(List.of(), exports);
  }

  static java.util.Set<Thread> exporterThreads() {
    return Thread.getAllStackTraces().keySet().stream().filter(t -> t.isAlive()
        && t.getName().startsWith("BatchSpanProcessor")).collect(java.util.stream.Collectors.toCollection(java.util.HashSet::new));
  }
}
