package io.vectorgate.proxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Numbers through the HTTP listener's JSON (fast double parser and writer, issue 16): a double the
 * gateway writes reads back, with the JDK's own parser, as the same double, bit for bit; and a
 * decimal a client sends parses to what {@link Double#parseDouble} makes of it.
 */
class JsonBodiesNumberProperties {
  private final JsonBodies json = new JsonBodies(8);

  @Provide
  Arbitrary<Double> doubles() {
    return Arbitraries.oneOf(
        Arbitraries.longs().map(Double::longBitsToDouble).filter(Double::isFinite),
        Arbitraries.doubles(),
        Arbitraries.floats().map(f -> (double) f).filter(Double::isFinite),
        Arbitraries.of(0.0, -0.0, Double.MIN_VALUE, Double.MAX_VALUE, Double.MIN_NORMAL, 1e23, 2e-3, 9007199254740993.0,
            0.1, 1.0 / 3));
  }

  @Property(tries = 2000)
  void writtenDoublesReadBackBitForBit(@ForAll("doubles") double d) throws HttpRefusal {
    byte[] out = json.write(json.mapper().getNodeFactory().arrayNode().add(d));
    String text = new String(out, StandardCharsets.UTF_8);
    String number = text.substring(1, text.length() - 1);
    assertEquals(Double.doubleToRawLongBits(d), Double.doubleToRawLongBits(Double.parseDouble(number)), text);
    JsonNode back = json.parse(out).get(0);
    assertEquals(Double.doubleToRawLongBits(d), Double.doubleToRawLongBits(back.doubleValue()), text);
  }

  @Provide
  Arbitrary<String> decimals() {
    Arbitrary<String> digits = Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(25);
    return digits.flatMap(i -> digits.flatMap(f -> Arbitraries.integers().between(-330, 310).map(e ->
        (i.length() > 1 ? "1" + i.substring(1) : i) + "." + f + "e" + e)));
  }

  @Property(tries = 2000)
  void sentDecimalsParseAsTheJdkParsesThem(@ForAll("decimals") String decimal) throws HttpRefusal {
    double expected = Double.parseDouble(decimal);
    byte[] body = ("[" + decimal + "]").getBytes(StandardCharsets.UTF_8);
    if (Double.isInfinite(expected)) { // beyond the range of a double: refused, never forwarded as Infinity
      HttpRefusal r = org.junit.jupiter.api.Assertions.assertThrows(HttpRefusal.class, () -> json.parse(body), decimal);
      assertEquals("malformed_json", r.code(), decimal);
      return;
    }
    JsonNode n = json.parse(body).get(0);
    assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(n.doubleValue()), decimal);
  }
}
