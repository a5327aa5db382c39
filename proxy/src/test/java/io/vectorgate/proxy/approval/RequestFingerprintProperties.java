package io.vectorgate.proxy.approval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The HTTP fingerprint an approval is bound to: two requests have the same fingerprint exactly when
 * their method, path, query and body bytes are equal; and it never equals a fingerprint of another
 * kind (gRPC bytes, normalized operation) of the same fields.
 */
class RequestFingerprintProperties {
  /** One HTTP request as the fingerprint sees it; {@code query} null means no {@code ?} at all. */
  record Req(String method, String path, String query, byte[] body) {
    String target() {
      return query == null ? path : path + "?" + query;
    }

    boolean sameAs(Req o) {
      return method.equals(o.method) && path.equals(o.path) && Objects.equals(query, o.query)
          && Arrays.equals(body, o.body);
    }
  }

  /** Small alphabets so equal and almost-equal requests are both frequent. */
  @Provide
  Arbitrary<Req> requests() {
    Arbitrary<String> method = Arbitraries.of("POST", "DELETE", "GET", "PUT");
    Arbitrary<String> path = Arbitraries.of("/", "/a", "/a/b", "/a/b?", "/ab", "/a%3Fb", "/a/b/c");
    Arbitrary<String> query = Arbitraries.of("", "x=1", "x=1&y=2", "y=2&x=1", "x=", "x=1?")
        .injectNull(0.3);
    Arbitrary<byte[]> body = Arbitraries.of("", "{}", "{\"where\":{\"k\":1}}", "{\"where\":{\"k\":2}}",
        "{\"where\": {\"k\":1}}", "?x=1").map(s -> s.getBytes(StandardCharsets.UTF_8));
    return Combinators.combine(method, path, query, body).as(Req::new);
  }

  @Property(tries = 2000)
  void equalExactlyWhenMethodTargetQueryAndBodyAreEqual(@ForAll("requests") Req a, @ForAll("requests") Req b) {
    String fa = RequestFingerprint.ofHttp("chroma", a.method(), a.target(), a.body());
    String fb = RequestFingerprint.ofHttp("chroma", b.method(), b.target(), b.body());
    // a path holding a raw '?' is split at the first one: compare what the fingerprint can see
    boolean same = a.target().equals(b.target()) && a.method().equals(b.method())
        && Arrays.equals(a.body(), b.body());
    assertEquals(same, fa.equals(fb), a + " vs " + b);
    if (a.path().indexOf('?') < 0 && b.path().indexOf('?') < 0) {
      assertEquals(a.sameAs(b), fa.equals(fb), a + " vs " + b);
    }
  }

  @Property(tries = 300)
  void anotherConnectionNeverMatches(@ForAll("requests") Req a) {
    assertNotEquals(RequestFingerprint.ofHttp("chroma", a.method(), a.target(), a.body()),
        RequestFingerprint.ofHttp("chroma-2", a.method(), a.target(), a.body()));
  }

  /** The version tags keep the kinds apart even when every field is the same. */
  @Property(tries = 300)
  void neverCollidesWithTheGrpcBytesKind(@ForAll("requests") Req a) {
    String http = RequestFingerprint.ofHttp("chroma", a.method(), a.target(), a.body());
    assertNotEquals(http, RequestFingerprint.of("chroma", a.method(), a.target(), a.body()));
    assertNotEquals(http, RequestFingerprint.of("chroma", a.method() + " " + a.target(), null, a.body()));
  }

  @Property(tries = 300)
  void shiftingBytesBetweenFieldsChangesTheFingerprint(@ForAll("requests") Req a) {
    // moving the query into the body (or the body into the query) is another request
    if (a.query() != null && !a.query().isEmpty()) {
      byte[] moved = (new String(a.body(), StandardCharsets.UTF_8) + "?" + a.query()).getBytes(StandardCharsets.UTF_8);
      assertNotEquals(RequestFingerprint.ofHttp("c", a.method(), a.target(), a.body()),
          RequestFingerprint.ofHttp("c", a.method(), a.path(), moved));
    }
  }
}
