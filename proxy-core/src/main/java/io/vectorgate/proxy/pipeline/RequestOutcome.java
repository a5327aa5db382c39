package io.vectorgate.proxy.pipeline;

/**
 * How one request ended: one value per request, set by the pipeline stage that ended it (Envoy's
 * {@code CheckStatus}, Armeria's {@code RequestLog} as models). Each listener maps it to its own
 * wire answer (a gRPC status or an in-band Milvus status; an HTTP status in the API's error shape);
 * {@link #recorded()} is the {@code enforcement.outcome} of the session record.
 */
public enum RequestOutcome {
  /** Forwarded; the answer is the upstream's (after the response guarantees), or the upstream's own error. */
  FORWARDED("forwarded"),
  /** As {@link #FORWARDED}, released by an approval. */
  APPROVED("approved"),
  /** The policy denied it, an approval was refused, or an obligation could not be applied. */
  DENIED("denied"),
  /** Held for approval and dropped because the gateway is shutting down; the client may retry. */
  APPROVAL_INTERRUPTED("denied"),
  /** No, or an invalid, credential. */
  UNAUTHENTICATED("refused"),
  /** The identity provider could not be reached to verify the credential. */
  IDENTITY_UNAVAILABLE("refused"),
  /** Refused before a decision: wire checks (repeated keys, headers, media type) or the adapter (unknown route, unmodelled field). */
  REFUSED("refused"),
  /** The client gave up before the request was forwarded. */
  CANCELLED("error"),
  /** The record could not be written (fail closed): nothing was forwarded, or the answer was withheld. */
  RECORDING_UNAVAILABLE("error"),
  /** The upstream could not be reached, or its answer could not be inspected. */
  UPSTREAM_UNAVAILABLE("error"),
  /** The upstream's answer could not be held to the decision; it was not passed on. */
  RESPONSE_UNENFORCEABLE("error"),
  /** A failure inside the gateway. */
  GATEWAY_ERROR("error");

  private final String recorded;

  RequestOutcome(String recorded) {
    this.recorded = recorded;
  }

  /** The session record's {@code enforcement.outcome}: forwarded, approved, denied, refused or error. */
  public String recorded() {
    return recorded;
  }

  /** True when the answer is the upstream's. */
  public boolean forwarded() {
    return this == FORWARDED || this == APPROVED;
  }
}
