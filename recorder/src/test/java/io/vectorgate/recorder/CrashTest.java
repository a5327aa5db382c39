package io.vectorgate.recorder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kill -9 under load with every-record fsync: every acknowledged record survives and the chain verifies. */
class CrashTest {
  @TempDir Path dir;

  @Test
  void everyAcknowledgedRecordSurvivesKillDashNine() throws Exception {
    Set<Long> acked = ConcurrentHashMap.newKeySet();
    for (int round = 0; round < 2; round++) {
      int before = acked.size();
      runAndKill(acked, 400);
      assertTrue(acked.size() >= before + 400, "child acknowledged records before the kill");
      // restart: recovery truncates a torn tail, notes it, and the chain continues
      try (Recorder r = Recorder.open(Fixtures.config(dir).build())) {
        Ack a = r.append(Fixtures.draft("after-crash", "zoe")).get(10, TimeUnit.SECONDS);
        assertTrue(a.seq() > 0);
      }
      VerifyReport rep = Verifier.verify(dir);
      assertTrue(rep.ok(), () -> "round " + rep.problems());
      Set<Long> present = new HashSet<>();
      new RecordingReader(dir).forEach(e -> present.add(e.seq()));
      Set<Long> missing = new HashSet<>(acked);
      missing.removeAll(present);
      assertEquals(Set.of(), missing, "acknowledged records lost");
      int recoveries = countKind("recovery");
      assertEquals(round + 1, recoveries, "each unclean stop is noted in the chain");
    }
  }

  private int countKind(String kind) throws Exception {
    int[] n = {0};
    new RecordingReader(dir).forEach(e -> {
      if (kind.equals(e.kind())) {
        n[0]++;
      }
      return true;
    });
    return n[0];
  }

  private void runAndKill(Set<Long> acked, int atLeast) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
        CrashChild.class.getName(), dir.toString(), "4"));
    pb.redirectError(dir.resolveSibling(dir.getFileName() + "-child.err").toFile());
    Process p = pb.start();
    int baseline = acked.size();
    CountDownLatch enough = new CountDownLatch(1);
    Thread reader = new Thread(() -> {
      try (BufferedReader br = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = br.readLine()) != null) {
          if (line.startsWith("ACK ")) {
            acked.add(Long.parseLong(line.substring(4)));
            if (acked.size() >= baseline + atLeast) {
              enough.countDown();
            }
          }
        }
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    reader.start();
    boolean got = enough.await(120, TimeUnit.SECONDS);
    p.destroyForcibly();
    p.waitFor(30, TimeUnit.SECONDS);
    reader.join(30_000);
    assertTrue(got, "child produced " + (acked.size() - baseline) + " acks in time");
  }
}
