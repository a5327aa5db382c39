package io.vectorgate.proxy.enforce;

import java.util.Objects;

/**
 * An obligation from the policy decision that cannot be honoured for this request. The gateway
 * answers PERMISSION_DENIED with {@link #code()} as the reason: it never forwards a request whose
 * obligations were not applied (fail closed).
 */
public class ObligationException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The request asks for more rows than a deny-mode limit cap allows. */
  public static final String LIMIT_EXCEEDED = "limit_exceeded";
  /** A row filter applies to an RPC that has no filter to carry it. */
  public static final String ROW_FILTER_UNENFORCEABLE = "row_filter_unenforceable";
  /** A written row does not satisfy the row filter. */
  public static final String ROW_FILTER_VIOLATION = "row_filter_violation";
  /**
   * The gateway could not verify that the rows a write addresses by id satisfy the row filter
   * (the pre-read of those rows failed, or the request names too many ids to read).
   */
  public static final String ROW_FILTER_UNVERIFIABLE = "row_filter_unverifiable";

  private final String code;

  public ObligationException(String code, String message) {
    this(code, message, null);
  }

  public ObligationException(String code, String message, Throwable cause) {
    super(Objects.requireNonNull(message, "message"), cause);
    this.code = Objects.requireNonNull(code, "code");
  }

  /** A stable reason code, e.g. {@code limit_exceeded}. */
  public String code() {
    return code;
  }
}
