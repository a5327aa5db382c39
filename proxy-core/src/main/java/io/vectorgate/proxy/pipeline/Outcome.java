package io.vectorgate.proxy.pipeline;

import io.vectorgate.model.Decision;
import io.vectorgate.model.PolicyInput;

/** What the pipeline decided for one request: forward it (with the decision's obligations) or deny it. */
public sealed interface Outcome {
  PolicyInput input();

  Decision decision();

  /**
   * Forward after applying {@code decision().obligations()}; {@code approvalId} is the approval
   * that released the request, or null.
   */
  record Forward(PolicyInput input, Decision decision, String approvalId) implements Outcome {
    public Forward(PolicyInput input, Decision decision) {
      this(input, decision, null);
    }
  }

  /** Refuse; {@code message} is what the client sees. */
  record Deny(PolicyInput input, Decision decision, String message) implements Outcome {}
}
