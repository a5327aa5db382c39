/** OIDC identity: access-token validation against the issuer's JWKS, claim mapping, verified-token cache. */
package io.vectorgate.proxy.identity;
