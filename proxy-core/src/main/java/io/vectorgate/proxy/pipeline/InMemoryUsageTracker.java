package io.vectorgate.proxy.pipeline;

import io.vectorgate.model.Usage;
import java.time.Clock;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Per-subject usage in this process's memory, in the sliding windows of {@link UsageWindow}:
 * the default for a single instance. Memory is bounded per subject; subjects idle for more than
 * an hour (whose usage is zero in every window) are forgotten: the first request at least
 * {@link #PRUNE_EVERY_MS} after the last sweep runs {@link #prune()}, so no thread of its own is
 * needed and the map never outgrows the subjects of the last hour by more than one sweep period.
 */
public final class InMemoryUsageTracker implements UsageTracker {
  private static final int BUCKETS = UsageWindow.BUCKETS;

  private final Clock clock;
  /** How often idle subjects are swept, at most. */
  static final long PRUNE_EVERY_MS = 60_000L;
  private static final long IDLE_MS = 3_600_000L;

  private final ConcurrentHashMap<String, Counters> bySubject = new ConcurrentHashMap<>();
  private final AtomicLong nextPrune;

  public InMemoryUsageTracker(Clock clock) {
    this.clock = clock;
    this.nextPrune = new AtomicLong(clock.millis() + PRUNE_EVERY_MS);
  }

  @Override
  public Usage usage(String subject) {
    Counters c = bySubject.get(subject);
    return c == null ? Usage.NONE : c.usage(clock.millis());
  }

  // counted inside compute(): under the map's lock for the subject, so a concurrent sweep never
  // removes an entry between its lookup and the increment (which would lose the increment)
  @Override
  public void recordRequest(String subject) {
    long now = clock.millis();
    bySubject.compute(subject, (k, c) -> (c == null ? new Counters() : c).request(now));
    pruneIfDue(now);
  }

  @Override
  public void recordResult(String subject, long rows, long vectors, boolean page) {
    long now = clock.millis();
    bySubject.compute(subject, (k, c) -> (c == null ? new Counters() : c).result(now, rows, vectors, page ? 1 : 0));
  }

  /** The subjects currently tracked (for tests and metrics). */
  public int subjects() {
    return bySubject.size();
  }

  private void pruneIfDue(long now) {
    long due = nextPrune.get();
    if (now >= due && nextPrune.compareAndSet(due, now + PRUNE_EVERY_MS)) {
      prune();
    }
  }

  /** Drops subjects with no activity in the last hour. */
  public void prune() {
    long now = clock.millis();
    for (String subject : bySubject.keySet()) {
      bySubject.computeIfPresent(subject, (k, c) -> c.idleSince(now) > IDLE_MS ? null : c);
    }
  }

  private static final class Counters {
    private final long[] reqSecond = new long[BUCKETS];
    private final long[] reqCount = new long[BUCKETS];
    private final long[] minute = new long[BUCKETS];
    private final long[] rows = new long[BUCKETS];
    private final long[] vectors = new long[BUCKETS];
    private final long[] pages = new long[BUCKETS];
    private long last;

    synchronized Counters request(long nowMs) {
      long sec = UsageWindow.second(nowMs);
      int i = (int) Math.floorMod(sec, (long) BUCKETS);
      if (reqSecond[i] != sec) {
        reqSecond[i] = sec;
        reqCount[i] = 0;
      }
      reqCount[i]++;
      last = nowMs;
      return this;
    }

    synchronized Counters result(long nowMs, long r, long v, long p) {
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
      return this;
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
