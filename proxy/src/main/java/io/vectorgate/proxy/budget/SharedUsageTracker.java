package io.vectorgate.proxy.budget;

import io.vectorgate.model.Usage;
import io.vectorgate.proxy.budget.PostgresUsageStore.Delta;
import io.vectorgate.proxy.budget.PostgresUsageStore.Kind;
import io.vectorgate.proxy.pipeline.UsageTracker;
import io.vectorgate.proxy.pipeline.UsageWindow;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Usage shared by every instance through a {@link PostgresUsageStore}, with local batching of
 * increments.
 *
 * <p>Each decision reads the subject's shared totals (one indexed query) and adds this
 * instance's increments not yet flushed. Increments are flushed, in one transaction, when any
 * counter of a subject has {@code flushUnits} or more pending units (on the request that
 * reached it), and by a background task every {@code flushIntervalMs}. So between calls an
 * instance holds fewer than {@code flushUnits} unflushed units of each counter per subject, and
 * a decision on any instance sees every unit except at most {@code (N - 1) × (flushUnits - 1)}
 * per counter held by the N - 1 other instances — the tolerance over a budget, besides what
 * requests decided concurrently (on one instance or several) add, as with the in-memory tracker.
 * {@code flushUnits = 1} writes every increment through (no tolerance, one write per request).
 *
 * <p>Failures fail closed: a read that fails, or a subject whose pending units reached
 * {@code flushUnits} and cannot be flushed, makes {@link #usage} throw
 * {@link UsageTracker.UsageUnavailableException} (the pipeline denies with
 * {@code usage_unavailable}); increments that cannot be written stay pending and are retried,
 * never dropped.
 */
public final class SharedUsageTracker implements UsageTracker, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SharedUsageTracker.class);

  private final PostgresUsageStore store;
  private final Clock clock;
  private final long flushUnits;
  private final ConcurrentHashMap<String, Pending> pending = new ConcurrentHashMap<>();
  private final ScheduledExecutorService flusher;

  /**
   * @param flushIntervalMs background flush period; 0 disables the background task (tests call
   *     {@link #flushAll()})
   */
  public SharedUsageTracker(PostgresUsageStore store, Clock clock, long flushUnits, long flushIntervalMs) {
    if (flushUnits < 1) {
      throw new IllegalArgumentException("flushUnits must be at least 1, was " + flushUnits);
    }
    this.store = store;
    this.clock = clock;
    this.flushUnits = flushUnits;
    if (flushIntervalMs > 0) {
      flusher = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "vectorgate-usage-flush");
        t.setDaemon(true);
        return t;
      });
      flusher.scheduleWithFixedDelay(this::backgroundFlush, flushIntervalMs, flushIntervalMs, TimeUnit.MILLISECONDS);
    } else {
      flusher = null;
    }
  }

  @Override
  public Usage usage(String subject) {
    long now = clock.millis();
    Pending p = pending.get(subject);
    if (p != null && p.maxUnits() >= flushUnits) {
      // an earlier flush failed: the tolerance holds only if this one succeeds
      try {
        flush(subject, p);
      } catch (SQLException e) {
        throw new UsageUnavailableException("usage of `" + subject + "` cannot be flushed", e);
      }
    }
    // local first, then shared: a flush in between counts its increments twice (over, never under)
    Usage local = p == null ? Usage.NONE : p.usage(now);
    Usage shared;
    try {
      shared = store.read(subject, now);
    } catch (SQLException e) {
      throw new UsageUnavailableException("usage of `" + subject + "` cannot be read", e);
    }
    return new Usage(shared.requestsLastMinute() + local.requestsLastMinute(), shared.rowsLastHour() + local.rowsLastHour(),
        shared.vectorsLastHour() + local.vectorsLastHour(), shared.pagesLastHour() + local.pagesLastHour());
  }

  @Override
  public void recordRequest(String subject) {
    long sec = UsageWindow.second(clock.millis());
    flushIfFull(subject, pending.compute(subject, (k, p) -> (p == null ? new Pending() : p).add(Kind.REQUESTS, sec, 1)));
  }

  @Override
  public void recordResult(String subject, long rows, long vectors, boolean page) {
    long min = UsageWindow.minute(clock.millis());
    // added under the map's lock for the subject, so an idle-entry removal never orphans them
    flushIfFull(subject, pending.compute(subject, (k, p) -> (p == null ? new Pending() : p)
        .add(Kind.ROWS, min, Math.max(0, rows)).add(Kind.VECTORS, min, Math.max(0, vectors))
        .add(Kind.PAGES, min, page ? 1 : 0)));
  }

  private void flushIfFull(String subject, Pending p) {
    if (p.maxUnits() >= flushUnits) {
      try {
        flush(subject, p);
      } catch (SQLException e) {
        // kept pending; the next decision for this subject retries and fails closed if it cannot
        LOG.warn("event=usage_flush_failed subject_pending={} error={}", p.maxUnits(), e.toString());
      }
    }
  }

  /** Flushes every subject's pending increments (the background task; also for tests and shutdown). */
  public void flushAll() throws SQLException {
    SQLException first = null;
    for (Map.Entry<String, Pending> e : pending.entrySet()) {
      try {
        flush(e.getKey(), e.getValue());
      } catch (SQLException ex) {
        if (first == null) {
          first = ex;
        } else {
          first.addSuppressed(ex);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  private long lastPrune;

  private void backgroundFlush() {
    try {
      flushAll();
      long now = clock.millis();
      if (now - lastPrune > 60_000L) {
        lastPrune = now;
        store.prune(now);
        for (String subject : pending.keySet()) {
          pending.computeIfPresent(subject, (k, p) -> p.isEmpty() ? null : p);
        }
      }
    } catch (SQLException | RuntimeException e) {
      LOG.warn("event=usage_flush_failed error={}", e.toString());
    }
  }

  /**
   * Moves the subject's pending increments to the store. Holding the subject's lock during the
   * write keeps a concurrent reader from seeing the increments neither pending nor stored.
   */
  private void flush(String subject, Pending p) throws SQLException {
    synchronized (p) {
      List<Delta> deltas = p.deltas(subject);
      if (deltas.isEmpty()) {
        return;
      }
      store.add(deltas);
      p.clear();
    }
  }

  @Override
  public void close() {
    if (flusher != null) {
      flusher.shutdownNow();
    }
    try {
      flushAll();
    } catch (SQLException e) {
      LOG.error("event=usage_flush_failed phase=close error={}", e.toString(), e);
    }
  }

  /** One subject's increments not yet in the store, per counter and bucket. */
  private static final class Pending {
    private final Map<Long, long[]> byBucket = new TreeMap<>(); // minute bucket → rows, vectors, pages
    private final Map<Long, Long> requests = new TreeMap<>();
    private final long[] units = new long[Kind.values().length];

    synchronized Pending add(Kind kind, long bucket, long n) {
      if (n == 0) {
        return this;
      }
      if (kind == Kind.REQUESTS) {
        requests.merge(bucket, n, Long::sum);
      } else {
        byBucket.computeIfAbsent(bucket, b -> new long[Kind.values().length])[kind.ordinal()] += n;
      }
      units[kind.ordinal()] += n;
      return this;
    }

    synchronized long maxUnits() {
      long m = 0;
      for (long u : units) {
        m = Math.max(m, u);
      }
      return m;
    }

    synchronized boolean isEmpty() {
      return requests.isEmpty() && byBucket.isEmpty();
    }

    synchronized Usage usage(long nowMs) {
      long sec = UsageWindow.second(nowMs);
      long min = UsageWindow.minute(nowMs);
      long req = 0;
      for (Map.Entry<Long, Long> e : requests.entrySet()) {
        if (UsageWindow.inWindow(e.getKey(), sec)) {
          req += e.getValue();
        }
      }
      long[] n = new long[Kind.values().length];
      for (Map.Entry<Long, long[]> e : byBucket.entrySet()) {
        if (UsageWindow.inWindow(e.getKey(), min)) {
          for (int k = 1; k < n.length; k++) {
            n[k] += e.getValue()[k];
          }
        }
      }
      return new Usage(req, n[Kind.ROWS.ordinal()], n[Kind.VECTORS.ordinal()], n[Kind.PAGES.ordinal()]);
    }

    synchronized List<Delta> deltas(String subject) {
      List<Delta> out = new ArrayList<>();
      requests.forEach((b, n) -> out.add(new Delta(subject, Kind.REQUESTS, b, n)));
      byBucket.forEach((b, n) -> {
        for (int k = 1; k < n.length; k++) {
          if (n[k] != 0) {
            out.add(new Delta(subject, Kind.values()[k], b, n[k]));
          }
        }
      });
      return out;
    }

    synchronized void clear() {
      requests.clear();
      byBucket.clear();
      java.util.Arrays.fill(units, 0);
    }
  }
}
