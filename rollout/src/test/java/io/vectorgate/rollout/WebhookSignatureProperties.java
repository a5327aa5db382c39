package io.vectorgate.rollout;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** The webhook signature accepts exactly the signed body and never throws on hostile headers. */
class WebhookSignatureProperties {
  static final WebhookSignature SIG = new WebhookSignature("a-shared-secret-of-enough-length".getBytes(StandardCharsets.UTF_8));

  @Property
  void signedBodiesVerify(@ForAll @Size(max = 2000) byte[] body) {
    assertTrue(SIG.verify(body, SIG.sign(body)));
    assertTrue(SIG.verify(body, SIG.sign(body).toUpperCase(java.util.Locale.ROOT).replace("SHA256=", "sha256=")));
  }

  @Property
  void anyChangedBodyFails(@ForAll @Size(min = 1, max = 500) byte[] body, @ForAll @IntRange(min = 0, max = 499) int at,
      @ForAll @IntRange(min = 1, max = 255) int flip) {
    String header = SIG.sign(body);
    byte[] other = body.clone();
    other[at % other.length] ^= (byte) flip;
    assertFalse(SIG.verify(other, header));
    byte[] longer = Arrays.copyOf(body, body.length + 1);
    assertFalse(SIG.verify(longer, header));
  }

  @Property
  void anyChangedHeaderFails(@ForAll @Size(max = 200) byte[] body, @ForAll @IntRange(min = 0, max = 70) int at,
      @ForAll("hexOrJunk") char c) {
    String header = SIG.sign(body);
    int i = at % header.length();
    String changed = header.substring(0, i) + c + header.substring(i + 1);
    if (!changed.equalsIgnoreCase(header)) {
      assertFalse(SIG.verify(body, changed));
    }
  }

  @Property
  void hostileHeadersNeverVerifyNorThrow(@ForAll @Size(max = 100) byte[] body, @ForAll String header) {
    assertFalse(SIG.verify(body, header));
    assertFalse(SIG.verify(body, "sha256=" + header));
  }

  @Property
  void anotherSecretFails(@ForAll @Size(max = 300) byte[] body) {
    WebhookSignature other = new WebhookSignature("another-shared-secret-of-length".getBytes(StandardCharsets.UTF_8));
    assertFalse(other.verify(body, SIG.sign(body)));
  }

  @Provide
  Arbitrary<Character> hexOrJunk() {
    return Arbitraries.of('0', '9', 'a', 'f', 'g', 'z', '=', ' ', '\u0000', 'é', 'F');
  }

  @Example
  void malformedHeaders() {
    byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
    String good = SIG.sign(body);
    for (String h : new String[] {null, "", "sha256=", "sha1=" + good.substring(7), good + "00", good.substring(0, 70),
        "sha256 " + good.substring(7), "sha512=" + good.substring(7), good.replace("sha256=", "")}) {
      assertFalse(SIG.verify(body, h), String.valueOf(h));
    }
    assertTrue(SIG.verify(body, good));
    assertFalse(SIG.toString().contains("secret-of"));
  }

  @Example
  void shortSecretsAreRefused() {
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> new WebhookSignature("short".getBytes(StandardCharsets.UTF_8)));
  }
}
