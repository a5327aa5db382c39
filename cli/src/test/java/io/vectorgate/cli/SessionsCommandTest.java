package io.vectorgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vectorgate.model.Action;
import io.vectorgate.model.Connection;
import io.vectorgate.model.DatabaseKind;
import io.vectorgate.model.Decision;
import io.vectorgate.model.Identity;
import io.vectorgate.model.Obligations;
import io.vectorgate.model.Operation;
import io.vectorgate.model.Reason;
import io.vectorgate.model.Resource;
import io.vectorgate.recorder.ClientInfo;
import io.vectorgate.recorder.Enforcement;
import io.vectorgate.recorder.RecordDraft;
import io.vectorgate.recorder.Recorder;
import io.vectorgate.recorder.RecorderConfig;
import io.vectorgate.recorder.SessionStart;
import io.vectorgate.recorder.SessionTicket;
import io.vectorgate.recorder.SegmentRef;
import io.vectorgate.recorder.Upstream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** `vectorgate sessions` on a real recording written by the recorder: list, show, export, verify, tampering. */
class SessionsCommandTest {
  @TempDir
  Path dir;

  private record Run(int code, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = new CommandLine(new VectorgateCli());
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  private String record() throws Exception {
    Instant t0 = Instant.parse("2025-01-02T03:04:00Z");
    try (Recorder r = Recorder.open(RecorderConfig.builder(dir).build())) {
      Identity bob = new Identity("bob", null, List.of("analysts"), "acme", "https://issuer", null);
      SessionTicket s = r.startSession(new SessionStart(t0, bob, new ClientInfo("127.0.0.1:5000", "grpc-1", "grpc")));
      for (int i = 0; i < 4; i++) {
        boolean allow = i % 2 == 0;
        Decision d = allow ? new Decision(true, List.of(new Reason("role_grant", "ok")), Obligations.NONE, "d-" + i, "rev-1")
            : new Decision(false, List.of(new Reason("no_allow_rule", "nothing allows it")), Obligations.NONE, "d-" + i, "rev-1");
        Operation op = Operation.builder(allow ? Action.SEARCH : Action.DELETE)
            .resource(new Resource("default", "docs", List.of(), null)).build();
        r.append(RecordDraft.builder().time(t0.plusSeconds(i + 1)).sessionId(s.sessionId()).requestId("req-" + i)
            .identity(bob).client(new ClientInfo("127.0.0.1:5000", "grpc-1", "grpc"))
            .connection(new Connection("lite", DatabaseKind.MILVUS)).operation(op).decision(d)
            .enforcement(allow ? Enforcement.forwarded() : Enforcement.denied())
            .upstream(allow ? new Upstream("OK", 1200) : null)
            .request(new ObjectMapper().readTree("{\"collection_name\":\"docs\"}")).build());
      }
      r.endSession(s.sessionId(), "client_closed");
      return s.sessionId();
    }
  }

  @Test
  void listShowExportVerify() throws Exception {
    String session = record();
    Run list = run("sessions", "list", "--dir", dir.toString());
    assertEquals(0, list.code(), list.err());
    assertEquals(5, list.out().lines().count(), list.out()); // header + 4
    assertTrue(list.out().startsWith("RECORD "), list.out());
    Run denied = run("sessions", "list", "--dir", dir.toString(), "--decision", "deny", "--json");
    assertEquals(0, denied.code(), denied.err());
    List<String> lines = denied.out().lines().toList();
    assertEquals(2, lines.size(), denied.out());
    for (String l : lines) {
      JsonNode n = new ObjectMapper().readTree(l);
      assertFalse(n.get("allow").asBoolean());
      assertEquals("delete", n.get("action").asText());
    }
    Run paged = run("sessions", "list", "--dir", dir.toString(), "--limit", "3");
    assertTrue(paged.out().contains("next page: --cursor "), paged.out());
    String cursor = paged.out().lines().filter(l -> l.startsWith("next page")).findFirst().orElseThrow()
        .substring("next page: --cursor ".length());
    Run page2 = run("sessions", "list", "--dir", dir.toString(), "--limit", "3", "--cursor", cursor);
    assertEquals(2, page2.out().lines().count(), page2.out());
    Run window = run("sessions", "list", "--dir", dir.toString(), "--from", "2025-01-02T03:04:02Z", "--to",
        "2025-01-02T03:04:04Z");
    assertEquals(3, window.out().lines().count(), window.out());
    Run sessions = run("sessions", "list", "--dir", dir.toString(), "--sessions", "--subject", "bob");
    assertTrue(sessions.out().contains(session) && sessions.out().contains("4 (allowed 2, denied 2)") && sessions.out().startsWith("SESSION "),
        sessions.out());

    Run show = run("sessions", "show", "--dir", dir.toString(), session);
    assertEquals(0, show.code(), show.err());
    assertTrue(show.out().contains("search docs  ALLOW"), show.out());
    assertTrue(show.out().contains("delete docs  DENY [no_allow_rule]"), show.out());
    assertTrue(show.out().contains("session end (client_closed)"), show.out());
    Run unknown = run("sessions", "show", "--dir", dir.toString(), "no-such-session");
    assertEquals(1, unknown.code());
    assertTrue(unknown.err().contains("no session `no-such-session`"), unknown.err());

    Run export = run("sessions", "export", "--dir", dir.toString(), "--kind", "*");
    assertEquals(0, export.code(), export.err());
    assertEquals(7, export.out().lines().count(), export.out()); // start, 4 requests, end, seal
    Path file = dir.resolveSibling("export.jsonl");
    Run toFile = run("sessions", "export", "--dir", dir.toString(), "--action", "search", "-o", file.toString());
    assertEquals(0, toFile.code(), toFile.err());
    assertEquals(2, Files.readAllLines(file).size());

    Run ok = run("sessions", "verify", "--dir", dir.toString());
    assertEquals(0, ok.code(), ok.out() + ok.err());
    assertTrue(ok.out().startsWith("OK: 7 entries"), ok.out());
  }

  @Test
  void verifyReportsTheFirstTamperedEntry() throws Exception {
    record();
    // decompress the sealed segment, change a decision, write it back uncompressed under the same name
    SegmentRef seg = SegmentRef.list(dir).get(0);
    String text;
    try (var in = new GZIPInputStream(Files.newInputStream(seg.path()))) {
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    Files.delete(seg.path());
    Files.writeString(dir.resolve(seg.path().getFileName().toString().replace(".gz", "")),
        text.replaceFirst("\"allow\":false", "\"allow\":true"));
    Run r = run("sessions", "verify", "--dir", dir.toString(), "--index", "none");
    assertEquals(1, r.code(), r.out() + r.err());
    assertTrue(r.out().startsWith("FAILED"), r.out());
    assertTrue(r.out().contains("first problem: HASH_MISMATCH"), r.out());
    assertTrue(r.out().contains("seq 3"), r.out());
  }

  @Test
  void usageErrorsAreNamed() throws Exception {
    Run missing = run("sessions", "list", "--dir", dir.resolve("nope").toString(), "--index", "none");
    assertEquals(2, missing.code());
    assertTrue(missing.err().contains("does not exist"), missing.err());
    record();
    Run bad = run("sessions", "list", "--dir", dir.toString(), "--decision", "maybe");
    assertEquals(2, bad.code());
    assertTrue(bad.err().contains("--decision"), bad.err());
    Run limit = run("sessions", "list", "--dir", dir.toString(), "--limit", "0");
    assertEquals(2, limit.code());
    assertTrue(limit.err().contains("limit"), limit.err());
    Run time = run("sessions", "list", "--dir", dir.toString(), "--from", "yesterday");
    assertEquals(2, time.code());
    assertTrue(time.err().contains("--from"), time.err());
  }
}
