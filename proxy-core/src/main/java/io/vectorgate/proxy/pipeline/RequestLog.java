package io.vectorgate.proxy.pipeline;

import io.vectorgate.model.Connection;
import io.vectorgate.model.Decision;
import io.vectorgate.model.Identity;
import io.vectorgate.model.Operation;
import io.vectorgate.proxy.enforce.ResponseTally;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The one record of one request that every pipeline stage fills in and that the recorder, the
 * request log line, the metrics and the listener's answer read afterwards (Armeria's
 * {@code RequestLog} as the model). Stages run on a worker and on the upstream's callback thread,
 * one after the other; the fields are volatile so the listener reads what the last stage wrote.
 */
public final class RequestLog {
  private final String requestId;
  private final Instant received;
  private final long startNanos;
  private final String listener;
  private final Connection connection;
  private final AtomicBoolean finished = new AtomicBoolean();

  private volatile Identity identity;
  private volatile Operation operation;
  private volatile Decision decision;
  private volatile String approvalId;
  private volatile RequestOutcome outcome;
  private volatile String code;
  private volatile String message;
  private volatile Object filterAdded;
  private volatile String upstreamStatus;
  private volatile long upstreamMicros;
  private volatile ResponseTally tally;
  private volatile RequestSpan span;

  /** A new request arriving now at {@code listener}, for {@code connection}, with a fresh request id. */
  public RequestLog(String listener, Connection connection) {
    this(newRequestId(), Instant.now(), System.nanoTime(), listener, connection);
  }

  public RequestLog(String requestId, Instant received, long startNanos, String listener, Connection connection) {
    this.requestId = requestId;
    this.received = received;
    this.startNanos = startNanos;
    this.listener = listener;
    this.connection = connection;
  }

  /**
   * A random (version 4) UUID for correlation, from {@link java.util.concurrent.ThreadLocalRandom}:
   * request ids are not secrets, and {@link UUID#randomUUID()} takes a shared SecureRandom on
   * every request. One source for every listener.
   */
  public static String newRequestId() {
    java.util.concurrent.ThreadLocalRandom r = java.util.concurrent.ThreadLocalRandom.current();
    long hi = (r.nextLong() & ~0xF000L) | 0x4000L;
    long lo = (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(hi, lo).toString();
  }

  /** Ends the request with {@code outcome}, reason {@code code} and the client-facing {@code message}. */
  public void end(RequestOutcome outcome, String code, String message) {
    this.outcome = outcome;
    this.code = code;
    this.message = message;
  }

  /** True the first time only: the request is answered once. */
  boolean finishOnce() {
    return finished.compareAndSet(false, true);
  }

  public String requestId() {
    return requestId;
  }

  public Instant received() {
    return received;
  }

  public long startNanos() {
    return startNanos;
  }

  public String listener() {
    return listener;
  }

  public Connection connection() {
    return connection;
  }

  public Identity identity() {
    return identity;
  }

  void identity(Identity identity) {
    this.identity = identity;
  }

  /** The decoded operation, or null when the request never reached one. */
  public Operation operation() {
    return operation;
  }

  void operation(Operation operation) {
    this.operation = operation;
  }

  /** The decision (allowed, or why not), or null when the request was refused before one. */
  public Decision decision() {
    return decision;
  }

  void decision(Decision decision) {
    this.decision = decision;
  }

  public String approvalId() {
    return approvalId;
  }

  void approvalId(String approvalId) {
    this.approvalId = approvalId;
  }

  /** How the request ended (null while it is still under way). */
  public RequestOutcome outcome() {
    return outcome;
  }

  void outcome(RequestOutcome outcome) {
    this.outcome = outcome;
  }

  /** The reason code of an outcome other than an upstream answer (e.g. {@code unknown_field}), or null. */
  public String code() {
    return code;
  }

  /** The client-facing text of a refusal, denial or error, or null. */
  public String message() {
    return message;
  }

  /** The filter the gateway forwarded in place of the client's, or null. */
  public Object filterAdded() {
    return filterAdded;
  }

  void filterAdded(Object filterAdded) {
    this.filterAdded = filterAdded;
  }

  /** The upstream's status as its wire names it, or null when nothing came back from upstream. */
  public String upstreamStatus() {
    return upstreamStatus;
  }

  void upstream(String status, long micros) {
    this.upstreamStatus = status;
    this.upstreamMicros = micros;
  }

  public long upstreamMicros() {
    return upstreamMicros;
  }

  /** What the response guarantees removed, or null when no answer was rewritten. */
  public ResponseTally tally() {
    return tally;
  }

  void tally(ResponseTally tally) {
    this.tally = tally;
  }

  /** The request's trace (set by the pipeline; {@link RequestSpan#NONE} with tracing off), or null before. */
  RequestSpan span() {
    return span;
  }

  void span(RequestSpan span) {
    this.span = span;
  }
}
