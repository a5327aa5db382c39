package io.vectorgate.recorder;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorgate.recorder.index.IndexException;
import io.vectorgate.recorder.index.RecordIndex;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records gateway traffic as a hash-chained, append-only sequence of {@code vectorgate-record/v1}
 * entries in segment files, with an index for lookup.
 *
 * <p>Hot path: {@link #checkWritable()} before forwarding (throws when recording is impossible and
 * the policy is fail closed), then {@link #append(RecordDraft)}, which only enqueues and returns a
 * future; serialization, hashing, disk I/O and fsync happen on one writer thread
 * ({@link WriterLoop}), indexing on an index thread behind it ({@link IndexFeeder}). A gateway that
 * wants acknowledged durability waits for the future (with {@link FsyncPolicy#EVERY_RECORD} it
 * completes after fsync, batched per drain).
 *
 * <p>This class is the API and the queue; the jobs behind it: {@link WriterLoop} (batches, acks,
 * failures), {@link EntryWriter} (entries streamed to the segment buffer, their index rows, session
 * counters), {@link LineEncoder} (batch buffer, hash in place), {@link SegmentWriter} (chain head,
 * segment files, compression), {@link Recovery} (the head on disk at open), {@link Retention},
 * {@link IndexFeeder}.
 */
public final class Recorder implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Recorder.class);
  static final String ID_FILE = "recorder.id";
  /** Seal reason of a clean close; any other last entry at open means the previous run stopped uncleanly. */
  static final String SEAL_CLOSE = "close";
  private static final List<String> RESERVED = List.of(RecordFormat.F_FORMAT, RecordFormat.F_KIND, RecordFormat.F_SEQ,
      RecordFormat.F_ID, RecordFormat.F_TIME, RecordFormat.F_PREV_HASH, RecordFormat.F_HASH, RecordFormat.F_SESSION);

  private final RecorderConfig config;
  private final Path dir;
  private final String recorderId;
  private final String sessionPrefix;
  private final BlockingQueue<Queued> queue;
  private final WriterStatus status;
  private final SegmentWriter segments;
  private final WriterLoop loop;
  private final IndexFeeder indexFeeder;
  private final Thread writer;
  private final RecordIndex index;
  private final AtomicLong sessionCounter = new AtomicLong();
  private volatile boolean closed;

  private Recorder(RecorderConfig config, String recorderId, RecordIndex index) {
    this.config = config;
    this.dir = config.directory();
    this.recorderId = recorderId;
    this.sessionPrefix = recorderId + "-" + Long.toString(System.currentTimeMillis(), 36) + "-";
    this.queue = new ArrayBlockingQueue<>(config.queueCapacity());
    this.index = index;
    this.status = new WriterStatus(dir);
    this.segments = new SegmentWriter(config, recorderId, status);
    this.indexFeeder = new IndexFeeder(index, recorderId, status);
    this.loop = new WriterLoop(config, recorderId, queue, status, segments, indexFeeder);
    this.writer = new Thread(loop, "vectorgate-recorder-writer");
    this.writer.setDaemon(true);
  }

  /**
   * Opens (or creates) the recording in {@code config.directory()}: recovers the open segment
   * (truncating a torn last line and noting it in the chain), finishes interrupted compressions,
   * opens the index and brings it up to the chain's head, then starts the writer thread.
   *
   * @throws RecordingCorruptException when a segment is damaged beyond a torn last line
   * @throws IOException when the directory or index cannot be used
   */
  public static Recorder open(RecorderConfig config) throws IOException {
    Path dir = config.directory();
    Files.createDirectories(dir);
    String id = loadOrCreateId(dir);
    RecordIndex index;
    try {
      index = config.index().open();
    } catch (IndexException e) {
      throw new IOException("recorder " + dir + ": " + e.getMessage(), e);
    }
    Recorder r = new Recorder(config, id, index);
    try {
      r.loop.recover();
      if (index != null) {
        r.indexFeeder.catchUp(dir, r.segments.nextSeq() - 1);
      }
    } catch (IOException | RuntimeException e) {
      r.segments.abortCompressions();
      closeIndexQuietly(index, e);
      throw e;
    }
    r.indexFeeder.start();
    r.writer.start();
    LOG.info("event=recorder_open dir=\"{}\" recorder_id={} next_seq={} fsync={} overflow={}", dir, id,
        r.segments.nextSeq(), config.fsync(), config.overflow());
    return r;
  }

  private static void closeIndexQuietly(RecordIndex index, Exception primary) {
    if (index != null) {
      try {
        index.close();
      } catch (IndexException e) {
        primary.addSuppressed(e);
      }
    }
  }

  static String loadOrCreateId(Path dir) throws IOException {
    Path f = dir.resolve(ID_FILE);
    if (Files.exists(f)) {
      String id = Files.readString(f, StandardCharsets.US_ASCII).trim();
      if (!id.matches("[a-z0-9-]{1,64}")) {
        throw new RecordingCorruptException(f + ": recorder id `" + id + "` is not [a-z0-9-]{1,64}", null);
      }
      return id;
    }
    byte[] b = new byte[6];
    new SecureRandom().nextBytes(b);
    String id = "rec-" + HexFormat.of().formatHex(b);
    Path tmp = dir.resolve(ID_FILE + ".tmp");
    Files.writeString(tmp, id + "\n", StandardCharsets.US_ASCII);
    Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE);
    return id;
  }

  /** This recording's id (also the prefix of record ids). */
  public String recorderId() {
    return recorderId;
  }

  public Path directory() {
    return dir;
  }

  /** True when appends are being written now (not failed, not closed). */
  public boolean healthy() {
    return status.healthy && !closed;
  }

  /**
   * The fail-closed check for the gateway, before it forwards a request. Returns normally when the
   * record can be accepted, or when the operator chose {@link OverflowPolicy#DROP}.
   */
  public void checkWritable() throws RecorderUnavailableException {
    if (closed) {
      throw new RecorderUnavailableException("recorder_closed", "recording is closed", null);
    }
    if (config.overflow() == OverflowPolicy.DROP) {
      return;
    }
    if (!status.healthy) {
      throw status.unavailableDisk();
    }
    if (queue.remainingCapacity() == 0) {
      throw new RecorderUnavailableException("recorder_queue_full",
          "recording queue is full (" + config.queueCapacity() + " records); request refused", null);
    }
  }

  /**
   * Queues one request record. Never waits for disk. The future completes with the assigned seq
   * once written (and fsynced under {@link FsyncPolicy#EVERY_RECORD}), with {@link Ack#DROPPED}
   * under {@link OverflowPolicy#DROP} when it could not be recorded, or exceptionally with
   * {@link RecorderUnavailableException} (fail closed).
   */
  public CompletableFuture<Ack> append(RecordDraft draft) {
    return append(draft, true);
  }

  /**
   * Queues one request record; {@code callerWaits} false says nobody waits for the acknowledgement
   * (the gateway's {@code acknowledge: queued}), so that under {@link FsyncPolicy#EVERY_RECORD} its
   * fsync may be shared with the records of the next few milliseconds (group commit; see
   * {@code docs/recording.md}). True: the batch it is written in is forced at once.
   */
  public CompletableFuture<Ack> append(RecordDraft draft, boolean callerWaits) {
    return enqueue(new Queued.Request(draft), callerWaits);
  }

  /** Starts a session (one identity on one client connection) and queues its start entry (nobody waits for it: grouped fsync). */
  public SessionTicket startSession(SessionStart start) {
    String id = sessionPrefix + sessionCounter.incrementAndGet();
    return new SessionTicket(id, enqueue(new Queued.Start(id, start), false));
  }

  /** Queues the end entry of a session, carrying its request/allowed/denied counters (grouped fsync, as a session start). */
  public CompletableFuture<Ack> endSession(String sessionId, String reason) {
    return enqueue(new Queued.End(sessionId, config.clock().instant(), reason), false);
  }

  private CompletableFuture<Ack> enqueue(Queued.Item item) {
    return enqueue(item, true);
  }

  private CompletableFuture<Ack> enqueue(Queued.Item item, boolean callerWaits) {
    CompletableFuture<Ack> f = new CompletableFuture<>();
    if (closed) {
      status.refused.increment();
      f.completeExceptionally(new RecorderUnavailableException("recorder_closed", "recording is closed", null));
      return f;
    }
    if (!status.healthy) {
      return notRecorded(f, status.unavailableDisk());
    }
    if (!queue.offer(new Queued(item, f, callerWaits))) {
      return notRecorded(f, new RecorderUnavailableException("recorder_queue_full",
          "recording queue is full (" + config.queueCapacity() + " records)", null));
    }
    loop.wake(callerWaits);
    return f;
  }

  private CompletableFuture<Ack> notRecorded(CompletableFuture<Ack> f, RecorderUnavailableException why) {
    if (config.overflow() == OverflowPolicy.DROP) {
      status.dropped.increment();
      f.complete(Ack.DROPPED);
    } else {
      status.refused.increment();
      f.completeExceptionally(why);
    }
    return f;
  }

  /**
   * Queues an {@code approval} entry: one transition of an approval request. {@code fields} holds
   * its members (e.g. {@code approval_id}, {@code event}, {@code actor}, {@code status},
   * {@code detail}); members the entry format reserves ({@code format}, {@code kind}, {@code seq},
   * {@code id}, {@code time}, {@code prev_hash}, {@code hash}, {@code session}) are refused. The
   * tree becomes the recorder's. Same failure semantics as {@link #append(RecordDraft)}.
   */
  public CompletableFuture<Ack> appendApproval(Instant time, String sessionId, ObjectNode fields) {
    for (String reserved : RESERVED) {
      if (fields.has(reserved)) {
        throw new IllegalArgumentException("approval entry: member `" + reserved + "` is reserved by the entry format");
      }
    }
    return enqueue(new Queued.Approval(time == null ? config.clock().instant() : time, sessionId, fields));
  }

  /** Seals the open segment now (it is compressed in the background); the next entry starts a new one. */
  public CompletableFuture<Object> rotate() {
    return control(Queued.ControlKind.ROTATE);
  }

  /** Runs one retention pass now (also run after every rotation); completes with a {@link RetentionResult}. */
  public CompletableFuture<Object> applyRetention() {
    return control(Queued.ControlKind.RETENTION);
  }

  /** Completes when everything queued before it is written, fsynced and indexed. */
  public CompletableFuture<Object> flush() {
    return control(Queued.ControlKind.FLUSH);
  }

  private CompletableFuture<Object> control(Queued.ControlKind kind) {
    CompletableFuture<Object> done = new CompletableFuture<>();
    if (closed) {
      done.completeExceptionally(new IllegalStateException("recorder is closed"));
      return done;
    }
    try {
      queue.put(new Queued(new Queued.Control(kind, done), null));
      loop.wake(true);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      done.completeExceptionally(e);
    }
    return done;
  }

  public RecorderStats stats() {
    Throwable e = status.lastError;
    return new RecorderStats(status.written.sum(), status.dropped.sum(), status.refused.sum(), status.failures.sum(),
        status.indexFailures.sum(), queue.size(), status.headSeq, healthy(), e == null ? null : e.getMessage(),
        status.fsyncs.sum(), status.indexCommits.sum());
  }

  /** The index this recorder feeds (null when configured without one). */
  public RecordIndex index() {
    return index;
  }

  /**
   * Drains the queue, seals the open segment, waits for background compression and closes the
   * index. Appends after close are refused.
   */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    CompletableFuture<Object> done = new CompletableFuture<>();
    closed = true;
    try {
      queue.put(new Queued(new Queued.Control(Queued.ControlKind.SHUTDOWN, done), null));
      loop.wake(true);
      writer.join();
      List<Queued> stragglers = new ArrayList<>();
      queue.drainTo(stragglers);
      for (Queued p : stragglers) {
        RecorderUnavailableException why = new RecorderUnavailableException("recorder_closed", "recording is closed", null);
        if (p.item() instanceof Queued.Control c) {
          c.done().completeExceptionally(why);
        } else {
          status.refused.increment();
          p.ack().completeExceptionally(why);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while closing the recorder", e);
    }
    indexFeeder.stop();
    segments.awaitCompressions();
    if (index != null) {
      try {
        index.close();
      } catch (IndexException e) {
        throw new IOException(e.getMessage(), e);
      }
    }
    LOG.info("event=recorder_closed dir=\"{}\" written={} dropped={} refused={} failures={}", dir,
        status.written.sum(), status.dropped.sum(), status.refused.sum(), status.failures.sum());
  }
}
