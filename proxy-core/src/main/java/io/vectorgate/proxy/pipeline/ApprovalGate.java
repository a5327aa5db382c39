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

  /**
   * As {@link #check(PolicyInput, Decision)}, with what a holding gate needs from the transport:
   * the exact request bytes (their fingerprint is what gets approved), the client's deadline and
   * whether the client gave up. The default ignores them.
   */
  default Verdict check(PolicyInput input, Decision decision, Hold hold) {
    return check(input, decision);
  }

  /**
   * Re-checks an approved request against {@code decision}, the decision of the policy active
   * now (the request may have waited): the default accepts it.
   */
  default Verdict recheck(String approvalId, PolicyInput input, Decision decision) {
    return new Verdict.Approved(approvalId);
  }

  /**
   * Transport facts for holding a request: {@code method} (the gRPC method, or the HTTP method),
   * the exact serialized request (gRPC message bytes, or the HTTP body exactly as the client sent
   * it), the client's deadline (null: none), a cancellation probe and, for HTTP, {@code target}:
   * the normalized request-target (path and query). The fingerprint an approval is bound to covers
   * all of them, so a different method, target or body never rides on another request's approval.
   */
  record Hold(String method, byte[] requestBytes, java.time.Instant deadline,
      java.util.function.BooleanSupplier cancelled, String target) {
    /** Nothing known: no bytes, no deadline, never cancelled. */
    public static final Hold NONE = new Hold(null, null, null, () -> false, null);

    public Hold {
      cancelled = cancelled == null ? () -> false : cancelled;
    }

    /** A gRPC call: method, message bytes, deadline, cancellation. */
    public Hold(String method, byte[] requestBytes, java.time.Instant deadline,
        java.util.function.BooleanSupplier cancelled) {
      this(method, requestBytes, deadline, cancelled, null);
    }

    /**
     * An HTTP request: method, normalized target (path and query), the body bytes as sent (empty
     * when none), deadline (null: none), cancellation (the client connection or stream closed).
     */
    public static Hold http(String method, String target, byte[] body, java.time.Instant deadline,
        java.util.function.BooleanSupplier cancelled) {
      java.util.Objects.requireNonNull(method, "method");
      java.util.Objects.requireNonNull(target, "target");
      return new Hold(method, body == null ? new byte[0] : body, deadline, cancelled, target);
    }

    /** True for an HTTP request ({@link #http}). */
    public boolean isHttp() {
      return target != null;
    }
  }

  /** The gate's answer. */
  sealed interface Verdict {
    /** Approved: forward the request. */
    record Approved(String approvalId) implements Verdict {}

    /** Not (yet) approved: refuse with this reason. */
    record Refused(Reason reason) implements Verdict {}
  }
}
