package io.vectorgate.engine.builtins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** The opa_value_dump reader: what it accepts, and that hostile or broken dumps fail with a clear error. */
class RegoValueTest {

  @Test
  void readsSetsObjectsAndNumberText() {
    RegoValue v = RegoValue.parseDump("[1.0, {3, 1}, set(), {\"b\": 1e3, \"a\": [null, true]}, \"é\\n\\u0001\", {}]");
    assertEquals("[1.0, {1, 3}, set(), {\"a\": [null, true], \"b\": 1e3}, \"é\\n\\x01\", {}]", v.toRego());
  }

  @Test
  void hostileDumpsAreRejectedWithTheOffset() {
    String deep = "[".repeat(100_000) + "]".repeat(100_000);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RegoValue.parseDump(deep));
    assertTrue(e.getMessage().contains("nesting deeper than"), e.getMessage());
    for (String bad : List.of("", "[1,", "\"abc", "{\"a\" 1}", "[1] x", "\"\\q\"", "\"\\u12\"", "nul", "-", "{1: }", "1e")) {
      IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> RegoValue.parseDump(bad), bad);
      assertTrue(ex.getMessage().startsWith("bad value dump at offset"), ex.getMessage());
    }
  }

  @Test
  void errorsFromBuiltinsNameTheBuiltinAndOperand() {
    HostBuiltin date = TimeBuiltins.all().stream().filter(b -> b.name().equals("time.date")).findFirst().orElseThrow();
    BuiltinException e = assertThrows(BuiltinException.class, () -> date.apply(new RegoValue.Str("x")));
    assertEquals("time.date", e.builtin());
    assertTrue(e.getMessage().contains("operand 1"), e.getMessage());
    BuiltinException arity = assertThrows(BuiltinException.class, () -> date.apply());
    assertTrue(arity.getMessage().contains("expects 1"), arity.getMessage());
  }

  @Provide
  Arbitrary<String> texts() {
    return Arbitraries.strings().withChars("ab\"\\\n\t\u0001é€\u2028{}[],: ").ofMaxLength(30);
  }

  /** Any string the guest dumps (JSON-escaped) reads back to the same string, and OPA-quoting it is Go-quoting. */
  @Property(tries = 300)
  void stringsRoundTrip(@ForAll("texts") String s) throws Exception {
    String dumped = OpaDifferential.JSON.writeValueAsString(s);
    RegoValue v = RegoValue.parseDump(dumped);
    assertEquals(new RegoValue.Str(s), v);
    assertEquals(GoText.quote(s, false), v.toRego());
  }

  /** Arbitrary text never escapes as anything but IllegalArgumentException (no stack overflow, no index errors). */
  @Property(tries = 500)
  void garbageFailsCleanly(@ForAll("garbage") String s) {
    try {
      RegoValue.parseDump(s);
    } catch (IllegalArgumentException expected) {
      assertTrue(expected.getMessage().startsWith("bad value dump"), expected.getMessage());
    }
  }

  @Provide
  Arbitrary<String> garbage() {
    return Arbitraries.strings().withChars("[]{}\",:\\u0123456789.eE+-truefalsnet() ").ofMaxLength(40);
  }
}
