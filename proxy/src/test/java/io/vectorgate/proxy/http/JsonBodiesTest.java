package io.vectorgate.proxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class JsonBodiesTest {
  private final JsonBodies json = new JsonBodies(8);

  private HttpRefusal refused(String body) {
    return assertThrows(HttpRefusal.class, () -> json.parse(body.getBytes(StandardCharsets.UTF_8)), body);
  }

  @Test
  void strictJsonParsesAndEmptyIsNoBody() throws HttpRefusal {
    assertEquals(3, json.parse("{\"a\":[1,2.5,{\"b\":null}],\"c\":\"x\",\"d\":true}".getBytes(StandardCharsets.UTF_8))
        .size());
    assertNull(json.parse(new byte[0]));
  }

  @Test
  void duplicateKeysAtAnyDepthAreRefused() {
    assertEquals("json_duplicate_key", refused("{\"a\":1,\"a\":1}").code());
    HttpRefusal deep = refused("{\"w\":{\"$and\":[{\"t\":1,\"t\":2}]}}");
    assertEquals("json_duplicate_key", deep.code());
    assertTrue(deep.getMessage().contains("line 1"), deep.getMessage());
  }

  @Test
  void nonStandardNumbersAndSyntaxAreRefused() {
    for (String b : new String[] {"{\"n\":NaN}", "{\"n\":Infinity}", "{\"n\":-Infinity}", "{\"n\":01}", "{\"n\":+1}",
        "{\"n\":.5}", "{\"n\":0x10}", "{'a':1}", "{a:1}", "{\"a\":1,}", "[1,]", "{\"a\":1}x", "// c\n{}",
        "{\"a\":\"\u0001\"}", "{\"a\":1} {\"b\":2}"}) {
      assertEquals("malformed_json", refused(b).code(), b);
    }
  }

  @Test
  void numbersBeyondTheRangeOfADoubleAreRefusedNotForwardedAsInfinity() throws HttpRefusal {
    for (String b : new String[] {"{\"n\":1e400}", "{\"n\":-1e400}", "[1.5, 2e308]", "{\"a\":{\"b\":[0, 9" + "9".repeat(310) + ".0]}}",
        "{\"where\":{\"x\":{\"$gt\":1E+999}}}"}) {
      HttpRefusal r = refused(b);
      assertEquals("malformed_json", r.code(), b);
      assertTrue(r.getMessage().contains("beyond the range"), r.getMessage());
    }
    // the largest double and an underflow to zero are numbers, and go out as numbers
    assertEquals("[1.7976931348623157E308,0.0]", new String(json.write(json.parse("[1.7976931348623157e308, 1e-400]"
        .getBytes(StandardCharsets.UTF_8))), StandardCharsets.UTF_8));
  }

  @Test
  void depthAndLengthLimitsAreRefused() {
    assertEquals("json_limits", refused("[".repeat(9) + "]".repeat(9)).code());
    assertEquals("json_limits", refused("{\"n\":" + "9".repeat(500) + "}").code());
  }

  @Test
  void invalidUtf8IsRefused() {
    byte[] bad = {'{', '"', 'a', '"', ':', '"', (byte) 0xC0, (byte) 0xAF, '"', '}'};
    HttpRefusal r = assertThrows(HttpRefusal.class, () -> json.parse(bad));
    assertEquals("malformed_json", r.code());
  }
}
