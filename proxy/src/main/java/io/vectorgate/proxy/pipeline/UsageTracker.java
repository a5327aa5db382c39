package io.vectorgate.proxy.pipeline;

import io.vectorgate.model.Usage;
import java.time.Clock;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-subject usage in sliding windows: requests in the last minute (1-second buckets), rows and
 * vectors returned and pages fetched in the last hour (1-minute buckets). Memory is bounded per
 * subject; subjects idle for more than an hour are forgotten by {@link #prune()}.
 */
public final class UsageTracker {
  private static final int BUCKETS = 60;

  private final Clock clock;
  private final ConcurrentHashMap<String, Counters> bySubject = new ConcurrentHashMap<>();

  public UsageTracker(Clock clock) {
    this.clock = clock;
  }

  /** Usage before the current request. */
  public Usage usage(String subject) {
    Counters c = bySubject.get(subject);
    return c == null ? Usage.NONE : c.usage(clock.millis());
  }

  /** Counts one request (call when a request is decided, allowed or not). */
  public void recordRequest(String subject) {
    bySubject.computeIfAbsent(subject, k -> new Counters()).request(clock.millis());
  }

  /** Counts what a forwarded request returned. */
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
      long sec = nowMs / 1000;
      int i = (int) Math.floorMod(sec, (long) BUCKETS);
      if (reqSecond[i] != sec) {
        reqSecond[i] = sec;
        reqCount[i] = 0;
      }
      reqCount[i]++;
      last = nowMs;
    }

    synchronized void result(long nowMs, long r, long v, long p) {
      long min = nowMs / 60_000;
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
      long sec = nowMs / 1000;
      long min = nowMs / 60_000;
      long req = 0;
      long r = 0;
      long v = 0;
      long p = 0;
      for (int i = 0; i < BUCKETS; i++) {
        if (sec - reqSecond[i] < BUCKETS && reqSecond[i] <= sec) {
          req += reqCount[i];
        }
        if (min - minute[i] < BUCKETS && minute[i] <= min) {
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
