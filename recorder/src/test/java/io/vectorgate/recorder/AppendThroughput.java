package io.vectorgate.recorder;

import io.vectorgate.recorder.index.IndexConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;

/**
 * Quick append-throughput run (not a test, not a benchmark of record): {@code java -cp <test classpath>
 * io.vectorgate.recorder.AppendThroughput <records> <EVERY_RECORD|INTERVAL> <sqlite|none>}. Prints the
 * append() call cost on the caller thread and the sustained write rate. Numbers go to docs/recording.md.
 */
public final class AppendThroughput {
  private AppendThroughput() {}

  public static void main(String[] args) throws Exception {
    int n = Integer.parseInt(args[0]);
    FsyncPolicy fsync = FsyncPolicy.valueOf(args[1]);
    Path dir = Files.createTempDirectory("vg-tput-");
    RecorderConfig.Builder b = RecorderConfig.builder(dir).fsync(fsync).queueCapacity(65536);
    if ("none".equals(args[2])) {
      b.index(IndexConfig.none());
    }
    RecordDraft draft = Fixtures.draft("s", "alice");
    try (Recorder r = Recorder.open(b.build())) {
      Semaphore inflight = new Semaphore(60000);
      for (int i = 0; i < 20000; i++) { // warm-up
        inflight.acquire();
        r.append(draft).whenComplete((a, e) -> inflight.release());
      }
      r.flush().get();
      long callNanos = 0;
      long t0 = System.nanoTime();
      CompletableFuture<Ack> last = null;
      for (int i = 0; i < n; i++) {
        inflight.acquire();
        long c0 = System.nanoTime();
        last = r.append(draft);
        callNanos += System.nanoTime() - c0;
        last.whenComplete((a, e) -> inflight.release());
      }
      last.get();
      r.flush().get();
      long total = System.nanoTime() - t0;
      System.out.printf("records=%d fsync=%s index=%s append_call_avg_ns=%d throughput_per_s=%d written=%d dropped=%d refused=%d%n",
          n, fsync, args[2], callNanos / n, (long) (n / (total / 1e9)), r.stats().written(), r.stats().dropped(),
          r.stats().refused());
    }
  }
}
