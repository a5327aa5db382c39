package io.vectorgate.recorder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorgate.recorder.index.IndexConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Edits, deletes, reorders and truncates real segment files; verify must name the first problem. */
class TamperTest {
  @TempDir Path dir;
  private List<SegmentRef> segs;

  @BeforeEach
  void record() throws Exception {
    try (Recorder r = Recorder.open(Fixtures.config(dir).segmentMaxBytes(8192).build())) {
      for (int i = 0; i < 40; i++) {
        r.append(Fixtures.draft("s1", "alice", "docs", i % 5 != 0, null));
      }
      r.flush().get();
    }
    segs = SegmentRef.list(dir);
    assertTrue(segs.size() >= 3, "needs several segments");
    assertTrue(Verifier.verify(dir).ok());
  }

  private static VerifyReport.Problem first(Path dir) throws Exception {
    VerifyReport r = Verifier.verify(dir);
    assertFalse(r.ok(), "tampering must be detected");
    return r.firstProblem();
  }

  @Test
  void editedRecordIsNamed() throws Exception {
    SegmentRef s = segs.get(1);
    long seq = s.firstSeq() + 2;
    Fixtures.rewrite(s, l -> {
      String edited = l.get(2).replace("\"subject\":\"alice\"", "\"subject\":\"alicf\"");
      assertFalse(edited.equals(l.get(2)), "the edit changes the line");
      l.set(2, edited);
      return l;
    }, true);
    VerifyReport.Problem p = first(dir);
    assertEquals(VerifyReport.Kind.HASH_MISMATCH, p.kind());
    assertEquals(s.fileName(), p.segment());
    assertEquals(3, p.line());
    assertEquals(seq, p.seq());
  }

  @Test
  void editedAndRehashedRecordBreaksTheChainAtTheNextOne() throws Exception {
    SegmentRef s = segs.get(0);
    Fixtures.rewrite(s, l -> {
      try {
        ObjectNode e = (ObjectNode) Fixtures.parse(l.get(4));
        ((ObjectNode) e.get("identity")).put("subject", "mallory");
        e.put("hash", RecordFormat.expectedHash(e));
        l.set(4, RecordFormat.mapper().writeValueAsString(e));
        return l;
      } catch (Exception ex) {
        throw new IllegalStateException(ex);
      }
    }, true);
    VerifyReport.Problem p = first(dir);
    assertEquals(VerifyReport.Kind.CHAIN_BREAK, p.kind());
    assertEquals(6, p.line());
    assertEquals(6L, p.seq());
  }

  @Test
  void deletedRecordIsNamedAsGap() throws Exception {
    SegmentRef s = segs.get(1);
    Fixtures.rewrite(s, l -> {
      l.remove(3);
      return l;
    }, true);
    VerifyReport.Problem p = first(dir);
    assertEquals(VerifyReport.Kind.SEQ_GAP, p.kind());
    assertEquals(s.fileName(), p.segment());
    assertEquals(4, p.line());
    assertEquals(s.firstSeq() + 4, p.seq());
    assertTrue(p.message().contains("seq " + (s.firstSeq() + 3) + " missing"), p.message());
  }

  @Test
  void reorderedRecordsAreNamed() throws Exception {
    SegmentRef s = segs.get(0);
    Fixtures.rewrite(s, l -> {
      Collections.swap(l, 2, 3);
      return l;
    }, true);
    VerifyReport.Problem p = first(dir);
    assertEquals(VerifyReport.Kind.OUT_OF_ORDER, p.kind());
    assertEquals(3, p.line());
    assertEquals(4L, p.seq());
  }

  @Test
  void truncatedSealedSegmentIsNamed() throws Exception {
    SegmentRef s = segs.get(0);
    int[] kept = {0};
    Fixtures.rewrite(s, l -> {
      List<String> k = l.subList(0, l.size() - 3);
      kept[0] = k.size();
      return k;
    }, true);
    VerifyReport.Problem p = first(dir);
    assertEquals(VerifyReport.Kind.MISSING_SEAL, p.kind());
    assertEquals(s.fileName(), p.segment());
    assertEquals(kept[0], p.line());
  }

  @Test
  void cutCompressedFileIsNamed() throws Exception {
    SegmentRef s = segs.get(1);
    byte[] gz = Files.readAllBytes(s.path());
    Files.write(s.path(), java.util.Arrays.copyOf(gz, gz.length / 2));
    VerifyReport.Problem p = first(dir);
    assertEquals(VerifyReport.Kind.MISSING_SEAL, p.kind());
    assertEquals(s.fileName(), p.segment());
  }

  @Test
  void garbageLineIsNamed() throws Exception {
    SegmentRef s = segs.get(2);
    Fixtures.rewrite(s, l -> {
      l.set(1, "{\"seq\": 1, oops");
      return l;
    }, true);
    VerifyReport.Problem p = first(dir);
    assertEquals(VerifyReport.Kind.CORRUPT_LINE, p.kind());
    assertEquals(2, p.line());
  }

  @Test
  void removedOldestSegmentWithoutAnchorIsNamed() throws Exception {
    Files.delete(segs.get(0).path());
    VerifyReport.Problem p = first(dir);
    assertEquals(VerifyReport.Kind.MISSING_ANCHOR, p.kind());
    assertEquals(segs.get(1).fileName(), p.segment());
  }

  @Test
  void removedMiddleSegmentIsAGap() throws Exception {
    Files.delete(segs.get(1).path());
    VerifyReport.Problem p = first(dir);
    assertEquals(VerifyReport.Kind.SEQ_GAP, p.kind());
    assertEquals(segs.get(2).fileName(), p.segment());
    assertEquals(1, p.line());
  }

  @Test
  void renamedSegmentIsNamed() throws Exception {
    SegmentRef s = segs.get(1);
    Files.move(s.path(), dir.resolve(String.format("segment-%020d.jsonl.gz", s.firstSeq() + 1)));
    VerifyReport.Problem p = first(dir);
    assertEquals(VerifyReport.Kind.SEGMENT_NAME_MISMATCH, p.kind());
  }

  @Test
  void tornTailOfOpenSegmentIsReportedThenRecoveredAndNoted() throws Exception {
    // an open (unsealed, plain) segment as a crash leaves it: take the last segment's lines without its seal
    SegmentRef last = segs.get(segs.size() - 1);
    List<String> lines = Fixtures.lines(last);
    Files.delete(last.path());
    Path plain = dir.resolve(RecordFormat.segmentName(last.firstSeq()));
    String body = String.join("\n", lines.subList(0, lines.size() - 1)) + "\n";
    String torn = lines.get(lines.size() - 1).substring(0, 40);
    Files.writeString(plain, body + torn, StandardCharsets.UTF_8);
    VerifyReport.Problem p = first(dir);
    assertEquals(VerifyReport.Kind.TORN_LINE, p.kind());
    assertEquals(plain.getFileName().toString(), p.segment());
    assertEquals(lines.size(), p.line());
    // reopening truncates the torn line, notes it in the chain, and the chain verifies again
    try (Recorder r = Recorder.open(Fixtures.config(dir).build())) {
      Ack a = r.append(Fixtures.draft("s2", "bob")).get();
      assertEquals(last.firstSeq() + lines.size(), a.seq());
    }
    VerifyReport rep = Verifier.verify(dir);
    assertTrue(rep.ok(), () -> rep.problems().toString());
    boolean noted = false;
    for (SegmentRef s : SegmentRef.list(dir)) {
      for (String l : Fixtures.lines(s)) {
        if (l.contains("\"kind\":\"recovery\"")) {
          noted = true;
          assertTrue(l.contains("\"truncated_bytes\":" + torn.length()), l);
        }
      }
    }
    assertTrue(noted, "recovery entry notes the truncation");
  }

  @Test
  void recordsCutFromTheEndOfTheOpenSegmentAreFoundThroughTheIndex() throws Exception {
    Path d2 = dir.resolve("live");
    try (Recorder r = Recorder.open(Fixtures.config(d2).build())) {
      for (int i = 0; i < 5; i++) {
        r.append(Fixtures.draft("s", "alice")).get();
      }
      r.rotate().get();
      for (int i = 0; i < 5; i++) {
        r.append(Fixtures.draft("s", "alice")).get();
      }
      // the index commits behind the writer (and groups its transactions): wait until it holds all ten
      r.flush().get();
      // simulate a crash: copy the live files away before close seals them
      copyTree(d2, dir.resolve("crashed"));
    }
    Path crashed = dir.resolve("crashed");
    SegmentRef open = SegmentRef.list(crashed).get(SegmentRef.list(crashed).size() - 1);
    assertFalse(open.compressed());
    Fixtures.rewrite(open, l -> l.subList(0, 3), true);
    assertTrue(Verifier.verify(crashed).ok(), "without the index, cutting whole lines off the open segment is invisible");
    try (RecordingStore store = RecordingStore.open(crashed, IndexConfig.sqlite(crashed.resolve("index.sqlite")))) {
      VerifyReport rep = store.verify();
      assertFalse(rep.ok());
      assertEquals(VerifyReport.Kind.MISSING_TAIL, rep.firstProblem().kind());
      assertEquals(10L, rep.firstProblem().seq());
    }
  }

  @Test
  void recorderRefusesToExtendAChainDamagedInTheMiddle() throws Exception {
    SegmentRef last = segs.get(segs.size() - 1);
    List<String> lines = Fixtures.lines(last);
    Files.delete(last.path());
    Path plain = dir.resolve(RecordFormat.segmentName(last.firstSeq()));
    lines.set(1, lines.get(1).replace("alice", "mallo"));
    Files.writeString(plain, String.join("\n", lines.subList(0, lines.size() - 1)) + "\n", StandardCharsets.UTF_8,
        StandardOpenOption.CREATE_NEW);
    RecordingCorruptException e = assertThrows(RecordingCorruptException.class,
        () -> Recorder.open(Fixtures.config(dir).build()));
    assertTrue(e.getMessage().contains(plain.getFileName() + " line 2"), e.getMessage());
  }

  private static void copyTree(Path from, Path to) throws Exception {
    Files.createDirectories(to);
    try (var s = Files.list(from)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Files.copy(p, to.resolve(p.getFileName()));
      }
    }
  }
}
