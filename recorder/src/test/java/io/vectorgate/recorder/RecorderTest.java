package io.vectorgate.recorder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorgate.model.AuditHints;
import io.vectorgate.recorder.index.IndexConfig;
import io.vectorgate.recorder.index.IndexedRecord;
import io.vectorgate.recorder.index.Page;
import io.vectorgate.recorder.index.RecordQuery;
import io.vectorgate.recorder.index.SessionSummary;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecorderTest {
  @TempDir Path dir;

  @Test
  void appendsChainedEntriesWithDurableAcksAndVerifies() throws Exception {
    List<Ack> acks = new ArrayList<>();
    try (Recorder r = Recorder.open(Fixtures.config(dir).build())) {
      SessionTicket s = r.startSession(new SessionStart(Instant.parse("2025-01-02T03:04:00Z"),
          Fixtures.identity("alice", "analysts"), new ClientInfo("127.0.0.1:50000", "conn-1", "grpc")));
      for (int i = 0; i < 5; i++) {
        acks.add(r.append(Fixtures.draft(s.sessionId(), "alice", "docs", i != 3, null)).get(10, TimeUnit.SECONDS));
      }
      Ack end = r.endSession(s.sessionId(), "client_closed").get(10, TimeUnit.SECONDS);
      assertEquals(Ack.Status.WRITTEN_DURABLE, s.ack().get().status());
      assertEquals(1, s.ack().get().seq());
      assertEquals(7, end.seq());
      RecorderStats st = r.stats();
      assertEquals(7, st.written());
      assertEquals(7, st.headSeq());
      assertTrue(st.healthy());
    }
    for (int i = 0; i < 5; i++) {
      assertEquals(Ack.Status.WRITTEN_DURABLE, acks.get(i).status());
      assertEquals(i + 2, acks.get(i).seq());
      assertTrue(acks.get(i).recordId().endsWith("-" + (i + 2)));
    }
    // close sealed the segment (seq 8) and compressed it
    List<SegmentRef> segs = SegmentRef.list(dir);
    assertEquals(1, segs.size());
    assertTrue(segs.get(0).compressed(), "sealed segment is compressed on close");
    List<String> lines = Fixtures.lines(segs.get(0));
    assertEquals(8, lines.size());
    JsonNode seal = Fixtures.parse(lines.get(7));
    assertEquals("seal", seal.get("kind").asText());
    assertEquals(7, seal.get("count").asLong());
    JsonNode first = Fixtures.parse(lines.get(0));
    assertEquals(RecordFormat.GENESIS_HASH, first.get("prev_hash").asText());
    assertEquals(RecordFormat.FORMAT, first.get("format").asText());
    for (int i = 1; i < lines.size(); i++) {
      assertEquals(Fixtures.parse(lines.get(i - 1)).get("hash").asText(), Fixtures.parse(lines.get(i)).get("prev_hash").asText());
    }
    VerifyReport rep = Verifier.verify(dir);
    assertTrue(rep.ok(), () -> rep.problems().toString());
    assertEquals(8, rep.entries());
    JsonNode end = Fixtures.parse(lines.get(6));
    assertEquals("session_end", end.get("kind").asText());
    assertEquals(5, end.at("/counters/requests").asLong());
    assertEquals(4, end.at("/counters/allowed").asLong());
    assertEquals(1, end.at("/counters/denied").asLong());
  }

  @Test
  void requestRecordCarriesEveryFieldAndStripsVectorsUnlessAuditAllows() throws Exception {
    try (Recorder r = Recorder.open(Fixtures.config(dir).build())) {
      r.append(Fixtures.draft("s1", "alice", "docs", true, null)).get();
      r.append(Fixtures.draft("s1", "alice", "docs", true, new AuditHints(Map.of("case", "x"), true, true))).get();
      r.append(Fixtures.draft("s1", "alice", "docs", true, new AuditHints(Map.of(), false, false))).get();
    }
    List<String> lines = Fixtures.lines(SegmentRef.list(dir).get(0));
    JsonNode a = Fixtures.parse(lines.get(0));
    for (String f : List.of("format", "kind", "seq", "id", "time", "session", "request_id", "identity", "client",
        "connection", "operation", "decision", "enforcement", "upstream", "request", "response", "recording",
        "prev_hash", "hash")) {
      assertTrue(a.has(f), "field " + f + " present");
    }
    assertEquals("2025-01-02T03:04:05.123456789Z", a.get("time").asText());
    assertEquals("alice", a.at("/identity/subject").asText());
    assertEquals("https://idp.example", a.at("/identity/issuer").asText());
    assertEquals("analysts", a.at("/identity/groups/0").asText());
    assertEquals("127.0.0.1:50000", a.at("/client/address").asText());
    assertEquals("milvus-main", a.at("/connection/name").asText());
    assertEquals("search", a.at("/operation/action").asText());
    assertEquals("dec-alice", a.at("/decision/decision_id").asText());
    assertEquals("rev-1", a.at("/decision/revision").asText());
    assertEquals("forwarded", a.at("/enforcement/outcome").asText());
    assertEquals("OK", a.at("/upstream/status").asText());
    assertEquals(1234, a.at("/upstream/duration_us").asLong());
    // vectors replaced by markers; short numeric arrays kept
    assertEquals("vectors", a.at("/request/data/vectorgate_stripped").asText());
    assertEquals(16, a.at("/request/data/dim").asInt());
    assertEquals("vector", a.at("/response/results/0/embedding_field/vectorgate_stripped").asText());
    assertEquals(2, a.at("/response/results/0/tags").size());
    assertFalse(a.at("/recording/vectors").asBoolean());
    // the policy allowed vectors: kept as sent
    JsonNode b = Fixtures.parse(lines.get(1));
    assertEquals(16, b.at("/request/data/0").size());
    assertTrue(b.at("/recording/vectors").asBoolean());
    // the policy disallowed payloads: none stored
    JsonNode c = Fixtures.parse(lines.get(2));
    assertFalse(c.has("request"));
    assertFalse(c.has("response"));
    assertFalse(c.at("/recording/payloads").asBoolean());
    // the stored, stripped form is what the hash covers
    assertTrue(Verifier.verify(dir).ok());
    assertEquals(a.get("hash").asText(), RecordFormat.expectedHash((ObjectNode) a));
  }

  @Test
  void rotatesBySizeCompressesSealsAndChainsAcrossSegmentsAndRestarts() throws Exception {
    RecorderConfig cfg = Fixtures.config(dir).segmentMaxBytes(8192).build();
    try (Recorder r = Recorder.open(cfg)) {
      List<CompletableFuture<Ack>> fs = new ArrayList<>();
      for (int i = 0; i < 60; i++) {
        fs.add(r.append(Fixtures.draft("s1", "bob")));
      }
      for (CompletableFuture<Ack> f : fs) {
        f.get(10, TimeUnit.SECONDS);
      }
    }
    int before = SegmentRef.list(dir).size();
    assertTrue(before >= 3, "several segments, was " + before);
    try (Recorder r = Recorder.open(cfg)) {
      Ack a = r.append(Fixtures.draft("s2", "carol")).get(10, TimeUnit.SECONDS);
      assertTrue(a.seq() > 60);
    }
    List<SegmentRef> segs = SegmentRef.list(dir);
    assertEquals(before + 1, segs.size());
    for (SegmentRef s : segs) {
      assertTrue(s.compressed(), s.fileName());
      List<String> lines = Fixtures.lines(s);
      assertEquals("seal", Fixtures.parse(lines.get(lines.size() - 1)).get("kind").asText(), s.fileName());
      assertEquals(s.firstSeq(), Fixtures.parse(lines.get(0)).get("seq").asLong());
    }
    VerifyReport rep = Verifier.verify(dir);
    assertTrue(rep.ok(), () -> rep.problems().toString());
    assertEquals(1, rep.firstSeq());
  }

  @Test
  void indexAnswersQueriesSessionsAndShowRendersSession() throws Exception {
    String sid;
    try (Recorder r = Recorder.open(Fixtures.config(dir).build())) {
      SessionTicket s = r.startSession(new SessionStart(null, Fixtures.identity("alice", "analysts"),
          new ClientInfo("127.0.0.1:1", "c1", "http")));
      sid = s.sessionId();
      r.append(Fixtures.draft(sid, "alice", "docs", true, null));
      r.append(Fixtures.draft(sid, "alice", "hr", false, null));
      r.append(Fixtures.draft("other", "bob", "docs", true, null));
      r.endSession(sid, "closed").get();
    }
    try (RecordingStore store = RecordingStore.open(dir, IndexConfig.sqlite(dir.resolve("index.sqlite")))) {
      Page<IndexedRecord> denied = store.list(RecordQuery.builder().allow(false).build());
      assertEquals(1, denied.items().size());
      assertEquals("hr", denied.items().get(0).collection());
      assertEquals(List.of("deny_no_role"), denied.items().get(0).reasonCodes());
      assertEquals(2, store.list(RecordQuery.builder().subject("alice").build()).items().size());
      assertEquals(2, store.list(RecordQuery.builder().collection("docs").build()).items().size());
      Page<SessionSummary> sessions = store.sessions(RecordQuery.builder().subject("alice").build());
      assertEquals(1, sessions.items().size());
      SessionSummary sum = sessions.items().get(0);
      assertEquals(sid, sum.sessionId());
      assertEquals(2, sum.requests());
      assertEquals(1, sum.denied());
      assertNotNull(sum.ended());
      SessionTranscript t = store.show(sid);
      assertEquals(4, t.entries().size());
      StringBuilder sb = new StringBuilder();
      RecordingStore.render(t, sb);
      String text = sb.toString();
      assertTrue(text.contains("search hr  DENY [deny_no_role]"), text);
      assertTrue(text.contains("session start: alice from 127.0.0.1:1"), text);
      assertTrue(text.contains("requests 2 (allowed 1, denied 1)"), text);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      long n = store.export(RecordQuery.builder().subject("alice").kind("*").build(), out);
      assertEquals(4, n);
      for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
        ObjectNode e = (ObjectNode) Fixtures.parse(line);
        assertEquals(e.get("hash").asText(), RecordFormat.expectedHash(e), "exported lines keep their hashes");
      }
      assertTrue(store.verify().ok());
      // reindex rebuilds the same view
      long indexed = store.reindex();
      assertEquals(6, indexed); // start, 3 requests, end, seal
      assertEquals(2, store.sessions(RecordQuery.builder().build()).items().size());
      assertEquals(2, store.sessions(RecordQuery.builder().subject("alice").build()).items().get(0).requests());
    }
    // without an index, list scans the segments
    try (RecordingStore store = RecordingStore.open(dir, IndexConfig.none())) {
      Page<IndexedRecord> p1 = store.list(RecordQuery.builder().limit(2).build());
      assertEquals(2, p1.items().size());
      assertNotNull(p1.nextCursor());
      Page<IndexedRecord> p2 = store.list(RecordQuery.builder().limit(2).cursor(p1.nextCursor()).build());
      assertEquals(1, p2.items().size());
      assertNull(p2.nextCursor());
      assertEquals(4, store.show(sid).entries().size());
    }
  }

  @Test
  void indexCatchesUpAfterItLostEntries() throws Exception {
    try (Recorder r = Recorder.open(Fixtures.config(dir).build())) {
      for (int i = 0; i < 3; i++) {
        r.append(Fixtures.draft("s", "alice")).get();
      }
    }
    Files.delete(dir.resolve("index.sqlite"));
    Files.deleteIfExists(dir.resolve("index.sqlite-wal"));
    Files.deleteIfExists(dir.resolve("index.sqlite-shm"));
    try (Recorder r = Recorder.open(Fixtures.config(dir).build())) {
      assertEquals(4, r.index().lastSeq(r.recorderId()));
      assertEquals(3, r.index().find(RecordQuery.builder().build()).items().size());
    }
  }

  @Test
  void drafsWithoutOperationOrDecisionAreRejectedNamingTheField() {
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> RecordDraft.builder().build());
    assertTrue(e.getMessage().contains("operation"), e.getMessage());
  }
}
