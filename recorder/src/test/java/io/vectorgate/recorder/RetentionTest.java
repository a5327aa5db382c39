package io.vectorgate.recorder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectorgate.recorder.index.IndexConfig;
import io.vectorgate.recorder.index.RecordQuery;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RetentionTest {
  @TempDir Path dir;

  private void fill(Recorder r, int n) throws Exception {
    for (int i = 0; i < n; i++) {
      r.append(Fixtures.draft("s", "alice"));
    }
    r.flush().get(10, TimeUnit.SECONDS);
  }

  /** Waits until only the open segment is uncompressed. */
  private static void awaitCompressed(Path dir) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      long plain = SegmentRef.list(dir).stream().filter(s -> !s.compressed()).count();
      if (plain <= 1) {
        return;
      }
      Thread.sleep(20);
    }
  }

  @Test
  void sizeRetentionRemovesWholeOldSegmentsAndKeepsTheChainVerifiable() throws Exception {
    RecorderConfig cfg = Fixtures.config(dir).segmentMaxBytes(8192).retentionMaxBytes(12_000).build();
    RetentionResult res;
    try (Recorder r = Recorder.open(cfg)) {
      fill(r, 80);
      awaitCompressed(dir);
      res = (RetentionResult) r.applyRetention().get(10, TimeUnit.SECONDS);
      fill(r, 3);
      long firstKept = SegmentRef.list(dir).get(0).firstSeq();
      assertTrue(r.index().find(RecordQuery.builder().kind("*").limit(10000).build()).items().stream()
          .allMatch(e -> e.seq() >= firstKept), "index trimmed");
    }
    for (String name : res.removedSegments()) {
      assertFalse(Files.exists(dir.resolve(name)), name);
    }
    // retention ran after each rotation and once more on demand: the oldest segments are gone
    Anchor a = Anchor.read(dir);
    assertNotNull(a);
    assertTrue(a.firstSeq() > 1);
    assertFalse(Files.exists(dir.resolve(String.format("segment-%020d.jsonl.gz", 1))));
    assertEquals(a.firstSeq(), SegmentRef.list(dir).get(0).firstSeq());
    long total = 0;
    for (SegmentRef s : SegmentRef.list(dir)) {
      total += Files.size(s.path());
    }
    assertTrue(total <= 12_000 + 9_000, "size bounded, was " + total);
    VerifyReport rep = Verifier.verify(dir);
    assertTrue(rep.ok(), () -> rep.problems().toString());
    assertEquals(a.firstSeq(), rep.firstSeq());
    assertTrue(rep.notes().stream().anyMatch(n -> n.contains("anchor")), rep.notes().toString());

    // removing the anchor makes the missing start visible
    Path anchor = dir.resolve(Anchor.FILE);
    byte[] saved = Files.readAllBytes(anchor);
    Files.delete(anchor);
    assertEquals(VerifyReport.Kind.MISSING_ANCHOR, Verifier.verify(dir).firstProblem().kind());
    Files.write(anchor, saved);

    // deleting one more segment and forging the anchor to match is caught by the chain's retention entry
    SegmentRef first = SegmentRef.list(dir).get(0);
    SegmentRef second = SegmentRef.list(dir).get(1);
    List<String> secondLines = Fixtures.lines(second);
    String prev = Fixtures.parse(secondLines.get(0)).get("prev_hash").asText();
    Files.delete(first.path());
    new Anchor(second.firstSeq(), prev, a.retentionSeq(), Instant.now()).write(dir);
    VerifyReport forged = Verifier.verify(dir);
    assertFalse(forged.ok());
    assertEquals(VerifyReport.Kind.ANCHOR_MISMATCH, forged.firstProblem().kind());
  }

  @Test
  void ageRetentionRemovesOldSegmentsAfterRotation() throws Exception {
    RecorderConfig cfg = Fixtures.config(dir).segmentMaxBytes(8192).retentionMaxAge(Duration.ofDays(7)).build();
    try (Recorder r = Recorder.open(cfg)) {
      fill(r, 50);
      awaitCompressed(dir);
      List<SegmentRef> segs = SegmentRef.list(dir);
      // the two oldest are "old"
      for (SegmentRef s : segs.subList(0, 2)) {
        Files.setLastModifiedTime(s.path(), FileTime.from(Instant.now().minus(Duration.ofDays(8))));
      }
      RetentionResult res = (RetentionResult) r.applyRetention().get(10, TimeUnit.SECONDS);
      assertEquals(List.of(segs.get(0).fileName(), segs.get(1).fileName()), res.removedSegments());
      assertEquals(segs.get(2).firstSeq(), res.firstKeptSeq());
    }
    VerifyReport rep = Verifier.verify(dir);
    assertTrue(rep.ok(), () -> rep.problems().toString());
    try (RecordingStore store = RecordingStore.open(dir, IndexConfig.sqlite(dir.resolve("index.sqlite")))) {
      assertTrue(store.verify().ok());
      long n = store.reindex();
      assertTrue(n > 0);
    }
  }
}
