package io.vectorgate.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectorgate.engine.plan.Val;
import io.vectorgate.model.Decision;
import io.vectorgate.model.PolicyInput;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code engine: plan} behind the same {@link PolicyEngine} API: typed decisions and raw
 * evaluations on the shipped library equal the Wasm engine's on every contract example; shadow
 * mode counts disagreements; a bundle without a plan, or whose plan disagrees with its Wasm module
 * on the smoke input, never becomes active.
 */
class PlanEngineTest {
  private static final Path ROOT = Path.of(System.getProperty("vectorgate.root"));
  private static final Path EXAMPLES = ROOT.resolve("rego-policies/src/test/resources/examples");
  private static PolicyBundle library;
  private static PolicyEngine wasm;
  private static PolicyEngine plan;
  private static LongAdderEngineMetrics planMetrics = new LongAdderEngineMetrics();

  @TempDir
  static Path work;

  @BeforeAll
  static void start() throws Exception {
    library = TestPolicies.compiler().compile(PolicyCompiler.CompileRequest.of(
        ROOT.resolve("rego-policies/src/main/rego"), ROOT.resolve("samples/org/data.json")).withRevision("lib"))
        .orThrow();
    assertTrue(library.plan().isPresent(), "PolicyCompiler attaches the plan");
    wasm = PolicyEngine.start(TestPolicies.config().engine(EngineConfig.Engine.WASM).poolSize(1).noWarmup().build(), library);
    plan = PolicyEngine.start(TestPolicies.config().engine(EngineConfig.Engine.PLAN).shadowRate(1.0)
        .metrics(planMetrics).poolSize(1).noWarmup().build(), library);
  }

  @AfterAll
  static void stop() {
    wasm.close();
    plan.close();
  }

  private static List<Path> inputs() throws Exception {
    try (Stream<Path> s = Files.list(EXAMPLES)) {
      return s.filter(p -> p.toString().endsWith(".input.json")).sorted().toList();
    }
  }

  @Test
  void typedDecisionsAndRawResultsEqualTheWasmEngines() throws Exception {
    List<String> diffs = new ArrayList<>();
    int allowed = 0;
    for (Path f : inputs()) {
      String json = Files.readString(f);
      PolicyInput in = ContractJson.mapper().readValue(json, PolicyInput.class);
      Decision p = plan.decide(in);
      Decision w = wasm.decide(in);
      assertEquals("lib", p.revision());
      allowed += p.allow() ? 1 : 0;
      if (!p.withIdentity(null, null).equals(w.withIdentity(null, null))) {
        diffs.add(f.getFileName() + ": plan " + p + " wasm " + w);
      }
      Evaluation pe = plan.evaluate(json);
      Evaluation we = wasm.evaluate(json);
      if (pe.status() != we.status() || !Val.fromJson(pe.result()).equals(Val.fromJson(we.result()))) {
        diffs.add(f.getFileName() + " raw: plan " + pe + " wasm " + we);
      }
    }
    assertEquals(List.of(), diffs);
    assertTrue(allowed > 3 && allowed < inputs().size() - 3, "examples reach both outcomes: " + allowed);
    assertEquals(0, planMetrics.shadowDisagreements(), "shadow mode compared every decision and found none");
    assertEquals(2L * allowed, planMetrics.allowed(), "decide and evaluate both count their allows");
    assertTrue(plan.planMemoStats().get("hits") > 0, "the raw evaluation of each example reuses rules of its decide: "
        + plan.planMemoStats());
  }

  @Test
  void rawEvaluationNamesUnknownEntrypoints() {
    Evaluation ev = plan.evaluate("no/such", "{}");
    assertEquals(Evaluation.Status.FAILED, ev.status());
    assertEquals(ReasonCodes.UNKNOWN_ENTRYPOINT, ev.reasonCode());
  }

  @Test
  void aBundleWithoutAPlanIsRefusedAndTheLastGoodStays() throws Exception {
    PolicyBundle wasmOnly = PolicyBundle.read(PolicyBundle.read(library.toTarGz(), BundleLimits.DEFAULTS)
        .withPlan(null).toTarGz(), BundleLimits.DEFAULTS);
    assertFalse(wasmOnly.plan().isPresent());
    PolicyActivationException e = assertThrows(PolicyActivationException.class, () -> plan.activate(wasmOnly));
    assertTrue(e.getMessage().contains("carries no plan"), e.getMessage());
    assertEquals("lib", plan.activeRevision().orElseThrow());
  }

  @Test
  void shadowModeCountsAndPlanSmokeMismatchRefuses() throws Exception {
    PolicyBundle alice = compile("alice");
    PolicyBundle bob = compile("bob");
    // same smoke result (both deny the smoke subject), different decisions for alice
    PolicyBundle mixed = alice.withPlan(bob.plan().orElseThrow());
    LongAdderEngineMetrics m = new LongAdderEngineMetrics();
    try (PolicyEngine e = PolicyEngine.start(TestPolicies.config().engine(EngineConfig.Engine.PLAN).shadowRate(1.0)
        .metrics(m).poolSize(1).noWarmup().build(), mixed)) {
      Decision d = e.decide(TestPolicies.input("alice", List.of(), null, io.vectorgate.model.Action.SEARCH, "c"));
      assertFalse(d.allow(), "the plan engine decides; bob's plan denies alice");
      assertEquals(1, m.shadowDisagreements());
      e.decide(TestPolicies.input("carol", List.of(), null, io.vectorgate.model.Action.SEARCH, "c"));
      assertEquals(1, m.shadowDisagreements(), "agreeing decisions are not counted");
    }
    // a plan that disagrees on the smoke input itself never activates in shadow mode
    PolicyBundle smokeAllowed = compile("vectorgate-smoke");
    PolicyBundle broken = smokeAllowed.withPlan(bob.plan().orElseThrow());
    assertThrows(PolicyActivationException.class, () -> PolicyEngine.start(TestPolicies.config()
        .engine(EngineConfig.Engine.PLAN).shadowRate(0.5).poolSize(1).noWarmup().build(), broken));
  }

  @Test
  void hotSwapUnderLoadEveryDecisionMatchesTheRevisionThatMadeIt() throws Exception {
    PolicyBundle alice = compile("alice");
    PolicyBundle bob = compile("bob");
    LongAdderEngineMetrics m = new LongAdderEngineMetrics();
    try (PolicyEngine e = PolicyEngine.start(TestPolicies.config().engine(EngineConfig.Engine.PLAN).metrics(m)
        .noWarmup().build(), alice)) {
      PolicyInput asAlice = TestPolicies.input("alice", List.of(), null, io.vectorgate.model.Action.SEARCH, "c");
      java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
      java.util.concurrent.ConcurrentLinkedQueue<String> wrong = new java.util.concurrent.ConcurrentLinkedQueue<>();
      java.util.concurrent.atomic.AtomicInteger decided = new java.util.concurrent.atomic.AtomicInteger();
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        Thread th = new Thread(() -> {
          while (!stop.get()) {
            Decision d = e.decide(asAlice);
            decided.incrementAndGet();
            // alice's revision allows alice, bob's denies her; nothing else may come out
            if (!(d.revision().equals("alice") && d.allow()) && !(d.revision().equals("bob") && !d.allow())) {
              wrong.add(d.revision() + " " + d);
            }
          }
        });
        th.start();
        threads.add(th);
      }
      for (int i = 0; i < 20; i++) {
        e.activate(i % 2 == 0 ? bob : alice);
      }
      stop.set(true);
      for (Thread th : threads) {
        th.join(10_000);
      }
      assertEquals(List.of(), new ArrayList<>(wrong));
      assertTrue(decided.get() > 0);
      assertEquals(0, m.failClosedTotal(), m.snapshot().toString());
      assertEquals(21, m.activations());
    }
  }

  private static PolicyBundle compile(String subject) throws Exception {
    Path dir = Files.createDirectories(work.resolve(subject));
    Files.writeString(dir.resolve("p.rego"), """
        package vectorgate

        import rego.v1

        default allow := false

        allow if input.identity.subject == "%s"

        decision := {"allow": allow, "reasons": [{"code": "t", "message": "m"}]}
        """.formatted(subject));
    return TestPolicies.compiler().compile(PolicyCompiler.CompileRequest.of(dir).withRevision(subject)).orThrow();
  }
}
