package io.vectorgate.approvals;

import java.time.Instant;

/**
 * One transition of an approval request, for the session log: {@code kind} is what happened,
 * {@code actor} who did it (the requester, an approver, or {@code system}), {@code detail} a
 * comment, a rejection reason or why an action was refused.
 */
public record ApprovalEvent(Kind kind, String approvalId, Instant at, String actor, ApprovalStatus status, String detail) {
  /** Transitions and refused attempts. */
  public enum Kind {
    /** The request was created and is pending. */
    CREATED,
    /** One approver approved; more approvals are needed. */
    VOTED,
    /** Enough approvals: approved, the grant is usable. */
    APPROVED,
    /** An approver rejected it. */
    REJECTED,
    /** It expired while pending. */
    EXPIRED,
    /** A held or repeated identical request was released under the grant (one use). */
    USED,
    /** An approver action was refused (self-approval, wrong group, twice, after expiry...). */
    REFUSED;

    public String wire() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }
}
