package io.vectorgate.proxy.admin;

import io.vectorgate.approvals.Approver;
import io.vectorgate.approvals.admin.AdminAuthenticator;
import io.vectorgate.model.Identity;
import io.vectorgate.proxy.identity.AuthenticationException;
import io.vectorgate.proxy.identity.TokenVerifier;

/** Authenticates admin API callers with the gateway's own OIDC {@link TokenVerifier}: same issuer, audience, groups claim. */
public final class OidcAdminAuthenticator implements AdminAuthenticator {
  private final TokenVerifier verifier;

  public OidcAdminAuthenticator(TokenVerifier verifier) {
    this.verifier = verifier;
  }

  @Override
  public Approver authenticate(String bearerToken) throws Refused {
    try {
      Identity id = verifier.verify(bearerToken);
      return new Approver(id.subject(), id.groups());
    } catch (AuthenticationException e) {
      throw new Refused(e.code().wire(), e.getMessage(), e);
    }
  }
}
