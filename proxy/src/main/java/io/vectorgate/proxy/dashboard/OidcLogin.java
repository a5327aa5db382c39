package io.vectorgate.proxy.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jwt.SignedJWT;
import io.vectorgate.model.Identity;
import io.vectorgate.proxy.identity.AuthenticationException;
import io.vectorgate.proxy.identity.TokenVerifier;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.ParseException;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The OIDC authorization-code flow with PKCE (S256) against the gateway's configured issuer, as a
 * public client: the endpoints come from the issuer's discovery document; the ID token returned by
 * the token endpoint is verified by the gateway's own {@link TokenVerifier} (signature, issuer,
 * audience, expiry, groups claim) and must carry the nonce of this login.
 */
final class OidcLogin {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  /** Why a login failed, for the user (never echoes a token). */
  static final class LoginFailed extends Exception {
    private static final long serialVersionUID = 1L;

    LoginFailed(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private record Endpoints(URI authorization, URI token) {}

  private final String issuer;
  private final String clientId;
  private final TokenVerifier verifier;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT)
      .followRedirects(HttpClient.Redirect.NEVER).build();
  private volatile Endpoints endpoints;

  OidcLogin(String issuer, String clientId, TokenVerifier verifier) {
    this.issuer = issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
    this.clientId = clientId;
    this.verifier = verifier;
  }

  /** The PKCE S256 challenge of {@code verifier}. */
  static String challenge(String verifier) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(d);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  /** Where to send the browser to log in. */
  URI authorizeUrl(String redirectUri, String state, String nonce, String pkceVerifier) throws LoginFailed {
    Map<String, String> q = new LinkedHashMap<>();
    q.put("response_type", "code");
    q.put("client_id", clientId);
    q.put("redirect_uri", redirectUri);
    q.put("scope", "openid");
    q.put("state", state);
    q.put("nonce", nonce);
    q.put("code_challenge", challenge(pkceVerifier));
    q.put("code_challenge_method", "S256");
    URI base = endpoints().authorization();
    return URI.create(base + (base.getRawQuery() == null ? "?" : "&") + form(q));
  }

  /** Exchanges {@code code} for tokens and returns the verified identity of the ID token. */
  Identity exchange(String code, String redirectUri, String pkceVerifier, String nonce) throws LoginFailed {
    Map<String, String> f = new LinkedHashMap<>();
    f.put("grant_type", "authorization_code");
    f.put("code", code);
    f.put("redirect_uri", redirectUri);
    f.put("client_id", clientId);
    f.put("code_verifier", pkceVerifier);
    HttpResponse<String> r;
    try {
      r = http.send(HttpRequest.newBuilder(endpoints().token()).timeout(TIMEOUT)
          .header("Content-Type", "application/x-www-form-urlencoded").header("Accept", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(form(f))).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new LoginFailed("the identity provider's token endpoint cannot be reached: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LoginFailed("interrupted while calling the token endpoint", e);
    }
    if (r.statusCode() != 200) {
      throw new LoginFailed("the identity provider refused the code exchange (HTTP " + r.statusCode() + ")", null);
    }
    String idToken;
    try {
      JsonNode n = JSON.readTree(r.body());
      idToken = n == null || !n.path("id_token").isTextual() ? null : n.get("id_token").asText();
    } catch (IOException e) {
      throw new LoginFailed("the token endpoint's answer is not JSON", e);
    }
    if (idToken == null) {
      throw new LoginFailed("the token endpoint returned no id_token (is `openid` scope allowed for the client?)", null);
    }
    Identity id;
    try {
      id = verifier.verify(idToken);
    } catch (AuthenticationException e) {
      throw new LoginFailed("the ID token is not accepted: " + e.getMessage(), e);
    }
    String tokenNonce;
    try {
      tokenNonce = SignedJWT.parse(idToken).getJWTClaimsSet().getStringClaim("nonce");
    } catch (ParseException e) {
      throw new LoginFailed("the ID token's nonce cannot be read", e);
    }
    if (!WebSessions.same(nonce, tokenNonce)) {
      throw new LoginFailed("the ID token's nonce does not match this login", null);
    }
    return id;
  }

  private Endpoints endpoints() throws LoginFailed {
    Endpoints e = endpoints;
    if (e != null) {
      return e;
    }
    URI discovery = URI.create(issuer + "/.well-known/openid-configuration");
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(discovery).timeout(TIMEOUT).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new LoginFailed("the issuer's discovery document " + discovery + " answered HTTP " + r.statusCode(), null);
      }
      JsonNode n = JSON.readTree(r.body());
      String auth = n.path("authorization_endpoint").asText(null);
      String token = n.path("token_endpoint").asText(null);
      if (auth == null || token == null) {
        throw new LoginFailed("the discovery document " + discovery + " names no authorization_endpoint or token_endpoint",
            null);
      }
      e = new Endpoints(URI.create(auth), URI.create(token));
    } catch (IOException | IllegalArgumentException ex) {
      throw new LoginFailed("cannot read the issuer's discovery document " + discovery + ": " + ex.getMessage(), ex);
    } catch (InterruptedException ex) {
      Thread.currentThread().interrupt();
      throw new LoginFailed("interrupted while reading the discovery document", ex);
    }
    endpoints = e;
    return e;
  }

  static String form(Map<String, String> f) {
    return f.entrySet().stream().map(en -> URLEncoder.encode(en.getKey(), StandardCharsets.UTF_8) + "="
        + URLEncoder.encode(en.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
  }
}
