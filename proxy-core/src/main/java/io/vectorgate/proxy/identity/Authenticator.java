package io.vectorgate.proxy.identity;

import io.vectorgate.model.Identity;

/**
 * Turns the caller's credential into an {@link Identity}: the pipeline's authenticate stage. The
 * gateway's implementation verifies OIDC JWTs ({@code TokenVerifier}, in the proxy module: keys,
 * discovery, caching) and maps their claims with {@link IdentityMapper}.
 */
@FunctionalInterface
public interface Authenticator {
  /** The verified identity; a missing, invalid or foreign credential throws with its reason code. */
  Identity verify(String token) throws AuthenticationException;
}
