package io.vectorgate.proxy.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import io.vectorgate.model.ProtocolFacts;
import io.vectorgate.proxy.identity.AuthenticationException;
import java.util.function.Consumer;

/**
 * What a listener supplies for one request: the framing the pipeline cannot know (where the
 * credential is, how to reach the upstream, how to write an answer). A listener parses the wire,
 * calls {@link RequestPipeline#run} with one of these, and writes what the pipeline decided; it
 * repeats no pipeline step.
 *
 * @param <Q> the wire request the adapter takes
 * @param <R> the wire response the adapter rewrites
 */
public interface Transport<Q, R> {

  /** The caller's credential as the wire carries it (gRPC metadata, HTTP headers). */
  String credential() throws AuthenticationException;

  /** The request's facts for the approval gate (built only when a decision requires approval). */
  ApprovalGate.Hold hold();

  /** Whether the client gave up (a cancelled gRPC call, a closed HTTP connection). */
  boolean cancelled();

  /**
   * Sends {@code request} upstream with the gateway's own credential and metadata rebuilt from an
   * allow-list; calls {@code done} exactly once, on any thread.
   */
  void forward(Q request, Consumer<UpstreamResult<R>> done);

  /**
   * As {@link #forward(Object, Consumer)}, with the W3C {@code traceparent} of the gateway's
   * upstream span to send with the request ({@code null}: tracing off, send none). A transport whose
   * protocol carries it overrides this; the default sends none.
   */
  default void forward(Q request, String traceparent, Consumer<UpstreamResult<R>> done) {
    forward(request, done);
  }

  /**
   * The client's W3C {@code traceparent} exactly as it arrived (one value; null when absent or
   * repeated). The pipeline parses it with the OpenTelemetry propagator; it is never forwarded.
   */
  default String traceparent() {
    return null;
  }

  /**
   * Renders the answer to the finished {@code log}: {@code response} (the rewritten upstream answer)
   * when the outcome is forwarded with an answer, otherwise the refusal, denial or error the log
   * names. Not sent yet: the record is written first. May be called again (the record failed).
   */
  void prepare(RequestLog log, R response);

  /** Sends the prepared answer. */
  void send();

  // ---- for the record and the request log line

  /** {@code grpc} or {@code http}. */
  String transport();

  /** The recorded client connection's id, or null. */
  String connectionId();

  String clientAddress();

  /** The protocol facts recorded when the request never reached an operation. */
  ProtocolFacts protocolFacts();

  /** The request as recorded (may be a size marker), or null when recording is off. */
  JsonNode requestPayload();

  /** The prepared answer as recorded, or null. */
  JsonNode responsePayload();

  /** The request line's transport fields, e.g. {@code rpc=Search} or {@code protocol=HTTP/1.1 method=GET path=/x}. */
  String logFields();

  /** The status of the prepared answer as the wire names it (for the request log line). */
  String status();

  /** What came back from upstream. */
  sealed interface UpstreamResult<R> {
    /** An answer the response guarantees apply to ({@code status} as the wire names it). */
    record Answered<R>(String status, R response) implements UpstreamResult<R> {}

    /**
     * No answer the gateway can inspect. {@code passOn}: the upstream's own error status, which the
     * client gets as the upstream sent it (the request counts as forwarded); otherwise the upstream
     * was unreachable or its answer unreadable ({@link RequestOutcome#UPSTREAM_UNAVAILABLE}).
     */
    record Failed<R>(String status, String code, String message, boolean passOn) implements UpstreamResult<R> {}
  }
}
