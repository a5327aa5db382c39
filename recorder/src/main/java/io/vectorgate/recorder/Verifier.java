package io.vectorgate.recorder;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorgate.recorder.internal.LineReader;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks a recording's hash chain: every entry's hash, every {@code prev_hash}, seq continuity
 * across segments, seals, segment names, the retention anchor, and optionally the index's view of
 * the chain's end. Reports every problem found (up to {@link #MAX_PROBLEMS}), each with segment file,
 * line and seq; after a problem it resynchronizes on the offending entry so later ones are found too.
 */
public final class Verifier {
  public static final int MAX_PROBLEMS = 100;

  private final Path dir;
  private final List<VerifyReport.Problem> problems = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();
  private long expectedSeq = -1;
  private String expectedPrev;
  private long entries;
  private long firstSeq;
  private long lastSeq;
  private Long latestRetentionFirstKept;

  private Verifier(Path dir) {
    this.dir = dir;
  }

  /** Verifies the recording in {@code dir}. */
  public static VerifyReport verify(Path dir) throws IOException {
    return verify(dir, null);
  }

  /**
   * Verifies the recording in {@code dir}; {@code indexLastSeq} (nullable) is the highest seq the
   * index knows for this recorder, which detects entries removed from the end of the newest segment.
   */
  public static VerifyReport verify(Path dir, Long indexLastSeq) throws IOException {
    Verifier v = new Verifier(dir);
    return v.run(indexLastSeq);
  }

  private VerifyReport run(Long indexLastSeq) throws IOException {
    Anchor anchor = null;
    try {
      anchor = Anchor.read(dir);
    } catch (RecordingCorruptException e) {
      problem(VerifyReport.Kind.ANCHOR_MISMATCH, Anchor.FILE, 0, null, e.getMessage());
    }
    List<SegmentRef> segs = SegmentRef.list(dir);
    for (int i = 0; i < segs.size(); i++) {
      verifySegment(segs.get(i), i == segs.size() - 1, anchor);
    }
    if (anchor != null) {
      if (latestRetentionFirstKept == null) {
        problem(VerifyReport.Kind.ANCHOR_MISMATCH, Anchor.FILE, 0, anchor.firstSeq(),
            "anchor exists but the kept chain has no retention entry recording a removal");
      } else if (anchor.firstSeq() > latestRetentionFirstKept) {
        problem(VerifyReport.Kind.ANCHOR_MISMATCH, Anchor.FILE, 0, anchor.firstSeq(),
            "anchor starts the chain at seq " + anchor.firstSeq() + " but the last retention entry kept seq "
                + latestRetentionFirstKept + " onwards: more was removed than retention recorded");
      }
    }
    if (indexLastSeq != null && indexLastSeq > lastSeq) {
      String seg = segs.isEmpty() ? "-" : segs.get(segs.size() - 1).fileName();
      problem(VerifyReport.Kind.MISSING_TAIL, seg, 0, lastSeq + 1, "the index knows entries up to seq "
          + indexLastSeq + " but the chain ends at seq " + lastSeq + ": entries were removed from the end");
    }
    return new VerifyReport(entries, segs.size(), firstSeq, lastSeq, problems, notes);
  }

  private record Parsed(LineReader.Line line, ObjectNode entry, String error) {}

  private void verifySegment(SegmentRef s, boolean newest, Anchor anchor) throws IOException {
    List<Parsed> lines = new ArrayList<>();
    boolean cutShort = false;
    try (LineReader r = new LineReader(s.open(), RecordFormat.MAX_LINE_BYTES)) {
      LineReader.Line line;
      while ((line = r.next()) != null) {
        ObjectNode e = null;
        String err = null;
        if (line.terminated()) {
          try {
            e = RecordingReader.parse(s, line);
          } catch (RecordingCorruptException ex) {
            err = ex.getMessage();
          }
        }
        lines.add(new Parsed(line, e, err));
      }
    } catch (EOFException e) {
      cutShort = true;
    } catch (IOException e) {
      problem(VerifyReport.Kind.CORRUPT_LINE, s.fileName(), lines.size() + 1, null, "unreadable: " + e.getMessage());
      return;
    }
    long inSegment = 0;
    boolean sealed = false;
    for (int i = 0; i < lines.size(); i++) {
      Parsed p = lines.get(i);
      long lineNo = p.line().number();
      if (!p.line().terminated()) {
        problem(VerifyReport.Kind.TORN_LINE, s.fileName(), lineNo, null, "unterminated last line ("
            + p.line().bytes().length + " bytes): torn write or truncated file"
            + (newest && !s.compressed() ? "; recovery truncates it when the recorder reopens" : ""));
        continue;
      }
      if (p.entry() == null) {
        problem(VerifyReport.Kind.CORRUPT_LINE, s.fileName(), lineNo, null, p.error());
        expectedPrev = null;
        if (expectedSeq > 0) {
          expectedSeq++;
        }
        continue;
      }
      ObjectNode e = p.entry();
      if (sealed) {
        problem(VerifyReport.Kind.SEAL_MISMATCH, s.fileName(), lineNo, seqOf(e), "entry after the segment's seal");
      }
      if (!RecordFormat.FORMAT.equals(e.path(RecordFormat.F_FORMAT).asText())) {
        problem(VerifyReport.Kind.UNKNOWN_FORMAT, s.fileName(), lineNo, seqOf(e),
            "format is `" + e.path(RecordFormat.F_FORMAT).asText() + "`, expected `" + RecordFormat.FORMAT + "`");
      }
      if (!e.path(RecordFormat.F_SEQ).canConvertToLong() || !e.path(RecordFormat.F_HASH).isTextual()
          || !e.path(RecordFormat.F_PREV_HASH).isTextual()) {
        problem(VerifyReport.Kind.CORRUPT_LINE, s.fileName(), lineNo, null,
            "entry lacks an integer `seq` or string `hash`/`prev_hash`");
        expectedPrev = null;
        continue;
      }
      long seq = e.get(RecordFormat.F_SEQ).longValue();
      String hash = e.get(RecordFormat.F_HASH).textValue();
      String prev = e.get(RecordFormat.F_PREV_HASH).textValue();
      if (inSegment == 0 && seq != s.firstSeq()) {
        problem(VerifyReport.Kind.SEGMENT_NAME_MISMATCH, s.fileName(), lineNo, seq,
            "segment is named for seq " + s.firstSeq() + " but starts with seq " + seq);
      }
      if (expectedSeq < 0) {
        startChain(s, lineNo, seq, prev, anchor);
      }
      boolean reported = false;
      if (seq != expectedSeq) {
        if (seq < expectedSeq) {
          problem(VerifyReport.Kind.OUT_OF_ORDER, s.fileName(), lineNo, seq,
              "seq " + seq + " appears where seq " + expectedSeq + " was expected: entries reordered or duplicated");
        } else if (appearsLater(lines, i + 1, expectedSeq)) {
          problem(VerifyReport.Kind.OUT_OF_ORDER, s.fileName(), lineNo, seq,
              "seq " + seq + " comes before seq " + expectedSeq + ", which appears later in the segment: entries reordered");
        } else {
          problem(VerifyReport.Kind.SEQ_GAP, s.fileName(), lineNo, seq, "seq " + expectedSeq
              + (seq - 1 > expectedSeq ? ".." + (seq - 1) : "") + " missing before this entry: entries deleted");
        }
        reported = true;
      }
      if (!reported && !hash.equals(RecordFormat.expectedHash(e))) {
        problem(VerifyReport.Kind.HASH_MISMATCH, s.fileName(), lineNo, seq,
            "content does not match its hash: the entry was edited");
        reported = true;
      }
      if (!reported && expectedPrev != null && !prev.equals(expectedPrev)) {
        problem(VerifyReport.Kind.CHAIN_BREAK, s.fileName(), lineNo, seq, "prev_hash does not match the hash of seq "
            + (seq - 1) + ": that entry was altered or replaced");
      }
      if (RecordFormat.KIND_SEAL.equals(e.path(RecordFormat.F_KIND).asText())) {
        sealed = true;
        if (e.path("count").asLong(-1) != inSegment) {
          problem(VerifyReport.Kind.SEAL_MISMATCH, s.fileName(), lineNo, seq, "seal counts " + e.path("count").asText()
              + " entries but the segment has " + inSegment + " before it");
        } else if (!prev.equals(e.path("last_hash").asText())) {
          problem(VerifyReport.Kind.SEAL_MISMATCH, s.fileName(), lineNo, seq, "seal's last_hash differs from its prev_hash");
        }
      }
      if (RecordFormat.KIND_RETENTION.equals(e.path(RecordFormat.F_KIND).asText())
          && e.path("first_kept_seq").canConvertToLong()) {
        latestRetentionFirstKept = e.get("first_kept_seq").longValue();
      }
      if (entries == 0) {
        firstSeq = seq;
      }
      entries++;
      inSegment++;
      lastSeq = Math.max(lastSeq, seq);
      expectedSeq = seq + 1;
      expectedPrev = hash;
    }
    long lastLine = lines.isEmpty() ? 0 : lines.get(lines.size() - 1).line().number();
    if (cutShort) {
      problem(VerifyReport.Kind.MISSING_SEAL, s.fileName(), lastLine + 1, null,
          "compressed segment is cut short after line " + lastLine + ": the file was truncated");
    } else if (!sealed && (!newest || s.compressed())) {
      problem(VerifyReport.Kind.MISSING_SEAL, s.fileName(), lastLine, null, "segment ends after line " + lastLine
          + " without a seal: entries were removed from its end (or the file was truncated)");
    } else if (!sealed) {
      notes.add(s.fileName() + " is the open segment (no seal yet)");
    }
  }

  private void startChain(SegmentRef s, long lineNo, long seq, String prev, Anchor anchor) {
    expectedSeq = seq;
    if (seq == 1) {
      expectedPrev = RecordFormat.GENESIS_HASH;
    } else if (anchor != null && anchor.firstSeq() == seq) {
      expectedPrev = anchor.prevHash();
      notes.add("chain starts at seq " + seq + " (anchor.json after retention)");
      if (!prev.equals(anchor.prevHash())) {
        problem(VerifyReport.Kind.ANCHOR_MISMATCH, s.fileName(), lineNo, seq,
            "first kept entry's prev_hash differs from the anchor's prev_hash");
      }
    } else if (anchor != null && anchor.firstSeq() > seq) {
      expectedPrev = prev;
      notes.add("segments before the anchor's seq " + anchor.firstSeq() + " are still present (retention was interrupted)");
    } else if (anchor != null) {
      expectedSeq = anchor.firstSeq();
      expectedPrev = anchor.prevHash();
    } else {
      problem(VerifyReport.Kind.MISSING_ANCHOR, s.fileName(), lineNo, seq,
          "chain starts at seq " + seq + " without an anchor: seq 1.." + (seq - 1) + " missing (segments removed outside retention)");
      expectedPrev = prev;
    }
  }

  private static boolean appearsLater(List<Parsed> lines, int from, long seq) {
    for (int j = from; j < lines.size(); j++) {
      ObjectNode e = lines.get(j).entry();
      if (e != null && e.path(RecordFormat.F_SEQ).asLong(-1) == seq) {
        return true;
      }
    }
    return false;
  }

  private static Long seqOf(ObjectNode e) {
    return e.path(RecordFormat.F_SEQ).canConvertToLong() ? e.get(RecordFormat.F_SEQ).longValue() : null;
  }

  private void problem(VerifyReport.Kind kind, String segment, long line, Long seq, String message) {
    if (problems.size() < MAX_PROBLEMS) {
      problems.add(new VerifyReport.Problem(kind, segment, line, seq, message));
    }
  }
}
