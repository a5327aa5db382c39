package io.vectorgate.recorder;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The head of the hash chain and the open segment file: assigns {@code seq}, {@code id} and
 * {@code prev_hash}, encodes entries into one batch buffer, writes and forces it, opens and closes
 * segment files and compresses sealed ones in the background. Writer thread only (the compressor
 * runs on its own thread and touches nothing but sealed files).
 */
final class SegmentWriter {
  private static final Logger LOG = LoggerFactory.getLogger(SegmentWriter.class);

  private final RecorderConfig config;
  private final Path dir;
  private final String recorderId;
  private final WriterStatus status;
  private final LineEncoder out = new LineEncoder();
  private final ExecutorService compressor;

  private FileChannel channel;
  private long segFirstSeq;
  private long segBytes;
  private long segCount;
  private long segOpenedNanos;
  private long nextSeq = 1;
  private String lastHash = RecordFormat.GENESIS_HASH;
  private boolean dirty;
  private long lastForceNanos;

  /** Where one entry went. */
  record Appended(long seq, String id, long segment) {}

  SegmentWriter(RecorderConfig config, String recorderId, WriterStatus status) {
    this.config = config;
    this.dir = config.directory();
    this.recorderId = recorderId;
    this.status = status;
    this.compressor = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "vectorgate-recorder-compress");
      t.setDaemon(true);
      return t;
    });
  }

  long nextSeq() {
    return nextSeq;
  }

  String lastHash() {
    return lastHash;
  }

  /** Sets the chain head (recovery). */
  void head(long nextSeq, String lastHash) {
    this.nextSeq = nextSeq;
    this.lastHash = lastHash;
  }

  boolean isOpen() {
    return channel != null;
  }

  /** First seq of the open segment (meaningful while {@link #isOpen()}). */
  long segmentFirstSeq() {
    return segFirstSeq;
  }

  /** Entries in the open segment, including buffered ones. */
  long segmentCount() {
    return segCount;
  }

  boolean dirty() {
    return dirty;
  }

  long lastForceNanos() {
    return lastForceNanos;
  }

  long segmentOpenedNanos() {
    return segOpenedNanos;
  }

  /** True when the open segment has entries and has reached its size limit (buffered bytes included). */
  boolean full() {
    return channel != null && segCount > 0 && segBytes + out.size() >= config.segmentMaxBytes();
  }

  /**
   * Assigns seq/id/prev_hash and streams one entry into the batch buffer ({@link LineEncoder}).
   * Opens a segment when none is open. When the entry cannot be serialized the buffer and the chain
   * are left as they were.
   */
  Appended append(EntryWriter.Entry entry) throws IOException, LineEncoder.EntryEncodingException {
    if (channel == null) {
      openSegment(nextSeq);
    }
    long seq = nextSeq;
    String id = recorderId + "-" + seq;
    lastHash = out.append(entry, seq, id, lastHash);
    nextSeq = seq + 1;
    segCount++;
    return new Appended(seq, id, segFirstSeq);
  }

  private void openSegment(long firstSeq) throws IOException {
    Path p = dir.resolve(RecordFormat.segmentName(firstSeq));
    channel = config.channelFactory().open(p, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE));
    segFirstSeq = firstSeq;
    segBytes = 0;
    segCount = 0;
    segOpenedNanos = System.nanoTime();
    fsyncDir(dir);
  }

  /** Reopens an unsealed segment for append after its last good byte (recovery). */
  void resume(SegmentRef s, long goodBytes, long count) throws IOException {
    channel = config.channelFactory().open(s.path(), Set.of(StandardOpenOption.WRITE));
    channel.position(goodBytes);
    segFirstSeq = s.firstSeq();
    segBytes = goodBytes;
    segCount = count;
    segOpenedNanos = System.nanoTime();
  }

  /** Writes the buffered lines to the open segment. */
  void writeOut() throws IOException {
    if (out.size() == 0) {
      return;
    }
    ByteBuffer b = out.bytes();
    while (b.hasRemaining()) {
      channel.write(b);
    }
    segBytes += out.size();
    out.reset();
    dirty = true;
  }

  boolean hasBuffered() {
    return out.size() > 0;
  }

  /** Forces the open segment's data (and metadata when asked) to disk. */
  void force(boolean metadata) throws IOException {
    channel.force(metadata);
    lastForceNanos = System.nanoTime();
    dirty = false;
  }

  /** Closes the (sealed, forced) open segment and compresses it in the background; returns its path. */
  Path closeSealed() throws IOException {
    Path sealed = dir.resolve(RecordFormat.segmentName(segFirstSeq));
    channel.close();
    channel = null;
    compressor.submit(() -> compress(sealed));
    return sealed;
  }

  /** Drops buffered lines that were never written (after a failure). */
  void discardBuffer() {
    out.reset();
  }

  void closeQuietly() {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ce) {
        LOG.warn("event=recorder_channel_close_failed error=\"{}\"", ce.getMessage(), ce);
      }
      channel = null;
    }
  }

  /** Waits for background compressions to finish (on close). */
  void awaitCompressions() {
    compressor.shutdown();
    try {
      if (!compressor.awaitTermination(5, TimeUnit.MINUTES)) {
        LOG.warn("event=recorder_close_compress_timeout dir=\"{}\"", dir);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  void abortCompressions() {
    compressor.shutdownNow();
  }

  /**
   * Compresses a sealed segment: {@code .jsonl.gz.tmp}, fsync, atomic rename to {@code .jsonl.gz},
   * then the plain file is deleted. Failures are counted and logged; the plain file stays.
   */
  void compress(Path plain) {
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
      fsyncDir(dir);
      Files.deleteIfExists(plain);
    } catch (IOException e) {
      status.failures.increment();
      LOG.error("event=recorder_compress_failed segment={} error=\"{}\"", plain.getFileName(), e.getMessage(), e);
    }
  }

  static void fsyncDir(Path dir) {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException e) {
      // some file systems cannot fsync a directory; the segment data itself is still forced
      LOG.debug("event=recorder_dir_fsync_unsupported dir=\"{}\" error=\"{}\"", dir, e.getMessage());
    }
  }
}
