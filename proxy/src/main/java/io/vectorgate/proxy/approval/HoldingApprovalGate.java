package io.vectorgate.proxy.approval;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.vectorgate.approvals.Approval;
import io.vectorgate.approvals.ApprovalService;
import io.vectorgate.approvals.ApprovalStatus;
import io.vectorgate.approvals.ApprovalSummary;
import io.vectorgate.approvals.NewApproval;
import io.vectorgate.approvals.Vote;
import io.vectorgate.engine.ContractJson;
import io.vectorgate.model.ApprovalRequirement;
import io.vectorgate.model.Decision;
import io.vectorgate.model.Operation;
import io.vectorgate.model.PolicyInput;
import io.vectorgate.model.Reason;
import io.vectorgate.proxy.pipeline.ApprovalGate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The approval gate over an {@link ApprovalService}.
 *
 * <p>A request that needs approval becomes an approval request bound to the fingerprint of its
 * exact bytes (or reuses the requester's open one for the identical request). If that approval
 * already grants the request, one use is taken and the request goes ahead. Otherwise:
 * <ul>
 *   <li>hold mode: the call waits (until the client's deadline less a margin, at most
 *       {@code maxWait}); approved → one use is taken and the held request is forwarded; rejected or
 *       expired → refused with the reason and the id; still pending → "approval pending";
 *   <li>grant mode (configured, or a client deadline shorter than {@code grantBelow}, or no
 *       request bytes, or {@code maxHeld} calls already held): refused at once with
 *       "approval pending: id".
 * </ul>
 * A held call occupies a gateway worker thread, so at most {@code maxHeld} calls (over every
 * listener, gRPC and HTTP alike) are held at once; the next ones get grant mode instead of
 * starving the gateway.
 * Refusal codes: {@code approval_pending}, {@code approval_rejected}, {@code approval_expired},
 * {@code approval_used}, {@code approval_cancelled}, {@code approval_interrupted} (shutdown;
 * retriable), {@code approval_insufficient} (the policy active after the wait asks for more).
 */
public final class HoldingApprovalGate implements ApprovalGate {
  private static final Logger LOG = LoggerFactory.getLogger(HoldingApprovalGate.class);
  /** Time left to the client to receive the real response after a release. */
  static final Duration DEADLINE_MARGIN = Duration.ofMillis(500);

  private final ApprovalService service;
  private final boolean holdMode;
  private final Duration maxWait;
  private final Duration grantBelow;
  private final Clock clock;
  private final int maxHeld;
  private final Semaphore holdSlots;

  /** Without a bound on concurrently held calls (tests of the gate alone). */
  public HoldingApprovalGate(ApprovalService service, boolean holdMode, Duration maxWait, Duration grantBelow, Clock clock) {
    this(service, holdMode, maxWait, grantBelow, clock, Integer.MAX_VALUE);
  }

  /** @param maxHeld the most calls held at once (0: never hold, always grant mode) */
  public HoldingApprovalGate(ApprovalService service, boolean holdMode, Duration maxWait, Duration grantBelow, Clock clock,
      int maxHeld) {
    if (maxHeld < 0) {
      throw new IllegalArgumentException("maxHeld must be >= 0, was " + maxHeld);
    }
    this.service = service;
    this.holdMode = holdMode;
    this.maxWait = maxWait;
    this.grantBelow = grantBelow;
    this.clock = clock;
    this.maxHeld = maxHeld;
    this.holdSlots = new Semaphore(maxHeld);
  }

  /** The most calls held at once. */
  public int maxHeld() {
    return maxHeld;
  }

  /** How many calls are held right now. */
  public int held() {
    return maxHeld - holdSlots.availablePermits();
  }

  public ApprovalService service() {
    return service;
  }

  @Override
  public Verdict check(PolicyInput input, Decision decision) {
    return check(input, decision, Hold.NONE);
  }

  @Override
  public Verdict check(PolicyInput input, Decision decision, Hold hold) {
    ApprovalRequirement req = decision.obligations().approval();
    Operation op = input.operation();
    String connection = input.connection().name();
    String fingerprint = hold.requestBytes() == null ? RequestFingerprint.ofOperation(connection, op)
        : hold.isHttp() ? RequestFingerprint.ofHttp(connection, hold.method(), hold.target(), hold.requestBytes())
        : RequestFingerprint.of(connection, hold.method(), op.resource().database(), hold.requestBytes());
    NewApproval n = new NewApproval(input.identity(), connection, input.context().clientAddress(),
        summary(summaryMethod(hold), op), fingerprint, req.reason(), req.approverGroups(), req.minApprovals(),
        req.expiresInSeconds(), decision.decisionId(), decision.revision(), input.context().requestId());
    Approval a = service.request(n).approval();
    if (a.status() == ApprovalStatus.APPROVED) {
      return use(a, fingerprint);
    }
    Instant now = clock.instant();
    Instant until = now.plus(maxWait);
    if (hold.deadline() != null) {
      Instant clientUntil = hold.deadline().minus(DEADLINE_MARGIN);
      if (clientUntil.isBefore(until)) {
        until = clientUntil;
      }
    }
    boolean shortDeadline = hold.deadline() != null && Duration.between(now, hold.deadline()).compareTo(grantBelow) < 0;
    if (!holdMode || hold.requestBytes() == null || shortDeadline) {
      return pending(a, "send the identical request again once it is approved");
    }
    if (!holdSlots.tryAcquire()) {
      LOG.info("event=approval_hold_refused approval_id={} subject={} reason=max_held_calls max_held={}", a.id(),
          a.requester().subject(), maxHeld);
      return pending(a, "the gateway already holds " + maxHeld + " call(s); send the identical request again once it"
          + " is approved");
    }
    LOG.info("event=approval_hold approval_id={} subject={} until={}", a.id(), a.requester().subject(), until);
    ApprovalService.Waited w;
    try {
      w = service.await(a.id(), until, hold.cancelled());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return refused("approval_interrupted", "the gateway stopped waiting (interrupted); approval " + a.id()
          + " stays pending: retry the identical request");
    } finally {
      holdSlots.release();
    }
    Approval now2 = w.approval();
    return switch (w.end()) {
      case RESOLVED -> switch (now2.status()) {
        case APPROVED -> use(now2, fingerprint);
        case REJECTED -> refused("approval_rejected", "approval " + now2.id() + " was rejected: " + now2.resolution());
        case EXPIRED -> refused("approval_expired", "approval " + now2.id() + " expired at " + now2.expiresAt()
            + " without " + now2.minApprovals() + " approval(s)");
        case PENDING -> pending(now2, "send the identical request again once it is approved");
      };
      case TIMED_OUT -> pending(now2, "not answered while the call was held; send the identical request again once it"
          + " is approved");
      case CANCELLED -> refused("approval_cancelled", "the client gave up; approval " + now2.id() + " stays pending");
      case SHUTDOWN -> refused("approval_interrupted", "the gateway is shutting down; approval " + now2.id()
          + " stays pending: retry the identical request");
    };
  }

  /**
   * The policy active now still allows the request; if it still asks for approval, the approvals
   * given must satisfy its current requirement (approver groups, count).
   */
  @Override
  public Verdict recheck(String approvalId, PolicyInput input, Decision decision) {
    if (!decision.requiresApproval()) {
      return new Verdict.Approved(approvalId);
    }
    ApprovalRequirement req = decision.obligations().approval();
    Approval a = service.find(approvalId).orElse(null);
    if (a == null) {
      return refused("approval_insufficient", "approval " + approvalId + " no longer exists");
    }
    long qualifying = a.votes().stream().filter(Vote::approve)
        .filter(v -> !v.approver().equals(input.identity().subject()))
        .filter(v -> v.groups().stream().anyMatch(req.approverGroups()::contains)).count();
    if (qualifying < req.minApprovals()) {
      return refused("approval_insufficient", "the policy active now (revision " + decision.revision() + ") needs "
          + req.minApprovals() + " approval(s) from " + req.approverGroups() + "; approval " + approvalId + " has "
          + qualifying);
    }
    return new Verdict.Approved(approvalId);
  }

  private Verdict use(Approval a, String fingerprint) {
    if (service.use(a, fingerprint)) {
      return new Verdict.Approved(a.id());
    }
    return refused("approval_used", "the grant of approval " + a.id() + " is used up or expired; a new request needs"
        + " a new approval");
  }

  private static Verdict pending(Approval a, String hint) {
    return refused("approval_pending", "approval pending: " + a.id() + " (" + a.reason() + "; needs "
        + a.minApprovals() + " approval(s) from " + a.approverGroups() + " before " + a.expiresAt() + "); " + hint);
  }

  private static Verdict refused(String code, String message) {
    return new Verdict.Refused(new Reason(code, message));
  }

  /** The method shown in the summary: the gRPC method's name, or {@code METHOD /path} for HTTP. */
  private static String summaryMethod(ApprovalGate.Hold hold) {
    if (!hold.isHttp()) {
      return hold.method();
    }
    int q = hold.target().indexOf('?');
    String path = q < 0 ? hold.target() : hold.target().substring(0, q);
    return hold.method() + " " + (path.length() > 300 ? path.substring(0, 300) + "..." : path);
  }

  /** The human-readable summary of the operation. */
  static ApprovalSummary summary(String method, Operation op) {
    String filter = filterText(op.filter());
    Map<String, Long> counts = new LinkedHashMap<>();
    counts.put("ids", op.counts().ids());
    counts.put("rows", op.counts().rows());
    counts.put("queries", op.counts().queries());
    String where = (op.resource().database() == null || op.resource().database().isEmpty() ? ""
        : op.resource().database() + ".") + (op.resource().collection() == null ? "-" : op.resource().collection())
        + (op.resource().namespace() == null ? "" : " namespace " + op.resource().namespace());
    StringBuilder text = new StringBuilder(op.action().wireName()).append(" on ").append(where);
    if (filter != null) {
      text.append(" where ").append(filter.length() > 500 ? filter.substring(0, 500) + "..." : filter);
    }
    if (op.counts().ids() > 0) {
      text.append(" (").append(op.counts().ids()).append(" ids)");
    }
    if (op.counts().rows() > 0) {
      text.append(" (").append(op.counts().rows()).append(" rows)");
    }
    String m = method == null ? null : method.indexOf(' ') >= 0 ? method
        : method.substring(method.lastIndexOf('/') + 1);
    return new ApprovalSummary(m, op.action().wireName(), op.resource().database(), op.resource().collection(),
        op.resource().namespace(), filter, counts, text.toString());
  }

  private static String filterText(Object filter) {
    if (filter == null) {
      return null;
    }
    if (filter instanceof String s) {
      return s;
    }
    try {
      return ContractJson.mapper().writeValueAsString(filter);
    } catch (JsonProcessingException e) {
      return String.valueOf(filter);
    }
  }
}
