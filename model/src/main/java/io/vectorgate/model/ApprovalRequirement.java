package io.vectorgate.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * Hold the request until {@code minApprovals} distinct members of any of {@code approverGroups}
 * (never the requester) approve it, within {@code expiresInSeconds}.
 */
public record ApprovalRequirement(
    @JsonProperty("reason") String reason,
    @JsonProperty("approver_groups") List<String> approverGroups,
    @JsonProperty("min_approvals") int minApprovals,
    @JsonProperty("expires_in_seconds") long expiresInSeconds) {
  public ApprovalRequirement {
    approverGroups = approverGroups == null ? List.of() : List.copyOf(approverGroups);
    minApprovals = Math.max(1, minApprovals);
    expiresInSeconds = expiresInSeconds <= 0 ? 3600 : expiresInSeconds;
  }
}
