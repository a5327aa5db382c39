package io.vectorgate.proxy.adapter.milvus;

import io.vectorgate.proxy.enforce.ObligationException;

/**
 * An upstream answer the response guarantees cannot be applied to (for example a column whose
 * payload does not hold the rows the answer claims). The gateway answers with an error instead of
 * passing the response on unenforced.
 */
public final class ResponseUnenforceableException extends ObligationException {
  private static final long serialVersionUID = 1L;

  /** The reason code. */
  public static final String CODE = "response_unenforceable";

  public ResponseUnenforceableException(String message) {
    super(CODE, "cannot enforce the decision on the upstream's answer: " + message);
  }
}
