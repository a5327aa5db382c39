package io.vectorgate.recorder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Under {@code fsync: every_record}, records nobody waits for share fsyncs (group commit) and are
 * still acknowledged only once forced; a caller who waits has its batch forced at once, and the
 * index takes many entries per transaction while entries keep coming.
 */
class GroupCommitTest {
  @TempDir Path dir;

  @Test
  void recordsNobodyWaitsForShareFsyncsAndAreAckedDurableOnlyOnceForced() throws Exception {
    try (Recorder r = Recorder.open(Fixtures.config(dir).fsync(FsyncPolicy.EVERY_RECORD).build())) {
      r.append(Fixtures.draft("s", "alice")).get(10, TimeUnit.SECONDS);
      long fsyncsBefore = r.stats().fsyncs();
      List<CompletableFuture<Ack>> acks = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        acks.add(r.append(Fixtures.draft("s", "alice"), false));
        Thread.sleep(1); // one or two entries per writer batch, as from a gateway at ~1,000 requests/s
      }
      for (CompletableFuture<Ack> a : acks) {
        Ack ack = a.get(10, TimeUnit.SECONDS);
        assertEquals(Ack.Status.WRITTEN_DURABLE, ack.status());
      }
      long fsyncs = r.stats().fsyncs() - fsyncsBefore;
      // 40 entries over >= 40 ms in batches of one or two: one fsync per 10 ms group, not per batch
      assertTrue(fsyncs >= 1 && fsyncs <= 20, "fsyncs for 40 grouped entries: " + fsyncs);
      assertEquals(41, r.stats().written());
    }
  }

  @Test
  void aCallerWhoWaitsHasItsBatchForcedAtOnceWithTheGroupedEntriesBeforeIt() throws Exception {
    try (Recorder r = Recorder.open(Fixtures.config(dir).fsync(FsyncPolicy.EVERY_RECORD).build())) {
      r.append(Fixtures.draft("s", "alice")).get(10, TimeUnit.SECONDS);
      CompletableFuture<Ack> grouped = r.append(Fixtures.draft("s", "alice"), false);
      Ack waited = r.append(Fixtures.draft("s", "alice"), true).get(10, TimeUnit.SECONDS);
      assertEquals(Ack.Status.WRITTEN_DURABLE, waited.status());
      assertEquals(3, waited.seq());
      // acks complete in order once the fsync covering both returned: the grouped one is done too
      assertTrue(grouped.isDone(), "the entry before a waited one is forced and acknowledged with it");
      assertEquals(2, grouped.get().seq());
    }
  }

  @Test
  void underSustainedLoadTheIndexTakesManyEntriesPerTransaction() throws Exception {
    try (Recorder r = Recorder.open(Fixtures.config(dir).fsync(FsyncPolicy.INTERVAL).build())) {
      List<CompletableFuture<Ack>> acks = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        acks.add(r.append(Fixtures.draft("s", "alice"), false));
        if (i % 3 == 0) {
          Thread.sleep(1);
        }
      }
      for (CompletableFuture<Ack> a : acks) {
        a.get(10, TimeUnit.SECONDS);
      }
      r.flush().get(10, TimeUnit.SECONDS);
      assertEquals(300, r.index().lastSeq(r.recorderId()));
      long commits = r.stats().indexCommits();
      // ~100 ms of appends at >= 50 ms between transactions: a handful, not one per written batch
      assertTrue(commits >= 1 && commits <= 30, "index transactions for 300 entries: " + commits);
    }
  }
}
