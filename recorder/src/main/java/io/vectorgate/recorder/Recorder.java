package io.vectorgate.recorder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorgate.model.AuditHints;
import io.vectorgate.recorder.index.IndexException;
import io.vectorgate.recorder.index.IndexedRecord;
import io.vectorgate.recorder.index.RecordIndex;
import io.vectorgate.recorder.internal.LineReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.zip.GZIPOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records gateway traffic as a hash-chained, append-only sequence of {@code vectorgate-record/v1}
 * entries in segment files, with an index for lookup.
 *
 * <p>Hot path: {@link #checkWritable()} before forwarding (throws when recording is impossible and
 * the policy is fail closed), then {@link #append(RecordDraft)}, which only enqueues and returns a
 * future; serialization, hashing, disk I/O, fsync and indexing happen on one writer thread. A
 * gateway that wants acknowledged durability waits for the future (with
 * {@link FsyncPolicy#EVERY_RECORD} it completes after fsync, batched per drain).
 */
public final class Recorder implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Recorder.class);
  static final String ID_FILE = "recorder.id";
  private static final int MAX_BATCH = 1024;
  private static final int MAX_INDEX_BACKLOG = 100_000;
  /** Seal reason of a clean close; any other last entry at open means the previous run stopped uncleanly. */
  static final String SEAL_CLOSE = "close";

  private final RecorderConfig config;
  private final Path dir;
  private final String recorderId;
  private final String sessionPrefix;
  private final BlockingQueue<Pending> queue;
  private final Thread writer;
  private final ExecutorService compressor;
  private final RecordIndex index;
  private final EntryEncoder encoder = new EntryEncoder();
  private final ObjectMapper mapper = RecordFormat.mapper();

  private final LongAdder written = new LongAdder();
  private final LongAdder dropped = new LongAdder();
  private final LongAdder refused = new LongAdder();
  private final LongAdder failures = new LongAdder();
  private final LongAdder indexFailures = new LongAdder();
  private final AtomicLong sessionCounter = new AtomicLong();
  private volatile boolean healthy = true;
  private volatile boolean closed;
  private volatile Throwable lastError;
  private volatile long headSeq;

  // writer-thread state
  private FileChannel channel;
  private long segFirstSeq;
  private long segBytes;
  private long segCount;
  private long segOpenedNanos;
  private long nextSeq;
  private String lastHash;
  private boolean dirty;
  private long lastForceNanos;
  private long nextRetryNanos;
  private ObjectNode pendingRecoveryNote;
  private boolean maintenance;
  private final Map<String, SessionState> sessions = new HashMap<>();

  /** Writer-thread view of an open session: who, from where, and its counters. */
  private static final class SessionState {
    final SessionStart start;
    long requests;
    long allowed;
    long denied;

    SessionState(SessionStart start) {
      this.start = start;
    }
  }
  private final List<IndexedRecord> indexBacklog = new ArrayList<>();
  private final ByteBufferBuilder out = new ByteBufferBuilder();
  private final List<Written> unacked = new ArrayList<>();

  private record Pending(Object item, CompletableFuture<Ack> ack) {}

  private record StartItem(String sessionId, SessionStart start) {}

  private record EndItem(String sessionId, Instant time, String reason) {}

  private record ApprovalItem(Instant time, String sessionId, ObjectNode fields) {}

  private enum ControlKind { ROTATE, RETENTION, FLUSH, SHUTDOWN }

  private record Control(ControlKind kind, CompletableFuture<Object> done) {}

  private record Written(Pending pending, long seq, String id, ObjectNode entry, long segment) {}

  private Recorder(RecorderConfig config, String recorderId, RecordIndex index) {
    this.config = config;
    this.dir = config.directory();
    this.recorderId = recorderId;
    this.sessionPrefix = recorderId + "-" + Long.toString(System.currentTimeMillis(), 36) + "-";
    this.queue = new ArrayBlockingQueue<>(config.queueCapacity());
    this.index = index;
    this.compressor = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "vectorgate-recorder-compress");
      t.setDaemon(true);
      return t;
    });
    this.writer = new Thread(this::runWriter, "vectorgate-recorder-writer");
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
      r.recoverHead();
      r.catchUpIndex();
    } catch (IOException | RuntimeException e) {
      r.compressor.shutdownNow();
      closeIndexQuietly(index, e);
      throw e;
    }
    r.writer.start();
    LOG.info("event=recorder_open dir=\"{}\" recorder_id={} next_seq={} fsync={} overflow={}", dir, id, r.nextSeq,
        config.fsync(), config.overflow());
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
    return healthy && !closed;
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
    if (!healthy) {
      throw unavailableDisk();
    }
    if (queue.remainingCapacity() == 0) {
      throw new RecorderUnavailableException("recorder_queue_full",
          "recording queue is full (" + config.queueCapacity() + " records); request refused", null);
    }
  }

  private RecorderUnavailableException unavailableDisk() {
    Throwable cause = lastError;
    return new RecorderUnavailableException("recorder_disk_failure",
        "recording to " + dir + " failed" + (cause == null ? "" : ": " + cause.getMessage()) + "; request refused", cause);
  }

  /**
   * Queues one request record. Never waits for disk. The future completes with the assigned seq
   * once written (and fsynced under {@link FsyncPolicy#EVERY_RECORD}), with {@link Ack#DROPPED}
   * under {@link OverflowPolicy#DROP} when it could not be recorded, or exceptionally with
   * {@link RecorderUnavailableException} (fail closed).
   */
  public CompletableFuture<Ack> append(RecordDraft draft) {
    return enqueue(draft);
  }

  /** Starts a session (one identity on one client connection) and queues its start entry. */
  public SessionTicket startSession(SessionStart start) {
    String id = sessionPrefix + sessionCounter.incrementAndGet();
    return new SessionTicket(id, enqueue(new StartItem(id, start)));
  }

  /** Queues the end entry of a session, carrying its request/allowed/denied counters. */
  public CompletableFuture<Ack> endSession(String sessionId, String reason) {
    return enqueue(new EndItem(sessionId, config.clock().instant(), reason));
  }

  private CompletableFuture<Ack> enqueue(Object item) {
    CompletableFuture<Ack> f = new CompletableFuture<>();
    if (closed) {
      refused.increment();
      f.completeExceptionally(new RecorderUnavailableException("recorder_closed", "recording is closed", null));
      return f;
    }
    if (!healthy) {
      return notRecorded(f, unavailableDisk());
    }
    if (!queue.offer(new Pending(item, f))) {
      return notRecorded(f, new RecorderUnavailableException("recorder_queue_full",
          "recording queue is full (" + config.queueCapacity() + " records)", null));
    }
    return f;
  }

  private CompletableFuture<Ack> notRecorded(CompletableFuture<Ack> f, RecorderUnavailableException why) {
    if (config.overflow() == OverflowPolicy.DROP) {
      dropped.increment();
      f.complete(Ack.DROPPED);
    } else {
      refused.increment();
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
    for (String reserved : List.of(RecordFormat.F_FORMAT, RecordFormat.F_KIND, RecordFormat.F_SEQ, RecordFormat.F_ID,
        RecordFormat.F_TIME, RecordFormat.F_PREV_HASH, RecordFormat.F_HASH, RecordFormat.F_SESSION)) {
      if (fields.has(reserved)) {
        throw new IllegalArgumentException("approval entry: member `" + reserved + "` is reserved by the entry format");
      }
    }
    return enqueue(new ApprovalItem(time == null ? config.clock().instant() : time, sessionId, fields));
  }

  /** Seals the open segment now (it is compressed in the background); the next entry starts a new one. */
  public CompletableFuture<Object> rotate() {
    return control(ControlKind.ROTATE);
  }

  /** Runs one retention pass now (also run after every rotation); completes with a {@link RetentionResult}. */
  public CompletableFuture<Object> applyRetention() {
    return control(ControlKind.RETENTION);
  }

  /** Completes when everything queued before it is written and fsynced. */
  public CompletableFuture<Object> flush() {
    return control(ControlKind.FLUSH);
  }

  private CompletableFuture<Object> control(ControlKind kind) {
    CompletableFuture<Object> done = new CompletableFuture<>();
    if (closed) {
      done.completeExceptionally(new IllegalStateException("recorder is closed"));
      return done;
    }
    try {
      queue.put(new Pending(new Control(kind, done), null));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      done.completeExceptionally(e);
    }
    return done;
  }

  public RecorderStats stats() {
    Throwable e = lastError;
    return new RecorderStats(written.sum(), dropped.sum(), refused.sum(), failures.sum(), indexFailures.sum(),
        queue.size(), headSeq, healthy(), e == null ? null : e.getMessage());
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
      queue.put(new Pending(new Control(ControlKind.SHUTDOWN, done), null));
      writer.join();
      List<Pending> stragglers = new ArrayList<>();
      queue.drainTo(stragglers);
      for (Pending p : stragglers) {
        RecorderUnavailableException why = new RecorderUnavailableException("recorder_closed", "recording is closed", null);
        if (p.item() instanceof Control c) {
          c.done().completeExceptionally(why);
        } else {
          refused.increment();
          p.ack().completeExceptionally(why);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while closing the recorder", e);
    }
    compressor.shutdown();
    try {
      if (!compressor.awaitTermination(5, TimeUnit.MINUTES)) {
        LOG.warn("event=recorder_close_compress_timeout dir=\"{}\"", dir);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (index != null) {
      try {
        index.close();
      } catch (IndexException e) {
        throw new IOException(e.getMessage(), e);
      }
    }
    LOG.info("event=recorder_closed dir=\"{}\" written={} dropped={} refused={} failures={}", dir, written.sum(),
        dropped.sum(), refused.sum(), failures.sum());
  }

  // ---------------------------------------------------------------- recovery

  /**
   * Establishes nextSeq/lastHash from disk, truncating a torn tail of the open segment and opening
   * it for append. Runs at open and when a failed writer retries.
   */
  private void recoverHead() throws IOException {
    closeChannelQuietly();
    pendingRecoveryNote = null;
    cleanupInterruptedCompressions();
    List<SegmentRef> segments = SegmentRef.list(dir);
    nextSeq = 1;
    lastHash = RecordFormat.GENESIS_HASH;
    for (int i = segments.size() - 1; i >= 0; i--) {
      SegmentRef s = segments.get(i);
      if (s.compressed()) {
        ObjectNode last = lastEntryOfSealed(s);
        nextSeq = last.get(RecordFormat.F_SEQ).longValue() + 1;
        lastHash = last.get(RecordFormat.F_HASH).textValue();
        noteIfUnclean(last, s, 0);
        break;
      }
      ScanResult scan = scanPlain(s);
      if (scan.lastEntry == null) {
        Files.delete(s.path());
        LOG.warn("event=recorder_empty_segment_removed segment={}", s.fileName());
        continue;
      }
      nextSeq = scan.lastEntry.get(RecordFormat.F_SEQ).longValue() + 1;
      lastHash = scan.lastEntry.get(RecordFormat.F_HASH).textValue();
      if (RecordFormat.KIND_SEAL.equals(scan.lastEntry.path(RecordFormat.F_KIND).asText())) {
        if (scan.tornBytes > 0) {
          truncate(s.path(), scan.goodBytes);
        }
        noteIfUnclean(scan.lastEntry, s, scan.tornBytes);
        // synchronously: the index catch-up that follows reads the segment files, and must not race a
        // compression that replaces `.jsonl` with `.jsonl.gz` under it
        compress(s.path());
        break;
      }
      // unsealed: the previous run stopped without closing (crash, kill, disk failure)
      if (scan.tornBytes > 0) {
        truncate(s.path(), scan.goodBytes);
      }
      channel = config.channelFactory().open(s.path(), Set.of(StandardOpenOption.WRITE));
      channel.position(scan.goodBytes);
      segFirstSeq = s.firstSeq();
      segBytes = scan.goodBytes;
      segCount = scan.count;
      segOpenedNanos = System.nanoTime();
      ObjectNode note = newEntry(RecordFormat.KIND_RECOVERY, config.clock().instant());
      note.put("segment", s.fileName());
      note.put("reason", "unclean_shutdown");
      note.put("truncated_bytes", scan.tornBytes);
      if (scan.tornBytes > 0) {
        note.put("truncated_line", scan.count + 1);
      }
      pendingRecoveryNote = note;
      LOG.warn("event=recorder_recovered segment={} entries={} truncated_bytes={} next_seq={}", s.fileName(),
          scan.count, scan.tornBytes, nextSeq);
      break;
    }
    // older sealed-but-uncompressed segments (a crash between sealing and compressing)
    for (int i = 0; i < segments.size() - 1; i++) {
      SegmentRef s = segments.get(i);
      if (!s.compressed() && Files.exists(s.path()) && isSealedPlain(s)) {
        compress(s.path()); // synchronously, as above
      }
    }
    headSeq = nextSeq - 1;
  }

  /** After a seal that was not written by close(), the previous run stopped uncleanly: note it in the chain. */
  private void noteIfUnclean(ObjectNode lastSeal, SegmentRef s, long tornBytes) {
    if (SEAL_CLOSE.equals(lastSeal.path("reason").asText())) {
      return;
    }
    ObjectNode note = newEntry(RecordFormat.KIND_RECOVERY, config.clock().instant());
    note.put("segment", s.fileName());
    note.put("reason", "unclean_shutdown");
    note.put("truncated_bytes", tornBytes);
    pendingRecoveryNote = note;
    LOG.warn("event=recorder_recovered segment={} after=seal truncated_bytes={} next_seq={}", s.fileName(), tornBytes,
        nextSeq);
  }

  private boolean isSealedPlain(SegmentRef s) throws IOException {
    byte[] last = null;
    try (LineReader r = new LineReader(Files.newInputStream(s.path()), RecordFormat.MAX_LINE_BYTES)) {
      LineReader.Line line;
      while ((line = r.next()) != null) {
        last = line.terminated() ? line.bytes() : null;
      }
    }
    if (last == null) {
      return false;
    }
    try {
      return RecordFormat.KIND_SEAL.equals(mapper.readTree(last).path(RecordFormat.F_KIND).asText());
    } catch (IOException e) {
      LOG.warn("event=recorder_segment_unreadable segment={} error=\"{}\"", s.fileName(), e.getMessage());
      return false;
    }
  }

  private void cleanupInterruptedCompressions() throws IOException {
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "segment-*")) {
      for (Path p : ds) {
        String n = p.getFileName().toString();
        if (n.endsWith(".gz.tmp")) {
          Files.delete(p);
        } else if (n.endsWith(".jsonl") && Files.exists(p.resolveSibling(n + ".gz"))) {
          Files.delete(p);
        }
      }
    }
  }

  private static void truncate(Path p, long size) throws IOException {
    try (FileChannel c = FileChannel.open(p, StandardOpenOption.WRITE)) {
      c.truncate(size);
      c.force(true);
    }
  }

  private ObjectNode lastEntryOfSealed(SegmentRef s) throws IOException {
    ObjectNode last = null;
    try (LineReader r = new LineReader(s.open(), RecordFormat.MAX_LINE_BYTES)) {
      LineReader.Line line;
      while ((line = r.next()) != null) {
        if (!line.terminated()) {
          throw new RecordingCorruptException(s.fileName() + " line " + line.number() + ": torn line in a sealed segment", null);
        }
        last = parseEntry(line.bytes(), s, line.number());
      }
    } catch (java.io.EOFException e) {
      throw new RecordingCorruptException(s.fileName() + ": compressed segment is truncated", e);
    }
    if (last == null || !RecordFormat.KIND_SEAL.equals(last.path(RecordFormat.F_KIND).asText())) {
      throw new RecordingCorruptException(s.fileName() + ": compressed segment does not end with a seal; "
          + "refusing to extend the chain (run verify)", null);
    }
    return last;
  }

  private static final class ScanResult {
    ObjectNode lastEntry;
    long goodBytes;
    long tornBytes;
    long count;
  }

  /** Scans the open segment: every line but a torn last one must parse, hash and chain. */
  private ScanResult scanPlain(SegmentRef s) throws IOException {
    ScanResult res = new ScanResult();
    long size = Files.size(s.path());
    String prevHash = null;
    long prevSeq = -1;
    try (LineReader r = new LineReader(Files.newInputStream(s.path()), RecordFormat.MAX_LINE_BYTES)) {
      LineReader.Line line;
      while ((line = r.next()) != null) {
        boolean isLast = line.offset() + line.bytes().length + (line.terminated() ? 1 : 0) >= size;
        ObjectNode e;
        String problem = null;
        e = null;
        if (!line.terminated()) {
          problem = "unterminated line";
        } else {
          try {
            e = parseEntry(line.bytes(), s, line.number());
            if (!e.path(RecordFormat.F_HASH).asText().equals(RecordFormat.expectedHash(e))) {
              problem = "hash mismatch";
            } else if (prevHash != null && (!prevHash.equals(e.path(RecordFormat.F_PREV_HASH).asText())
                || e.path(RecordFormat.F_SEQ).asLong() != prevSeq + 1)) {
              problem = "does not chain to the line before";
            }
          } catch (RecordingCorruptException ex) {
            problem = ex.getMessage();
          }
        }
        if (problem != null) {
          if (isLast && !line.terminated()) {
            res.tornBytes = size - line.offset();
            return res;
          }
          throw new RecordingCorruptException(s.fileName() + " line " + line.number() + ": " + problem
              + "; refusing to extend a damaged chain (run `vectorgate sessions verify`)", null);
        }
        res.lastEntry = e;
        res.goodBytes = line.offset() + line.bytes().length + 1;
        res.count++;
        prevHash = e.get(RecordFormat.F_HASH).textValue();
        prevSeq = e.get(RecordFormat.F_SEQ).longValue();
      }
    }
    return res;
  }

  private ObjectNode parseEntry(byte[] bytes, SegmentRef s, long lineNo) throws RecordingCorruptException {
    JsonNode n;
    try {
      n = mapper.readTree(bytes);
    } catch (IOException e) {
      throw new RecordingCorruptException(s.fileName() + " line " + lineNo + ": not valid JSON: " + e.getMessage(), e);
    }
    if (!(n instanceof ObjectNode o) || !o.path(RecordFormat.F_SEQ).canConvertToLong()
        || !o.path(RecordFormat.F_HASH).isTextual()) {
      throw new RecordingCorruptException(s.fileName() + " line " + lineNo + ": not a record entry (needs `seq` and `hash`)", null);
    }
    return o;
  }

  /** Indexes entries the index has not seen (it may lag after a crash or an index failure). */
  private void catchUpIndex() throws IOException {
    if (index == null) {
      return;
    }
    long last;
    try {
      last = index.lastSeq(recorderId);
    } catch (IndexException e) {
      throw new IOException(e.getMessage(), e);
    }
    if (last >= nextSeq - 1) {
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
          ObjectNode e = parseEntry(line.bytes(), s, line.number());
          if (e.get(RecordFormat.F_SEQ).longValue() > last) {
            batch.add(IndexedRecord.fromEntry(recorderId, s.firstSeq(), e));
            if (batch.size() >= 1000) {
              addToIndex(batch);
              added += batch.size();
              batch.clear();
            }
          }
        }
      }
      addToIndex(batch);
      added += batch.size();
    }
    LOG.info("event=recorder_index_caught_up from_seq={} entries={}", last + 1, added);
  }

  private void addToIndex(List<IndexedRecord> batch) throws IOException {
    try {
      index.add(batch);
    } catch (IndexException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  // ---------------------------------------------------------------- writer thread

  private void runWriter() {
    List<Pending> batch = new ArrayList<>(MAX_BATCH);
    boolean shutdown = false;
    try {
      if (pendingRecoveryNote != null) {
        try {
          writeEntry(pendingRecoveryNote, null, null);
          flushAndAck();
        } catch (IOException e) {
          markFailed(e);
        }
        pendingRecoveryNote = null;
      }
      while (!shutdown) {
        Pending first;
        try {
          first = queue.poll(pollMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          LOG.error("event=recorder_writer_interrupted dir=\"{}\"", dir, e);
          break;
        }
        if (first != null) {
          batch.add(first);
          queue.drainTo(batch, MAX_BATCH - 1);
        }
        if (!healthy) {
          tryReopen();
        }
        for (Pending p : batch) {
          if (p.item() instanceof Control c) {
            shutdown |= runControl(c);
          } else {
            process(p);
          }
        }
        batch.clear();
        flushAndAck();
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

  private long pollMillis() {
    long ms = Math.min(config.fsyncInterval().toMillis(), 1000);
    return Math.max(1, ms);
  }

  private void process(Pending p) {
    if (!healthy) {
      notRecordedLate(p);
      return;
    }
    ObjectNode entry;
    VectorStripper strip = null;
    try {
      if (p.item() instanceof RecordDraft d) {
        entry = requestEntry(d);
        AuditHints audit = d.decision().obligations().audit();
        if (audit == null || !audit.recordVectors()) {
          strip = config.vectorStripper();
        }
      } else if (p.item() instanceof StartItem s) {
        entry = sessionStartEntry(s);
      } else if (p.item() instanceof EndItem e) {
        entry = sessionEndEntry(e);
      } else if (p.item() instanceof ApprovalItem a) {
        entry = newEntry(RecordFormat.KIND_APPROVAL, a.time());
        putOpt(entry, RecordFormat.F_SESSION, a.sessionId());
        entry.setAll(a.fields());
      } else {
        throw new IllegalStateException("unknown queue item " + p.item().getClass());
      }
    } catch (RuntimeException e) {
      refused.increment();
      p.ack().completeExceptionally(new IllegalArgumentException("record draft cannot be serialized: " + e.getMessage(), e));
      return;
    }
    try {
      writeEntry(entry, strip, p);
    } catch (IOException e) {
      markFailed(e);
      notRecordedLate(p);
    }
  }

  private void notRecordedLate(Pending p) {
    if (p.ack() == null) {
      return;
    }
    if (config.overflow() == OverflowPolicy.DROP) {
      dropped.increment();
      p.ack().complete(Ack.DROPPED);
    } else {
      refused.increment();
      p.ack().completeExceptionally(unavailableDisk());
    }
  }

  private ObjectNode newEntry(String kind, Instant time) {
    ObjectNode e = mapper.createObjectNode();
    e.put(RecordFormat.F_FORMAT, RecordFormat.FORMAT);
    e.put(RecordFormat.F_KIND, kind);
    e.put(RecordFormat.F_TIME, time.toString());
    return e;
  }

  private ObjectNode requestEntry(RecordDraft d) {
    ObjectNode e = newEntry(RecordFormat.KIND_REQUEST, d.time());
    if (d.sessionId() != null) {
      e.put(RecordFormat.F_SESSION, d.sessionId());
      SessionState c = sessions.get(d.sessionId());
      if (c != null) {
        c.requests++;
        if (d.decision().allow()) {
          c.allowed++;
        } else {
          c.denied++;
        }
      }
    }
    putOpt(e, "request_id", d.requestId());
    putPojo(e, "identity", d.identity());
    putPojo(e, "client", d.client());
    putPojo(e, "connection", d.connection());
    e.set("operation", mapper.valueToTree(d.operation()));
    e.set("decision", mapper.valueToTree(d.decision()));
    putPojo(e, "enforcement", d.enforcement());
    putPojo(e, "upstream", d.upstream());
    AuditHints audit = d.decision().obligations().audit();
    boolean payloads = audit == null ? config.recordPayloadsByDefault() : audit.recordPayloads();
    boolean vectors = audit != null && audit.recordVectors();
    ObjectNode rec = e.putObject("recording");
    rec.put("payloads", payloads);
    rec.put("vectors", vectors);
    if (payloads) {
      if (d.request() != null) {
        e.set(EntryEncoder.F_REQUEST, d.request());
      }
      if (d.response() != null) {
        e.set(EntryEncoder.F_RESPONSE, d.response());
      }
    }
    return e;
  }

  private ObjectNode sessionStartEntry(StartItem s) {
    ObjectNode e = newEntry(RecordFormat.KIND_SESSION_START, s.start().time());
    e.put(RecordFormat.F_SESSION, s.sessionId());
    putPojo(e, "identity", s.start().identity());
    putPojo(e, "client", s.start().client());
    sessions.put(s.sessionId(), new SessionState(s.start()));
    return e;
  }

  private ObjectNode sessionEndEntry(EndItem end) {
    ObjectNode e = newEntry(RecordFormat.KIND_SESSION_END, end.time());
    e.put(RecordFormat.F_SESSION, end.sessionId());
    putOpt(e, "reason", end.reason());
    SessionState c = sessions.remove(end.sessionId());
    if (c != null) {
      putPojo(e, "identity", c.start.identity());
      putPojo(e, "client", c.start.client());
    }
    ObjectNode counters = e.putObject("counters");
    counters.put("requests", c == null ? 0 : c.requests);
    counters.put("allowed", c == null ? 0 : c.allowed);
    counters.put("denied", c == null ? 0 : c.denied);
    if (c == null) {
      counters.put("unknown_session", true);
    }
    return e;
  }

  private void putOpt(ObjectNode e, String field, String value) {
    if (value != null) {
      e.put(field, value);
    }
  }

  private void putPojo(ObjectNode e, String field, Object value) {
    if (value != null) {
      e.set(field, mapper.valueToTree(value));
    }
  }

  /** Assigns seq/id/prev_hash, encodes and buffers one entry; rotates first if the segment is full. */
  private void writeEntry(ObjectNode entry, VectorStripper strip, Pending p) throws IOException {
    if (!maintenance && channel != null && segCount > 0 && segBytes + out.size() >= config.segmentMaxBytes()) {
      seal("size");
    }
    if (channel == null) {
      openSegment(nextSeq);
    }
    long seq = nextSeq;
    String id = recorderId + "-" + seq;
    entry.put(RecordFormat.F_SEQ, seq);
    entry.put(RecordFormat.F_ID, id);
    entry.put(RecordFormat.F_PREV_HASH, lastHash);
    EntryEncoder.Encoded enc = encoder.encode(entry, strip);
    entry.put(RecordFormat.F_HASH, enc.hash());
    out.append(enc.line());
    nextSeq = seq + 1;
    lastHash = enc.hash();
    segCount++;
    unacked.add(new Written(p, seq, id, entry, segFirstSeq));
  }

  private void openSegment(long firstSeq) throws IOException {
    Path p = dir.resolve(RecordFormat.segmentName(firstSeq));
    channel = config.channelFactory().open(p, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE));
    segFirstSeq = firstSeq;
    segBytes = 0;
    segCount = 0;
    segOpenedNanos = System.nanoTime();
    fsyncDir();
  }

  private void fsyncDir() {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException e) {
      // some file systems cannot fsync a directory; the segment data itself is still forced
      LOG.debug("event=recorder_dir_fsync_unsupported dir=\"{}\" error=\"{}\"", dir, e.getMessage());
    }
  }

  /** Writes buffered lines, fsyncs per policy, completes their futures and indexes them. */
  private void flushAndAck() {
    if (unacked.isEmpty() && out.size() == 0) {
      return;
    }
    boolean durable = config.fsync() == FsyncPolicy.EVERY_RECORD;
    try {
      writeOut();
      if (durable) {
        channel.force(false);
        lastForceNanos = System.nanoTime();
        dirty = false;
      }
    } catch (IOException e) {
      markFailed(e);
      for (Written w : unacked) {
        if (w.pending() != null) {
          notRecordedLate(w.pending());
        }
      }
      unacked.clear();
      return;
    }
    Ack.Status status = durable ? Ack.Status.WRITTEN_DURABLE : Ack.Status.WRITTEN;
    List<IndexedRecord> toIndex = index == null ? null : new ArrayList<>(unacked.size());
    headSeq = unacked.get(unacked.size() - 1).seq();
    written.add(unacked.size());
    for (Written w : unacked) {
      if (w.pending() != null) {
        w.pending().ack().complete(new Ack(status, w.seq(), w.id()));
      }
      if (toIndex != null) {
        toIndex.add(IndexedRecord.fromEntry(recorderId, w.segment(), w.entry()));
      }
    }
    unacked.clear();
    if (toIndex != null) {
      indexBatch(toIndex);
    }
  }

  private void writeOut() throws IOException {
    if (out.size() == 0) {
      return;
    }
    ByteBuffer b = out.buffer();
    while (b.hasRemaining()) {
      channel.write(b);
    }
    segBytes += out.size();
    out.reset();
    dirty = true;
  }

  private void indexBatch(List<IndexedRecord> batch) {
    if (!indexBacklog.isEmpty()) {
      indexBacklog.addAll(batch);
      batch = new ArrayList<>(indexBacklog);
      indexBacklog.clear();
    }
    try {
      index.add(batch);
    } catch (IndexException e) {
      indexFailures.increment();
      if (batch.size() <= MAX_INDEX_BACKLOG) {
        indexBacklog.addAll(batch);
        LOG.warn("event=recorder_index_failed entries={} backlog={} error=\"{}\"", batch.size(), indexBacklog.size(),
            e.getMessage(), e);
      } else {
        LOG.error("event=recorder_index_backlog_overflow entries={} from_seq={} action=\"run reindex\"",
            batch.size(), batch.get(0).seq(), e);
      }
    }
  }

  private void periodic() {
    if (!healthy || channel == null) {
      return;
    }
    long now = System.nanoTime();
    try {
      if (dirty && config.fsync() == FsyncPolicy.INTERVAL
          && now - lastForceNanos >= config.fsyncInterval().toNanos()) {
        channel.force(false);
        lastForceNanos = now;
        dirty = false;
      }
      if (segCount > 0 && now - segOpenedNanos >= config.segmentMaxAge().toNanos()) {
        seal("age");
        flushAndAck();
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
    if (config.retentionMaxAge() != null || config.retentionMaxBytes() > 0) {
      maintenance = true;
      try {
        retention();
      } finally {
        maintenance = false;
      }
    }
  }

  private void sealNow(String reason) throws IOException {
    long count = segCount;
    ObjectNode s = newEntry(RecordFormat.KIND_SEAL, config.clock().instant());
    s.put("reason", reason);
    s.put("segment_first_seq", segFirstSeq);
    s.put("count", count);
    s.put("last_hash", lastHash);
    writeEntry(s, null, null);
    writeOut();
    channel.force(true);
    lastForceNanos = System.nanoTime();
    dirty = false;
    Path sealed = dir.resolve(RecordFormat.segmentName(segFirstSeq));
    channel.close();
    channel = null;
    flushAckOnly();
    compressor.submit(() -> compress(sealed));
    LOG.info("event=recorder_segment_sealed segment={} entries={}", sealed.getFileName(), count);
  }

  /** After a seal the data is forced: complete what was buffered before it. */
  private void flushAckOnly() {
    boolean durable = config.fsync() == FsyncPolicy.EVERY_RECORD;
    Ack.Status status = durable ? Ack.Status.WRITTEN_DURABLE : Ack.Status.WRITTEN;
    List<IndexedRecord> toIndex = index == null ? null : new ArrayList<>(unacked.size());
    if (!unacked.isEmpty()) {
      headSeq = unacked.get(unacked.size() - 1).seq();
    }
    written.add(unacked.size());
    for (Written w : unacked) {
      if (w.pending() != null) {
        w.pending().ack().complete(new Ack(status, w.seq(), w.id()));
      }
      if (toIndex != null) {
        toIndex.add(IndexedRecord.fromEntry(recorderId, w.segment(), w.entry()));
      }
    }
    unacked.clear();
    if (toIndex != null) {
      indexBatch(toIndex);
    }
  }

  private void compress(Path plain) {
    Path gz = plain.resolveSibling(plain.getFileName() + ".gz");
    Path tmp = plain.resolveSibling(plain.getFileName() + ".gz.tmp");
    try {
      try (InputStream in = Files.newInputStream(plain);
           OutputStream o = Files.newOutputStream(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
               StandardOpenOption.WRITE);
           GZIPOutputStream z = new GZIPOutputStream(o, 64 * 1024)) {
        in.transferTo(z);
      }
      try (FileChannel c = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        c.force(true);
      }
      Files.move(tmp, gz, StandardCopyOption.ATOMIC_MOVE);
      fsyncDir();
      Files.deleteIfExists(plain);
    } catch (IOException e) {
      failures.increment();
      LOG.error("event=recorder_compress_failed segment={} error=\"{}\"", plain.getFileName(), e.getMessage(), e);
    }
  }

  private boolean runControl(Control c) {
    try {
      flushAndAck();
      switch (c.kind()) {
        case ROTATE -> {
          if (healthy && channel != null && segCount > 0) {
            seal("requested");
          }
          c.done().complete(null);
        }
        case RETENTION -> {
          if (!healthy) {
            c.done().completeExceptionally(unavailableDisk());
          } else {
            maintenance = true;
            try {
              c.done().complete(retention());
            } finally {
              maintenance = false;
            }
          }
        }
        case FLUSH -> {
          if (healthy && channel != null) {
            channel.force(false);
            dirty = false;
          }
          if (!healthy) {
            c.done().completeExceptionally(unavailableDisk());
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

  /**
   * Removes the oldest compressed segments over the age/size limits, never the newest segment.
   * Order: a {@code retention} entry goes into the chain (fsynced), then {@code anchor.json} is
   * replaced, then the files are deleted and the index trimmed.
   */
  private RetentionResult retention() throws IOException {
    if (config.retentionMaxAge() == null && config.retentionMaxBytes() <= 0) {
      return RetentionResult.NONE;
    }
    // the compressor may replace a plain segment by its .gz while we look: list again when a file vanished
    List<SegmentRef> segs = null;
    Map<Path, java.nio.file.attribute.BasicFileAttributes> attrs = new HashMap<>();
    for (int attempt = 0; attempt < 5 && segs == null; attempt++) {
      segs = SegmentRef.list(dir);
      attrs.clear();
      for (SegmentRef s : segs) {
        try {
          attrs.put(s.path(), Files.readAttributes(s.path(), java.nio.file.attribute.BasicFileAttributes.class));
        } catch (java.nio.file.NoSuchFileException e) {
          segs = null;
          break;
        }
      }
    }
    if (segs == null) {
      throw new IOException("retention: segment files kept changing while listing " + dir);
    }
    if (segs.size() < 2) {
      return RetentionResult.NONE;
    }
    long total = 0;
    for (SegmentRef s : segs) {
      total += attrs.get(s.path()).size();
    }
    Instant now = config.clock().instant();
    List<SegmentRef> remove = new ArrayList<>();
    long removedBytes = 0;
    for (int i = 0; i < segs.size() - 1; i++) {
      SegmentRef s = segs.get(i);
      if (!s.compressed() || (channel != null && s.firstSeq() == segFirstSeq)) {
        break;
      }
      long size = attrs.get(s.path()).size();
      boolean old = config.retentionMaxAge() != null
          && attrs.get(s.path()).lastModifiedTime().toInstant().isBefore(now.minus(config.retentionMaxAge()));
      boolean over = config.retentionMaxBytes() > 0 && total > config.retentionMaxBytes();
      if (!old && !over) {
        break;
      }
      remove.add(s);
      total -= size;
      removedBytes += size;
    }
    if (remove.isEmpty()) {
      return RetentionResult.NONE;
    }
    SegmentRef kept = segs.get(remove.size());
    ObjectNode firstKept = firstEntry(kept);
    long firstKeptSeq = firstKept.get(RecordFormat.F_SEQ).longValue();
    String keptPrev = firstKept.path(RecordFormat.F_PREV_HASH).asText();
    ObjectNode r = newEntry(RecordFormat.KIND_RETENTION, now);
    r.put("first_kept_seq", firstKeptSeq);
    r.put("first_kept_prev_hash", keptPrev);
    var names = r.putArray("removed_segments");
    for (SegmentRef s : remove) {
      names.add(s.fileName());
    }
    writeEntry(r, null, null);
    long retentionSeq = nextSeq - 1;
    writeOut();
    channel.force(false);
    dirty = false;
    flushAckOnly();
    new Anchor(firstKeptSeq, keptPrev, retentionSeq, now).write(dir);
    List<String> removedNames = new ArrayList<>();
    for (SegmentRef s : remove) {
      Files.deleteIfExists(s.path());
      Files.deleteIfExists(dir.resolve(RecordFormat.segmentName(s.firstSeq())));
      removedNames.add(s.fileName());
    }
    fsyncDir();
    if (index != null) {
      try {
        index.deleteBefore(recorderId, firstKeptSeq);
      } catch (IndexException e) {
        indexFailures.increment();
        LOG.warn("event=recorder_index_retention_failed first_kept_seq={} error=\"{}\"", firstKeptSeq, e.getMessage(), e);
      }
    }
    LOG.info("event=recorder_retention removed={} bytes={} first_kept_seq={}", removedNames.size(), removedBytes,
        firstKeptSeq);
    return new RetentionResult(removedNames, firstKeptSeq, removedBytes);
  }

  private ObjectNode firstEntry(SegmentRef s) throws IOException {
    try (LineReader r = new LineReader(s.open(), RecordFormat.MAX_LINE_BYTES)) {
      LineReader.Line line = r.next();
      if (line == null || !line.terminated()) {
        throw new RecordingCorruptException(s.fileName() + ": no complete first line", null);
      }
      return parseEntry(line.bytes(), s, 1);
    }
  }

  private void markFailed(Throwable e) {
    if (healthy) {
      LOG.error("event=recorder_failed dir=\"{}\" overflow={} error=\"{}\"", dir, config.overflow(), e.getMessage(), e);
    }
    failures.increment();
    lastError = e;
    healthy = false;
    out.reset();
    closeChannelQuietly();
    nextRetryNanos = System.nanoTime() + config.retryInterval().toNanos();
  }

  private void closeChannelQuietly() {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ce) {
        LOG.warn("event=recorder_channel_close_failed error=\"{}\"", ce.getMessage(), ce);
      }
      channel = null;
    }
  }

  private void tryReopen() {
    if (System.nanoTime() < nextRetryNanos) {
      return;
    }
    try {
      recoverHead();
      if (pendingRecoveryNote != null) {
        pendingRecoveryNote.put("reason", "write_failure");
        writeEntry(pendingRecoveryNote, null, null);
        pendingRecoveryNote = null;
        writeOut();
        channel.force(false);
      }
      healthy = true;
      flushAckOnly();
      LOG.info("event=recorder_reopened dir=\"{}\" next_seq={}", dir, nextSeq);
    } catch (IOException | RuntimeException e) {
      lastError = e;
      unacked.clear();
      out.reset();
      closeChannelQuietly();
      nextRetryNanos = System.nanoTime() + config.retryInterval().toNanos();
      LOG.warn("event=recorder_reopen_failed dir=\"{}\" error=\"{}\"", dir, e.getMessage());
    }
  }

  private void finish() {
    List<Pending> rest = new ArrayList<>();
    queue.drainTo(rest);
    for (Pending p : rest) {
      if (p.item() instanceof Control c) {
        c.done().completeExceptionally(new IllegalStateException("recorder is closed"));
      } else {
        process(p);
      }
    }
    flushAndAck();
    if (healthy && channel != null && segCount > 0) {
      try {
        seal(SEAL_CLOSE);
      } catch (IOException e) {
        markFailed(e);
      }
    }
    closeChannelQuietly();
  }

  private void failQueued(Throwable cause) {
    List<Pending> rest = new ArrayList<>();
    queue.drainTo(rest);
    for (Pending p : rest) {
      if (p.item() instanceof Control c) {
        c.done().completeExceptionally(cause);
      } else {
        notRecordedLate(p);
      }
    }
  }

  /** A growable byte buffer for one batch of lines. */
  private static final class ByteBufferBuilder {
    private byte[] buf = new byte[64 * 1024];
    private int size;

    void append(byte[] b) {
      if (size + b.length > buf.length) {
        buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, size + b.length));
      }
      System.arraycopy(b, 0, buf, size, b.length);
      size += b.length;
    }

    int size() {
      return size;
    }

    void reset() {
      size = 0;
    }

    ByteBuffer buffer() {
      return ByteBuffer.wrap(buf, 0, size);
    }
  }
}
