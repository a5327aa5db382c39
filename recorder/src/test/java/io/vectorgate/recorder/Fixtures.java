package io.vectorgate.recorder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorgate.model.Action;
import io.vectorgate.model.AuditHints;
import io.vectorgate.model.Connection;
import io.vectorgate.model.DatabaseKind;
import io.vectorgate.model.Decision;
import io.vectorgate.model.Identity;
import io.vectorgate.model.Obligations;
import io.vectorgate.model.Operation;
import io.vectorgate.model.ProtocolFacts;
import io.vectorgate.model.Reason;
import io.vectorgate.model.Resource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/** Test data and file surgery shared by the recorder tests. */
final class Fixtures {
  private Fixtures() {}

  static Identity identity(String subject, String... groups) {
    return new Identity(subject, subject + "@example.org", List.of(groups), "acme", "https://idp.example", Map.of());
  }

  static ArrayNode vector(int dim) {
    ArrayNode a = RecordFormat.mapper().createArrayNode();
    for (int i = 0; i < dim; i++) {
      a.add(0.25 * i);
    }
    return a;
  }

  /** A search request with a vector in request and response. */
  static RecordDraft draft(String session, String subject, String collection, boolean allow, AuditHints audit) {
    ObjectNode req = RecordFormat.mapper().createObjectNode();
    req.put("collection_name", collection);
    req.set("data", RecordFormat.mapper().createArrayNode().add(vector(16)));
    req.put("limit", 10);
    ObjectNode resp = RecordFormat.mapper().createObjectNode();
    ArrayNode rows = resp.putArray("results");
    ObjectNode row = rows.addObject();
    row.put("id", 7);
    row.put("email", "***");
    row.set("embedding_field", vector(16));
    row.set("tags", RecordFormat.mapper().createArrayNode().add(1).add(2));
    Obligations ob = new Obligations(List.of(), false, List.of(), null, null, audit);
    Decision d = new Decision(allow, List.of(new Reason(allow ? "allow_reader" : "deny_no_role", null)), ob,
        "dec-" + subject, "rev-1");
    return RecordDraft.builder()
        .time(Instant.parse("2025-01-02T03:04:05.123456789Z"))
        .sessionId(session)
        .requestId("req-1")
        .identity(identity(subject, "analysts"))
        .client(new ClientInfo("127.0.0.1:50000", "conn-1", "grpc"))
        .connection(new Connection("milvus-main", DatabaseKind.MILVUS))
        .operation(Operation.builder(Action.SEARCH).resource(Resource.collection("default", collection)).limit(10L)
            .protocol(ProtocolFacts.grpc("milvus.proto.milvus.MilvusService/Search")).build())
        .request(req)
        .decision(d)
        .enforcement(allow ? Enforcement.forwarded() : Enforcement.denied())
        .upstream(allow ? new Upstream("OK", 1234) : null)
        .response(allow ? resp : null)
        .build();
  }

  static RecordDraft draft(String session, String subject) {
    return draft(session, subject, "docs", true, null);
  }

  static RecorderConfig.Builder config(Path dir) {
    return RecorderConfig.builder(dir);
  }

  static List<String> lines(SegmentRef s) throws IOException {
    try (InputStream in = s.open()) {
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      List<String> out = new ArrayList<>(List.of(text.split("\n", -1)));
      if (!out.isEmpty() && out.get(out.size() - 1).isEmpty()) {
        out.remove(out.size() - 1);
      }
      return out;
    }
  }

  /** Rewrites a segment's lines (compressing again when it was compressed); {@code terminate} adds the final newline. */
  static void rewrite(SegmentRef s, UnaryOperator<List<String>> edit, boolean terminate) throws IOException {
    List<String> edited = edit.apply(new ArrayList<>(lines(s)));
    String text = String.join("\n", edited) + (terminate && !edited.isEmpty() ? "\n" : "");
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    if (s.compressed()) {
      ByteArrayOutputStream bo = new ByteArrayOutputStream();
      try (OutputStream z = new GZIPOutputStream(bo)) {
        z.write(bytes);
      }
      bytes = bo.toByteArray();
    }
    Files.write(s.path(), bytes);
  }

  static JsonNode parse(String line) throws IOException {
    return RecordFormat.mapper().readTree(line);
  }

  static byte[] gunzip(Path p) throws IOException {
    try (InputStream in = new GZIPInputStream(Files.newInputStream(p))) {
      return in.readAllBytes();
    }
  }
}
