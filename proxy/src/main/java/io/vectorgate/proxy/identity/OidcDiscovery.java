package io.vectorgate.proxy.identity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Reads an issuer's {@code /.well-known/openid-configuration} and returns its {@code jwks_uri}. */
public final class OidcDiscovery {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_BYTES = 256 * 1024;

  private OidcDiscovery() {}

  /** Fetches the discovery document; its {@code issuer} must equal {@code issuer} exactly. */
  public static URI jwksUri(HttpClient http, String issuer, Duration timeout) throws AuthenticationException {
    String base = issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
    URI url = URI.create(base + "/.well-known/openid-configuration");
    HttpResponse<byte[]> resp;
    try {
      resp = http.send(HttpRequest.newBuilder(url).timeout(timeout).GET().build(),
          HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new AuthenticationException(AuthenticationException.Code.PROVIDER_UNAVAILABLE,
          "cannot fetch OIDC discovery document " + url + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AuthenticationException(AuthenticationException.Code.PROVIDER_UNAVAILABLE,
          "interrupted fetching " + url, e);
    }
    if (resp.statusCode() != 200) {
      throw new AuthenticationException(AuthenticationException.Code.PROVIDER_UNAVAILABLE,
          "OIDC discovery document " + url + " answered HTTP " + resp.statusCode());
    }
    if (resp.body().length > MAX_BYTES) {
      throw new AuthenticationException(AuthenticationException.Code.PROVIDER_UNAVAILABLE,
          "OIDC discovery document " + url + " is larger than " + MAX_BYTES + " bytes");
    }
    try {
      JsonNode doc = JSON.readTree(resp.body());
      String docIssuer = doc.path("issuer").asText(null);
      if (!issuer.equals(docIssuer)) {
        throw new AuthenticationException(AuthenticationException.Code.PROVIDER_UNAVAILABLE,
            "OIDC discovery document " + url + " names issuer `" + docIssuer + "`, expected `" + issuer + "`");
      }
      String jwks = doc.path("jwks_uri").asText(null);
      if (jwks == null) {
        throw new AuthenticationException(AuthenticationException.Code.PROVIDER_UNAVAILABLE,
            "OIDC discovery document " + url + " has no jwks_uri");
      }
      return URI.create(jwks);
    } catch (IOException | IllegalArgumentException e) {
      throw new AuthenticationException(AuthenticationException.Code.PROVIDER_UNAVAILABLE,
          "OIDC discovery document " + url + " is not valid: " + e.getMessage(), e);
    }
  }
}
