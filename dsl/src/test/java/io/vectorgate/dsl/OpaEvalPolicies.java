package io.vectorgate.dsl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorgate.dsl.ast.PolicyFile;
import io.vectorgate.dsl.rego.OpaTool;
import io.vectorgate.dsl.rego.RegoGenerator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

/**
 * Test helper: evaluates several DSL policies on many inputs with ONE {@code opa eval} (OPA's
 * topdown evaluator), each policy in its own package {@code vgdiff.pN} with its own copy of the
 * decision table. The second evaluator of the differential tests, next to the Wasm engine.
 */
final class OpaEvalPolicies {
  private OpaEvalPolicies() {}

  /** decisions.get(policy).get(input). */
  static List<List<JsonNode>> decide(List<PolicyFile> asts, List<String> fileNames, List<ObjectNode> inputs)
      throws Exception {
    Path dir = Files.createTempDirectory("vg-dsl-eval");
    Path policies = Files.createDirectories(dir.resolve("policies"));
    String core = PolicyDirectory.coreRego();
    StringJoiner query = new StringJoiner(", ", "[", "]");
    for (int i = 0; i < asts.size(); i++) {
      String pkg = "vgdiff.p" + i;
      Files.writeString(policies.resolve("p" + i + ".rego"), RegoGenerator.generate(asts.get(i), fileNames.get(i),
          pkg), StandardCharsets.UTF_8);
      Files.writeString(policies.resolve("core" + i + ".rego"), core.replace("package vectorgate\n", "package "
          + pkg + "\n").replace("data.vectorgate.", "data." + pkg + "."), StandardCharsets.UTF_8);
      query.add("[d | some c in data.vgcases; d := data." + pkg + ".decision with input as c]");
    }
    ObjectNode cases = ReferenceInterpreter.JSON.createObjectNode();
    ArrayNode arr = cases.putArray("vgcases");
    inputs.forEach(arr::add);
    Path casesFile = dir.resolve("cases.json");
    Files.writeString(casesFile, cases.toString(), StandardCharsets.UTF_8);
    OpaTool.Run run = OpaTool.fromEnvironment().run(List.of("eval", "--format", "json", "--strict-builtin-errors",
        "-d", policies.toString(), "-d", casesFile.toString(), query.toString()), null);
    if (!run.ok()) {
      throw new AssertionError("opa eval failed on the policies kept in " + policies + ": " + run.stdout()
          + run.stderr());
    }
    JsonNode value = ReferenceInterpreter.JSON.readTree(run.stdout()).at("/result/0/expressions/0/value");
    List<List<JsonNode>> out = new ArrayList<>();
    for (JsonNode perPolicy : value) {
      List<JsonNode> ds = new ArrayList<>();
      perPolicy.forEach(ds::add);
      out.add(ds);
    }
    try (var walk = Files.walk(dir)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
    return out;
  }
}
