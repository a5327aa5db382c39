package io.vectorgate.recorder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Queue-full and disk-failure behaviour: fail closed by default, counted drops when configured. */
class FailurePolicyTest {
  @TempDir Path dir;

  private static RecorderUnavailableException unavailable(CompletableFuture<Ack> f) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
    return assertInstanceOf(RecorderUnavailableException.class, e.getCause());
  }

  /** Opens a recorder whose disk stalls, and fills its queue. Returns the futures of the queued appends. */
  private List<CompletableFuture<Ack>> stallAndFill(Recorder r, FaultyChannel.Switch sw, int capacity) throws Exception {
    r.append(Fixtures.draft("s", "a")).get(10, TimeUnit.SECONDS); // segment open
    sw.stall = new CountDownLatch(1);
    List<CompletableFuture<Ack>> fs = new ArrayList<>();
    fs.add(r.append(Fixtures.draft("s", "a"))); // taken by the writer, which then stalls on the disk
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (r.stats().queueDepth() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    for (int i = 0; i < capacity; i++) {
      fs.add(r.append(Fixtures.draft("s", "a")));
    }
    assertEquals(capacity, r.stats().queueDepth());
    return fs;
  }

  @Test
  void queueFullFailsClosedByDefault() throws Exception {
    FaultyChannel.Switch sw = new FaultyChannel.Switch();
    try (Recorder r = Recorder.open(Fixtures.config(dir).queueCapacity(4).channelFactory(sw.factory()).build())) {
      List<CompletableFuture<Ack>> queued = stallAndFill(r, sw, 4);
      RecorderUnavailableException check = assertThrows(RecorderUnavailableException.class, r::checkWritable);
      assertEquals("recorder_queue_full", check.code());
      RecorderUnavailableException e = unavailable(r.append(Fixtures.draft("s", "a")));
      assertEquals("recorder_queue_full", e.code());
      assertEquals(1, r.stats().refused());
      assertEquals(0, r.stats().dropped());
      sw.stall.countDown();
      sw.stall = null;
      for (CompletableFuture<Ack> f : queued) {
        assertTrue(f.get(10, TimeUnit.SECONDS).written());
      }
      r.checkWritable();
    }
    assertTrue(Verifier.verify(dir).ok());
  }

  @Test
  void queueFullDropsAndCountsWhenConfigured() throws Exception {
    FaultyChannel.Switch sw = new FaultyChannel.Switch();
    try (Recorder r = Recorder.open(Fixtures.config(dir).queueCapacity(4).overflow(OverflowPolicy.DROP)
        .channelFactory(sw.factory()).build())) {
      stallAndFill(r, sw, 4);
      r.checkWritable(); // the operator chose to keep serving
      for (int i = 0; i < 3; i++) {
        assertSame(Ack.DROPPED, r.append(Fixtures.draft("s", "a")).get(10, TimeUnit.SECONDS));
      }
      assertEquals(3, r.stats().dropped());
      assertEquals(0, r.stats().refused());
      sw.stall.countDown();
      sw.stall = null;
      r.flush().get(10, TimeUnit.SECONDS);
      assertEquals(6, r.stats().written());
    }
  }

  @Test
  void diskFailureFailsClosedThenRecovers() throws Exception {
    FaultyChannel.Switch sw = new FaultyChannel.Switch();
    try (Recorder r = Recorder.open(Fixtures.config(dir).channelFactory(sw.factory())
        .retryInterval(Duration.ofMillis(200)).build())) {
      assertTrue(r.append(Fixtures.draft("s", "a")).get(10, TimeUnit.SECONDS).written());
      sw.fail = true;
      RecorderUnavailableException e = unavailable(r.append(Fixtures.draft("s", "a")));
      assertEquals("recorder_disk_failure", e.code());
      assertTrue(e.getMessage().contains("No space left on device"), e.getMessage());
      assertFalse(r.healthy());
      assertEquals("recorder_disk_failure",
          assertThrows(RecorderUnavailableException.class, r::checkWritable).code());
      assertEquals("recorder_disk_failure", unavailable(r.append(Fixtures.draft("s", "a"))).code());
      assertTrue(r.stats().failures() >= 1);
      assertTrue(r.stats().refused() >= 2);
      // the disk comes back: the writer reopens the segment on its own
      sw.fail = false;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (!r.healthy() && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertTrue(r.healthy(), "recovered after the disk came back: " + r.stats().lastError());
      assertTrue(r.append(Fixtures.draft("s", "a")).get(10, TimeUnit.SECONDS).written());
    }
    VerifyReport rep = Verifier.verify(dir);
    assertTrue(rep.ok(), () -> rep.problems().toString());
  }

  @Test
  void diskFailureDropsAndCountsWhenConfigured() throws Exception {
    FaultyChannel.Switch sw = new FaultyChannel.Switch();
    try (Recorder r = Recorder.open(Fixtures.config(dir).channelFactory(sw.factory()).overflow(OverflowPolicy.DROP)
        .retryInterval(Duration.ofHours(1)).build())) {
      r.append(Fixtures.draft("s", "a")).get(10, TimeUnit.SECONDS);
      sw.fail = true;
      assertSame(Ack.DROPPED, r.append(Fixtures.draft("s", "a")).get(10, TimeUnit.SECONDS));
      assertSame(Ack.DROPPED, r.append(Fixtures.draft("s", "a")).get(10, TimeUnit.SECONDS));
      r.checkWritable();
      assertEquals(2, r.stats().dropped());
      assertFalse(r.healthy());
      sw.fail = false;
    }
  }

  @Test
  void closedRecorderRefuses() throws Exception {
    Recorder r = Recorder.open(Fixtures.config(dir).build());
    r.close();
    assertEquals("recorder_closed", unavailable(r.append(Fixtures.draft("s", "a"))).code());
    assertEquals("recorder_closed", assertThrows(RecorderUnavailableException.class, r::checkWritable).code());
  }

  @Test
  void intervalFsyncAcknowledgesWithoutDurability() throws Exception {
    try (Recorder r = Recorder.open(Fixtures.config(dir).fsync(FsyncPolicy.INTERVAL)
        .fsyncInterval(Duration.ofMillis(20)).build())) {
      assertEquals(Ack.Status.WRITTEN, r.append(Fixtures.draft("s", "a")).get(10, TimeUnit.SECONDS).status());
    }
    assertTrue(Verifier.verify(dir).ok());
  }
}
