package io.vectorgate.proxy.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.vectorgate.model.Identity;
import io.vectorgate.proxy.config.GatewayConfig.IdentityConfig;
import io.vectorgate.proxy.config.GatewayConfig.SecretRef;
import io.vectorgate.proxy.identity.AuthenticationException.Code;
import io.vectorgate.proxy.testing.OidcProvider;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Token validation against a real OIDC provider on loopback. */
class TokenVerifierTest {
  private static OidcProvider oidc;
  private static TokenVerifier verifier;

  @BeforeAll
  static void start() {
    oidc = OidcProvider.start(0);
    verifier = new TokenVerifier(config(oidc.issuer(), List.of("RS256")), null, Clock.systemUTC());
  }

  @AfterAll
  static void stop() {
    oidc.close();
  }

  static IdentityConfig config(String issuer, List<String> algorithms) {
    return new IdentityConfig(issuer, List.of(OidcProvider.AUDIENCE), algorithms, null, 5L, null, null, null,
        List.of("department"), null, null, 1L, null);
  }

  @Test
  void validTokenMapsSubjectGroupsTenantEmailAndExtraClaims() throws Exception {
    String token = oidc.token(OidcProvider.ISSUER_ID, "bob", List.of(OidcProvider.AUDIENCE),
        Map.of("groups", List.of("analysts", "pii-readers"), "tenant", "acme", "email", "bob@example.com",
            "department", "research"), 300);
    Identity id = verifier.verify(token);
    assertEquals("bob", id.subject());
    assertEquals(List.of("analysts", "pii-readers"), id.groups());
    assertEquals("acme", id.tenant());
    assertEquals("bob@example.com", id.email());
    assertEquals(oidc.issuer(), id.issuer());
    assertEquals(Map.of("department", "research"), id.claims());
    // a second verification answers the same identity (from the verified-token cache)
    assertEquals(id, verifier.verify(token));
  }

  @Test
  void expiredTokenIsRefused() {
    String token = oidc.token("bob", List.of("analysts"), "acme", -120);
    AuthenticationException e = assertThrows(AuthenticationException.class, () -> verifier.verify(token));
    assertEquals(Code.EXPIRED, e.code());
    assertTrue(e.getMessage().contains("expired"), e.getMessage());
  }

  @Test
  void wrongAudienceIsRefused() {
    String token = oidc.token(OidcProvider.ISSUER_ID, "bob", List.of("some-other-api"),
        OidcProvider.claims("bob", List.of("analysts"), "acme"), 300);
    AuthenticationException e = assertThrows(AuthenticationException.class, () -> verifier.verify(token));
    assertEquals(Code.WRONG_AUDIENCE, e.code());
    assertTrue(e.getMessage().contains("some-other-api"), e.getMessage());
  }

  @Test
  void tokenOfAnotherIssuerIsRefused() {
    String token = oidc.token("elsewhere", "bob", List.of(OidcProvider.AUDIENCE),
        OidcProvider.claims("bob", List.of("analysts"), "acme"), 300);
    AuthenticationException e = assertThrows(AuthenticationException.class, () -> verifier.verify(token));
    // the other issuer signs with its own key, which is not in this issuer's JWKS
    assertEquals(Code.UNKNOWN_KEY, e.code());
  }

  @Test
  void tamperedPayloadFailsTheSignature() {
    String token = oidc.token("bob", List.of("analysts"), "acme", 300);
    String[] parts = token.split("\\.");
    String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
        .replace("\"analysts\"", "\"admins\"");
    String forged = parts[0] + "." + Base64.getUrlEncoder().withoutPadding()
        .encodeToString(payload.getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
    AuthenticationException e = assertThrows(AuthenticationException.class, () -> verifier.verify(forged));
    assertEquals(Code.BAD_SIGNATURE, e.code());
  }

  @Test
  void tokenSignedWithAnUnknownKeyIsRefused() throws Exception {
    var key = new RSAKeyGenerator(2048).keyID("attacker-key").generate();
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("attacker-key").build(),
        validClaims("mallory"));
    jwt.sign(new RSASSASigner(key));
    for (int i = 0; i < 3; i++) { // refreshes of the key set are rate-limited; the answer stays the same
      AuthenticationException e = assertThrows(AuthenticationException.class, () -> verifier.verify(jwt.serialize()));
      assertEquals(Code.UNKNOWN_KEY, e.code());
    }
  }

  @Test
  void unsignedAndHmacTokensAreRefusedUnlessConfigured() throws Exception {
    String none = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8))
        + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(validClaims("mallory").toString()
        .getBytes(StandardCharsets.UTF_8)) + ".";
    AuthenticationException e = assertThrows(AuthenticationException.class, () -> verifier.verify(none));
    assertEquals(Code.ALGORITHM_NOT_ACCEPTED, e.code());

    byte[] secret = "a-shared-secret-of-at-least-32-bytes!!".getBytes(StandardCharsets.UTF_8);
    SignedJWT hs = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), validClaims("mallory"));
    hs.sign(new MACSigner(secret));
    e = assertThrows(AuthenticationException.class, () -> verifier.verify(hs.serialize()));
    assertEquals(Code.ALGORITHM_NOT_ACCEPTED, e.code());

    IdentityConfig withHs = new IdentityConfig(oidc.issuer(), List.of(OidcProvider.AUDIENCE), List.of("RS256", "HS256"),
        new SecretRef("UNUSED", null), 5L, null, null, null, null, null, null, 1L, null);
    TokenVerifier hsVerifier = new TokenVerifier(withHs, secret, Clock.systemUTC());
    assertEquals("mallory", hsVerifier.verify(hs.serialize()).subject());
  }

  @Test
  void missingAndMalformedTokensAreRefused() {
    assertEquals(Code.MISSING_TOKEN, assertThrows(AuthenticationException.class, () -> verifier.verify("")).code());
    assertEquals(Code.MALFORMED_TOKEN, assertThrows(AuthenticationException.class, () -> verifier.verify("not-a-jwt")).code());
    assertEquals(Code.MALFORMED_TOKEN,
        assertThrows(AuthenticationException.class, () -> verifier.verify("a".repeat(20_000))).code());
  }

  @Test
  void notYetValidTokenIsRefused() throws Exception {
    // a clock two hours behind sees the token's nbf/iat in the future
    TokenVerifier behind = new TokenVerifier(config(oidc.issuer(), List.of("RS256")), null,
        Clock.fixed(Instant.now().minusSeconds(7200), java.time.ZoneOffset.UTC));
    String token = oidc.token(OidcProvider.ISSUER_ID, "bob", List.of(OidcProvider.AUDIENCE),
        Map.of("nbf", Instant.now().getEpochSecond(), "groups", List.of("analysts")), 300);
    AuthenticationException e = assertThrows(AuthenticationException.class, () -> behind.verify(token));
    assertEquals(Code.NOT_YET_VALID, e.code());
  }

  @Test
  void unreachableIssuerIsProviderUnavailable() {
    TokenVerifier dead = new TokenVerifier(config("http://127.0.0.1:1/nobody", List.of("RS256")), null, Clock.systemUTC());
    String token = oidc.token("bob", List.of("analysts"), "acme", 300);
    AuthenticationException e = assertThrows(AuthenticationException.class, () -> dead.verify(token));
    assertEquals(Code.PROVIDER_UNAVAILABLE, e.code());
  }

  private static JWTClaimsSet validClaims(String sub) {
    return new JWTClaimsSet.Builder().issuer(oidc.issuer()).subject(sub).audience(OidcProvider.AUDIENCE)
        .expirationTime(new Date(System.currentTimeMillis() + 300_000)).build();
  }
}
