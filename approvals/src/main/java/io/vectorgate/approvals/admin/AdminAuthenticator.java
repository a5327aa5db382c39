package io.vectorgate.approvals.admin;

import io.vectorgate.approvals.Approver;

/** Turns a bearer token into the verified approver (the gateway plugs in its OIDC token verifier). */
@FunctionalInterface
public interface AdminAuthenticator {
  /** The caller, or a {@link Refused} saying why the token is not accepted. */
  Approver authenticate(String bearerToken) throws Refused;

  /** A token that is not accepted: a stable code and a message. */
  final class Refused extends Exception {
    private static final long serialVersionUID = 1L;
    private final String code;

    public Refused(String code, String message, Throwable cause) {
      super(message, cause);
      this.code = code;
    }

    public String code() {
      return code;
    }
  }
}
