package io.vectorgate.engine;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One thread that interrupts evaluations running past their deadline. Chicory 1.7.5 checks
 * {@code Thread.isInterrupted()} at calls and loop back-edges, both compiled
 * ({@code compiler.internal.Shaded.checkInterruption}) and interpreted, and throws
 * {@code ChicoryInterruptedException}. Per evaluation the cost is a volatile write to start and a
 * CAS to finish; nothing is scheduled.
 */
final class EvaluationWatchdog implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EvaluationWatchdog.class);

  /** Phase in the low two bits of a slot's stamp; the rest is a per-slot sequence number. */
  private static final long IDLE = 0;
  private static final long RUNNING = 1;
  private static final long FIRED = 2;

  /** The watch point of one policy instance; used by one thread at a time. */
  static final class Slot {
    private final AtomicLong stamp = new AtomicLong();
    private volatile long delivered = -1;
    private Thread owner;
    private long deadline;

    /** Marks the start of an evaluation that must end by {@code deadlineNanos} (System.nanoTime). */
    void start(long deadlineNanos) {
      owner = Thread.currentThread();
      deadline = deadlineNanos;
      long s = stamp.get();
      stamp.set((s & ~3L) + RUNNING); // the volatile write publishes owner and deadline
    }

    /**
     * Marks the end; returns true when the watchdog fired for this evaluation. In that case the
     * interrupt has been delivered and is cleared here, so it never leaks into the caller.
     */
    boolean end() {
      long s = stamp.get();
      long next = (s & ~3L) + 4;
      if ((s & 3) == RUNNING && stamp.compareAndSet(s, next)) {
        return false;
      }
      long fired = stamp.get();
      while (delivered != fired) {
        Thread.onSpinWait();
      }
      Thread.interrupted();
      stamp.set((fired & ~3L) + 4);
      return true;
    }

    private void check(long now) {
      long s = stamp.get();
      if ((s & 3) != RUNNING) {
        return;
      }
      Thread t = owner;
      long d = deadline;
      if (now - d > 0 && stamp.compareAndSet(s, (s & ~3L) + FIRED)) {
        t.interrupt();
        delivered = (s & ~3L) + FIRED;
      }
    }
  }

  private final List<Slot> slots = new CopyOnWriteArrayList<>();
  private final Thread thread;
  private final long tickNanos;
  private volatile boolean running = true;

  EvaluationWatchdog(long timeoutNanos) {
    this.tickNanos = Math.max(1_000_000L, Math.min(timeoutNanos / 4, 50_000_000L));
    this.thread = new Thread(this::loop, "vectorgate-eval-watchdog");
    this.thread.setDaemon(true);
    this.thread.start();
  }

  Slot newSlot() {
    Slot s = new Slot();
    slots.add(s);
    return s;
  }

  void remove(Slot s) {
    slots.remove(s);
  }

  void removeAll(List<Slot> gone) {
    slots.removeAll(gone);
  }

  private void loop() {
    while (running) {
      LockSupport.parkNanos(tickNanos);
      long now = System.nanoTime();
      for (Slot s : slots) {
        try {
          s.check(now);
        } catch (RuntimeException e) {
          LOG.error("watchdog check failed error={}", e.toString());
        }
      }
    }
  }

  @Override
  public void close() {
    running = false;
    LockSupport.unpark(thread);
  }
}
