package io.vectorgate.approvals;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.vectorgate.model.Identity;
import java.time.Instant;
import java.util.List;

/**
 * One approval request and its state. A request is {@code approved} once {@code min_approvals}
 * distinct approvers approved it; the approval then works as a grant: the requester's identical
 * request (same fingerprint) may go through {@code max_uses} times until {@code grant_expires_at}.
 * A held call consumes one use when it is released.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Approval(
    @JsonProperty("id") String id,
    @JsonProperty("status") ApprovalStatus status,
    @JsonProperty("created_at") Instant createdAt,
    @JsonProperty("expires_at") Instant expiresAt,
    @JsonProperty("requester") Identity requester,
    @JsonProperty("connection") String connection,
    @JsonProperty("client_address") String clientAddress,
    @JsonProperty("summary") ApprovalSummary summary,
    @JsonProperty("fingerprint") String fingerprint,
    @JsonProperty("reason") String reason,
    @JsonProperty("approver_groups") List<String> approverGroups,
    @JsonProperty("min_approvals") int minApprovals,
    @JsonProperty("max_uses") int maxUses,
    @JsonProperty("uses") int uses,
    @JsonProperty("grant_expires_at") Instant grantExpiresAt,
    @JsonProperty("resolved_at") Instant resolvedAt,
    @JsonProperty("resolution") String resolution,
    @JsonProperty("decision_id") String decisionId,
    @JsonProperty("revision") String revision,
    @JsonProperty("request_id") String requestId,
    @JsonProperty("votes") List<Vote> votes) {

  public Approval {
    approverGroups = approverGroups == null ? List.of() : List.copyOf(approverGroups);
    votes = votes == null ? List.of() : List.copyOf(votes);
  }

  /** The status as of {@code now}: a pending request past its expiry counts as expired. */
  public ApprovalStatus statusAt(Instant now) {
    return status == ApprovalStatus.PENDING && !now.isBefore(expiresAt) ? ApprovalStatus.EXPIRED : status;
  }

  /** Whether the grant may release one more identical request at {@code now}. */
  public boolean grantUsableAt(Instant now) {
    return status == ApprovalStatus.APPROVED && uses < maxUses && grantExpiresAt != null && now.isBefore(grantExpiresAt);
  }

  /** Distinct approvers who approved. */
  @JsonIgnore
  public List<Vote> approvals() {
    return votes.stream().filter(Vote::approve).toList();
  }
}
