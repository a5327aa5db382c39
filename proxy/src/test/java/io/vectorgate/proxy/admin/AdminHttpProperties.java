package io.vectorgate.proxy.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/** The admin API's parsing of bearer headers and JSON bodies: hostile input is refused with a status, never thrown otherwise. */
class AdminHttpProperties {
  static final Set<String> FIELDS = Set.of("revision", "reason");

  @Property(tries = 500)
  void anyHeaderIsATokenOrARefusal(@ForAll @Size(max = 3) List<String> headers) {
    try {
      String t = AdminHttp.bearer(headers.isEmpty() ? null : headers);
      assertEquals(1, headers.size());
      assertTrue(headers.get(0).regionMatches(true, 0, "Bearer ", 0, 7), headers.toString());
      assertEquals(headers.get(0).substring(7).strip(), t);
      assertTrue(!t.isEmpty());
    } catch (AdminHttp.Refusal r) {
      assertEquals(401, r.status);
      assertTrue(Set.of("missing_token", "malformed_token").contains(r.code), r.code);
    }
  }

  @Property(tries = 200)
  void wellFormedBearerHeadersYieldTheToken(@ForAll("tokens") String token) throws Exception {
    assertEquals(token, AdminHttp.bearer(List.of("Bearer " + token)));
    assertEquals(token, AdminHttp.bearer(List.of("bearer " + token)));
  }

  @Provide
  Arbitrary<String> tokens() {
    return Arbitraries.strings().withChars("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~+/=")
        .ofMinLength(1).ofMaxLength(300);
  }

  @Property(tries = 1000)
  void anyBodyIsAnObjectOfKnownFieldsOrA4xx(@ForAll byte[] raw) {
    check(raw);
  }

  @Property(tries = 500)
  void anyJsonLikeTextIsAnObjectOfKnownFieldsOrA4xx(@ForAll("jsonish") String text) {
    check(text.getBytes(StandardCharsets.UTF_8));
  }

  @Provide
  Arbitrary<String> jsonish() {
    return Arbitraries.strings().withChars("{}[]\":,revisonat 0123456789\\ul-e.").ofMaxLength(80);
  }

  private static void check(byte[] raw) {
    try {
      JsonNode n = AdminHttp.body(raw, FIELDS);
      assertTrue(n.isObject(), n.toString());
      n.fieldNames().forEachRemaining(f -> assertTrue(FIELDS.contains(f), f));
    } catch (AdminHttp.Refusal r) {
      assertTrue(r.status == 400 || r.status == 413, r.status + " " + r.getMessage());
      assertTrue(r.getMessage() != null && !r.getMessage().isEmpty());
    }
  }

  @Example
  void hostileBodiesAreRefusedNamingTheProblem() {
    String[][] cases = {
        {"{\"revision\": \"a\", \"revision\": \"b\"}", "not valid JSON"},
        {"{\"revision\": \"a\"} {}", "not valid JSON"},
        {"[\"revision\"]", "must be a JSON object"},
        {"{\"revision\": \"a\", \"admin\": true}", "unknown field `admin`"},
        {"{\"revision\": ", "not valid JSON at line 1"},
        {"null", "must be a JSON object"},
    };
    for (String[] c : cases) {
      try {
        AdminHttp.body(c[0].getBytes(StandardCharsets.UTF_8), FIELDS);
        throw new AssertionError("accepted: " + c[0]);
      } catch (AdminHttp.Refusal r) {
        assertEquals(400, r.status, c[0]);
        assertTrue(r.getMessage().contains(c[1]), c[0] + " -> " + r.getMessage());
      }
    }
    byte[] big = new byte[AdminHttp.MAX_BODY + 1];
    Arrays.fill(big, (byte) ' ');
    try {
      AdminHttp.body(big, FIELDS);
      throw new AssertionError("an oversized body was accepted");
    } catch (AdminHttp.Refusal r) {
      assertEquals(413, r.status);
    }
  }

  @Example
  void hostileHeadersAreRefused() {
    for (List<String> h : List.of(List.of("Basic dXNlcjpwYXNz"), List.of("Bearer "), List.of("Bearer    "),
        List.of("Bearer a", "Bearer b"), List.of("Bearertoken"), List.of(""))) {
      try {
        AdminHttp.bearer(h);
        throw new AssertionError("accepted " + h);
      } catch (AdminHttp.Refusal r) {
        assertEquals(401, r.status, h.toString());
      }
    }
  }
}
