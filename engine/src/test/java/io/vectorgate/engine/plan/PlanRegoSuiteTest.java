package io.vectorgate.engine.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vectorgate.engine.BundleLimits;
import io.vectorgate.engine.ContractJson;
import io.vectorgate.engine.OpaCli;
import io.vectorgate.engine.TestPolicies;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped library's own {@code opa test} suite (rego-policies/src/test/rego: 115 tests, most
 * with {@code with input as ...} and {@code with data...}), every test rule planned as an
 * entrypoint and evaluated by the plan engine: each test's outcome must be what {@code opa test}
 * reports for it (pass = the rule is defined and true).
 */
class PlanRegoSuiteTest {
  static final Path ROOT = Path.of(System.getProperty("vectorgate.root"));
  static final Path MAIN = ROOT.resolve("rego-policies/src/main/rego");
  static final Path TESTS = ROOT.resolve("rego-policies/src/test/rego");

  @TempDir
  Path work;

  @Test
  void everyLibraryTestHasTheOutcomeOpaTestGivesIt() throws Exception {
    OpaCli opa = TestPolicies.opa();
    OpaCli.Result r = opa.run(null, List.of("test", "--format", "json", MAIN.toString(), TESTS.toString()));
    JsonNode report = ContractJson.mapper().readTree(r.stdout());
    Map<String, Boolean> expected = new TreeMap<>();
    for (JsonNode t : report) {
      String pkg = t.path("package").asText().replaceFirst("^data\\.", "").replace('.', '/');
      boolean pass = !t.has("fail") && !t.has("error") && !t.path("skip").asBoolean(false);
      expected.put(pkg + "/" + t.path("name").asText(), pass);
    }
    assertTrue(expected.size() >= 100, "opa test found " + expected.size() + " tests: " + r.stderr());

    // test rules call functions of the fixtures, which `opa build` cannot take as entrypoints unless
    // unused rules are pruned (opa#4411), so this build adds --prune-unused to the engine's capabilities
    List<String> eps = new ArrayList<>(expected.keySet());
    PlanCompiler compiler = new PlanCompiler(opa, BundleLimits.DEFAULTS);
    Path caps = compiler.capabilities().writeTo(work.resolve("caps.json"));
    Path out = work.resolve("suite.tar.gz");
    List<String> build = new ArrayList<>(List.of("build", "-t", "plan", "--prune-unused", "--capabilities",
        caps.toString(), "-o", out.toString()));
    eps.forEach(e -> build.addAll(List.of("-e", e)));
    build.addAll(List.of(MAIN.toString(), TESTS.toString()));
    OpaCli.Result built = opa.run(null, build);
    assertTrue(built.ok(), built.stderr());
    PlanBundle bundle = PlanBundle.read(Files.readAllBytes(out), BundleLimits.DEFAULTS, Builtins.standard());
    PlanEvaluator ev = new PlanEvaluator(bundle.policy(), bundle.data());

    Map<String, String> differences = new TreeMap<>();
    for (String ep : eps) {
      Val v;
      String error = null;
      try {
        v = ev.evaluateValue(ep, null, 1_767_225_600_000_000_000L);
      } catch (PlanException e) {
        v = null; // an evaluation error fails the test, as in opa test
        error = e.getMessage();
      }
      boolean pass = Val.TRUE.equals(v);
      if (pass != expected.get(ep)) {
        differences.put(ep, "opa test " + (expected.get(ep) ? "passes" : "fails") + ", plan gives "
            + (error != null ? "error " + error : v));
      }
    }
    assertEquals(Map.of(), differences);
  }
}
