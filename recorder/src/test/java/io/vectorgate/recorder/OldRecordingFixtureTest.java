package io.vectorgate.recorder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.POJONode;
import io.vectorgate.recorder.index.IndexedRecord;
import io.vectorgate.recorder.index.Page;
import io.vectorgate.recorder.index.RecordQuery;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A recording written by the tree-based encoder (committed fixture, see its README) still verifies,
 * and a recorder with the streaming encoder opens it, indexes it and extends its chain.
 */
class OldRecordingFixtureTest {
  private static final Path FIXTURE = Path.of("src/test/resources/fixtures/record-v1-tree-encoder");

  @TempDir Path dir;

  private void copyFixture() throws Exception {
    try (var files = Files.list(FIXTURE)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        if (!p.getFileName().toString().equals("README.md")) {
          Files.copy(p, dir.resolve(p.getFileName()));
        }
      }
    }
  }

  @Test
  void oldRecordingVerifiesAndTheStreamingRecorderExtendsItsChain() throws Exception {
    copyFixture();
    VerifyReport before = Verifier.verify(dir);
    assertTrue(before.ok(), () -> before.problems().toString());
    assertEquals(14, before.lastSeq());
    List<SegmentRef> old = SegmentRef.list(dir);
    List<String> oldLines = Fixtures.lines(old.get(old.size() - 1));
    String lastOldHash = Fixtures.parse(oldLines.get(oldLines.size() - 1)).get(RecordFormat.F_HASH).textValue();

    try (Recorder r = Recorder.open(Fixtures.config(dir).build())) {
      // the index caught up with the 14 old entries, read from the old lines
      assertEquals(14, r.index().lastSeq(r.recorderId()));
      SessionTicket s = r.startSession(new SessionStart(Instant.parse("2026-01-01T00:00:00Z"),
          Fixtures.identity("dora", "analysts"), new ClientInfo("127.0.0.1:1", "c-9", "http")));
      Ack a = r.append(Fixtures.draft(s.sessionId(), "dora")).get(10, TimeUnit.SECONDS);
      r.endSession(s.sessionId(), "done").get(10, TimeUnit.SECONDS);
      assertEquals(16, a.seq());
      // request rows: the old ones read back at catch-up, the new one built from its draft
      Page<IndexedRecord> alice = r.index().find(RecordQuery.builder().subject("alice").build());
      assertEquals(7, alice.items().size(), alice.items().toString());
      Page<IndexedRecord> dora = r.index().find(RecordQuery.builder().subject("dora").build());
      assertEquals(List.of(16L), dora.items().stream().map(IndexedRecord::seq).toList());
      assertEquals(1, r.index().session(s.sessionId()).requests());
    }
    VerifyReport after = Verifier.verify(dir);
    assertTrue(after.ok(), () -> after.problems().toString());
    assertEquals(18, after.lastSeq()); // 15 session_start, 16 request, 17 session_end, 18 seal
    List<SegmentRef> segs = SegmentRef.list(dir);
    JsonNode firstNew = Fixtures.parse(Fixtures.lines(segs.get(segs.size() - 1)).get(0));
    assertEquals(15, firstNew.get(RecordFormat.F_SEQ).longValue());
    assertEquals(lastOldHash, firstNew.get(RecordFormat.F_PREV_HASH).textValue());
  }

  @Test
  void aDraftThatCannotBeSerializedIsRefusedAndLeavesTheChainIntact() throws Exception {
    try (Recorder r = Recorder.open(Fixtures.config(dir).build())) {
      Ack first = r.append(Fixtures.draft("s", "alice")).get(10, TimeUnit.SECONDS);
      RecordDraft good = Fixtures.draft("s", "alice");
      RecordDraft bad = RecordDraft.builder().time(good.time()).operation(good.operation()).decision(good.decision())
          .request(new POJONode((LazyJson) () -> {
            throw new IllegalStateException("payload conversion failed");
          })).build();
      ExecutionException e = assertThrows(ExecutionException.class, () -> r.append(bad).get(10, TimeUnit.SECONDS));
      assertInstanceOf(IllegalArgumentException.class, e.getCause());
      assertTrue(e.getCause().getMessage().contains("payload conversion failed"), e.getCause().getMessage());
      Ack next = r.append(good).get(10, TimeUnit.SECONDS);
      assertEquals(first.seq() + 1, next.seq());
      assertEquals(1, r.stats().refused());
      assertTrue(r.healthy());
    }
    VerifyReport v = Verifier.verify(dir);
    assertTrue(v.ok(), () -> v.problems().toString());
  }
}
