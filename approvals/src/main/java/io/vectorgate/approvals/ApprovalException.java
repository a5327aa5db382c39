package io.vectorgate.approvals;

/**
 * An approval action that was refused, with a stable {@link Code} (its wire name goes into API
 * errors) and a message for people.
 */
public final class ApprovalException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Why an action was refused. */
  public enum Code {
    NOT_FOUND("approval_not_found", 404),
    NOT_AN_APPROVER("not_an_approver", 403),
    SELF_APPROVAL("self_approval", 403),
    ALREADY_VOTED("already_voted", 409),
    NOT_PENDING("not_pending", 409),
    EXPIRED("approval_expired", 409),
    INVALID("invalid_request", 400),
    STORE_UNAVAILABLE("store_unavailable", 503);

    private final String wire;
    private final int httpStatus;

    Code(String wire, int httpStatus) {
      this.wire = wire;
      this.httpStatus = httpStatus;
    }

    public String wire() {
      return wire;
    }

    public int httpStatus() {
      return httpStatus;
    }
  }

  private final Code code;

  public ApprovalException(Code code, String message) {
    super(message);
    this.code = code;
  }

  public ApprovalException(Code code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  public Code code() {
    return code;
  }
}
