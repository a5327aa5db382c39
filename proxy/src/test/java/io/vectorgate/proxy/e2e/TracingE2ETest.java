package io.vectorgate.proxy.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import com.sun.net.httpserver.HttpServer;
import io.vectorgate.proxy.fakes.FakeGateway;
import io.vectorgate.proxy.fakes.FakeUpstream.Recorded;
import io.vectorgate.proxy.fakes.QdrantFake;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
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
class TracingE2ETest {
  static final String CLIENT_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  static final String CLIENT_TRACEPARENT = "00-" + CLIENT_TRACE + "-00f067aa0ba902b7-01";
  static final Pattern TRACEPARENT = Pattern.compile("00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}");

  @TempDir
  Path work;
  QdrantFake qdrant;
  HttpServer receiver;
  final List<Export> exports = new CopyOnWriteArrayList<>();
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  record Export(Map<String, String> headers, byte[] body) {}

  /** One decoded span: ids in hex, its name, kind and string attributes. */
  record SpanRow(String traceId, String spanId, String parentSpanId, String name, int kind, Map<String, String> attrs) {}

  @BeforeEach
  void start() throws IOException {
    qdrant = new QdrantFake(FakeGateway.CREDENTIAL);
    qdrant.put("docs", 2, new double[] {1, 0, 0, 0}, Map.of("tenant_id", "acme", "title", "a"));
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext("/v1/traces", ex -> {
      Map<String, String> h = new HashMap<>();
      ex.getRequestHeaders().forEach((k, v) -> h.put(k.toLowerCase(java.util.Locale.ROOT), String.join(",", v)));
      exports.add(new Export(h, ex.getRequestBody().readAllBytes()));
      ex.getResponseHeaders().add("Content-Type", "application/x-protobuf");
      ex.sendResponseHeaders(200, -1); // an empty ExportTraceServiceResponse
      ex.close();
    });
    receiver.start();
  }

  @AfterEach
  void stop() {
    if (receiver != null) {
      receiver.stop(0);
    }
    if (qdrant != null) {
      qdrant.close();
    }
  }

  String tracingYaml() {
    return """
        tracing:
          otlp_endpoint: "http://127.0.0.1:%d/v1/traces"
          service_name: vectorgate-e2e
          sample_ratio: 1.0
          headers: {x-collector-key: {env: VG_MASK_KEY}}
        """.formatted(receiver.getAddress().getPort());
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
    List<SpanRow> spans = new ArrayList<>();
    for (Export e : exports) {
      assertEquals("application/x-protobuf", e.headers().get("content-type"));
      assertEquals("test-mask-key-0123456789abcdef", e.headers().get("x-collector-key"),
          "the collector header comes from its secret reference");
      assertTrue(decodeServiceNames(e.body()).contains("vectorgate-e2e"));
      spans.addAll(decodeSpans(e.body()));
    }
    List<SpanRow> servers = spans.stream().filter(s -> s.kind() == 2).toList(); // SPAN_KIND_SERVER
    assertEquals(3, servers.size(), spans.toString());
    for (SpanRow s : servers) {
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
      SpanRow up = spans.stream().filter(s -> s.spanId().equals(m.group(2))).findFirst()
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
    SpanRow clientParented = servers.stream().filter(s -> s.traceId().equals(CLIENT_TRACE)).findFirst().orElseThrow();
    assertEquals("00f067aa0ba902b7", clientParented.parentSpanId());
    // nothing sensitive left the gateway in the export
    String token = FakeGateway.CREDENTIAL;
    for (Export e : exports) {
      String text = new String(e.body(), java.nio.charset.StandardCharsets.ISO_8859_1);
      assertFalse(text.contains(token), "the upstream credential was exported");
      assertFalse(text.contains("acme"), "a tenant (claim / row filter value) was exported");
      assertFalse(text.contains("Bearer") || text.contains("eyJ"), "a token was exported");
    }
  }

  @Test
  void tracingOffStartsNoExporterAndForwardsNoTraceparent() throws Exception {
    long before = exporterThreads();
    FakeGateway env = FakeGateway.start(work, "qdrant", "qdrant-main", qdrant.address(), "");
    try {
      assertEquals(before, exporterThreads(), "an exporter thread started with tracing off");
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

  static long exporterThreads() {
    return Thread.getAllStackTraces().keySet().stream().filter(t -> t.isAlive()
        && t.getName().startsWith("BatchSpanProcessor")).count();
  }

  // ---- a minimal reader of the OTLP trace export's protobuf wire format (opentelemetry-proto's
  // classes need protobuf-java 4, the project runs 3.25): only the fields asserted on

  static List<SpanRow> decodeSpans(byte[] export) throws IOException {
    List<SpanRow> out = new ArrayList<>();
    for (ByteString rs : fields(export, 1)) { // ExportTraceServiceRequest.resource_spans
      for (ByteString ss : fields(rs.toByteArray(), 2)) { // ResourceSpans.scope_spans
        for (ByteString span : fields(ss.toByteArray(), 2)) { // ScopeSpans.spans
          byte[] b = span.toByteArray();
          Map<String, String> attrs = new HashMap<>();
          for (ByteString kv : fields(b, 9)) { // Span.attributes: KeyValue{key=1, value=2: AnyValue{string_value=1}}
            List<ByteString> v = fields(kv.toByteArray(), 2);
            List<ByteString> str = v.isEmpty() ? List.of() : fields(v.get(0).toByteArray(), 1);
            attrs.put(fields(kv.toByteArray(), 1).get(0).toStringUtf8(), str.isEmpty() ? "" : str.get(0).toStringUtf8());
          }
          out.add(new SpanRow(hex(fields(b, 1)), hex(fields(b, 2)), hex(fields(b, 4)), fields(b, 5).get(0).toStringUtf8(),
              varint(b, 6), attrs));
        }
      }
    }
    return out;
  }

  static List<String> decodeServiceNames(byte[] export) throws IOException {
    List<String> names = new ArrayList<>();
    for (ByteString rs : fields(export, 1)) {
      for (ByteString res : fields(rs.toByteArray(), 1)) { // ResourceSpans.resource
        for (ByteString kv : fields(res.toByteArray(), 1)) { // Resource.attributes
          if (fields(kv.toByteArray(), 1).get(0).toStringUtf8().equals("service.name")) {
            names.add(fields(fields(kv.toByteArray(), 2).get(0).toByteArray(), 1).get(0).toStringUtf8());
          }
        }
      }
    }
    return names;
  }

  static String hex(List<ByteString> f) {
    return f.isEmpty() ? "" : HexFormat.of().formatHex(f.get(0).toByteArray());
  }

  /** The length-delimited fields numbered {@code number}. */
  static List<ByteString> fields(byte[] message, int number) throws IOException {
    CodedInputStream in = CodedInputStream.newInstance(message);
    List<ByteString> out = new ArrayList<>();
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      if (WireFormat.getTagFieldNumber(tag) == number && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
        out.add(in.readBytes());
      } else {
        in.skipField(tag);
      }
    }
    return out;
  }

  static int varint(byte[] message, int number) throws IOException {
    CodedInputStream in = CodedInputStream.newInstance(message);
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      if (WireFormat.getTagFieldNumber(tag) == number && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_VARINT) {
        return in.readInt32();
      }
      in.skipField(tag);
    }
    return 0;
  }
}
