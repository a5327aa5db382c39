package io.vectorgate.approvals;

import io.vectorgate.approvals.ApprovalException.Code;
import java.time.Instant;

/**
 * Who may approve or reject what, as pure checks (the store runs them inside the transaction that
 * writes the vote, so concurrent answers see each other):
 * the request must be pending and not expired; the approver must hold one of its approver groups,
 * must not be the requester, and answers once.
 */
public final class ApprovalRules {
  private ApprovalRules() {}

  /** Throws the reason {@code approver} may not answer {@code a} at {@code now}. */
  public static void checkMayAnswer(Approval a, Approver approver, Instant now) {
    ApprovalStatus s = a.statusAt(now);
    if (s == ApprovalStatus.EXPIRED) {
      throw new ApprovalException(Code.EXPIRED, "approval " + a.id() + " expired at " + a.expiresAt());
    }
    if (s != ApprovalStatus.PENDING) {
      throw new ApprovalException(Code.NOT_PENDING, "approval " + a.id() + " is already " + s.wire());
    }
    if (approver.subject().equals(a.requester().subject())) {
      throw new ApprovalException(Code.SELF_APPROVAL, "`" + approver.subject()
          + "` requested approval " + a.id() + " and cannot answer it");
    }
    if (!holdsApproverGroup(a, approver)) {
      throw new ApprovalException(Code.NOT_AN_APPROVER, "`" + approver.subject() + "` is in none of the approver groups "
          + a.approverGroups() + " of approval " + a.id());
    }
    for (Vote v : a.votes()) {
      if (v.approver().equals(approver.subject())) {
        throw new ApprovalException(Code.ALREADY_VOTED, "`" + approver.subject() + "` already "
            + (v.approve() ? "approved" : "rejected") + " approval " + a.id());
      }
    }
  }

  /**
   * Whether {@code who} may see {@code a} (admin API and dashboard alike): they hold one of its
   * approver groups, requested it, or are in one of {@code readAllGroups} (admins, auditors).
   */
  public static boolean maySee(Approval a, Approver who, java.util.Set<String> readAllGroups) {
    return holdsApproverGroup(a, who) || a.requester().subject().equals(who.subject())
        || who.groups().stream().anyMatch(readAllGroups::contains);
  }

  /** Whether the approver is in one of the request's approver groups. */
  public static boolean holdsApproverGroup(Approval a, Approver approver) {
    return a.approverGroups().stream().anyMatch(approver.groups()::contains);
  }
}
