package io.vectorgate.proxy.e2e;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An OTLP/HTTP traces receiver on loopback for tests: keeps every export (headers, body) and
 * answers 200 with an empty {@code ExportTraceServiceResponse}. Decodes the protobuf export with
 * protobuf-java's wire reader, only the fields tests assert on (opentelemetry-proto's generated
 * classes need protobuf-java 4; the project runs 3.25).
 */
public final class OtlpReceiver implements AutoCloseable {
  /** One export request. */
  public record Export(Map<String, String> headers, byte[] body) {}

  /** One decoded span: ids in hex, name, kind (2 server, 3 client) and string attributes. */
  public record SpanRow(String traceId, String spanId, String parentSpanId, String name, int kind,
      Map<String, String> attrs) {}

  public final List<Export> exports = new CopyOnWriteArrayList<>();
  private final HttpServer server;

  public OtlpReceiver() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/v1/traces", ex -> {
      Map<String, String> h = new HashMap<>();
      ex.getRequestHeaders().forEach((k, v) -> h.put(k.toLowerCase(Locale.ROOT), String.join(",", v)));
      exports.add(new Export(h, ex.getRequestBody().readAllBytes()));
      ex.getResponseHeaders().add("Content-Type", "application/x-protobuf");
      ex.sendResponseHeaders(200, -1);
      ex.close();
    });
    server.start();
  }

  /** The {@code tracing:} section exporting here. */
  public String tracingYaml(String serviceName) {
    return """
        tracing:
          otlp_endpoint: "http://127.0.0.1:%d/v1/traces"
          service_name: %s
          sample_ratio: 1.0
        """.formatted(server.getAddress().getPort(), serviceName);
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** Every span of every export so far. */
  public List<SpanRow> spans() throws IOException {
    List<SpanRow> out = new ArrayList<>();
    for (Export e : exports) {
      out.addAll(decodeSpans(e.body()));
    }
    return out;
  }

  @Override
  public void close() {
    server.stop(0);
  }

  public static List<SpanRow> decodeSpans(byte[] export) throws IOException {
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

  public static List<String> decodeServiceNames(byte[] export) throws IOException {
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
