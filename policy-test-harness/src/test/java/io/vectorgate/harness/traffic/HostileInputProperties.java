package io.vectorgate.harness.traffic;

import io.vectorgate.harness.HarnessException;
import io.vectorgate.harness.impact.ImpactExpectations;
import io.vectorgate.harness.replay.Traffic;
import java.nio.file.Files;
import java.nio.file.Path;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Hostile and mutated inputs to the harness's parsers (traffic-test files, expectations files,
 * recording exports) either parse or fail with a {@link HarnessException} naming where; nothing else
 * escapes (no NullPointerException, ClassCastException, …).
 */
class HostileInputProperties {
  static final String VALID = """
      version: vectorgate-traffic-test/v1
      recording: rec
      defaults:
        connection: {name: m, kind: milvus}
        identity: {subject: a, groups: [g]}
        time: "2025-03-04T10:00:00Z"
      cases:
        - name: one
          request: {rpc: Query, message: {collectionName: docs, expr: "id > 0"}}
          expect: {allow: true, reasons: [x], mask: [{field: email, method: hash}], limit_cap: {max: 3}, approval: null}
        - name: two
          record: rec-abc-2
          identity: {subject: b, groups: []}
          expect: {allow: false, row_filter: [{field: t, op: eq, value: 1}], approval: {min_approvals: 2}}
      """;

  static final String EXPORT_LINE = "{\"format\":\"vectorgate-record/v1\",\"kind\":\"request\",\"seq\":1,\"id\":\"rec-a-1\","
      + "\"time\":\"2025-03-04T10:00:00Z\",\"identity\":{\"subject\":\"a\",\"groups\":[\"g\"]},"
      + "\"connection\":{\"name\":\"m\",\"kind\":\"milvus\"},\"operation\":{\"action\":\"query\",\"resource\":{\"collection\":\"d\"}},"
      + "\"decision\":{\"allow\":true,\"reasons\":[{\"code\":\"c\",\"message\":\"m\"}]},\"request\":{\"collectionName\":\"d\"},\"hash\":\"h\"}";

  @Provide
  Arbitrary<String> mutated() {
    return mutations(VALID);
  }

  @Provide
  Arbitrary<String> mutatedLine() {
    return mutations(EXPORT_LINE);
  }

  static Arbitrary<String> mutations(String base) {
    Arbitrary<Integer> pos = Arbitraries.integers().between(0, base.length() - 1);
    Arbitrary<String> junk = Arbitraries.of("", "{", "}", "[", "]", ":", ",", "\"", "\n", "- ", "  ", "null", "true", "-1",
        "99999999999999999999999", "\u0000", "\uD800", "&anchor ", "*anchor", "!!binary ", "'", "#", "{{", "x: y");
    return Arbitraries.oneOf(
        pos.flatMap(p -> junk.map(j -> base.substring(0, p) + j + base.substring(p))),
        pos.flatMap(p -> Arbitraries.integers().between(1, 20).map(n -> base.substring(0, p)
            + base.substring(Math.min(base.length(), p + n)))),
        Arbitraries.strings().ofMaxLength(200));
  }

  @Property(tries = 300)
  void trafficFilesParseOrFailWithALocation(@ForAll("mutated") String text) throws Exception {
    Path dir = Files.createTempDirectory("hostile-");
    Path f = dir.resolve("x.traffic.yaml");
    Files.write(f, text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    try {
      TrafficTestFile.read(f);
    } catch (HarnessException e) {
      if (!e.getMessage().startsWith(f.toString())) {
        throw new AssertionError("error does not start with the file: " + e.getMessage(), e);
      }
    } finally {
      Files.deleteIfExists(f);
      Files.deleteIfExists(dir);
    }
  }

  @Property(tries = 200)
  void expectationFilesParseOrFailWithALocation(@ForAll("mutated") String text, @ForAll @IntRange(min = 0, max = 1) int variant)
      throws Exception {
    Path dir = Files.createTempDirectory("hostile-");
    Path f = dir.resolve("e.yaml");
    Files.write(f, (variant == 0 ? text : text.replace("vectorgate-traffic-test/v1", ImpactExpectations.VERSION)
        .replace("cases:", "intended:")).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    try {
      ImpactExpectations.read(f);
    } catch (HarnessException e) {
      if (!e.getMessage().startsWith(f.toString())) {
        throw new AssertionError("error does not start with the file: " + e.getMessage(), e);
      }
    } finally {
      Files.deleteIfExists(f);
      Files.deleteIfExists(dir);
    }
  }

  @Property(tries = 300)
  void exportLinesLoadOrFailWithFileAndLine(@ForAll("mutatedLine") String line) throws Exception {
    Path dir = Files.createTempDirectory("hostile-");
    Path f = dir.resolve("export.jsonl");
    Files.write(f, (EXPORT_LINE.replace("rec-a-1", "rec-a-0") + "\n" + line + "\n")
        .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    try {
      Traffic t = Traffic.load(f);
      new io.vectorgate.harness.replay.InputRebuilder(t.state()).rebuild(t.requests().get(t.requests().size() - 1));
    } catch (HarnessException e) {
      if (!e.getMessage().startsWith(f.toString())) {
        throw new AssertionError("error does not name the file: " + e.getMessage(), e);
      }
    } finally {
      Files.deleteIfExists(f);
      Files.deleteIfExists(dir);
    }
  }
}
