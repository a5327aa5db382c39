package io.vectorgate.proxy.identity;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.crypto.factories.DefaultJWSVerifierFactory;
import com.nimbusds.jose.jwk.source.ImmutableSecret;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.jwk.source.RateLimitReachedException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.vectorgate.model.Identity;
import io.vectorgate.proxy.config.GatewayConfig.IdentityConfig;
import io.vectorgate.proxy.identity.AuthenticationException.Code;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Validates OIDC access tokens (signed JWTs) and maps them to {@link Identity}.
 *
 * <p>Keys come from the issuer's JWKS, found through its discovery document on first use, cached
 * and refreshed when a token names an unknown {@code kid}, at most once per configured interval.
 * Only the configured algorithms are accepted ({@code none} never; HS* only with a configured
 * secret). {@code iss}, {@code aud}, {@code exp} (required) and {@code nbf} are checked with a
 * small clock skew. Verified tokens are cached until min(exp, now + cache bound).
 */
public final class TokenVerifier implements Authenticator {
  private static final Logger LOG = LoggerFactory.getLogger(TokenVerifier.class);
  private static final int MAX_TOKEN_CHARS = 16 * 1024;

  private final IdentityConfig cfg;
  private final IdentityMapper mapper;
  private final Set<JWSAlgorithm> asymmetric = new LinkedHashSet<>();
  private final Set<JWSAlgorithm> hmac = new LinkedHashSet<>();
  private final byte[] hmacSecret;
  private final Clock clock;
  private final HttpClient http;
  private final VerifiedTokenCache cache;
  private final DefaultJWSVerifierFactory verifiers = new DefaultJWSVerifierFactory();
  private final Object discoveryLock = new Object();
  private volatile JWSVerificationKeySelector<SecurityContext> keySelector;
  private volatile Instant nextDiscoveryAttempt = Instant.EPOCH;
  private volatile String lastDiscoveryError = "";

  /**
   * @param hmacSecret the shared secret for HS* algorithms, or null when none is configured
   */
  public TokenVerifier(IdentityConfig cfg, byte[] hmacSecret, Clock clock) {
    this.cfg = cfg;
    this.mapper = new IdentityMapper(cfg.groupsClaim(), cfg.tenantClaim(), cfg.emailClaim(), cfg.extraClaims(),
        cfg.groupsClaimSeparator());
    this.clock = clock;
    this.hmacSecret = hmacSecret == null ? null : hmacSecret.clone();
    for (String name : cfg.algorithms()) {
      JWSAlgorithm a = JWSAlgorithm.parse(name);
      if (JWSAlgorithm.Family.HMAC_SHA.contains(a)) {
        hmac.add(a);
      } else {
        asymmetric.add(a);
      }
    }
    if (!hmac.isEmpty() && (this.hmacSecret == null || this.hmacSecret.length < 32)) {
      throw new IllegalArgumentException("identity.hmac_secret must be at least 32 bytes for " + hmac);
    }
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    this.cache = new VerifiedTokenCache(cfg.tokenCacheEntries());
  }

  /** Verifies {@code token} and returns the caller's identity, or says exactly why not. */
  @Override
  public Identity verify(String token) throws AuthenticationException {
    if (token == null || token.isBlank()) {
      throw new AuthenticationException(Code.MISSING_TOKEN, "no access token: pass your OIDC access token as the token");
    }
    if (token.length() > MAX_TOKEN_CHARS) {
      throw new AuthenticationException(Code.MALFORMED_TOKEN, "token is longer than " + MAX_TOKEN_CHARS + " characters");
    }
    Instant now = clock.instant();
    String cacheKey = sha256(token);
    Identity cached = cache.get(cacheKey, now);
    if (cached != null) {
      return cached;
    }
    SignedJWT jwt;
    try {
      jwt = SignedJWT.parse(token);
    } catch (ParseException e) {
      if (isUnsecured(token)) {
        throw new AuthenticationException(Code.ALGORITHM_NOT_ACCEPTED, "unsigned tokens (alg `none`) are never accepted", e);
      }
      throw new AuthenticationException(Code.MALFORMED_TOKEN, "token is not a signed JWT: " + e.getMessage(), e);
    }
    JWSHeader header = jwt.getHeader();
    JWSAlgorithm alg = header.getAlgorithm();
    if (!asymmetric.contains(alg) && !hmac.contains(alg)) {
      throw new AuthenticationException(Code.ALGORITHM_NOT_ACCEPTED,
          "token algorithm `" + alg + "` is not accepted (accepted: " + cfg.algorithms() + ")");
    }
    verifySignature(jwt, header, alg);
    JWTClaimsSet claims;
    try {
      claims = jwt.getJWTClaimsSet();
    } catch (ParseException e) {
      throw new AuthenticationException(Code.MALFORMED_TOKEN, "token claims are not valid JSON: " + e.getMessage(), e);
    }
    Instant expiry = checkClaims(claims, now);
    Identity identity = mapper.map(claims);
    Instant bound = now.plusSeconds(cfg.tokenCacheSeconds());
    cache.put(cacheKey, identity, expiry.isBefore(bound) ? expiry : bound, now);
    return identity;
  }

  private void verifySignature(SignedJWT jwt, JWSHeader header, JWSAlgorithm alg) throws AuthenticationException {
    List<? extends Key> keys;
    if (hmac.contains(alg)) {
      try {
        keys = new JWSVerificationKeySelector<SecurityContext>(alg, new ImmutableSecret<>(hmacSecret))
            .selectJWSKeys(header, null);
      } catch (KeySourceException e) {
        throw new AuthenticationException(Code.BAD_SIGNATURE, "cannot use the configured HMAC secret: " + e.getMessage(), e);
      }
    } else {
      try {
        keys = selector().selectJWSKeys(header, null);
      } catch (RateLimitReachedException e) {
        throw new AuthenticationException(Code.UNKNOWN_KEY, "token key id `" + header.getKeyID()
            + "` is not in the issuer's key set (key set refresh is rate-limited)", e);
      } catch (KeySourceException e) {
        throw new AuthenticationException(Code.PROVIDER_UNAVAILABLE,
            "cannot fetch the issuer's key set: " + e.getMessage(), e);
      }
    }
    if (keys.isEmpty()) {
      throw new AuthenticationException(Code.UNKNOWN_KEY, "no key of the issuer matches the token (kid `"
          + header.getKeyID() + "`, alg " + alg + ")");
    }
    for (Key key : keys) {
      try {
        if (jwt.verify(verifiers.createJWSVerifier(header, key))) {
          return;
        }
      } catch (JOSEException e) {
        LOG.debug("event=jws_verify_error kid={} error={}", header.getKeyID(), e.toString());
      }
    }
    throw new AuthenticationException(Code.BAD_SIGNATURE, "token signature does not verify with the issuer's key (kid `"
        + header.getKeyID() + "`)");
  }

  private Instant checkClaims(JWTClaimsSet claims, Instant now) throws AuthenticationException {
    Duration skew = Duration.ofSeconds(cfg.clockSkewSeconds());
    if (!cfg.issuer().equals(claims.getIssuer())) {
      throw new AuthenticationException(Code.WRONG_ISSUER, "token issuer `" + claims.getIssuer()
          + "` is not the configured issuer `" + cfg.issuer() + "`");
    }
    List<String> aud = claims.getAudience();
    if (aud == null || aud.stream().noneMatch(cfg.audiences()::contains)) {
      throw new AuthenticationException(Code.WRONG_AUDIENCE, "token audience " + (aud == null ? "[]" : aud)
          + " does not include any accepted audience " + cfg.audiences());
    }
    Date exp = claims.getExpirationTime();
    if (exp == null) {
      throw new AuthenticationException(Code.MISSING_CLAIM, "token has no `exp` claim");
    }
    if (now.isAfter(exp.toInstant().plus(skew))) {
      throw new AuthenticationException(Code.EXPIRED, "token expired at " + exp.toInstant());
    }
    Date nbf = claims.getNotBeforeTime();
    if (nbf != null && now.isBefore(nbf.toInstant().minus(skew))) {
      throw new AuthenticationException(Code.NOT_YET_VALID, "token is not valid before " + nbf.toInstant());
    }
    return exp.toInstant().plus(skew);
  }

  private JWSVerificationKeySelector<SecurityContext> selector() throws AuthenticationException {
    JWSVerificationKeySelector<SecurityContext> s = keySelector;
    if (s != null) {
      return s;
    }
    synchronized (discoveryLock) {
      if (keySelector != null) {
        return keySelector;
      }
      Instant now = clock.instant();
      if (now.isBefore(nextDiscoveryAttempt)) {
        throw new AuthenticationException(Code.PROVIDER_UNAVAILABLE,
            "the issuer's discovery failed recently (" + lastDiscoveryError + "); retrying after " + nextDiscoveryAttempt);
      }
      nextDiscoveryAttempt = now.plusSeconds(Math.min(5, cfg.jwksRefreshMinIntervalSeconds()));
      URI jwksUri;
      try {
        jwksUri = OidcDiscovery.jwksUri(http, cfg.issuer(), Duration.ofSeconds(10));
      } catch (AuthenticationException e) {
        lastDiscoveryError = e.getMessage();
        LOG.warn("event=oidc_discovery_failed issuer={} error={}", cfg.issuer(), e.getMessage());
        throw e;
      }
      JWKSource<SecurityContext> source;
      try {
        source = JWKSourceBuilder.<SecurityContext>create(jwksUri.toURL(),
                new DefaultResourceRetriever(5_000, 5_000, 512 * 1024))
            .cache(cfg.jwksCacheSeconds() * 1000, 10_000)
            .refreshAheadCache(false)
            .rateLimited(cfg.jwksRefreshMinIntervalSeconds() * 1000)
            .retrying(false)
            .outageTolerant(false)
            .build();
      } catch (MalformedURLException | IllegalArgumentException e) {
        throw new AuthenticationException(Code.PROVIDER_UNAVAILABLE, "issuer's jwks_uri `" + jwksUri + "` is not a URL", e);
      }
      LOG.info("event=oidc_discovered issuer={} jwks_uri={}", cfg.issuer(), jwksUri);
      keySelector = new JWSVerificationKeySelector<>(asymmetric, source);
      return keySelector;
    }
  }

  private static boolean isUnsecured(String token) {
    try {
      return com.nimbusds.jwt.JWTParser.parse(token) instanceof com.nimbusds.jwt.PlainJWT;
    } catch (ParseException e) {
      return false;
    }
  }

  private static String sha256(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }
}
