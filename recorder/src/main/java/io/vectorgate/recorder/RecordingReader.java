package io.vectorgate.recorder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorgate.recorder.internal.LineReader;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * Iterates the entries of a recording across its segments (plain or gzip), in seq order. Reading
 * does not check hashes (that is {@link Verifier}); a line that is not a JSON object with an integer {@code seq} and a string {@code hash}, a torn line or
 * a truncated compressed segment fails with {@link RecordingCorruptException} naming file and line.
 */
public final class RecordingReader {
  /** Receives entries; return false to stop. */
  @FunctionalInterface
  public interface Visitor {
    boolean visit(StoredEntry entry) throws IOException;
  }

  private final Path dir;

  public RecordingReader(Path dir) {
    this.dir = dir;
  }

  public List<SegmentRef> segments() throws IOException {
    return SegmentRef.list(dir);
  }

  /** Visits every entry of every segment. A torn last line of the newest (open) segment is skipped. */
  public void forEach(Visitor v) throws IOException {
    forEach(null, v);
  }

  /** Visits entries of the segments whose first seq is in {@code segmentFirstSeqs} (all when null). */
  public void forEach(Set<Long> segmentFirstSeqs, Visitor v) throws IOException {
    List<SegmentRef> segs = segments();
    for (int i = 0; i < segs.size(); i++) {
      SegmentRef s = segs.get(i);
      if (segmentFirstSeqs != null && !segmentFirstSeqs.contains(s.firstSeq())) {
        continue;
      }
      boolean newest = i == segs.size() - 1;
      if (!readSegment(s, newest, v)) {
        return;
      }
    }
  }

  private boolean readSegment(SegmentRef s, boolean newest, Visitor v) throws IOException {
    try (LineReader r = new LineReader(s.open(), RecordFormat.MAX_LINE_BYTES)) {
      LineReader.Line line;
      while ((line = r.next()) != null) {
        if (!line.terminated()) {
          if (newest && !s.compressed()) {
            return true; // being written, or torn by a crash: recovery truncates it
          }
          throw new RecordingCorruptException(s.fileName() + " line " + line.number() + ": torn (unterminated) line", null);
        }
        ObjectNode e = parse(s, line);
        if (!v.visit(new StoredEntry(s, line.number(), e, line.bytes()))) {
          return false;
        }
      }
    } catch (EOFException e) {
      throw new RecordingCorruptException(s.fileName() + ": compressed segment is truncated", e);
    }
    return true;
  }

  static ObjectNode parse(SegmentRef s, LineReader.Line line) throws RecordingCorruptException {
    JsonNode n;
    try {
      n = RecordFormat.mapper().readTree(line.bytes());
    } catch (IOException e) {
      throw new RecordingCorruptException(s.fileName() + " line " + line.number() + ": not valid JSON: "
          + e.getMessage(), e);
    }
    if (!(n instanceof ObjectNode o)) {
      throw new RecordingCorruptException(s.fileName() + " line " + line.number() + ": not a JSON object", null);
    }
    if (!o.path(RecordFormat.F_SEQ).isIntegralNumber() || !o.path(RecordFormat.F_SEQ).canConvertToLong()
        || !o.path(RecordFormat.F_HASH).isTextual()) {
      throw new RecordingCorruptException(s.fileName() + " line " + line.number()
          + ": not a record entry (needs an integer `seq` and a string `hash`)", null);
    }
    return o;
  }
}
