package io.vectorgate.proxy.pipeline;

/**
 * The tracing seam the pipeline calls once per request ({@link #start}) and at each stage
 * ({@link RequestSpan#stage}). {@link #OFF}, the default, does nothing and allocates nothing; the
 * gateway installs {@link OtelPipelineTracer} over an OpenTelemetry SDK when {@code tracing:} is
 * configured (docs/operations.md, Tracing).
 */
public interface PipelineTracer {
  /** No spans, no propagation: the upstream gets no {@code traceparent} from the gateway. */
  PipelineTracer OFF = (log, incoming) -> RequestSpan.NONE;

  /**
   * Starts the server span of one request.
   *
   * @param incomingTraceparent the client's W3C {@code traceparent} exactly as it arrived (null when
   *     absent); the parent when it parses, dropped (a new trace) when it does not
   */
  RequestSpan start(RequestLog log, String incomingTraceparent);
}
