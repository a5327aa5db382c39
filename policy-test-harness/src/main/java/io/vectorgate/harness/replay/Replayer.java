package io.vectorgate.harness.replay;

import io.vectorgate.engine.DecisionEngine;
import io.vectorgate.engine.ReasonCodes;
import io.vectorgate.model.Decision;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Re-decides recorded requests: rebuilds each one's input ({@link InputRebuilder}) and asks every
 * given engine (one for a test run; baseline and candidate for impact analysis). Work is split into
 * chunks decided in parallel on {@code threads} threads, so a {@code PolicyEngine} pool of the same
 * size stays busy; the result list is in the order of the requests. A decision the engine failed for
 * lack of time or instances (not because of the policy) is retried up to {@value #ATTEMPTS} times.
 */
public final class Replayer {
  /** Chunk of requests one task decides before reporting progress. */
  static final int CHUNK = 256;

  /** Receives progress from worker threads; must be thread-safe and cheap. */
  @FunctionalInterface
  public interface Progress {
    Progress NONE = (done, total) -> {};

    void update(long done, long total);
  }

  /** One request re-decided: its rebuilt input (or error) and one decision per engine (empty on error). */
  public record Replayed(InputRebuilder.Rebuilt rebuilt, List<Decision> decisions) {
    public RecordedRequest source() {
      return rebuilt.source();
    }
  }

  private Replayer() {}

  public static List<Replayed> replay(List<RecordedRequest> requests, InputRebuilder rebuilder,
      List<? extends DecisionEngine> engines, int threads, Progress progress) {
    Objects.requireNonNull(rebuilder, "rebuilder");
    if (engines.isEmpty()) {
      throw new IllegalArgumentException("at least one engine is needed");
    }
    Replayed[] out = new Replayed[requests.size()];
    AtomicLong done = new AtomicLong();
    int n = Math.max(1, threads);
    ExecutorService pool = Executors.newFixedThreadPool(n, r -> {
      Thread t = new Thread(r, "harness-replay");
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int start = 0; start < requests.size(); start += CHUNK) {
        int from = start;
        int to = Math.min(requests.size(), start + CHUNK);
        futures.add(pool.submit(() -> {
          for (int i = from; i < to; i++) {
            out[i] = one(requests.get(i), rebuilder, engines);
          }
          progress.update(done.addAndGet(to - from), requests.size());
        }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("replay interrupted", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("replay failed: " + e.getCause(), e.getCause());
    } finally {
      pool.shutdownNow();
    }
    return Arrays.asList(out);
  }

  /** Decisions tried per engine when the engine itself (not the policy) failed for lack of time or instances. */
  static final int ATTEMPTS = 3;

  /** A fail-closed deny caused by load ({@code pool_exhausted}, {@code engine_timeout}), not by the policy. */
  static boolean transientFailure(Decision d) {
    return !d.allow() && d.reasons().size() == 1
        && (ReasonCodes.POOL_EXHAUSTED.equals(d.reasons().get(0).code())
            || ReasonCodes.ENGINE_TIMEOUT.equals(d.reasons().get(0).code()));
  }

  static Replayed one(RecordedRequest r, InputRebuilder rebuilder, List<? extends DecisionEngine> engines) {
    InputRebuilder.Rebuilt rb = rebuilder.rebuild(r);
    if (!rb.ok()) {
      return new Replayed(rb, List.of());
    }
    List<Decision> ds = new ArrayList<>(engines.size());
    for (DecisionEngine e : engines) {
      Decision d = e.decide(rb.input());
      for (int attempt = 1; attempt < ATTEMPTS && transientFailure(d); attempt++) {
        d = e.decide(rb.input());
      }
      ds.add(d);
    }
    return new Replayed(rb, List.copyOf(ds));
  }
}
