package io.vectorgate.recorder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorgate.recorder.internal.LineReader;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the head of the chain on disk at open (and when a failed writer retries): truncates a torn
 * last line of the open segment, reopens an unsealed segment for append, finishes interrupted
 * compressions and prepares the {@code recovery} entry that notes an unclean stop in the chain.
 */
final class Recovery {
  private static final Logger LOG = LoggerFactory.getLogger(Recovery.class);

  private final RecorderConfig config;
  private final Path dir;
  private final SegmentWriter segments;

  Recovery(RecorderConfig config, SegmentWriter segments) {
    this.config = config;
    this.dir = config.directory();
    this.segments = segments;
  }

  /**
   * Establishes the chain head from disk and, for an unsealed last segment, reopens it for append.
   * Returns the {@code recovery} entry to write first (without {@code reason} for a write-failure
   * retry to fill in), or null after a clean close.
   */
  ObjectNode recoverHead() throws IOException {
    segments.closeQuietly();
    ObjectNode note = null;
    cleanupInterruptedCompressions();
    List<SegmentRef> list = SegmentRef.list(dir);
    segments.head(1, RecordFormat.GENESIS_HASH);
    for (int i = list.size() - 1; i >= 0; i--) {
      SegmentRef s = list.get(i);
      if (s.compressed()) {
        ObjectNode last = lastEntryOfSealed(s);
        segments.head(last.get(RecordFormat.F_SEQ).longValue() + 1, last.get(RecordFormat.F_HASH).textValue());
        note = noteIfUnclean(last, s, 0);
        break;
      }
      ScanResult scan = scanPlain(s);
      if (scan.lastEntry == null) {
        Files.delete(s.path());
        LOG.warn("event=recorder_empty_segment_removed segment={}", s.fileName());
        continue;
      }
      segments.head(scan.lastEntry.get(RecordFormat.F_SEQ).longValue() + 1,
          scan.lastEntry.get(RecordFormat.F_HASH).textValue());
      if (RecordFormat.KIND_SEAL.equals(scan.lastEntry.path(RecordFormat.F_KIND).asText())) {
        if (scan.tornBytes > 0) {
          truncate(s.path(), scan.goodBytes);
        }
        note = noteIfUnclean(scan.lastEntry, s, scan.tornBytes);
        // synchronously: the index catch-up that follows reads the segment files, and must not race a
        // compression that replaces `.jsonl` with `.jsonl.gz` under it
        segments.compress(s.path());
        break;
      }
      // unsealed: the previous run stopped without closing (crash, kill, disk failure)
      if (scan.tornBytes > 0) {
        truncate(s.path(), scan.goodBytes);
      }
      segments.resume(s, scan.goodBytes, scan.count);
      note = EntryWriter.newEntry(RecordFormat.KIND_RECOVERY, config.clock().instant());
      note.put("segment", s.fileName());
      note.put("reason", "unclean_shutdown");
      note.put("truncated_bytes", scan.tornBytes);
      if (scan.tornBytes > 0) {
        note.put("truncated_line", scan.count + 1);
      }
      LOG.warn("event=recorder_recovered segment={} entries={} truncated_bytes={} next_seq={}", s.fileName(),
          scan.count, scan.tornBytes, segments.nextSeq());
      break;
    }
    // older sealed-but-uncompressed segments (a crash between sealing and compressing)
    for (int i = 0; i < list.size() - 1; i++) {
      SegmentRef s = list.get(i);
      if (!s.compressed() && Files.exists(s.path()) && isSealedPlain(s)) {
        segments.compress(s.path()); // synchronously, as above
      }
    }
    return note;
  }

  /** After a seal that was not written by close(), the previous run stopped uncleanly: note it in the chain. */
  private ObjectNode noteIfUnclean(ObjectNode lastSeal, SegmentRef s, long tornBytes) {
    if (Recorder.SEAL_CLOSE.equals(lastSeal.path("reason").asText())) {
      return null;
    }
    ObjectNode note = EntryWriter.newEntry(RecordFormat.KIND_RECOVERY, config.clock().instant());
    note.put("segment", s.fileName());
    note.put("reason", "unclean_shutdown");
    note.put("truncated_bytes", tornBytes);
    LOG.warn("event=recorder_recovered segment={} after=seal truncated_bytes={} next_seq={}", s.fileName(), tornBytes,
        segments.nextSeq());
    return note;
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
      return RecordFormat.KIND_SEAL.equals(RecordFormat.mapper().readTree(last).path(RecordFormat.F_KIND).asText());
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

  private static ObjectNode lastEntryOfSealed(SegmentRef s) throws IOException {
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

  /** The first entry of a segment (retention reads the first kept one). */
  static ObjectNode firstEntry(SegmentRef s) throws IOException {
    try (LineReader r = new LineReader(s.open(), RecordFormat.MAX_LINE_BYTES)) {
      LineReader.Line line = r.next();
      if (line == null || !line.terminated()) {
        throw new RecordingCorruptException(s.fileName() + ": no complete first line", null);
      }
      return parseEntry(line.bytes(), s, 1);
    }
  }

  private static final class ScanResult {
    ObjectNode lastEntry;
    long goodBytes;
    long tornBytes;
    long count;
  }

  /** Scans the open segment: every line but a torn last one must parse, hash and chain. */
  private static ScanResult scanPlain(SegmentRef s) throws IOException {
    ScanResult res = new ScanResult();
    long size = Files.size(s.path());
    String prevHash = null;
    long prevSeq = -1;
    try (LineReader r = new LineReader(Files.newInputStream(s.path()), RecordFormat.MAX_LINE_BYTES)) {
      LineReader.Line line;
      while ((line = r.next()) != null) {
        boolean isLast = line.offset() + line.bytes().length + (line.terminated() ? 1 : 0) >= size;
        ObjectNode e = null;
        String problem = null;
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

  /** Parses one stored line; a line that is not a record entry is a {@link RecordingCorruptException} naming file:line. */
  static ObjectNode parseEntry(byte[] bytes, SegmentRef s, long lineNo) throws RecordingCorruptException {
    JsonNode n;
    try {
      n = RecordFormat.mapper().readTree(bytes);
    } catch (IOException e) {
      throw new RecordingCorruptException(s.fileName() + " line " + lineNo + ": not valid JSON: " + e.getMessage(), e);
    }
    if (!(n instanceof ObjectNode o) || !o.path(RecordFormat.F_SEQ).canConvertToLong()
        || !o.path(RecordFormat.F_HASH).isTextual()) {
      throw new RecordingCorruptException(s.fileName() + " line " + lineNo + ": not a record entry (needs `seq` and `hash`)", null);
    }
    return o;
  }
}
