package io.vectorgate.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** The input checks never throw, accept what Jackson writes, and bound size and depth exactly. */
class InputGuardProperties {

  @Property(tries = 500)
  void arbitraryTextNeverThrowsAndProblemsNameACode(@ForAll String text) {
    InputGuard.Problem p = InputGuard.checkRaw(text, 4096, 16);
    if (p != null) {
      assertTrue(p.code().equals(ReasonCodes.INPUT_INVALID) || p.code().equals(ReasonCodes.INPUT_TOO_LARGE), p.toString());
      assertTrue(!p.message().isBlank());
    }
  }

  @Property(tries = 300)
  void jsonThatJacksonWritesIsAcceptedByBothChecks(@ForAll("json") JsonNode node) throws Exception {
    String json = ContractJson.mapper().writeValueAsString(node);
    assertNull(InputGuard.checkRaw(json, 1 << 20, 64), json);
    assertNull(InputGuard.checkSerialized(json, 1 << 20, 64), json);
  }

  @Property(tries = 200)
  void depthIsBoundedExactly(@ForAll @IntRange(min = 1, max = 120) int depth, @ForAll boolean arrays) {
    String json = (arrays ? "[" : "{\"k\":").repeat(depth - 1) + (arrays ? "[]" : "{}") + (arrays ? "]" : "}").repeat(depth - 1);
    InputGuard.Problem raw = InputGuard.checkRaw(json, 1 << 20, 50);
    InputGuard.Problem ser = InputGuard.checkSerialized(json, 1 << 20, 50);
    if (depth <= 50) {
      assertNull(raw, json);
      assertNull(ser, json);
    } else {
      assertNotNull(raw);
      assertEquals(ReasonCodes.INPUT_INVALID, raw.code());
      assertNotNull(ser);
      assertEquals(ReasonCodes.INPUT_INVALID, ser.code());
    }
  }

  @Property(tries = 200)
  void sizeIsCountedInUtf8Bytes(@ForAll("unicode") String s) throws Exception {
    String json = ContractJson.mapper().writeValueAsString(s);
    int bytes = json.getBytes(StandardCharsets.UTF_8).length;
    assertNull(InputGuard.checkRaw(json, bytes, 4));
    InputGuard.Problem over = InputGuard.checkRaw(json, bytes - 1, 4);
    assertNotNull(over);
    assertEquals(ReasonCodes.INPUT_TOO_LARGE, over.code());
  }

  @Property(tries = 300)
  void serializedCheckCountsUtf8AndRefusesUnpairedSurrogates(@ForAll String s, @ForAll @IntRange(min = 0, max = 3) int nest)
      throws Exception {
    Object value = s;
    for (int i = 0; i < nest; i++) {
      value = i % 2 == 0 ? java.util.List.of(value, "\\\"") : java.util.Map.of("k\"" + i, value);
    }
    String json = ContractJson.mapper().writeValueAsString(java.util.Map.of("v", value));
    boolean unpaired = json.codePoints().anyMatch(cp -> cp >= 0xD800 && cp <= 0xDFFF);
    if (unpaired) {
      InputGuard.Problem p = InputGuard.checkSerialized(json, 1 << 20, 64);
      assertNotNull(p, json);
      assertEquals(ReasonCodes.INPUT_INVALID, p.code());
      return;
    }
    int bytes = json.getBytes(StandardCharsets.UTF_8).length;
    assertNull(InputGuard.checkSerialized(json, bytes, 64), json);
    InputGuard.Problem over = InputGuard.checkSerialized(json, bytes - 1, 64);
    assertNotNull(over, json);
    assertEquals(ReasonCodes.INPUT_TOO_LARGE, over.code());
    InputGuard.Problem deep = InputGuard.checkSerialized(json, bytes, nest);
    assertNotNull(deep, json);
    assertEquals(ReasonCodes.INPUT_INVALID, deep.code());
  }

  @Provide
  Arbitrary<String> unicode() {
    return Arbitraries.strings().all().ofMinLength(1).ofMaxLength(40)
        .filter(s -> s.codePoints().allMatch(cp -> !(cp >= 0xD800 && cp <= 0xDFFF)));
  }

  @Provide
  Arbitrary<JsonNode> json() {
    return Arbitraries.recursive(this::leaf, this::container, 0, 5);
  }

  private Arbitrary<JsonNode> leaf() {
    JsonNodeFactory f = JsonNodeFactory.instance;
    return Arbitraries.oneOf(
        Arbitraries.strings().ofMaxLength(10).map(f::textNode),
        Arbitraries.integers().map(i -> (JsonNode) f.numberNode(i)),
        Arbitraries.doubles().between(-1e6, 1e6).map(d -> (JsonNode) f.numberNode(d)),
        Arbitraries.of(true, false).map(f::booleanNode),
        Arbitraries.just(f.nullNode()));
  }

  private Arbitrary<JsonNode> container(Arbitrary<JsonNode> inner) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    Arbitrary<JsonNode> arrays = inner.list().ofMaxSize(4).map(l -> {
      var a = f.arrayNode();
      l.forEach(a::add);
      return a;
    });
    Arbitrary<JsonNode> objects = Arbitraries.maps(Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(5), inner)
        .ofMaxSize(4).map(m -> {
          ObjectNode o = f.objectNode();
          m.forEach(o::set);
          return o;
        });
    return Arbitraries.oneOf(arrays, objects);
  }
}
