package io.vectorgate.engine.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vectorgate.engine.BundleLimits;
import io.vectorgate.engine.ContractJson;
import io.vectorgate.engine.EngineConfig;
import io.vectorgate.engine.Evaluation;
import io.vectorgate.engine.OpaCli;
import io.vectorgate.engine.PolicyCompiler;
import io.vectorgate.engine.PolicyEngine;
import io.vectorgate.engine.TestPolicies;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The shipped Rego library (rego-policies/src/main/rego with samples/org/data.json), compiled with
 * the real {@code opa build -t plan} and evaluated by {@link PlanEvaluator}, against three oracles on
 * every documented contract example: the documented decision, the Wasm engine on the same sources,
 * and {@code opa eval}.
 */
class PlanLibraryDifferentialTest {
  static final Path ROOT = Path.of(System.getProperty("vectorgate.root"));
  static final Path LIBRARY = ROOT.resolve("rego-policies/src/main/rego");
  static final Path ORG_DATA = ROOT.resolve("samples/org/data.json");
  static final Path EXAMPLES = ROOT.resolve("rego-policies/src/test/resources/examples");

  private static PlanEvaluator plan;
  private static PolicyEngine wasm;

  @BeforeAll
  static void compile() throws Exception {
    PolicyCompiler.CompileRequest req = PolicyCompiler.CompileRequest.of(LIBRARY, ORG_DATA).withRevision("lib");
    PlanBundle bundle = new PlanCompiler(TestPolicies.opa(), BundleLimits.DEFAULTS).compile(req).orThrow();
    plan = new PlanEvaluator(bundle.policy(), bundle.data());
    wasm = PolicyEngine.start(TestPolicies.config().engine(EngineConfig.Engine.WASM).poolSize(1).noWarmup().build(),
        TestPolicies.compiler().compile(req).orThrow());
  }

  @AfterAll
  static void stop() {
    if (wasm != null) {
      wasm.close();
    }
  }

  static Stream<Path> examples() throws IOException {
    try (Stream<Path> s = Files.list(EXAMPLES)) {
      List<Path> inputs = s.filter(p -> p.getFileName().toString().endsWith(".input.json")).sorted().toList();
      return inputs.stream();
    }
  }

  static Val evalPlan(PlanEvaluator ev, JsonNode input) {
    return ev.evaluateValue(EngineConfig.DEFAULT_ENTRYPOINT, Val.fromJson(input),
        input.path("context").path("time_ns").asLong(0));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void planAgreesWithTheDocumentedDecisionTheWasmEngineAndOpaEval(Path inputFile) throws Exception {
    String name = inputFile.getFileName().toString().replace(".input.json", "");
    String inputJson = Files.readString(inputFile);
    JsonNode input = ContractJson.mapper().readTree(inputJson);
    Val got = evalPlan(plan, input);
    assertNotNull(got, name + ": plan result undefined");

    JsonNode documented = ContractJson.mapper().readTree(EXAMPLES.resolve(name + ".decision.json").toFile());
    assertEquals(Val.fromJson(documented), got, name + " vs documented decision");

    Evaluation w = wasm.evaluate(inputJson);
    assertTrue(w.defined(), name + ": " + w);
    assertEquals(Val.fromJson(w.result()), got, name + " vs Wasm engine");

    assertEquals(opaEval(inputFile), got, name + " vs opa eval");
  }

  /** {@code opa eval} of data.vectorgate.decision on the same sources and input. */
  static Val opaEval(Path inputFile) {
    OpaCli opa = TestPolicies.opa();
    OpaCli.Result r = opa.run(null, List.of("eval", "--format", "json", "-d", LIBRARY.toString(), "-d",
        ORG_DATA.toString(), "--ignore", "*_test.rego", "-i", inputFile.toString(), "data.vectorgate.decision"));
    assertTrue(r.ok(), r.stderr());
    try {
      JsonNode out = ContractJson.mapper().readTree(r.stdout());
      return Val.fromJson(out.at("/result/0/expressions/0/value"));
    } catch (IOException e) {
      throw new AssertionError("opa eval printed no JSON: " + r.stdout(), e);
    }
  }
}
