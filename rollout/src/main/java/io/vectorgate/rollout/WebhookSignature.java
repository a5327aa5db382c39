package io.vectorgate.rollout;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The push webhook's authentication, GitHub style: header {@code X-Hub-Signature-256:
 * sha256=<hex HMAC-SHA256 of the raw body>} with a shared secret. Comparison is constant-time;
 * anything malformed (missing, other algorithm, wrong length, non-hex, upper/lower mix is
 * accepted) is simply not authentic.
 */
public final class WebhookSignature {
  public static final String HEADER = "X-Hub-Signature-256";
  private static final String PREFIX = "sha256=";
  private static final int MIN_SECRET_BYTES = 16;

  private final byte[] secret;

  public WebhookSignature(byte[] secret) {
    if (secret == null || secret.length < MIN_SECRET_BYTES) {
      throw new IllegalArgumentException("webhook secret: at least " + MIN_SECRET_BYTES + " bytes are required");
    }
    this.secret = secret.clone();
  }

  /** The header value for {@code body} ({@code sha256=} and 64 lower-case hex digits). */
  public String sign(byte[] body) {
    return PREFIX + java.util.HexFormat.of().formatHex(mac(body));
  }

  /** True only when {@code header} is a well-formed signature of {@code body} with this secret. */
  public boolean verify(byte[] body, String header) {
    if (header == null || header.length() != PREFIX.length() + 64 || !header.regionMatches(true, 0, PREFIX, 0,
        PREFIX.length())) {
      return false;
    }
    byte[] given = new byte[32];
    for (int i = 0; i < 32; i++) {
      int hi = Character.digit(header.charAt(PREFIX.length() + 2 * i), 16);
      int lo = Character.digit(header.charAt(PREFIX.length() + 2 * i + 1), 16);
      if (hi < 0 || lo < 0) {
        return false;
      }
      given[i] = (byte) (hi << 4 | lo);
    }
    return MessageDigest.isEqual(mac(body), given);
  }

  private byte[] mac(byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      return mac.doFinal(body);
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  /** For logs: never the secret. */
  @Override
  public String toString() {
    return "WebhookSignature[secret=*** (" + secret.length + " bytes)]";
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
