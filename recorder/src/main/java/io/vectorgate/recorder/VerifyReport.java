package io.vectorgate.recorder;

import java.util.List;

/**
 * The result of {@link Verifier#verify}: entries and segments checked, the seq range found, the
 * problems in file order (the first one is the first tampered, missing or reordered entry) and
 * notes that are not problems (e.g. the chain starts at an anchor after retention).
 */
public record VerifyReport(long entries, int segments, long firstSeq, long lastSeq, List<Problem> problems,
    List<String> notes) {

  public VerifyReport {
    problems = List.copyOf(problems);
    notes = List.copyOf(notes);
  }

  public boolean ok() {
    return problems.isEmpty();
  }

  /** The first problem, or null when the chain verified. */
  public Problem firstProblem() {
    return problems.isEmpty() ? null : problems.get(0);
  }

  /** What can be wrong. */
  public enum Kind {
    /** The entry's content does not match its {@code hash}: it was edited. */
    HASH_MISMATCH,
    /** The entry's {@code prev_hash} is not the previous entry's hash: the previous entry was replaced or edited with a recomputed hash. */
    CHAIN_BREAK,
    /** Seqs are missing before this entry: entries were deleted. */
    SEQ_GAP,
    /** The entry is out of seq order: entries were reordered (or duplicated). */
    OUT_OF_ORDER,
    /** The line is not a JSON object (edited or corrupted bytes). */
    CORRUPT_LINE,
    /** The line has no terminating newline: a torn write or a truncated file. */
    TORN_LINE,
    /** A segment ends without a seal (it was truncated), or a compressed segment is cut short. */
    MISSING_SEAL,
    /** The seal's count or last hash does not match the segment, or entries follow a seal. */
    SEAL_MISMATCH,
    /** The segment file's name does not match its first entry's seq (renamed or replaced file). */
    SEGMENT_NAME_MISMATCH,
    /** The line's {@code format} is not {@code vectorgate-record/v1}. */
    UNKNOWN_FORMAT,
    /** The chain does not start at seq 1 and there is no anchor: segments were removed outside retention. */
    MISSING_ANCHOR,
    /** The anchor is malformed, disagrees with the first kept entry, or claims more was removed than the chain's last retention entry. */
    ANCHOR_MISMATCH,
    /** The index knows entries beyond the end of the chain: entries were removed from the end. */
    MISSING_TAIL
  }

  /** One problem: what, where (segment file, 1-based line), the seq if known, and a sentence. */
  public record Problem(Kind kind, String segment, long line, Long seq, String message) {
    @Override
    public String toString() {
      return kind + " " + segment + ":" + line + (seq == null ? "" : " seq " + seq) + ": " + message;
    }
  }
}
