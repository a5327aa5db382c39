package io.vectorgate.dsl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorgate.dsl.rego.OpaTool;
import io.vectorgate.engine.Evaluation;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sample organisation's policy in the DSL (samples/org/policy.vg) decides like the shipped Rego
 * library on the contract's documented examples (rego-policies/src/test/resources/examples, whose
 * decisions the library's own tests assert): same allow, same reason codes, same obligations
 * (the approval's free-text reason aside: messages differ by design). Evaluated both by the Wasm
 * engine and by OPA's topdown evaluator.
 */
class SampleOrgPolicyTest {
  private static final Path ROOT = Path.of(System.getProperty("vectorgate.root"));
  private static final Path EXAMPLES = ROOT.resolve("rego-policies/src/test/resources/examples");

  /** Examples outside the DSL's reach, with the reason; everything else must match. */
  private static final Map<String, String> EXCEPTIONS = Map.of(
      "insert-without-tenant-field", "tenant_write_field_missing reads operation.attributes.written_values",
      "upsert", "tenant_write_other_tenant reads operation.attributes.written_values",
      "filter-on-pii-field", "pii_filter reads operation.attributes.filter_fields");

  @TempDir
  static Path tmp;

  private static Path compiled;
  private static Map<String, ObjectNode> inputs;
  private static Map<String, JsonNode> documented;

  @BeforeAll
  static void compileSamplePolicy() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("src"));
    Files.copy(ROOT.resolve("samples/org/policy.vg"), src.resolve("policy.vg"));
    compiled = tmp.resolve("rego");
    PolicyDirectory.Prepared p = PolicyDirectory.prepare(src, compiled, OpaTool.fromEnvironment());
    assertTrue(p.ok(), () -> p.diagnostics().toString());
    assertTrue(p.diagnostics().isEmpty(), () -> "the sample policy has warnings: " + p.diagnostics());
    inputs = new LinkedHashMap<>();
    documented = new LinkedHashMap<>();
    try (Stream<Path> s = Files.list(EXAMPLES)) {
      for (Path f : s.filter(x -> x.toString().endsWith(".input.json")).sorted().toList()) {
        String name = f.getFileName().toString().replace(".input.json", "");
        inputs.put(name, (ObjectNode) ReferenceInterpreter.JSON.readTree(f.toFile()));
        documented.put(name, ReferenceInterpreter.JSON.readTree(EXAMPLES.resolve(name + ".decision.json").toFile()));
      }
    }
    assertTrue(inputs.size() >= 30, "documented examples are missing: " + inputs.keySet());
    assertTrue(inputs.keySet().containsAll(EXCEPTIONS.keySet()), "an exception names an example that is gone");
  }

  @Test
  void samplePolicyIsCanonicallyFormatted() throws Exception {
    String text = Files.readString(ROOT.resolve("samples/org/policy.vg"), StandardCharsets.UTF_8);
    assertEquals(text, DslCompiler.format("policy.vg", text).text());
  }

  @Test
  void wasmDecisionsMatchTheLibraryOnDocumentedExamples() throws Exception {
    List<String> mismatches = new ArrayList<>();
    try (WasmPolicies wasm = WasmPolicies.start(compiled, List.of("vectorgate/decision"))) {
      for (var e : inputs.entrySet()) {
        Evaluation ev = wasm.engine.evaluate("vectorgate/decision", e.getValue().toString());
        assertTrue(ev.defined(), () -> e.getKey() + ": " + ev.reasonCode() + " " + ev.message());
        compare(e.getKey(), ev.result(), mismatches);
      }
    }
    assertTrue(mismatches.isEmpty(), () -> String.join("\n", mismatches));
  }

  @Test
  void topdownDecisionsMatchTheLibraryOnDocumentedExamples() throws Exception {
    Path cases = Files.createTempFile(tmp, "cases", ".json");
    ObjectNode doc = ReferenceInterpreter.JSON.createObjectNode();
    inputs.values().forEach(doc.putArray("vgcases")::add);
    Files.writeString(cases, doc.toString(), StandardCharsets.UTF_8);
    OpaTool.Run run = OpaTool.fromEnvironment().run(List.of("eval", "--format", "json", "-d", compiled.toString(),
        "-d", cases.toString(), "[d | some c in data.vgcases; d := data.vectorgate.decision with input as c]"), null);
    assertTrue(run.ok(), run::stderr);
    JsonNode results = ReferenceInterpreter.JSON.readTree(run.stdout()).at("/result/0/expressions/0/value");
    List<String> mismatches = new ArrayList<>();
    int i = 0;
    for (String name : inputs.keySet()) {
      compare(name, results.get(i++), mismatches);
    }
    assertTrue(mismatches.isEmpty(), () -> String.join("\n", mismatches));
  }

  /** The live library (every module of the rego-policies jar + samples/org/data.json) agrees too. */
  @Test
  void topdownDecisionsMatchTheLiveLibrary() throws Exception {
    Path lib = Files.createDirectories(tmp.resolve("lib"));
    for (var m : io.vectorgate.rego.RegoLibrary.sources().entrySet()) {
      Path target = lib.resolve(m.getKey());
      Files.createDirectories(target.getParent());
      Files.writeString(target, m.getValue(), StandardCharsets.UTF_8);
    }
    List<JsonNode> library = evalAll(List.of("-d", lib.toString(), "-d",
        ROOT.resolve("samples/org/data.json").toString()));
    List<JsonNode> dsl = evalAll(List.of("-d", compiled.toString()));
    List<String> mismatches = new ArrayList<>();
    int i = 0;
    for (String name : inputs.keySet()) {
      JsonNode want = comparable(library.get(i));
      JsonNode got = comparable(dsl.get(i));
      i++;
      if (EXCEPTIONS.containsKey(name) == want.equals(got)) {
        mismatches.add(name + (EXCEPTIONS.containsKey(name) ? ": listed as an exception but matches" : ":\n  library: "
            + want + "\n  dsl:     " + got));
      }
    }
    assertTrue(mismatches.isEmpty(), () -> String.join("\n", mismatches));
  }

  private static List<JsonNode> evalAll(List<String> dataArgs) throws Exception {
    Path cases = Files.createTempFile(tmp, "cases", ".json");
    ObjectNode doc = ReferenceInterpreter.JSON.createObjectNode();
    inputs.values().forEach(doc.putArray("vgcases")::add);
    Files.writeString(cases, doc.toString(), StandardCharsets.UTF_8);
    List<String> args = new ArrayList<>(List.of("eval", "--format", "json"));
    args.addAll(dataArgs);
    args.addAll(List.of("-d", cases.toString(),
        "[d | some c in data.vgcases; d := data.vectorgate.decision with input as c]"));
    OpaTool.Run run = OpaTool.fromEnvironment().run(args, null);
    assertTrue(run.ok(), () -> run.stdout() + run.stderr());
    List<JsonNode> out = new ArrayList<>();
    ReferenceInterpreter.JSON.readTree(run.stdout()).at("/result/0/expressions/0/value").forEach(out::add);
    assertEquals(inputs.size(), out.size());
    return out;
  }

  private static void compare(String name, JsonNode actual, List<String> mismatches) {
    JsonNode want = comparable(documented.get(name));
    JsonNode got = comparable(actual);
    boolean same = want.equals(got);
    if (EXCEPTIONS.containsKey(name)) {
      if (same) {
        mismatches.add(name + ": listed as an exception (" + EXCEPTIONS.get(name) + ") but now matches; "
            + "remove it from EXCEPTIONS");
      }
      return;
    }
    if (!same) {
      mismatches.add(name + ":\n  library: " + want + "\n  dsl:     " + got);
    }
  }

  /** allow, the set of reason codes, and the obligations without the approval's free-text reason. */
  static JsonNode comparable(JsonNode decision) {
    ObjectNode out = ReferenceInterpreter.JSON.createObjectNode();
    out.put("allow", decision.get("allow").booleanValue());
    TreeSet<String> codes = new TreeSet<>();
    decision.get("reasons").forEach(r -> codes.add(r.get("code").textValue()));
    codes.forEach(out.putArray("reason_codes")::add);
    ObjectNode ob = ((ObjectNode) decision.get("obligations")).deepCopy();
    if (ob.get("approval") instanceof ObjectNode ap) {
      ap.remove("reason");
    }
    out.set("obligations", ReferenceInterpreter.canonical(ob));
    return ReferenceInterpreter.normalize(out);
  }
}
