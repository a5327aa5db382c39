package io.vectorgate.proxy.pipeline;

import io.vectorgate.engine.DecisionEngine;
import io.vectorgate.model.Connection;
import io.vectorgate.model.Decision;
import io.vectorgate.model.Identity;
import io.vectorgate.model.Operation;
import io.vectorgate.model.PolicyInput;
import io.vectorgate.model.Reason;
import io.vectorgate.model.RequestContext;
import io.vectorgate.proxy.adapter.AdapterException;
import io.vectorgate.proxy.adapter.DatabaseAdapter;
import io.vectorgate.proxy.enforce.ObligationException;
import io.vectorgate.proxy.enforce.ResponseTally;
import io.vectorgate.proxy.identity.AuthenticationException;
import io.vectorgate.proxy.identity.Authenticator;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one request pipeline every listener runs, written once over one per-request
 * {@link RequestLog}: authenticate → decode → decide → apply request obligations → forward →
 * rewrite the response → record (see docs/pipeline.md). A listener parses its wire, supplies a
 * {@link Transport} and writes the answer; the adapter ({@link DatabaseAdapter}) does the
 * database-specific work over one handle.
 *
 * <p>The decide stage ({@link #decide}: identity + connection + operation + context with the
 * caller's usage → {@link DecisionEngine} → approval hook → {@link Outcome}) never throws for an
 * engine fault: that is a fail-closed deny.
 */
public final class RequestPipeline {
  private static final Logger LOG = LoggerFactory.getLogger(RequestPipeline.class);
  private static final Logger REQUESTS = LoggerFactory.getLogger("io.vectorgate.requests");

  private final DecisionEngine engine;
  private final ApprovalGate approvals;
  private final UsageTracker usage;
  private final GatewayMetrics metrics;
  private final Clock policyClock;
  private final Authenticator verifier;
  private final RequestRecorder recorder;
  private final PipelineTracer tracer;

  /**
   * The decide stage alone (no verifier: {@link #run} refuses every credential).
   *
   * @param policyClock the clock whose time goes into {@code context.time} (the system clock in
   *     production)
   */
  public RequestPipeline(DecisionEngine engine, ApprovalGate approvals, UsageTracker usage,
      GatewayMetrics metrics, Clock policyClock) {
    this(engine, approvals, usage, metrics, policyClock, null, RequestRecorder.OFF);
  }

  /** The whole pipeline: credentials verified by {@code verifier} (the gateway's TokenVerifier), every request recorded by {@code recorder}. */
  public RequestPipeline(DecisionEngine engine, ApprovalGate approvals, UsageTracker usage,
      GatewayMetrics metrics, Clock policyClock, Authenticator verifier, RequestRecorder recorder) {
    this(engine, approvals, usage, metrics, policyClock, verifier, recorder, PipelineTracer.OFF);
  }

  /** As above, with a span per request and per stage ({@link PipelineTracer#OFF}: none). */
  public RequestPipeline(DecisionEngine engine, ApprovalGate approvals, UsageTracker usage,
      GatewayMetrics metrics, Clock policyClock, Authenticator verifier, RequestRecorder recorder,
      PipelineTracer tracer) {
    this.tracer = tracer == null ? PipelineTracer.OFF : tracer;
    this.engine = engine;
    this.approvals = approvals;
    this.usage = usage;
    this.metrics = metrics;
    this.policyClock = policyClock;
    this.verifier = verifier;
    this.recorder = recorder == null ? RequestRecorder.OFF : recorder;
  }

  public RequestRecorder recorder() {
    return recorder;
  }

  // ============================================================================================
  // the request sequence
  // ============================================================================================

  /**
   * Runs one request through every stage. Returns once the request is answered or on its way
   * upstream (then the upstream's callback finishes it). Never throws: a failure inside the gateway
   * is {@link RequestOutcome#GATEWAY_ERROR}. The transport's {@code prepare} and {@code send} are
   * called exactly once (twice {@code prepare} when the record fails).
   */
  public <Q, R> void run(RequestLog log, DatabaseAdapter<Q, R> adapter, Q request, Transport<Q, R> t) {
    RequestSpan span = span(log, t);
    RequestSpan.Stage stage = RequestSpan.Stage.NONE;
    try {
      // authenticate
      stage = span.stage("authenticate");
      try {
        if (verifier == null) {
          throw new AuthenticationException(AuthenticationException.Code.PROVIDER_UNAVAILABLE, "no token verifier is configured");
        }
        log.identity(verifier.verify(t.credential()));
        stage.end();
      } catch (AuthenticationException e) {
        stage.fail(e.code().wire());
        boolean unavailable = e.code() == AuthenticationException.Code.PROVIDER_UNAVAILABLE;
        metrics.count(unavailable ? "identity_unavailable" : "unauthenticated");
        LOG.info("event=unauthenticated request_id={} listener={} code={} message={}", log.requestId(), log.listener(),
            e.code().wire(), e.getMessage());
        log.end(unavailable ? RequestOutcome.IDENTITY_UNAVAILABLE : RequestOutcome.UNAUTHENTICATED, e.code().wire(),
            e.code().wire() + ": " + e.getMessage());
        finish(log, t, null);
        return;
      }
      // decode
      DatabaseAdapter.Handle<Q> handle;
      stage = span.stage("decode");
      try {
        handle = adapter.decode(request);
        stage.end();
      } catch (AdapterException e) {
        stage.fail(e.code());
        refused(log, e);
        finish(log, t, null);
        return;
      }
      log.operation(handle.operation());
      // decide
      stage = span.stage("decide");
      Outcome outcome = decide(log.identity(), log.connection(), handle.operation(),
          new RequestMeta(log.requestId(), t.clientAddress()), t::hold);
      log.decision(outcome.decision());
      stage.attribute(OtelPipelineTracer.DECISION_ID.getKey(), outcome.decision().decisionId());
      stage.attribute("vectorgate.allow", String.valueOf(outcome.decision().allow()));
      stage.end();
      if (outcome instanceof Outcome.Deny deny) {
        List<String> codes = deny.decision().reasonCodes();
        log.end(codes.contains("approval_interrupted") ? RequestOutcome.APPROVAL_INTERRUPTED : RequestOutcome.DENIED,
            codes.isEmpty() ? "denied" : codes.get(0), deny.message());
        finish(log, t, null);
        return;
      }
      log.approvalId(((Outcome.Forward) outcome).approvalId());
      // apply request obligations
      Decision decision = outcome.decision();
      DatabaseAdapter.Applied<Q> applied;
      stage = span.stage("apply");
      try {
        applied = adapter.applyRequestObligations(handle, decision.obligations());
        stage.end();
      } catch (ObligationException e) {
        stage.fail(e.code());
        // a deny carries no obligations (docs/contract.md, "The decision"); the reason names the one that failed
        metrics.count("obligation_unenforceable");
        log.decision(new Decision(false, List.of(new Reason(e.code(), e.getMessage())), io.vectorgate.model.Obligations.NONE,
            decision.decisionId(), decision.revision()));
        log.end(RequestOutcome.DENIED, e.code(), "denied by policy (decision " + decision.decisionId() + "): "
            + e.code() + ": " + e.getMessage());
        finish(log, t, null);
        return;
      } catch (AdapterException e) {
        stage.fail(e.code());
        refused(log, e);
        finish(log, t, null);
        return;
      }
      log.filterAdded(applied.filterAdded());
      // forward
      if (t.cancelled()) {
        log.end(RequestOutcome.CANCELLED, "cancelled", "the client cancelled the request");
        finish(log, t, null);
        return;
      }
      RequestRecorder.Failure unwritable = recorder.writable();
      if (unwritable != null) {
        log.end(RequestOutcome.RECORDING_UNAVAILABLE, unwritable.code(), unwritable.message());
        finish(log, t, null);
        return;
      }
      log.outcome(log.approvalId() != null ? RequestOutcome.APPROVED : RequestOutcome.FORWARDED);
      long upstreamStart = System.nanoTime();
      RequestSpan.Stage upstream = span.stage("upstream");
      stage = upstream;
      t.forward(applied.forward(), upstream.traceparent(),
          result -> answered(log, adapter, applied, t, result, upstreamStart, upstream));
    } catch (RuntimeException | LinkageError e) {
      // a LinkageError (e.g. a class missing from a broken deployment) must still end the call:
      // left open, a client without a deadline would wait forever
      stage.fail("gateway_error");
      gatewayError(log, e);
      finish(log, t, null);
    }
  }

  /** The rewrite stage, when the upstream call ended (on the thread the transport calls back on). */
  private <Q, R> void answered(RequestLog log, DatabaseAdapter<Q, R> adapter, DatabaseAdapter.Applied<Q> applied,
      Transport<Q, R> t, Transport.UpstreamResult<R> result, long upstreamStart, RequestSpan.Stage upstream) {
    R response = null;
    RequestSpan.Stage rewrite = RequestSpan.Stage.NONE;
    try {
      long micros = (System.nanoTime() - upstreamStart) / 1000;
      if (result instanceof Transport.UpstreamResult.Failed<R> f) {
        upstream.attribute(OtelPipelineTracer.UPSTREAM_STATUS.getKey(), f.status());
        upstream.fail(f.code());
        metrics.count("upstream_error");
        log.upstream(f.status(), micros);
        if (!f.passOn()) {
          LOG.warn("event=upstream_error request_id={} listener={} status={} message={}", log.requestId(),
              log.listener(), f.status(), f.message());
          log.end(RequestOutcome.UPSTREAM_UNAVAILABLE, f.code(), f.message());
        } else {
          log.end(log.outcome(), f.code(), f.message());
        }
      } else {
        Transport.UpstreamResult.Answered<R> a = (Transport.UpstreamResult.Answered<R>) result;
        upstream.attribute(OtelPipelineTracer.UPSTREAM_STATUS.getKey(), a.status());
        upstream.end();
        rewrite = log.span().stage("rewrite");
        log.upstream(a.status(), micros);
        Decision decision = log.decision();
        DatabaseAdapter.Rewritten<R> rw = adapter.rewriteResponse(applied, a.response(), decision.obligations());
        ResponseTally tally = rw.tally();
        log.tally(tally);
        if (tally.rowsCut() > 0) {
          metrics.count(ResponseTally.RESPONSE_ROWS_CUT);
          LOG.warn("event=response_rows_cut request_id={} listener={} rows_cut={} limit_cap={}", log.requestId(),
              log.listener(), tally.rowsCut(), decision.obligations().limitCap() == null ? "-"
                  : decision.obligations().limitCap().max());
        }
        if (tally.rowFilterDropped() > 0) {
          metrics.count(ResponseTally.ROW_FILTER_RESPONSE_VIOLATION);
        }
        if (tally.vectorsStripped() > 0) {
          metrics.count("response_vectors_stripped");
        }
        if (rw.success()) {
          recordResult(log.identity(), rw.rows(), rw.vectors(), applied.handle().operation().paging());
        }
        response = rw.response();
        rewrite.end();
      }
    } catch (ObligationException e) {
      rewrite.fail(e.code());
      // the answer could not be held to the decision: it is not passed on
      metrics.count("response_unenforceable");
      LOG.error("event=response_unenforceable request_id={} listener={} code={} message={}", log.requestId(),
          log.listener(), e.code(), e.getMessage());
      log.end(RequestOutcome.RESPONSE_UNENFORCEABLE, e.code(), e.code() + ": " + e.getMessage());
      response = null;
    } catch (RuntimeException | LinkageError e) {
      rewrite.fail("gateway_error");
      gatewayError(log, e);
      response = null;
    }
    finish(log, t, response);
  }

  /** The request's trace, started once (by {@link #run}, or by {@link #finish} for a request refused before it). */
  private RequestSpan span(RequestLog log, Transport<?, ?> t) {
    RequestSpan span = log.span();
    if (span == null) {
      String incoming;
      try {
        incoming = t.traceparent();
        span = tracer.start(log, incoming);
      } catch (RuntimeException e) {
        // tracing never fails a request
        LOG.warn("event=tracing_failed request_id={} error={}", log.requestId(), e.toString());
        span = RequestSpan.NONE;
      }
      log.span(span);
    }
    return span;
  }

  /**
   * Ends a request the listener refused while parsing its wire (a repeated security-relevant key,
   * a header the gateway refuses, a body it cannot read), before any pipeline stage: counted
   * ({@code rejected_request}), recorded and answered like every other request.
   *
   * @param metric the counter ({@code rejected_request}; {@code unknown_method}, {@code overloaded}, ...)
   * @param mayWait false on a transport thread: the record never waits for the disk
   */
  public void refuse(RequestLog log, Transport<?, ?> t, String metric, String code, String message, boolean mayWait) {
    metrics.count(metric);
    LOG.info("event=refused request_id={} listener={} code={} message={}", log.requestId(), log.listener(), code,
        message);
    log.end(RequestOutcome.REFUSED, code, message);
    finish(log, t, null, mayWait);
  }

  /**
   * Ends a request whose upstream cannot be used before anything was decoded or forwarded (for
   * example a connection removed or unusable on this instance): {@link RequestOutcome#UPSTREAM_UNAVAILABLE},
   * answered as the transport answers an unreachable upstream (retriable).
   */
  public void unavailable(RequestLog log, Transport<?, ?> t, String metric, String code, String message) {
    metrics.count(metric);
    LOG.warn("event=upstream_unavailable request_id={} listener={} code={} message={}", log.requestId(), log.listener(),
        code, message);
    log.end(RequestOutcome.UPSTREAM_UNAVAILABLE, code, message);
    finish(log, t, null, true);
  }

  /** Ends a request the listener failed on while parsing its wire (a bug): {@link RequestOutcome#GATEWAY_ERROR}. */
  public void failed(RequestLog log, Transport<?, ?> t, Throwable e) {
    gatewayError(log, e);
    finish(log, t, null, true);
  }

  private void refused(RequestLog log, AdapterException e) {
    metrics.count("rejected_request");
    String where = e.field().isEmpty() ? "" : " at `" + e.field() + "`";
    log.end(RequestOutcome.REFUSED, e.code(), "request refused by the gateway: " + e.code() + where + ": "
        + e.getMessage());
  }

  private void gatewayError(RequestLog log, Throwable e) {
    LOG.error("event=request_failed request_id={} listener={} error={}", log.requestId(), log.listener(), e.toString(), e);
    metrics.count("internal_error");
    log.end(RequestOutcome.GATEWAY_ERROR, "gateway_error", "gateway_error: the gateway failed to process the request");
  }

  private <R> void finish(RequestLog log, Transport<?, R> t, R response) {
    finish(log, t, response, true);
  }

  /** The record stage, then the answer, then the request log line. Once per request. */
  @SuppressWarnings("unchecked")
  private <R> void finish(RequestLog log, Transport<?, ?> t, R response, boolean mayWait) {
    if (!log.finishOnce()) {
      LOG.error("event=request_finished_twice request_id={} listener={} outcome={}", log.requestId(), log.listener(),
          log.outcome());
      return;
    }
    Transport<?, R> wire = (Transport<?, R>) t;
    RequestSpan span = span(log, t);
    try {
      wire.prepare(log, response);
      if (recorder.enabled()) {
        RequestSpan.Stage record = span.stage("record");
        RequestRecorder.Failure failed = recordOrFailure(log, t, mayWait);
        if (failed == null) {
          record.end();
        } else {
          record.fail(failed.code());
          log.end(RequestOutcome.RECORDING_UNAVAILABLE, failed.code(), failed.message());
          wire.prepare(log, null);
        }
      }
    } catch (RuntimeException | LinkageError e) {
      gatewayError(log, e);
      wire.prepare(log, null);
    }
    wire.send();
    requestLine(log, t);
    try {
      span.end(log);
    } catch (RuntimeException e) {
      LOG.warn("event=tracing_failed request_id={} error={}", log.requestId(), e.toString());
    }
  }

  /** A record that cannot even be built (a bug, a missing class) is a recording failure like a full queue. */
  private RequestRecorder.Failure recordOrFailure(RequestLog log, Transport<?, ?> t, boolean mayWait) {
    try {
      return recorder.record(log, t, mayWait);
    } catch (RuntimeException | LinkageError e) {
      LOG.error("event=recording_failed kind=request request_id={} error={}", log.requestId(), e.toString(), e);
      metrics.count("recording_failed");
      return new RequestRecorder.Failure("recorder_record_failed", "request refused: the gateway cannot record it ("
          + e.getClass().getSimpleName() + "); requests are refused while recording is impossible");
    }
  }

  /** One {@code io.vectorgate.requests} line per request, the same for every listener. */
  private static void requestLine(RequestLog log, Transport<?, ?> t) {
    if (!REQUESTS.isInfoEnabled()) {
      return;
    }
    Identity identity = log.identity();
    Operation op = log.operation();
    Decision decision = log.decision();
    REQUESTS.info("event=request request_id={} listener={} {} subject={} action={} collection={} decision_id={}"
            + " revision={} allow={} reasons={} outcome={} status={} latency_us={}",
        log.requestId(), log.listener(), t.logFields(), identity == null ? "-" : identity.subject(),
        op == null ? "-" : op.action().wireName(),
        op == null || op.resource().collection() == null ? "-" : op.resource().collection(),
        decision == null ? "-" : decision.decisionId(),
        decision == null || decision.revision() == null ? "-" : decision.revision(),
        decision != null && decision.allow(),
        decision == null ? (log.code() == null ? "[]" : "[" + log.code() + "]") : decision.reasonCodes(),
        log.outcome() == null ? "-" : log.outcome().name().toLowerCase(java.util.Locale.ROOT), t.status(),
        (System.nanoTime() - log.startNanos()) / 1000);
  }

  // ============================================================================================
  // the decide stage
  // ============================================================================================

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
