package io.vectorgate.proxy.pipeline;

import io.vectorgate.model.Usage;
import java.time.Clock;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-subject usage in this process's memory, in the sliding windows of {@link UsageWindow}:
 * the default for a single instance. Memory is bounded per subject; subjects idle for more than
 * an hour are forgotten by {@link #prune()}.
 */
public final class InMemoryUsageTracker implements UsageTracker {
  private static final int BUCKETS = UsageWindow.BUCKETS;

  private final Clock clock;
  private final ConcurrentHashMap<String, Counters> bySubject = new ConcurrentHashMap<>();

  public InMemoryUsageTracker(Clock clock) {
    this.clock = clock;
  }

  @Override
  public Usage usage(String subject) {
    Counters c = bySubject.get(subject);
    return c == null ? Usage.NONE : c.usage(clock.millis());
  }

  @Override
  public void recordRequest(String subject) {
    bySubject.computeIfAbsent(subject, k -> new Counters()).request(clock.millis());
  }

  @Override
  public void recordResult(String subject, long rows, long vectors, boolean page) {
    bySubject.computeIfAbsent(subject, k -> new Counters()).result(clock.millis(), rows, vectors, page ? 1 : 0);
  }

  /** Drops subjects with no activity in the last hour. */
  public void prune() {
    long now = clock.millis();
    bySubject.values().removeIf(c -> c.idleSince(now) > 3_600_000L);
  }

  private static final class Counters {
    private final long[] reqSecond = new long[BUCKETS];
    private final long[] reqCount = new long[BUCKETS];
    private final long[] minute = new long[BUCKETS];
    private final long[] rows = new long[BUCKETS];
    private final long[] vectors = new long[BUCKETS];
    private final long[] pages = new long[BUCKETS];
    private long last;

    synchronized void request(long nowMs) {
      long sec = UsageWindow.second(nowMs);
      int i = (int) Math.floorMod(sec, (long) BUCKETS);
      if (reqSecond[i] != sec) {
        reqSecond[i] = sec;
        reqCount[i] = 0;
      }
      reqCount[i]++;
      last = nowMs;
    }

    synchronized void result(long nowMs, long r, long v, long p) {
      long min = UsageWindow.minute(nowMs);
      int i = (int) Math.floorMod(min, (long) BUCKETS);
      if (minute[i] != min) {
        minute[i] = min;
        rows[i] = 0;
        vectors[i] = 0;
        pages[i] = 0;
      }
      rows[i] += Math.max(0, r);
      vectors[i] += Math.max(0, v);
      pages[i] += p;
      last = nowMs;
    }

    synchronized Usage usage(long nowMs) {
      long sec = UsageWindow.second(nowMs);
      long min = UsageWindow.minute(nowMs);
      long req = 0;
      long r = 0;
      long v = 0;
      long p = 0;
      for (int i = 0; i < BUCKETS; i++) {
        if (UsageWindow.inWindow(reqSecond[i], sec)) {
          req += reqCount[i];
        }
        if (UsageWindow.inWindow(minute[i], min)) {
          r += rows[i];
          v += vectors[i];
          p += pages[i];
        }
      }
      return new Usage(req, r, v, p);
    }

    synchronized long idleSince(long nowMs) {
      return nowMs - last;
    }
  }
}
