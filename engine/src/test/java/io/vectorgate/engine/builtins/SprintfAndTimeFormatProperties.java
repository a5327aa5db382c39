package io.vectorgate.engine.builtins;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Generated sprintf formats/arguments and time.format layouts/instants/zones, each batch checked
 * against one {@code opa eval} run and the Wasm module with {@link HostBuiltins}. A case may only
 * differ when the Java side refuses it as unsupported (a BuiltinException saying so).
 */
class SprintfAndTimeFormatProperties {
  private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);
  private static Path dir;
  private static OpaDifferential diff;

  @BeforeContainer
  static void build() throws Exception {
    dir = Files.createTempDirectory("vg-builtins-props");
    diff = new OpaDifferential(dir, List.of(
        new OpaDifferential.Group("sprintf", "sprintf(x[0], x[1])", List.of()),
        new OpaDifferential.Group("time_format", "time.format(x)", List.of())));
    diff.buildWasm(false);
  }

  @AfterContainer
  static void cleanUp() throws Exception {
    try (var files = Files.walk(dir)) {
      for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  @Property(tries = 3, shrinking = ShrinkingMode.OFF)
  void generatedCasesMatchOpaEval(@ForAll("sprintfCases") List<JsonNode> sprintf,
      @ForAll("timeFormatCases") List<JsonNode> timeFormat) throws Exception {
    Map<String, Map<Integer, JsonNode>> opa = diff.opaEval(List.of(
        new OpaDifferential.Group("sprintf", "sprintf(x[0], x[1])", sprintf),
        new OpaDifferential.Group("time_format", "time.format(x)", timeFormat)));
    List<String> failures = new ArrayList<>();
    check("sprintf", sprintf, opa.get("sprintf"), failures);
    check("time_format", timeFormat, opa.get("time_format"), failures);
    assertTrue(failures.isEmpty(), failures.size() + " mismatches:\n" + String.join("\n", failures));
  }

  private static void check(String key, List<JsonNode> cases, Map<Integer, JsonNode> opa, List<String> failures)
      throws Exception {
    for (int i = 0; i < cases.size(); i++) {
      JsonNode expected = opa.get(i);
      OpaDifferential.Outcome got = diff.wasm(key, cases.get(i));
      if (expected == null) {
        if (got.error() == null || !OpaDifferential.isBuiltinError(got.error())) {
          failures.add(key + " " + cases.get(i) + ": opa failed but wasm gave " + got);
        }
      } else if (got.error() != null) {
        if (!(OpaDifferential.isBuiltinError(got.error()) && String.valueOf(got.error().getMessage()).contains("not supported"))) {
          failures.add(key + " " + cases.get(i) + ": wasm failed " + got.error() + ", opa " + expected);
        }
      } else if (!got.defined() || !OpaDifferential.sameValue(expected, got.value())) {
        failures.add(key + " " + cases.get(i) + ": opa " + expected + " wasm " + got.value());
      }
    }
  }

  // ------------------------------------------------------------------ sprintf generators

  private static Arbitrary<JsonNode> number(Arbitrary<String> text) {
    return text.map(t -> (JsonNode) NODES.numberNode(new BigDecimal(t)));
  }

  private static Arbitrary<JsonNode> argument() {
    Arbitrary<JsonNode> ints = number(Arbitraries.longs().map(Object::toString));
    Arbitrary<JsonNode> smallInts = number(Arbitraries.integers().between(-300, 70_000).map(Object::toString));
    Arbitrary<JsonNode> bigInts = number(Arbitraries.strings().numeric().ofMinLength(19).ofMaxLength(30)
        .filter(s -> s.charAt(0) != '0'));
    Arbitrary<JsonNode> decimals = number(Arbitraries.bigDecimals().between(new BigDecimal("-1e7"), new BigDecimal("1e7"))
        .ofScale(4).map(BigDecimal::toPlainString).filter(s -> s.contains(".")));
    Arbitrary<JsonNode> doubles = number(Arbitraries.doubles().map(d -> Double.toString(d)));
    Arbitrary<JsonNode> strings = Arbitraries.strings().withChars("aZ9 é€%\"\\\n\t\u0001\u2028\u00ad`'ü")
        .ofMaxLength(8).map(s -> (JsonNode) NODES.textNode(s));
    Arbitrary<JsonNode> emoji = Arbitraries.of("😀", "a😀b", "\uD83D\uDE00é").map(s -> (JsonNode) NODES.textNode(s));
    Arbitrary<JsonNode> others = Arbitraries.of(NODES.booleanNode(true), NODES.booleanNode(false), NODES.nullNode());
    Arbitrary<JsonNode> primitive = Arbitraries.oneOf(ints, smallInts, bigInts, decimals, doubles, strings, emoji, others);
    Arbitrary<JsonNode> array = primitive.list().ofMaxSize(3).map(l -> {
      ArrayNode a = NODES.arrayNode();
      l.forEach(a::add);
      return (JsonNode) a;
    });
    Arbitrary<JsonNode> object = Combinators.combine(Arbitraries.of("b", "a", "é", "Z"), primitive).as((k, v) -> {
      var o = NODES.objectNode();
      o.set(k, v);
      o.put("m", 1);
      return (JsonNode) o;
    });
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(8, primitive), net.jqwik.api.Tuple.of(1, array), net.jqwik.api.Tuple.of(1, object));
  }

  private static Arbitrary<String> spec() {
    Arbitrary<String> flags = Arbitraries.of("", "", "", "+", "-", " ", "#", "0", "-0", "+0", "+ ", "#0");
    Arbitrary<String> width = Arbitraries.oneOf(Arbitraries.just(""), Arbitraries.integers().between(0, 14).map(Object::toString));
    Arbitrary<String> prec = Arbitraries.oneOf(Arbitraries.just(""), Arbitraries.just("."),
        Arbitraries.integers().between(0, 12).map(p -> "." + p));
    Arbitrary<String> verb = Arbitraries.of("v", "v", "s", "d", "d", "q", "x", "X", "o", "b", "e", "E", "f", "f", "g", "G",
        "c", "U", "t", "O", "F");
    return Combinators.combine(flags, width, prec, verb).as((f, w, p, v) -> "%" + f + w + p + v);
  }

  @Provide
  Arbitrary<List<JsonNode>> sprintfCases() {
    Arbitrary<String> literal = Arbitraries.of("", "", " ", "|", "x=", "é ", "%%");
    Arbitrary<String> format = Combinators.combine(spec().list().ofMinSize(1).ofMaxSize(3), literal.list().ofSize(4))
        .as((specs, lits) -> {
          StringBuilder sb = new StringBuilder(lits.get(0));
          for (int i = 0; i < specs.size(); i++) {
            sb.append(specs.get(i)).append(lits.get(i + 1));
          }
          return sb.toString();
        });
    Arbitrary<JsonNode> one = Combinators.combine(format, argument().list().ofMinSize(0).ofMaxSize(4)).as((f, args) -> {
      ArrayNode c = NODES.arrayNode();
      c.add(f);
      ArrayNode a = c.addArray();
      args.forEach(a::add);
      return (JsonNode) c;
    });
    return one.list().ofSize(120);
  }

  // ------------------------------------------------------------------ time.format generators

  private static final List<String> ZONES = List.of("UTC", "", "Local", "Europe/Berlin", "America/New_York",
      "Asia/Kolkata", "Asia/Kathmandu", "Australia/Lord_Howe", "Pacific/Chatham", "America/Sao_Paulo",
      "Africa/Casablanca", "America/St_Johns", "Pacific/Kiritimati", "Europe/Dublin", "Antarctica/Troll", "MST", "HST");
  private static final List<String> ELEMENTS = List.of("2006", "06", "01", "1", "Jan", "January", "02", "2", "_2", "__2",
      "002", "15", "3", "03", "4", "04", "5", "05", "PM", "pm", "MST", "Mon", "Monday", "-0700", "-07:00", "-07", "-070000",
      "-07:00:00", "Z0700", "Z07:00", "Z07", "Z070000", "Z07:00:00", ".000", ".999", ",000000", ".9", ".000000000",
      ".999999999", " ", "T", ":", "-", "/", "x", "Janet", "RFC3339", "UnixDate");

  @Provide
  Arbitrary<List<JsonNode>> timeFormatCases() {
    Arbitrary<Long> ns = Arbitraries.oneOf(Arbitraries.longs(),
        Arbitraries.longs().between(-2_208_988_800_000_000_000L, 4_102_444_800_000_000_000L),
        Arbitraries.of(0L, -1L, Long.MAX_VALUE, Long.MIN_VALUE, 1_615_705_200_000_000_000L, 1_636_264_800_000_000_000L));
    Arbitrary<String> layout = Arbitraries.oneOf(Arbitraries.of(ELEMENTS).list().ofMinSize(1).ofMaxSize(6)
        .map(l -> String.join("", l)), Arbitraries.of("RFC3339", "RFC1123", "RFC850", "Kitchen", "ANSIC", ""));
    Arbitrary<JsonNode> one = Combinators.combine(ns, Arbitraries.of(ZONES), layout).as((n, z, l) -> {
      ArrayNode c = NODES.arrayNode();
      c.add(n);
      c.add(z);
      c.add(l);
      return (JsonNode) c;
    });
    return one.list().ofSize(120);
  }
}
