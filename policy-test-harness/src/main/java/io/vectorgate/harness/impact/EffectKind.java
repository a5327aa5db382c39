package io.vectorgate.harness.impact;

import java.util.Locale;

/**
 * What an obligations change does to one recorded request, found by replaying the adapter's request
 * obligations on the recorded request and its response rewrite on the recorded response with the
 * baseline's and the candidate's obligations ({@link Effect}). These refine a
 * {@link ChangeKind#OBLIGATIONS_CHANGED} change; they are not change kinds of their own, so
 * expectations files (which match change kinds and obligations) keep their meaning.
 */
public enum EffectKind {
  /** The forwarded request asks the database with another filter (row filter added or changed). */
  FORWARD_ROW_FILTER,
  /** The forwarded request asks for another number of rows (limit clamped or set). */
  FORWARD_LIMIT,
  /** The forwarded request asks for other fields (output fields dropped, vectors no longer requested). */
  FORWARD_FIELDS,
  /** The forwarded request differs otherwise (JSON pointers in the detail). */
  FORWARD_OTHER,
  /** The client would get a different number of rows cut to the cap. */
  RESPONSE_ROWS_CUT,
  /** The client would get a different number of rows dropped as outside the row filter. */
  RESPONSE_ROWS_FILTERED,
  /** The client would get a different number of masked values. */
  RESPONSE_VALUES_MASKED,
  /** The client would get a different number of vectors stripped. */
  RESPONSE_VECTORS_STRIPPED,
  /**
   * The client's response differs (JSON pointers in the detail), alongside the counted effects above;
   * the one effect for what no counter covers (e.g. values the Milvus rewrite masks, which it does not count).
   */
  RESPONSE_CHANGED,
  /** The recording cannot show the response side (the detail names why: {@code payload_not_recorded}, …). */
  RESPONSE_NOT_REPLAYED,
  /** The adapter cannot apply one side's obligations to this request: the gateway would deny or refuse it. */
  OBLIGATION_UNENFORCEABLE;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
