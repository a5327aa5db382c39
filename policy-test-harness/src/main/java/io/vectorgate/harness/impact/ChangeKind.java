package io.vectorgate.harness.impact;

import java.util.Locale;

/** How a request's decision changes from the baseline to the candidate policy. */
public enum ChangeKind {
  /** Allowed by the baseline, denied by the candidate. */
  NEWLY_DENIED,
  /** Denied by the baseline, allowed by the candidate. */
  NEWLY_ALLOWED,
  /** Allowed by both, with different obligations (masks, vector stripping, row filter, cap, approval, audit). */
  OBLIGATIONS_CHANGED,
  /** Same allow/deny and obligations, different reason codes. */
  REASONS_CHANGED;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static ChangeKind fromWireName(String s) {
    for (ChangeKind k : values()) {
      if (k.wireName().equals(s)) {
        return k;
      }
    }
    return null;
  }
}
