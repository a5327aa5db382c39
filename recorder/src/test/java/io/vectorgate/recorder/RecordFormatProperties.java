package io.vectorgate.recorder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterTry;
import net.jqwik.api.lifecycle.BeforeTry;

/** Canonical JSON is stable under a parse/re-serialize round trip; hostile lines fail clearly. */
class RecordFormatProperties {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  @Provide
  Arbitrary<JsonNode> json() {
    return Arbitraries.recursive(this::leaf, inner -> Arbitraries.oneOf(array(inner), object(inner)), 0, 3);
  }

  private Arbitrary<JsonNode> leaf() {
    return Arbitraries.oneOf(
        Arbitraries.strings().ofMaxLength(20).map(F::textNode),
        Arbitraries.longs().map(F::numberNode),
        Arbitraries.doubles().between(-1e12, 1e12).map(F::numberNode),
        Arbitraries.of(Double.MIN_VALUE, Double.MAX_VALUE, -0.0, 1e23, 1.0E-7, Double.NaN, Double.POSITIVE_INFINITY)
            .map(F::numberNode),
        Arbitraries.floats().between(-1e6f, 1e6f).map(F::numberNode),
        Arbitraries.bigIntegers().between(BigInteger.TEN.pow(30).negate(), BigInteger.TEN.pow(30)).map(F::numberNode),
        Arbitraries.of(true, false).map(F::booleanNode),
        Arbitraries.just(F.nullNode()));
  }

  private static Arbitrary<JsonNode> array(Arbitrary<JsonNode> inner) {
    return inner.list().ofMaxSize(4).map(l -> {
      ArrayNode a = F.arrayNode();
      l.forEach(a::add);
      return a;
    });
  }

  private static Arbitrary<JsonNode> object(Arbitrary<JsonNode> inner) {
    return Arbitraries.maps(Arbitraries.strings().ofMaxLength(6), inner).ofMaxSize(4).map(m -> {
      ObjectNode o = F.objectNode();
      m.forEach(o::set);
      return o;
    });
  }

  @Property(tries = 300)
  void canonicalFormIsAFixedPointOfParsing(@ForAll("json") JsonNode node) throws Exception {
    byte[] once = RecordFormat.canonicalBytes(node);
    byte[] twice = RecordFormat.canonicalBytes(RecordFormat.mapper().readTree(once));
    assertArrayEquals(once, twice, () -> new String(once, StandardCharsets.UTF_8));
  }

  @Property(tries = 200)
  void memberOrderDoesNotChangeTheHash(@ForAll("json") JsonNode a, @ForAll("json") JsonNode b) {
    ObjectNode x = F.objectNode();
    x.set("alpha", a);
    x.set("beta", b);
    ObjectNode y = F.objectNode();
    y.set("beta", b);
    y.set("alpha", a);
    assertEquals(RecordFormat.expectedHash(x), RecordFormat.expectedHash(y));
  }

  @Property(tries = 200)
  void anyChangedStringValueChangesTheHash(@ForAll("json") JsonNode payload,
      @ForAll @net.jqwik.api.constraints.StringLength(max = 10) String s1,
      @ForAll @net.jqwik.api.constraints.StringLength(max = 10) String s2) {
    net.jqwik.api.Assume.that(!s1.equals(s2));
    ObjectNode x = F.objectNode();
    x.set("p", payload);
    x.put("v", s1);
    ObjectNode y = x.deepCopy();
    y.put("v", s2);
    assertFalse(RecordFormat.expectedHash(x).equals(RecordFormat.expectedHash(y)));
  }

  private Path dir;

  @BeforeTry
  void mkdir() throws Exception {
    dir = Files.createTempDirectory("vg-fmt-");
  }

  @AfterTry
  void rmdir() throws Exception {
    try (var walk = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) walk.sorted(java.util.Comparator.reverseOrder())::iterator) {
        Files.delete(p);
      }
    }
  }

  @Property(tries = 60)
  void arbitraryBytesInASegmentAreReportedNeverAccepted(@ForAll byte[] garbage) throws Exception {
    net.jqwik.api.Assume.that(garbage.length > 0);
    Files.write(dir.resolve(RecordFormat.segmentName(1)), garbage);
    VerifyReport r = Verifier.verify(dir);
    assertFalse(r.ok());
    assertTrue(r.firstProblem().segment().startsWith("segment-"), r.firstProblem().toString());
  }

  @Property(tries = 30)
  void hostileLinesGetClearErrorsNamingFileAndLine(@ForAll("hostile") String line) throws Exception {
    Files.writeString(dir.resolve(Recorder.ID_FILE), "rec-test\n");
    Files.writeString(dir.resolve(RecordFormat.segmentName(1)), line + "\n");
    VerifyReport r = Verifier.verify(dir);
    assertFalse(r.ok());
    VerifyReport.Problem p = r.firstProblem();
    assertEquals(RecordFormat.segmentName(1), p.segment());
    assertEquals(1, p.line());
    RecordingCorruptException e = assertThrows(RecordingCorruptException.class,
        () -> new RecordingReader(dir).forEach(x -> true));
    assertTrue(e.getMessage().contains(RecordFormat.segmentName(1) + " line 1"), e.getMessage());
  }

  @Provide
  Arbitrary<String> hostile() {
    return Arbitraries.of(List.of(
        "[".repeat(5000) + "]".repeat(5000),
        "{\"seq\":1,\"seq\":2,\"hash\":\"x\"}",
        "{\"seq\":1e999999999,\"hash\":\"x\"}",
        "\"just a string\"",
        "{\"seq\":\"1\",\"hash\":",
        "\u0000\u0001\u0002"));
  }
}
