package io.vectorgate.recorder;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;

/**
 * Child JVM for {@link CrashTest}: records under load with every-record fsync and prints
 * {@code ACK <seq>} for each acknowledged record, until it is killed.
 */
public final class CrashChild {
  private CrashChild() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int threads = Integer.parseInt(args[1]);
    Recorder r = Recorder.open(RecorderConfig.builder(dir).segmentMaxBytes(32 * 1024)
        .fsync(FsyncPolicy.EVERY_RECORD).queueCapacity(256).build());
    System.out.println("READY");
    System.out.flush();
    for (int t = 0; t < threads; t++) {
      int id = t;
      Thread th = new Thread(() -> {
        Semaphore inflight = new Semaphore(32);
        while (true) {
          try {
            inflight.acquire();
          } catch (InterruptedException e) {
            return;
          }
          CompletableFuture<Ack> f = r.append(Fixtures.draft("crash-" + id, "user" + id));
          f.whenComplete((ack, err) -> {
            inflight.release();
            if (ack != null && ack.written()) {
              synchronized (System.out) {
                System.out.println("ACK " + ack.seq());
                System.out.flush();
              }
            }
          });
        }
      }, "load-" + t);
      th.setDaemon(false);
      th.start();
    }
  }
}
