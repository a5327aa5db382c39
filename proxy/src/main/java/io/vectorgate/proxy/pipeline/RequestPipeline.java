package io.vectorgate.proxy.pipeline;

import io.vectorgate.engine.DecisionEngine;
import io.vectorgate.model.Connection;
import io.vectorgate.model.Decision;
import io.vectorgate.model.Identity;
import io.vectorgate.model.Operation;
import io.vectorgate.model.PolicyInput;
import io.vectorgate.model.Reason;
import io.vectorgate.model.RequestContext;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The protocol-agnostic decision step every listener runs: identity + connection + operation +
 * context (with the caller's usage) → {@link DecisionEngine} → approval hook → {@link Outcome}.
 * Never throws for an engine fault: that is a fail-closed deny.
 */
public final class RequestPipeline {
  private static final Logger LOG = LoggerFactory.getLogger(RequestPipeline.class);

  private final DecisionEngine engine;
  private final ApprovalGate approvals;
  private final UsageTracker usage;
  private final GatewayMetrics metrics;
  private final Clock policyClock;

  /**
   * @param policyClock the clock whose time goes into {@code context.time} (the system clock in
   *     production)
   */
  public RequestPipeline(DecisionEngine engine, ApprovalGate approvals, UsageTracker usage,
      GatewayMetrics metrics, Clock policyClock) {
    this.engine = engine;
    this.approvals = approvals;
    this.usage = usage;
    this.metrics = metrics;
    this.policyClock = policyClock;
  }

  /** Decides one request. */
  public Outcome decide(Identity identity, Connection connection, Operation operation, RequestMeta meta) {
    return decide(identity, connection, operation, meta, ApprovalGate.Hold.NONE);
  }

  /**
   * Decides one request; {@code hold} gives the approval gate the exact request bytes and the
   * client's deadline. A request released by an approval is decided again with the policy active
   * then, and the gate re-checks the approval against that decision.
   */
  public Outcome decide(Identity identity, Connection connection, Operation operation, RequestMeta meta,
      ApprovalGate.Hold hold) {
    return decide(identity, connection, operation, meta, () -> hold);
  }

  /**
   * As above, with the hold built only when the decision requires approval (building it may copy
   * the whole request, e.g. serialize an insert): {@code hold} is called at most once, on this
   * thread, before this method returns.
   */
  public Outcome decide(Identity identity, Connection connection, Operation operation, RequestMeta meta,
      java.util.function.Supplier<ApprovalGate.Hold> hold) {
    Instant now = policyClock.instant();
    long nanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
    io.vectorgate.model.Usage soFar;
    try {
      soFar = usage.usage(identity.subject());
    } catch (UsageTracker.UsageUnavailableException e) {
      // budgets cannot be checked within their tolerance: fail closed (the budget is shared state)
      LOG.error("event=usage_unavailable request_id={} error={}", meta.requestId(), e.toString(), e);
      PolicyInput unchecked = PolicyInput.of(identity, connection, operation,
          new RequestContext(now.toString(), nanos, meta.clientAddress(), meta.requestId(), io.vectorgate.model.Usage.NONE));
      Decision d = Decision.deny("usage_unavailable", "the shared usage budget store is unavailable")
          .withIdentity(UUID.randomUUID().toString(), null);
      metrics.count("denied");
      metrics.count("usage_unavailable");
      return new Outcome.Deny(unchecked, d, DenyMessages.format(d));
    }
    RequestContext ctx = new RequestContext(now.toString(), nanos, meta.clientAddress(), meta.requestId(), soFar);
    usage.recordRequest(identity.subject());
    PolicyInput input = PolicyInput.of(identity, connection, operation, ctx);
    Decision decision;
    try {
      decision = engine.decide(input);
      if (decision == null) {
        decision = Decision.deny("engine_error", "the decision engine returned no decision");
      }
    } catch (RuntimeException e) {
      LOG.error("event=engine_error request_id={} error={}", meta.requestId(), e.toString(), e);
      decision = Decision.deny("engine_error", "the decision engine failed: " + e.getClass().getSimpleName());
    }
    if (decision.decisionId() == null) {
      decision = decision.withIdentity(UUID.randomUUID().toString(), decision.revision());
    }
    if (!decision.allow()) {
      metrics.count("denied");
      return new Outcome.Deny(input, decision, DenyMessages.format(input, decision));
    }
    String approvalId = null;
    if (decision.requiresApproval()) {
      ApprovalGate.Verdict verdict;
      try {
        verdict = approvals.check(input, decision, hold.get());
        if (verdict instanceof ApprovalGate.Verdict.Approved approved) {
          Decision before = decision;
          input = recheckInput(input);
          decision = decideAgain(input, meta);
          if (!decision.allow()) {
            metrics.count("denied_after_approval");
            LOG.info("event=denied_after_approval request_id={} approval_id={} revision_before={} revision_now={}",
                meta.requestId(), approved.approvalId(), before.revision(), decision.revision());
            return new Outcome.Deny(input, decision, DenyMessages.format(input, decision));
          }
          verdict = approvals.recheck(approved.approvalId(), input, decision);
        }
      } catch (RuntimeException e) {
        LOG.error("event=approval_gate_error request_id={} error={}", meta.requestId(), e.toString(), e);
        verdict = new ApprovalGate.Verdict.Refused(new Reason("approval_error", "the approval gate failed"));
      }
      if (verdict instanceof ApprovalGate.Verdict.Refused refused) {
        metrics.count("approval_required");
        Decision held = new Decision(false, List.of(refused.reason()), decision.obligations(),
            decision.decisionId(), decision.revision());
        return new Outcome.Deny(input, held, DenyMessages.format(input, held));
      }
      if (verdict instanceof ApprovalGate.Verdict.Approved approved) {
        approvalId = approved.approvalId();
      }
    }
    metrics.count("allowed");
    return new Outcome.Forward(input, decision, approvalId);
  }

  /** The same input with the current time (usage stays as it was when the request arrived). */
  private PolicyInput recheckInput(PolicyInput input) {
    Instant now = policyClock.instant();
    RequestContext c = input.context();
    RequestContext fresh = new RequestContext(now.toString(), now.getEpochSecond() * 1_000_000_000L + now.getNano(),
        c.clientAddress(), c.requestId(), c.usage());
    return PolicyInput.of(input.identity(), input.connection(), input.operation(), fresh);
  }

  private Decision decideAgain(PolicyInput input, RequestMeta meta) {
    Decision d;
    try {
      d = engine.decide(input);
      if (d == null) {
        d = Decision.deny("engine_error", "the decision engine returned no decision");
      }
    } catch (RuntimeException e) {
      LOG.error("event=engine_error request_id={} phase=approval_recheck error={}", meta.requestId(), e.toString(), e);
      d = Decision.deny("engine_error", "the decision engine failed: " + e.getClass().getSimpleName());
    }
    return d.decisionId() == null ? d.withIdentity(UUID.randomUUID().toString(), d.revision()) : d;
  }

  /** Counts what a forwarded request returned for its caller's budgets. */
  public void recordResult(Identity identity, long rows, long vectors, boolean page) {
    usage.recordResult(identity.subject(), rows, vectors, page);
  }

  public GatewayMetrics metrics() {
    return metrics;
  }
}
