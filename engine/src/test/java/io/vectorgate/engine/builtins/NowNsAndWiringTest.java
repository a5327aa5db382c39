package io.vectorgate.engine.builtins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.styra.opa.wasm.OpaBuiltin;
import com.styra.opa.wasm.OpaPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** time.now_ns stability per evaluation, the injectable clock, the builder wiring, and the compiled (non-interpreted) path. */
class NowNsAndWiringTest {
  private static final String POLICY = """
      package t

      helper := time.now_ns()
      r := [time.now_ns(), time.now_ns(), helper, time.format(time.now_ns())]
      s := sprintf("%v|%d|%.2f", [input.x, input.y, input.z])
      """;

  private OpaPolicy build(Path dir, OpaBuiltin.Builtin[] builtins, boolean defaults, boolean compiler) throws Exception {
    Path opa = Path.of(System.getProperty("vectorgate.opa"));
    Files.writeString(dir.resolve("p.rego"), POLICY);
    Files.writeString(dir.resolve("caps.json"), OpaDifferential.run(List.of(opa.toString(), "capabilities", "--current"), null));
    if (!Files.exists(dir.resolve("policy.wasm"))) {
      OpaDifferential.run(List.of(opa.toString(), "build", "-t", "wasm", "-e", "t/r", "-e", "t/s", "--capabilities",
          dir.resolve("caps.json").toString(), "-o", dir.resolve("b.tar.gz").toString(), dir.resolve("p.rego").toString()), null);
      OpaDifferential.run(List.of("tar", "-xzf", dir.resolve("b.tar.gz").toString(), "-C", dir.toString(), "/policy.wasm"), null);
    }
    OpaPolicy.Builder b = OpaPolicy.builder().withPolicy(dir.resolve("policy.wasm")).withDefaultBuiltins(defaults)
        .addBuiltins(builtins);
    if (!compiler) {
      b.disableCompiler();
    }
    OpaPolicy p = b.build();
    p.data("{}");
    return p;
  }

  private static JsonNode result(OpaPolicy p, String entrypoint, String input) throws Exception {
    p.entrypoint(entrypoint);
    return OpaDifferential.JSON.readTree(p.evaluate(input)).get(0).get("result");
  }

  @Test
  void nowNsIsStableWithinAnEvaluationAndFollowsTheBracket(@TempDir Path dir) throws Exception {
    AtomicLong clock = new AtomicLong(1_000);
    OpaPolicy p = build(dir, HostBuiltins.all(clock::incrementAndGet), false, false);
    long t1 = 1_700_000_000_123_456_789L;
    JsonNode r1;
    try (HostBuiltins.Evaluation e = HostBuiltins.beginEvaluation(t1)) {
      assertEquals(t1, e.nowNs());
      r1 = result(p, "t/r", "{}");
    }
    assertEquals(t1, r1.get(0).asLong());
    assertEquals(t1, r1.get(1).asLong());
    assertEquals(t1, r1.get(2).asLong());
    assertEquals("2023-11-14T22:13:20.123456789Z", r1.get(3).asText());
    long t2 = t1 + 86_400_000_000_000L;
    HostBuiltins.beginEvaluation(t2);
    try {
      JsonNode r2 = result(p, "t/r", "{}");
      assertEquals(t2, r2.get(0).asLong());
      assertEquals(t2, r2.get(2).asLong());
    } finally {
      HostBuiltins.endEvaluation();
    }
    // outside a bracket every call reads the injected clock
    JsonNode r3 = result(p, "t/r", "{}");
    assertTrue(r3.get(0).asLong() > 1_000);
    assertNotEquals(r3.get(0).asLong(), r3.get(1).asLong());
  }

  @Test
  void bracketIsPerThread() throws Exception {
    HostBuiltin now = HostBuiltins.javaBuiltins(() -> 42L).get(0);
    assertEquals("time.now_ns", now.name());
    try (HostBuiltins.Evaluation e = HostBuiltins.beginEvaluation(7L)) {
      assertEquals(7L, now.apply().asLong());
      long[] other = new long[1];
      Thread t = new Thread(() -> other[0] = now.apply().asLong());
      t.start();
      t.join();
      assertEquals(42L, other[0]);
    }
    assertEquals(42L, now.apply().asLong());
  }

  @Test
  void namesListEveryRegisteredBuiltinOnce() {
    List<String> names = HostBuiltins.names();
    Set<String> unique = new HashSet<>(names);
    assertEquals(names.size(), unique.size(), "duplicates in " + names);
    assertEquals(unique, new HashSet<>(Arrays.stream(HostBuiltins.all()).map(OpaBuiltin.Builtin::name).toList()));
    assertTrue(unique.containsAll(List.of("time.now_ns", "time.parse_rfc3339_ns", "time.parse_ns", "time.parse_duration_ns",
        "time.date", "time.clock", "time.weekday", "time.add_date", "time.diff", "time.format", "sprintf",
        "io.jwt.decode", "crypto.sha256", "crypto.sha1", "crypto.md5", "hex.encode")), names.toString());
  }

  @Test
  void configureReplacesTheSdkSprintfAndTheCompiledPathAgrees(@TempDir Path dir) throws Exception {
    String input = "{\"x\": {\"b\": [1.0, \"é\"], \"a\": null}, \"y\": 1.5, \"z\": 2.675}";
    Path opa = Path.of(System.getProperty("vectorgate.opa"));
    Files.writeString(dir.resolve("p.rego"), POLICY);
    Files.writeString(dir.resolve("in.json"), input);
    String expected = OpaDifferential.JSON.readTree(OpaDifferential.run(List.of(opa.toString(), "eval", "-f", "json", "-d",
        dir.resolve("p.rego").toString(), "-i", dir.resolve("in.json").toString(), "data.t.s"), null))
        .at("/result/0/expressions/0/value").asText();
    assertEquals("{\"a\": null, \"b\": [1.0, \"é\"]}|%!d(float64=1.5)|2.67", expected);

    build(dir, new OpaBuiltin.Builtin[0], false, false);
    OpaPolicy interpreted = HostBuiltins.configure(OpaPolicy.builder().withPolicy(dir.resolve("policy.wasm")))
        .disableCompiler().build();
    interpreted.data("{}");
    assertEquals(expected, result(interpreted, "t/s", input).asText());

    OpaPolicy compiled = build(dir, HostBuiltins.all(), false, true);
    assertEquals(expected, result(compiled, "t/s", input).asText());

    // the SDK's own sprintf (what one gets with the default builtins) renders differently: the reason for configure()
    OpaPolicy sdkDefault = build(dir, HostBuiltins.all(), true, false);
    String sdk;
    try {
      sdk = result(sdkDefault, "t/s", input).asText();
    } catch (RuntimeException sdkFailed) {
      sdk = "error: " + sdkFailed;
    }
    assertNotEquals(expected, sdk);
  }
}
