package io.vectorgate.recorder;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorgate.recorder.index.IndexException;
import io.vectorgate.recorder.index.IndexedRecord;
import io.vectorgate.recorder.index.RecordIndex;
import io.vectorgate.recorder.internal.LineReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds the index on its own thread, so that index inserts are never between an entry's ack and
 * the next entry's write: the writer hands over the entries of each batch ({@link #submit}), the
 * index thread builds their rows (from the drafts) and adds everything handed over since its last
 * add in one batch. At most {@value #MAX_PENDING} entries wait; beyond that the writer waits (the
 * index's speed bounds the recording's, as when the writer indexed itself). While the index fails,
 * rows are kept for the next batch up to a bound (the segments stay the source of truth;
 * {@code reindex} rebuilds it). Also: the catch-up at open and the trim after retention, in order
 * with the adds. {@link #sync()} waits until everything handed over is applied.
 */
final class IndexFeeder {
  private static final Logger LOG = LoggerFactory.getLogger(IndexFeeder.class);
  private static final int MAX_INDEX_BACKLOG = 100_000;
  static final int MAX_PENDING = 50_000;
  /**
   * The least time between two index transactions while entries keep coming: a commit writes every
   * page it touched (the table and its five indexes) to the WAL, so one commit per written batch
   * cost more CPU than the recording itself at a few hundred requests per second. The first
   * entries after a quiet spell are indexed at once.
   */
  static final long COMMIT_SPACING_NANOS = 50_000_000L;
  /** Entries that are indexed at once, however recent the last transaction. */
  static final int COMMIT_BATCH = 2_000;

  /** One written entry whose row the index thread builds. */
  record Pending(EntryWriter.Entry entry, long seq, String id, long segment) {}

  private final RecordIndex index;
  private final String recorderId;
  private final WriterStatus status;
  private final List<IndexedRecord> backlog = new ArrayList<>();
  private final Object lock = new Object();
  private List<Pending> pending = new ArrayList<>();
  private long deleteBefore = -1;
  private long submitted;
  private long applied;
  private boolean closing;
  private int syncing;
  private long lastApplyNanos = System.nanoTime() - COMMIT_SPACING_NANOS;
  private Thread thread;

  IndexFeeder(RecordIndex index, String recorderId, WriterStatus status) {
    this.index = index;
    this.recorderId = recorderId;
    this.status = status;
  }

  boolean enabled() {
    return index != null;
  }

  /** Starts the index thread (after the catch-up at open). */
  void start() {
    if (index == null) {
      return;
    }
    thread = new Thread(this::run, "vectorgate-recorder-index");
    thread.setDaemon(true);
    thread.start();
  }

  /** Hands over the entries of one written batch. Writer thread; waits while {@value #MAX_PENDING} are pending. */
  void submit(List<Pending> entries) {
    synchronized (lock) {
      while (pending.size() >= MAX_PENDING && !closing && thread.isAlive()) {
        awaitQuietly();
      }
      if (!thread.isAlive()) {
        status.indexFailures.increment(); // the index thread stopped: the catch-up at the next open indexes them
        return;
      }
      boolean wasEmpty = pending.isEmpty();
      pending.addAll(entries);
      submitted++;
      if (wasEmpty || pending.size() >= COMMIT_BATCH) {
        lock.notifyAll(); // otherwise the index thread is lingering and takes these when it wakes
      }
    }
  }

  /** Drops index rows of entries before {@code firstKeptSeq}, after every row handed over before. Writer thread. */
  void deleteBefore(long firstKeptSeq) {
    synchronized (lock) {
      deleteBefore = Math.max(deleteBefore, firstKeptSeq);
      submitted++;
      lock.notifyAll();
    }
  }

  /** Waits until everything handed over so far is applied to the index (flush, retention, close). */
  void sync() {
    if (thread == null) {
      return;
    }
    synchronized (lock) {
      long target = submitted;
      syncing++;
      lock.notifyAll();
      try {
        while (applied < target && thread.isAlive()) {
          awaitQuietly();
        }
      } finally {
        syncing--;
      }
    }
  }

  /** Applies what is pending and stops the thread. */
  void stop() {
    if (thread == null) {
      return;
    }
    synchronized (lock) {
      closing = true;
      lock.notifyAll();
    }
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      LOG.warn("event=recorder_index_stop_interrupted pending={}", pending.size());
    }
  }

  private void awaitQuietly() {
    try {
      lock.wait(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the recording index", e);
    }
  }

  private void run() {
    while (true) {
      List<Pending> take;
      long delete;
      long upTo;
      synchronized (lock) {
        while (pending.isEmpty() && deleteBefore < 0 && !closing) {
          try {
            lock.wait();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.error("event=recorder_index_interrupted pending={}", pending.size(), e);
            return;
          }
        }
        if (pending.isEmpty() && deleteBefore < 0) {
          return; // closing, nothing left
        }
        lingerForMore();
        take = pending;
        pending = new ArrayList<>();
        delete = deleteBefore;
        deleteBefore = -1;
        upTo = submitted;
        lock.notifyAll();
      }
      try {
        apply(take, delete);
      } catch (RuntimeException e) {
        status.indexFailures.increment();
        LOG.error("event=recorder_index_failed entries={} action=\"run reindex\"", take.size(), e);
      }
      synchronized (lock) {
        applied = upTo;
        lastApplyNanos = System.nanoTime();
        lock.notifyAll();
      }
    }
  }

  /**
   * Under sustained load, waits until {@link #COMMIT_SPACING_NANOS} after the last transaction so
   * that one transaction takes many entries; not when someone waits in {@link #sync()}, when closing,
   * with a retention trim pending or once {@link #COMMIT_BATCH} entries are pending. Holds the lock.
   */
  private void lingerForMore() {
    while (!closing && syncing == 0 && deleteBefore < 0 && pending.size() < COMMIT_BATCH) {
      long wait = lastApplyNanos + COMMIT_SPACING_NANOS - System.nanoTime();
      if (wait <= 0) {
        return;
      }
      try {
        lock.wait(wait / 1_000_000L, (int) (wait % 1_000_000L));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private void apply(List<Pending> take, long delete) {
    if (!take.isEmpty()) {
      List<IndexedRecord> rows = new ArrayList<>(take.size());
      for (Pending p : take) {
        rows.add(p.entry().row(recorderId, p.seq(), p.id(), p.segment()));
      }
      add(rows);
    }
    if (delete >= 0) {
      try {
        index.deleteBefore(recorderId, delete);
      } catch (IndexException e) {
        status.indexFailures.increment();
        LOG.warn("event=recorder_index_retention_failed first_kept_seq={} error=\"{}\"", delete, e.getMessage(), e);
      }
    }
  }

  /** Adds one batch (after the backlog); on failure keeps it for the next batch, up to a bound. Index thread. */
  private void add(List<IndexedRecord> batch) {
    if (!backlog.isEmpty()) {
      backlog.addAll(batch);
      batch = new ArrayList<>(backlog);
      backlog.clear();
    }
    try {
      index.add(batch);
      status.indexCommits.increment();
    } catch (IndexException e) {
      status.indexFailures.increment();
      if (batch.size() <= MAX_INDEX_BACKLOG) {
        backlog.addAll(batch);
        LOG.warn("event=recorder_index_failed entries={} backlog={} error=\"{}\"", batch.size(), backlog.size(),
            e.getMessage(), e);
      } else {
        LOG.error("event=recorder_index_backlog_overflow entries={} from_seq={} action=\"run reindex\"",
            batch.size(), batch.get(0).seq(), e);
      }
    }
  }

  /** Indexes entries the index has not seen (it may lag after a crash or an index failure). At open. */
  void catchUp(Path dir, long headSeq) throws IOException {
    long last;
    try {
      last = index.lastSeq(recorderId);
    } catch (IndexException e) {
      throw new IOException(e.getMessage(), e);
    }
    if (last >= headSeq) {
      return;
    }
    long added = 0;
    List<SegmentRef> segments = SegmentRef.list(dir);
    for (int i = 0; i < segments.size(); i++) {
      SegmentRef s = segments.get(i);
      if (i + 1 < segments.size() && segments.get(i + 1).firstSeq() <= last + 1) {
        continue;
      }
      List<IndexedRecord> batch = new ArrayList<>();
      try (LineReader r = new LineReader(s.open(), RecordFormat.MAX_LINE_BYTES)) {
        LineReader.Line line;
        while ((line = r.next()) != null) {
          if (!line.terminated()) {
            break;
          }
          ObjectNode e = Recovery.parseEntry(line.bytes(), s, line.number());
          if (e.get(RecordFormat.F_SEQ).longValue() > last) {
            batch.add(IndexedRecord.fromEntry(recorderId, s.firstSeq(), e));
            if (batch.size() >= 1000) {
              addOrThrow(batch);
              added += batch.size();
              batch.clear();
            }
          }
        }
      }
      addOrThrow(batch);
      added += batch.size();
    }
    LOG.info("event=recorder_index_caught_up from_seq={} entries={}", last + 1, added);
  }

  private void addOrThrow(List<IndexedRecord> batch) throws IOException {
    try {
      index.add(batch);
    } catch (IndexException e) {
      throw new IOException(e.getMessage(), e);
    }
  }
}
