package io.vectorgate.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.util.JsonFormat;
import io.milvus.grpc.KeyValuePair;
import io.milvus.grpc.QueryRequest;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/** Policies and a small recording export for the `vectorgate test` / `vectorgate impact` tests. */
final class HarnessCommandsFixture {
  static final Path ROOT = Path.of(System.getProperty("vectorgate.root", ".."));
  static final String RULE = "allow read on collection \"docs\", \"customers\", \"kb_*\" for analyst reason \"role_grant\"";

  record Run(int code, String out, String err) {}

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = new CommandLine(new VectorgateCli());
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  static Path baseline(Path dir) throws Exception {
    Files.createDirectories(dir);
    Files.copy(ROOT.resolve("samples/org/policy.vg"), dir.resolve("policy.vg"));
    return dir;
  }

  /** Analysts lose read access to kb_* collections. */
  static Path candidate(Path dir) throws Exception {
    Files.createDirectories(dir);
    String text = Files.readString(ROOT.resolve("samples/org/policy.vg"));
    if (!text.contains(RULE)) {
      throw new IllegalStateException("samples/org/policy.vg no longer has " + RULE);
    }
    Files.writeString(dir.resolve("policy.vg"), text.replace(RULE, RULE.replace(", \"kb_*\"", "")));
    return dir;
  }

  /**
   * An export ({@code vectorgate-record/v1} JSONL) of four Milvus queries as the gateway records them:
   * pymilvus-shaped requests as protobuf JSON. Returns the ids of the requests the candidate changes.
   */
  static List<String> export(Path file) throws Exception {
    ObjectMapper m = new ObjectMapper();
    StringBuilder sb = new StringBuilder();
    List<String> affected = new ArrayList<>();
    String[][] rows = {
        {"alice", "analysts", "kb_articles"},
        {"alice", "analysts", "docs"},
        {"bob", "ml-engineers", "kb_articles"},
        {"erin", "analysts", "kb_faq"}};
    for (int i = 0; i < rows.length; i++) {
      String id = "rec-0123456789ab-" + (i + 1);
      QueryRequest q = QueryRequest.newBuilder().setCollectionName(rows[i][2]).setExpr("id > 0").addOutputFields("title")
          .addQueryParams(KeyValuePair.newBuilder().setKey("limit").setValue("10")).build();
      ObjectNode e = m.createObjectNode();
      e.put("format", "vectorgate-record/v1").put("kind", "request").put("seq", i + 1).put("id", id)
          .put("time", "2025-03-04T10:00:0" + i + "Z").put("request_id", "r" + i);
      e.putObject("identity").put("subject", rows[i][0]).put("tenant", "acme").putArray("groups").add(rows[i][1]);
      e.putObject("connection").put("name", "milvus-main").put("kind", "milvus");
      ObjectNode op = e.putObject("operation").put("action", "query");
      op.putObject("resource").put("database", "default").put("collection", rows[i][2]);
      op.putObject("protocol").put("protocol", "grpc").put("rpc", "/milvus.proto.milvus.MilvusService/Query");
      e.putObject("decision").put("allow", true).putArray("reasons").addObject().put("code", "role_grant").put("message", "m");
      e.set("request", m.readTree(JsonFormat.printer().print(q)));
      e.put("prev_hash", "0".repeat(64)).put("hash", "0".repeat(64));
      sb.append(m.writeValueAsString(e)).append('\n');
      if (rows[i][1].equals("analysts") && rows[i][2].startsWith("kb_")) {
        affected.add(id);
      }
    }
    Files.writeString(file, sb.toString());
    return affected;
  }
}
