package io.vectorgate.proxy.grpc;

import io.grpc.Metadata;
import io.vectorgate.proxy.identity.AuthenticationException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Reads the caller's token from Milvus's {@code authorization} metadata, which clients send as
 * base64 of the token (pymilvus {@code token=}, Java SDK {@code ConnectConfig.token}); a raw
 * {@code Bearer <jwt>} is accepted too. {@code user:password} credentials are refused.
 */
public final class MilvusCredentials {
  /** The metadata key Milvus clients send credentials in. */
  public static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final int MAX_HEADER_CHARS = 24 * 1024;

  private MilvusCredentials() {}

  /** The token in {@code headers}; throws when it is missing or not decodable. */
  public static String token(Metadata headers) throws AuthenticationException {
    String value = headers.get(AUTHORIZATION);
    if (value == null || value.isBlank()) {
      throw new AuthenticationException(AuthenticationException.Code.MISSING_TOKEN,
          "no access token: pass your OIDC access token as the Milvus token (authorization metadata is missing)");
    }
    return fromHeaderValue(value);
  }

  /** Decodes one {@code authorization} value. */
  public static String fromHeaderValue(String value) throws AuthenticationException {
    if (value.length() > MAX_HEADER_CHARS) {
      throw new AuthenticationException(AuthenticationException.Code.MALFORMED_TOKEN,
          "authorization metadata is longer than " + MAX_HEADER_CHARS + " characters");
    }
    String v = value.strip();
    if (v.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return v.substring(7).strip();
    }
    String decoded;
    try {
      decoded = new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new AuthenticationException(AuthenticationException.Code.MALFORMED_TOKEN,
          "authorization metadata is not base64: " + e.getMessage(), e);
    }
    if (decoded.indexOf(':') >= 0) {
      throw new AuthenticationException(AuthenticationException.Code.MALFORMED_TOKEN,
          "user:password credentials are not accepted; pass an OIDC access token as the token");
    }
    if (decoded.isBlank()) {
      throw new AuthenticationException(AuthenticationException.Code.MISSING_TOKEN, "the token is empty");
    }
    return decoded.strip();
  }

  /** The upstream {@code authorization} value for the gateway's own credential. */
  public static String headerValue(String credential) {
    return Base64.getEncoder().encodeToString(credential.getBytes(StandardCharsets.UTF_8));
  }
}
