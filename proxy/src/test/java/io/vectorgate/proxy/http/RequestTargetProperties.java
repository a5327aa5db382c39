package io.vectorgate.proxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.StringLength;

/** Normalization of request-targets: canonical round trips, and no ambiguous target gets through. */
class RequestTargetProperties {

  @Provide
  Arbitrary<String> segment() {
    return Arbitraries.strings().withCharRange((char) 0x20, (char) 0x7e).withChars('é', '€', '名').ofMinLength(1)
        .ofMaxLength(12).filter(s -> !s.equals(".") && !s.equals("..") && s.indexOf('/') < 0 && s.indexOf('\\') < 0);
  }

  @Provide
  Arbitrary<List<String>> segments() {
    return segment().list().ofMinSize(1).ofMaxSize(6);
  }

  /** Whatever segments a client encodes, the gateway decodes the same segments, and its canonical form is stable. */
  @Property(tries = 300)
  void canonicalRoundTrips(@ForAll("segments") List<String> segs, @ForAll("segment") String qv) throws HttpRefusal {
    String target = RequestTarget.canonical(segs, Map.of("limit", List.of(qv)));
    RequestTarget t = RequestTarget.parse(target);
    assertEquals(segs, t.segments());
    assertEquals(List.of(qv), t.query().get("limit"));
    assertEquals(target, t.canonical());
    assertEquals(t, RequestTarget.parse(t.canonical()));
  }

  /** Inserting a dot segment, an encoded dot segment, an empty segment or an encoded slash anywhere is refused. */
  @Property(tries = 300)
  void ambiguousInsertionsAreRefused(@ForAll("segments") List<String> segs,
      @ForAll("trick") String trick, @ForAll int where) {
    String clean = RequestTarget.canonical(segs, Map.of());
    String[] parts = clean.substring(1).split("/", -1);
    int at = Math.floorMod(where, parts.length + 1);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i <= parts.length; i++) {
      if (i == at) {
        sb.append('/').append(trick);
      }
      if (i < parts.length) {
        sb.append('/').append(parts[i]);
      }
    }
    HttpRefusal r = assertThrows(HttpRefusal.class, () -> RequestTarget.parse(sb.toString()), sb::toString);
    assertEquals(400, r.status());
    assertFalse(r.getMessage().isBlank());
  }

  @Provide
  Arbitrary<String> trick() {
    return Arbitraries.of(".", "..", "%2e", "%2E%2e", "", "a%2Fb", "%5c", "a%00", "%zz", "%c0%ae", "%");
  }

  @Property(tries = 200)
  void parseNeverThrowsAnythingButRefusal(@ForAll @StringLength(max = 60) String raw) {
    try {
      RequestTarget t = RequestTarget.parse(raw);
      assertTrue(t.path().startsWith("/"));
      assertFalse(t.path().contains("//"));
      for (String s : t.segments()) {
        assertFalse(s.isEmpty() || s.equals(".") || s.equals("..") || s.contains("/"), s);
      }
    } catch (HttpRefusal e) {
      assertTrue(e.status() == 400 || e.status() == 414, e.getMessage());
    }
  }

  @Property(tries = 100)
  void plusInQueriesIsAmbiguous(@ForAll("segment") String v) {
    String target = "/api/v2/x?limit=" + RequestTarget.encode(v, true) + "+1";
    HttpRefusal r = assertThrows(HttpRefusal.class, () -> RequestTarget.parse(target));
    assertEquals("ambiguous_query", r.code());
  }

}
