package io.vectorgate.recorder;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The recorder's writer thread: drains the queue in batches (up to {@value #MAX_BATCH}), streams
 * each entry into the batch buffer (hashing it there), writes the batch with one write, forces it
 * once per {@link FsyncPolicy} (group commit), then completes the batch's futures and hands the
 * batch to the index thread ({@link IndexFeeder}). Seals segments by size and age, runs retention and
 * the controls, and on a disk failure fails appends per {@link OverflowPolicy} and retries.
 */
final class WriterLoop implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(Recorder.class);
  private static final int MAX_BATCH = 1024;
  /**
   * Group commit under {@link FsyncPolicy#EVERY_RECORD}: when no caller waits for any written entry,
   * their fsync (and acknowledgements) wait until this long after the first of them was written, so
   * one fsync covers the records of that span instead of one per batch of one or two.
   */
  static final long GROUP_COMMIT_NANOS = 10_000_000L;

  private final RecorderConfig config;
  private final Path dir;
  private final String recorderId;
  private final BlockingQueue<Queued> queue;
  private final WriterStatus status;
  private final SegmentWriter segments;
  private final Recovery recovery;
  private final IndexFeeder index;
  private final Retention retention;
  private final EntryWriter entries;
  private final List<Written> unacked = new ArrayList<>();
  /** What the writer is doing, for {@link #wake}: RUNNING, NAPPING (a short park while busy) or SLEEPING. */
  private volatile int state = RUNNING;
  private static final int RUNNING = 0;
  private static final int NAPPING = 1;
  private static final int SLEEPING = 2;
  /** While entries keep coming, the writer naps this long between empty polls instead of being woken per entry. */
  static final long NAP_NANOS = 1_000_000L;
  /** How long after its last entry the writer keeps napping before it sleeps until woken. */
  private static final long BUSY_NANOS = 50_000_000L;
  private long lastItemNanos = System.nanoTime() - BUSY_NANOS;
  private volatile Thread thread;
  private ObjectNode pendingRecoveryNote;
  /** When the oldest written but not yet forced entry was written (-1: none); EVERY_RECORD only. */
  private long unforcedSinceNanos = -1;
  /** Whether a written, unacknowledged entry has a caller that waits for it. */
  private boolean waiterUnacked;
  private boolean maintenance;
  private long nextRetryNanos;

  /** An entry in the batch buffer, waiting for write (and fsync) before its future completes. */
  private record Written(Queued pending, long seq, String id, EntryWriter.Entry entry, long segment) {}

  WriterLoop(RecorderConfig config, String recorderId, BlockingQueue<Queued> queue, WriterStatus status,
      SegmentWriter segments, IndexFeeder index) {
    this.config = config;
    this.dir = config.directory();
    this.recorderId = recorderId;
    this.queue = queue;
    this.status = status;
    this.segments = segments;
    this.recovery = new Recovery(config, segments);
    this.index = index;
    this.retention = new Retention(config, segments, index);
    this.entries = new EntryWriter(config);
  }

  /** Forces the open segment to disk, counted in the stats. */
  private void force(boolean metadata) throws IOException {
    segments.force(metadata);
    status.fsyncs.increment();
  }

  /** Finds the chain head on disk (before the thread starts, and on retry). */
  void recover() throws IOException {
    pendingRecoveryNote = recovery.recoverHead();
    status.headSeq = segments.nextSeq() - 1;
  }

  /**
   * Called after an item is queued. Waking a parked thread is a system call (several µs on the
   * request thread, per request): while the writer is busy it naps {@link #NAP_NANOS} and finds the
   * entries nobody waits for when it wakes; it is woken for an item a caller waits for, and for any
   * item once it sleeps.
   */
  void wake(boolean callerWaits) {
    int s = state;
    if (s == SLEEPING || (callerWaits && s == NAPPING)) {
      Thread t = thread;
      if (t != null) {
        LockSupport.unpark(t);
      }
    }
  }

  /** The next item: at once when queued, else after a nap (busy) or a sleep of at most {@code maxNanos}. */
  private Queued next(long maxNanos) {
    Queued q = queue.poll();
    if (q != null) {
      return q;
    }
    long now = System.nanoTime();
    boolean busy = now - lastItemNanos < BUSY_NANOS;
    long park = busy ? Math.min(NAP_NANOS, maxNanos) : maxNanos;
    if (park <= 0) {
      return null;
    }
    state = busy ? NAPPING : SLEEPING;
    try {
      q = queue.poll(); // after publishing the state: an item queued before it was read is found here
      if (q == null) {
        LockSupport.parkNanos(this, park);
        q = queue.poll();
      }
    } finally {
      state = RUNNING;
    }
    return q;
  }

  @Override
  public void run() {
    thread = Thread.currentThread();
    List<Queued> batch = new ArrayList<>(MAX_BATCH);
    boolean shutdown = false;
    try {
      if (pendingRecoveryNote != null) {
        try {
          writeOwnEntry(pendingRecoveryNote);
          flushAndAck(true);
        } catch (IOException e) {
          markFailed(e);
        }
        pendingRecoveryNote = null;
      }
      while (!shutdown) {
        Queued first = next(pollNanos());
        if (Thread.interrupted()) {
          LOG.error("event=recorder_writer_interrupted dir=\"{}\"", dir);
          Thread.currentThread().interrupt();
          break;
        }
        if (first != null) {
          lastItemNanos = System.nanoTime();
          batch.add(first);
          queue.drainTo(batch, MAX_BATCH - 1);
        }
        if (!status.healthy) {
          tryReopen();
        }
        for (Queued p : batch) {
          if (p.item() instanceof Queued.Control c) {
            shutdown |= runControl(c);
          } else {
            process(p);
          }
        }
        batch.clear();
        flushAndAck(false);
        periodic();
      }
      finish();
    } catch (RuntimeException | Error e) {
      LOG.error("event=recorder_writer_crashed dir=\"{}\"", dir, e);
      markFailed(e);
      failQueued(e);
      throw e;
    }
  }

  private long pollNanos() {
    if (unforcedSinceNanos >= 0) {
      return Math.max(0, unforcedSinceNanos + GROUP_COMMIT_NANOS - System.nanoTime());
    }
    long ms = Math.max(1, Math.min(config.fsyncInterval().toMillis(), 1000));
    return TimeUnit.MILLISECONDS.toNanos(ms);
  }

  private void process(Queued p) {
    if (!status.healthy) {
      notRecordedLate(p);
      return;
    }
    EntryWriter.Entry entry;
    try {
      entry = entries.entry(p.item());
    } catch (RuntimeException e) {
      refuseUnserializable(p, e);
      return;
    }
    try {
      writeEntry(entry, p);
    } catch (LineEncoder.EntryEncodingException e) {
      refuseUnserializable(p, e.getCause());
    } catch (IOException e) {
      markFailed(e);
      notRecordedLate(p);
    }
  }

  private void refuseUnserializable(Queued p, Throwable e) {
    status.refused.increment();
    p.ack().completeExceptionally(new IllegalArgumentException("record draft cannot be serialized: " + e.getMessage(), e));
  }

  private void notRecordedLate(Queued p) {
    if (p.ack() == null) {
      return;
    }
    if (config.overflow() == OverflowPolicy.DROP) {
      status.dropped.increment();
      p.ack().complete(Ack.DROPPED);
    } else {
      status.refused.increment();
      p.ack().completeExceptionally(status.unavailableDisk());
    }
  }

  /** Encodes and buffers one entry; seals the segment first when it is full. */
  private void writeEntry(EntryWriter.Entry entry, Queued p) throws IOException, LineEncoder.EntryEncodingException {
    if (!maintenance && segments.full()) {
      seal("size");
    }
    SegmentWriter.Appended a = segments.append(entry);
    unacked.add(new Written(p, a.seq(), a.id(), entry, a.segment()));
    if (p == null || p.callerWaits()) {
      waiterUnacked = true;
    }
  }

  /** Encodes and buffers one entry the recorder itself builds (seal, recovery, retention): it always serializes. */
  private void writeOwnEntry(ObjectNode tree) throws IOException {
    try {
      writeEntry(new EntryWriter.TreeEntry(tree), null);
    } catch (LineEncoder.EntryEncodingException e) {
      throw new IllegalStateException("recorder entry `" + tree.path(RecordFormat.F_KIND).asText()
          + "` cannot be serialized", e);
    }
  }

  /**
   * Writes buffered lines, fsyncs per policy, completes their futures and indexes them. Under
   * EVERY_RECORD, unless {@code now} or a caller waits, the fsync and the acknowledgements are left
   * for the group commit ({@link #GROUP_COMMIT_NANOS} after the first unforced entry).
   */
  private void flushAndAck(boolean now) {
    if (unacked.isEmpty() && !segments.hasBuffered()) {
      return;
    }
    try {
      segments.writeOut();
      if (config.fsync() == FsyncPolicy.EVERY_RECORD) {
        if (!now && !waiterUnacked && !unacked.isEmpty()) {
          long t = System.nanoTime();
          if (unforcedSinceNanos < 0) {
            unforcedSinceNanos = t;
          }
          if (t - unforcedSinceNanos < GROUP_COMMIT_NANOS) {
            return; // written (a process crash keeps it); forced when the group closes
          }
        }
        force(false);
      }
    } catch (IOException e) {
      markFailed(e);
      for (Written w : unacked) {
        if (w.pending() != null) {
          notRecordedLate(w.pending());
        }
      }
      unacked.clear();
      unforcedSinceNanos = -1;
      waiterUnacked = false;
      return;
    }
    ackWritten();
  }

  /** Completes the futures of what was buffered and is now written (and forced, under EVERY_RECORD); indexes it. */
  private void ackWritten() {
    Ack.Status ackStatus = config.fsync() == FsyncPolicy.EVERY_RECORD ? Ack.Status.WRITTEN_DURABLE : Ack.Status.WRITTEN;
    List<IndexFeeder.Pending> toIndex = index.enabled() ? new ArrayList<>(unacked.size()) : null;
    if (!unacked.isEmpty()) {
      status.headSeq = unacked.get(unacked.size() - 1).seq();
    }
    status.written.add(unacked.size());
    for (Written w : unacked) {
      if (w.pending() != null) {
        w.pending().ack().complete(new Ack(ackStatus, w.seq(), w.id()));
      }
      if (toIndex != null) {
        toIndex.add(new IndexFeeder.Pending(w.entry(), w.seq(), w.id(), w.segment()));
      }
    }
    unacked.clear();
    unforcedSinceNanos = -1;
    waiterUnacked = false;
    if (toIndex != null && !toIndex.isEmpty()) {
      index.submit(toIndex);
    }
  }

  private void periodic() {
    if (!status.healthy || !segments.isOpen()) {
      return;
    }
    long now = System.nanoTime();
    try {
      if (segments.dirty() && config.fsync() == FsyncPolicy.INTERVAL
          && now - segments.lastForceNanos() >= config.fsyncInterval().toNanos()) {
        force(false);
      }
      if (segments.segmentCount() > 0 && now - segments.segmentOpenedNanos() >= config.segmentMaxAge().toNanos()) {
        seal("age");
        flushAndAck(true);
      }
    } catch (IOException e) {
      markFailed(e);
    }
  }

  /** Writes the seal entry, forces and closes the segment, schedules compression and retention. */
  private void seal(String reason) throws IOException {
    maintenance = true;
    try {
      sealNow(reason);
    } finally {
      maintenance = false;
    }
    if (retention.configured()) {
      runRetention();
    }
  }

  private void sealNow(String reason) throws IOException {
    long count = segments.segmentCount();
    ObjectNode s = EntryWriter.newEntry(RecordFormat.KIND_SEAL, config.clock().instant());
    s.put("reason", reason);
    s.put("segment_first_seq", segments.segmentFirstSeq());
    s.put("count", count);
    s.put("last_hash", segments.lastHash());
    writeOwnEntry(s);
    segments.writeOut();
    force(true);
    Path sealed = segments.closeSealed();
    ackWritten();
    LOG.info("event=recorder_segment_sealed segment={} entries={}", sealed.getFileName(), count);
  }

  private RetentionResult runRetention() throws IOException {
    maintenance = true;
    try {
      return retention.run(entry -> {
        writeOwnEntry(entry);
        long seq = segments.nextSeq() - 1;
        segments.writeOut();
        force(false);
        ackWritten();
        return seq;
      });
    } finally {
      maintenance = false;
    }
  }

  private boolean runControl(Queued.Control c) {
    try {
      flushAndAck(true);
      switch (c.kind()) {
        case ROTATE -> {
          if (status.healthy && segments.isOpen() && segments.segmentCount() > 0) {
            seal("requested");
          }
          c.done().complete(null);
        }
        case RETENTION -> {
          if (!status.healthy) {
            c.done().completeExceptionally(status.unavailableDisk());
          } else {
            RetentionResult result = runRetention();
            index.sync();
            c.done().complete(result);
          }
        }
        case FLUSH -> {
          if (status.healthy && segments.isOpen()) {
            force(false);
          }
          index.sync();
          if (!status.healthy) {
            c.done().completeExceptionally(status.unavailableDisk());
          } else {
            c.done().complete(null);
          }
        }
        case SHUTDOWN -> {
          c.done().complete(null);
          return true;
        }
        default -> throw new IllegalStateException(c.kind().toString());
      }
    } catch (IOException e) {
      markFailed(e);
      c.done().completeExceptionally(e);
    }
    return false;
  }

  private void markFailed(Throwable e) {
    if (status.healthy) {
      LOG.error("event=recorder_failed dir=\"{}\" overflow={} error=\"{}\"", dir, config.overflow(), e.getMessage(), e);
    }
    status.failures.increment();
    status.lastError = e;
    status.healthy = false;
    segments.discardBuffer();
    segments.closeQuietly();
    nextRetryNanos = System.nanoTime() + config.retryInterval().toNanos();
  }

  private void tryReopen() {
    if (System.nanoTime() < nextRetryNanos) {
      return;
    }
    try {
      recover();
      if (pendingRecoveryNote != null) {
        pendingRecoveryNote.put("reason", "write_failure");
        writeOwnEntry(pendingRecoveryNote);
        pendingRecoveryNote = null;
        segments.writeOut();
        force(false);
      }
      status.healthy = true;
      ackWritten();
      LOG.info("event=recorder_reopened dir=\"{}\" next_seq={}", dir, segments.nextSeq());
    } catch (IOException | RuntimeException e) {
      status.lastError = e;
      unacked.clear();
      unforcedSinceNanos = -1;
      waiterUnacked = false;
      segments.discardBuffer();
      segments.closeQuietly();
      nextRetryNanos = System.nanoTime() + config.retryInterval().toNanos();
      LOG.warn("event=recorder_reopen_failed dir=\"{}\" error=\"{}\"", dir, e.getMessage());
    }
  }

  private void finish() {
    List<Queued> rest = new ArrayList<>();
    queue.drainTo(rest);
    for (Queued p : rest) {
      if (p.item() instanceof Queued.Control c) {
        c.done().completeExceptionally(new IllegalStateException("recorder is closed"));
      } else {
        process(p);
      }
    }
    flushAndAck(true);
    if (status.healthy && segments.isOpen() && segments.segmentCount() > 0) {
      try {
        seal(Recorder.SEAL_CLOSE);
      } catch (IOException e) {
        markFailed(e);
      }
    }
    segments.closeQuietly();
  }

  private void failQueued(Throwable cause) {
    List<Queued> rest = new ArrayList<>();
    queue.drainTo(rest);
    for (Queued p : rest) {
      if (p.item() instanceof Queued.Control c) {
        c.done().completeExceptionally(cause);
      } else {
        notRecordedLate(p);
      }
    }
  }
}
