package io.vectorgate.approvals;

import io.vectorgate.model.Identity;
import java.util.List;
import java.util.Objects;

/**
 * What the gateway knows when a decision requires approval: who asked, through which connection
 * and from where, what the request does, the fingerprint of its exact bytes and the policy's
 * requirement (reason, approver groups, minimum approvals, expiry).
 */
public record NewApproval(
    Identity requester,
    String connection,
    String clientAddress,
    ApprovalSummary summary,
    String fingerprint,
    String reason,
    List<String> approverGroups,
    int minApprovals,
    long expiresInSeconds,
    String decisionId,
    String revision,
    String requestId) {
  public NewApproval {
    Objects.requireNonNull(requester, "requester");
    Objects.requireNonNull(connection, "connection");
    Objects.requireNonNull(summary, "summary");
    Objects.requireNonNull(fingerprint, "fingerprint");
    approverGroups = approverGroups == null ? List.of() : List.copyOf(approverGroups);
    if (minApprovals < 1) {
      throw new IllegalArgumentException("minApprovals must be >= 1, was " + minApprovals);
    }
    if (expiresInSeconds < 1) {
      throw new IllegalArgumentException("expiresInSeconds must be >= 1, was " + expiresInSeconds);
    }
  }
}
