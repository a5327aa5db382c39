package io.vectorgate.proxy.pipeline;

import io.vectorgate.model.Decision;
import io.vectorgate.model.PolicyInput;
import io.vectorgate.model.Reason;

/**
 * Where a request whose decision requires approval is held. The approvals feature plugs in here;
 * until it exists {@link #DENY} refuses every such request with reason {@code approval_required}.
 */
@FunctionalInterface
public interface ApprovalGate {
  /** Denies every request that needs approval. */
  ApprovalGate DENY = (input, decision) -> new Verdict.Refused(new Reason("approval_required",
      "this request needs approval (" + decision.obligations().approval().reason() + "; approvers: "
          + String.join(", ", decision.obligations().approval().approverGroups())
          + ") and this gateway has no approval workflow yet"));

  /** Decides whether an allowed request that requires approval may go ahead now. */
  Verdict check(PolicyInput input, Decision decision);

  /** The gate's answer. */
  sealed interface Verdict {
    /** Approved: forward the request. */
    record Approved(String approvalId) implements Verdict {}

    /** Not (yet) approved: refuse with this reason. */
    record Refused(Reason reason) implements Verdict {}
  }
}
