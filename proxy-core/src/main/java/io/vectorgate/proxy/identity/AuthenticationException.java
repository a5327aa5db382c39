package io.vectorgate.proxy.identity;

/** A token was refused (or could not be checked); {@link #code()} says why, the message says what. */
public final class AuthenticationException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Why a token was refused. */
  public enum Code {
    MISSING_TOKEN("missing_token"),
    MALFORMED_TOKEN("malformed_token"),
    ALGORITHM_NOT_ACCEPTED("algorithm_not_accepted"),
    UNKNOWN_KEY("unknown_key"),
    BAD_SIGNATURE("bad_signature"),
    WRONG_ISSUER("wrong_issuer"),
    WRONG_AUDIENCE("wrong_audience"),
    EXPIRED("expired_token"),
    NOT_YET_VALID("token_not_yet_valid"),
    MISSING_CLAIM("missing_claim"),
    /** A groups or tenant claim of the wrong JSON type (groups: array of strings; tenant: string). */
    INVALID_CLAIM("invalid_claim"),
    /** The identity provider could not be reached; not the client's fault. */
    PROVIDER_UNAVAILABLE("identity_provider_unavailable");

    private final String wire;

    Code(String wire) {
      this.wire = wire;
    }

    /** Stable reason code, e.g. {@code expired_token}. */
    public String wire() {
      return wire;
    }
  }

  private final Code code;

  public AuthenticationException(Code code, String message) {
    super(message);
    this.code = code;
  }

  public AuthenticationException(Code code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  public Code code() {
    return code;
  }
}
