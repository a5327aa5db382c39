package io.vectorgate.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.vectorgate.engine.plan.PlanBundle;
import io.vectorgate.engine.plan.PlanCompiler;
import io.vectorgate.engine.plan.PlanEvaluator;
import io.vectorgate.engine.plan.Val;
import io.vectorgate.model.PolicyInput;
import io.vectorgate.model.RequestContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;

/**
 * The plan engine against the Wasm engine on generated inputs, over every policy corpus the
 * project has: the shipped library with the sample organisation's data, the engine's acme test
 * policy, and each DSL golden policy (generated Rego with the library's core). Raw results must be
 * equal value for value (sets compared as sets, numbers by value).
 */
class PlanDifferentialProperties {
  private static final Path ROOT = Path.of(System.getProperty("vectorgate.root"));
  private static final Map<String, PlanEvaluator> PLANS = new LinkedHashMap<>();
  private static final Map<String, PolicyEngine> WASM = new LinkedHashMap<>();

  @BeforeContainer
  static void compileAll() throws IOException {
    Map<String, List<Path>> corpora = new LinkedHashMap<>();
    corpora.put("library", List.of(ROOT.resolve("rego-policies/src/main/rego"), ROOT.resolve("samples/org/data.json")));
    corpora.put("acme", List.of(TestPolicies.dir("acme")));
    Path core = ROOT.resolve("rego-policies/src/main/rego/vectorgate/core.rego");
    try (Stream<Path> golden = Files.list(ROOT.resolve("dsl/src/test/resources/golden"))) {
      for (Path g : golden.filter(p -> p.toString().endsWith(".rego")).sorted().toList()) {
        corpora.put("dsl:" + g.getFileName(), List.of(g, core));
      }
    }
    PlanCompiler planCompiler = new PlanCompiler(TestPolicies.opa(), BundleLimits.DEFAULTS);
    for (Map.Entry<String, List<Path>> c : corpora.entrySet()) {
      PolicyCompiler.CompileRequest req = new PolicyCompiler.CompileRequest(c.getValue(),
          List.of(EngineConfig.DEFAULT_ENTRYPOINT), c.getKey().replace(':', '-'), null);
      PlanBundle pb = planCompiler.compile(req).orThrow();
      PLANS.put(c.getKey(), new PlanEvaluator(pb.policy(), pb.data()));
      try {
        WASM.put(c.getKey(), PolicyEngine.start(TestPolicies.config().engine(EngineConfig.Engine.WASM).poolSize(1).useCompiler(false).build(),
            TestPolicies.compiler().compile(req).orThrow()));
      } catch (PolicyActivationException e) {
        throw new IllegalStateException(c.getKey() + " does not activate on the Wasm engine", e);
      }
    }
  }

  @AfterContainer
  static void stop() {
    WASM.values().forEach(PolicyEngine::close);
  }

  @Property(tries = 250)
  void planAgreesWithWasmOnEveryCorpus(@ForAll("inputs") PolicyInput input) throws Exception {
    String json = ContractJson.mapper().writeValueAsString(input);
    Val in = Val.fromJson(ContractJson.mapper().readTree(json));
    List<String> mismatches = new ArrayList<>();
    for (String corpus : PLANS.keySet()) {
      Evaluation w = WASM.get(corpus).evaluate(json);
      Val expected = w.defined() ? Val.fromJson(w.result()) : null;
      Val got = PLANS.get(corpus).evaluateValue(EngineConfig.DEFAULT_ENTRYPOINT, in, input.context().timeNs());
      if (w.status() == Evaluation.Status.FAILED || !java.util.Objects.equals(expected, got)) {
        mismatches.add(corpus + ": wasm " + (w.defined() ? w.result() : w.status() + " " + w.message())
            + " plan " + got);
      }
    }
    assertEquals(List.of(), mismatches, json);
    // agreement means little unless the generator reaches both outcomes of the library
    Val lib = PLANS.get("library").evaluateValue(EngineConfig.DEFAULT_ENTRYPOINT, in, input.context().timeNs());
    Statistics.label("library allow").collect(lib instanceof Val.Obj o && Val.TRUE.equals(o.get("allow")));
    Statistics.label("library allow").coverage(c -> {
      c.check(true).count(n -> n >= 10);
      c.check(false).count(n -> n >= 10);
    });
  }

  /** The engine's differential generator, with times spread over days and hours (write windows, weekdays). */
  @Provide
  Arbitrary<PolicyInput> inputs() {
    Arbitrary<Long> times = Arbitraries.longs().between(1_767_225_600L, 1_767_225_600L + 14 * 86_400L)
        .map(s -> s * 1_000_000_000L);
    return Combinators.combine(new DifferentialProperties().inputs(), times).as((in, t) -> {
      RequestContext c = in.context();
      String iso = java.time.Instant.ofEpochSecond(t / 1_000_000_000L).toString();
      return new PolicyInput(in.contract(), in.identity(), in.connection(), in.operation(),
          new RequestContext(iso, t, c.clientAddress(), c.requestId(), c.usage()));
    });
  }
}
