package io.vectorgate.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectorgate.model.Action;
import io.vectorgate.model.Decision;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Warm-up at activation: it runs on every instance, is bounded, is invisible to metrics and the decision log. */
class WarmupTest {

  @Test
  void everyInstanceRunsTheConfiguredEvaluationsWithoutCountingOrLoggingThem() throws Exception {
    LongAdderEngineMetrics metrics = new LongAdderEngineMetrics();
    List<DecisionLogEntry> log = Collections.synchronizedList(new ArrayList<>());
    EngineConfig cfg = TestPolicies.config().engine(EngineConfig.Engine.WASM).poolSize(2).metrics(metrics).decisionLogger(log::add)
        .warmupIterations(40).warmupBudget(Duration.ofMinutes(5)).build();
    try (PolicyEngine engine = new PolicyEngine(cfg)) {
      ActivationReport r = engine.activate(TestPolicies.bundle("acme"));
      assertEquals(2 * 40, r.warmupEvaluations(), r.toString());
      assertEquals(0, r.warmupFailures(), r.toString());
      assertTrue(r.buildMillis() >= r.warmupMillis(), r.toString());
      assertEquals(0, metrics.allowed() + metrics.denied(), "warm-up must not count as decisions");
      assertTrue(log.isEmpty(), "warm-up must not reach the decision log: " + log);
      assertEquals(2, engine.poolState().get("idle"));

      engine.decide(TestPolicies.input("alice", List.of("analysts"), "red", Action.SEARCH, "docs_red"));
      assertEquals(1, metrics.allowed() + metrics.denied());
      assertEquals(1, log.size());
    }
  }

  @Test
  void warmedAndColdEnginesDecideTheSame() throws Exception {
    var input = TestPolicies.input("alice", List.of("analysts"), "red", Action.SEARCH, "docs_red");
    try (PolicyEngine cold = PolicyEngine.start(TestPolicies.config().engine(EngineConfig.Engine.WASM).noWarmup().build(), TestPolicies.bundle("acme"));
         PolicyEngine warm = PolicyEngine.start(TestPolicies.config().engine(EngineConfig.Engine.WASM).warmupIterations(300)
             .warmupBudget(Duration.ofMinutes(5)).build(), TestPolicies.bundle("acme"))) {
      for (int i = 0; i < 5; i++) {
        Decision a = cold.decide(input);
        Decision b = warm.decide(input);
        assertEquals(a.allow(), b.allow());
        assertEquals(a.reasons(), b.reasons());
        assertEquals(a.obligations(), b.obligations());
      }
    }
  }

  @Test
  void theBudgetStopsAnUnboundedIterationCount() throws Exception {
    EngineConfig cfg = TestPolicies.config().engine(EngineConfig.Engine.WASM).poolSize(1).warmupIterations(Integer.MAX_VALUE)
        .warmupBudget(Duration.ofMillis(200)).build();
    try (PolicyEngine engine = new PolicyEngine(cfg)) {
      ActivationReport r = engine.activate(TestPolicies.bundle("acme"));
      assertTrue(r.warmupEvaluations() > 0, r.toString());
      assertTrue(r.warmupEvaluations() < Integer.MAX_VALUE, r.toString());
      assertTrue(engine.activeRevision().isPresent());
    }
  }

  @Test
  void warmupOffRunsNothing() throws Exception {
    for (EngineConfig cfg : List.of(TestPolicies.config().engine(EngineConfig.Engine.WASM).noWarmup().build(),
        TestPolicies.config().engine(EngineConfig.Engine.WASM).warmupBudget(Duration.ZERO).build(),
        TestPolicies.config().engine(EngineConfig.Engine.WASM).useCompiler(false).build())) {
      assertFalse(cfg.warmupEnabled());
      try (PolicyEngine engine = new PolicyEngine(cfg)) {
        ActivationReport r = engine.activate(TestPolicies.bundle("acme"));
        assertEquals(0, r.warmupEvaluations());
        assertEquals(0, r.warmupMillis());
      }
    }
  }

  @Test
  void failingWarmupInputsAreDroppedAndTheInstanceMustStillPassItsSmokeCheck() throws Exception {
    LongAdderEngineMetrics metrics = new LongAdderEngineMetrics();
    // conflict: the guest aborts (eval_conflict_error); spin: the evaluation timeout interrupts it
    EngineConfig cfg = TestPolicies.config().engine(EngineConfig.Engine.WASM).poolSize(1).metrics(metrics).evaluationTimeout(Duration.ofMillis(300))
        .memoryPages(32, 4096)
        .warmupInputs(List.of("{\"mode\":\"conflict\",\"x\":1,\"y\":2}", "{\"mode\":\"spin\",\"n\":100000000}",
            "{\"mode\":\"true\"}"))
        .warmupIterations(30).warmupBudget(Duration.ofMinutes(5)).build();
    try (PolicyEngine engine = new PolicyEngine(cfg)) {
      ActivationReport r = engine.activate(TestPolicies.bundle("modes"));
      assertEquals(2, r.warmupFailures(), r.toString());
      assertEquals(30, r.warmupEvaluations(), r.toString());
      assertEquals(0, metrics.instancesDiscarded());
      Evaluation ev = engine.evaluate("{\"mode\":\"true\"}");
      assertEquals(Evaluation.Status.DEFINED, ev.status(), ev.toString());
    }
  }

  @Test
  void badWarmupSettingsAreRefusedNamingTheSetting() {
    IllegalArgumentException json = assertThrows(IllegalArgumentException.class,
        () -> EngineConfig.builder().warmupInputs(List.of("{}", "{\"a\":1,\"a\":2}")).build());
    assertTrue(json.getMessage().startsWith("warmupInputs[1] is not a usable input"), json.getMessage());
    IllegalArgumentException big = assertThrows(IllegalArgumentException.class,
        () -> EngineConfig.builder().maxInputBytes(16).warmupInputs(List.of("{\"x\":\"" + "y".repeat(64) + "\"}")).build());
    assertTrue(big.getMessage().startsWith("warmupInputs[0]"), big.getMessage());
    IllegalArgumentException iterations = assertThrows(IllegalArgumentException.class,
        () -> EngineConfig.builder().warmupIterations(-1).build());
    assertTrue(iterations.getMessage().contains("warmupIterations"), iterations.getMessage());
    IllegalArgumentException budget = assertThrows(IllegalArgumentException.class,
        () -> EngineConfig.builder().warmupBudget(Duration.ofMillis(-1)).build());
    assertTrue(budget.getMessage().contains("warmupBudget"), budget.getMessage());
    assertThrows(NullPointerException.class, () -> EngineConfig.builder().warmupBudget(null).build());
  }

  @Test
  void theDefaultsWarmWithRepresentativeContractInputsAndSurviveToBuilder() {
    EngineConfig d = EngineConfig.defaults();
    assertTrue(d.warmupEnabled());
    assertEquals(EngineConfig.DEFAULT_WARMUP_ITERATIONS, d.warmupIterations());
    assertEquals(EngineConfig.DEFAULT_WARMUP_BUDGET, d.warmupBudget());
    assertTrue(d.warmupInputs().size() >= 5, d.warmupInputs().toString());
    for (String in : d.warmupInputs()) {
      assertTrue(in.contains("\"contract\":\"vectorgate/v1\""), in);
    }
    EngineConfig copy = d.toBuilder().build();
    assertEquals(d.warmupInputs(), copy.warmupInputs());
    assertEquals(d.warmupIterations(), copy.warmupIterations());
    assertEquals(d.warmupBudget(), copy.warmupBudget());
  }
}
