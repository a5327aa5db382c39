package io.vectorgate.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectorgate.model.Action;
import io.vectorgate.model.Decision;
import io.vectorgate.model.FieldMask;
import io.vectorgate.model.FilterOp;
import io.vectorgate.model.Identity;
import io.vectorgate.model.LimitCap;
import io.vectorgate.model.MaskMethod;
import io.vectorgate.model.PolicyInput;
import io.vectorgate.model.RowFilter;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What every engine must do behind the {@link PolicyEngine} API, run once per engine
 * ({@link WasmPolicyEngineTest}, {@link PlanPolicyEngineTest}): decisions and their obligations,
 * fail-closed codes for bad inputs and result shapes, raw evaluation, timeouts, activation and
 * refusal of bad bundles. What only one engine has (the Wasm pool, guest memory, the interpreter)
 * is tested in that engine's class.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class PolicyEngineCases {
  protected PolicyEngine acme;
  protected LongAdderEngineMetrics acmeMetrics;
  protected PolicyEngine modes;
  protected LongAdderEngineMetrics modesMetrics;

  /** The engine under test. */
  protected abstract EngineConfig.Engine engine();

  /** A test config for {@link #engine()}. */
  protected abstract EngineConfig.Builder config();

  @BeforeAll
  void start() throws Exception {
    acmeMetrics = new LongAdderEngineMetrics();
    acme = PolicyEngine.start(config().metrics(acmeMetrics).build(), TestPolicies.bundle("acme"));
    modesMetrics = new LongAdderEngineMetrics();
    modes = PolicyEngine.start(config().poolSize(1).metrics(modesMetrics)
        // enough guest memory that the runaway policy is stopped by the timeout, not by memory, even on a slow machine
        .evaluationTimeout(Duration.ofMillis(300)).memoryPages(32, 4096).build(), TestPolicies.bundle("modes"));
  }

  @AfterAll
  void stop() {
    acme.close();
    modes.close();
  }

  static void assertFailClosed(Decision d, String code) {
    assertFalse(d.allow(), d.toString());
    assertEquals(List.of(code), d.reasonCodes(), d.toString());
    assertFalse(d.reasons().get(0).message().isBlank());
    assertNotNull(d.decisionId());
    assertNotNull(d.revision());
  }

  static String modeInput(String mode) {
    return "{\"mode\":\"" + mode + "\"}";
  }

  // --- typed decisions -----------------------------------------------------

  @Test
  void allowsWithObligationsFromDataAndTheInput() {
    Decision d = acme.decide(TestPolicies.input("alice", List.of("analysts"), "red", Action.SEARCH, "docs_red"));
    assertTrue(d.allow(), d.toString());
    assertEquals(List.of("role_grant"), d.reasonCodes());
    assertEquals(List.of(new FieldMask("email", List.of(), MaskMethod.REDACT), new FieldMask("ssn", List.of(), MaskMethod.REDACT)),
        d.obligations().mask());
    assertEquals(List.of(new RowFilter("tenant", FilterOp.EQ, "red")), d.obligations().rowFilter());
    assertEquals(new LimitCap(100, LimitCap.CapMode.CLAMP), d.obligations().limitCap());
    assertEquals("acme-r1", d.revision());
    assertEquals(36, d.decisionId().length());
  }

  @Test
  void deniesWithThePolicysReasons() {
    Decision blocked = acme.decide(TestPolicies.input("mallory", List.of("analysts"), "red", Action.SEARCH, "docs_red"));
    assertFalse(blocked.allow());
    assertEquals(List.of("blocked_subject"), blocked.reasonCodes());
    Decision noGrant = acme.decide(TestPolicies.input("bob", List.of("analysts"), "red", Action.DELETE, "docs_red"));
    assertEquals(List.of("no_grant"), noGrant.reasonCodes());
    Decision twoDenies = acme.decide(TestPolicies.input("eve", List.of("writers"), "blue", Action.DROP_COLLECTION, "docs_red"));
    assertEquals(List.of("blocked_subject", "destructive_action", "tenant_mismatch"), twoDenies.reasonCodes());
    assertTrue(twoDenies.obligations().isEmpty());
  }

  @Test
  void everyDecisionGetsItsOwnId() {
    PolicyInput in = TestPolicies.input("alice", List.of("analysts"), "red", Action.SEARCH, "docs_red");
    assertNotEquals(acme.decide(in).decisionId(), acme.decide(in).decisionId());
  }

  @Test
  void aMissingInputIsDenied() {
    assertFailClosed(acme.decide(null), ReasonCodes.INPUT_INVALID);
  }

  @Test
  void anOversizedInputIsDeniedBeforeTheGuestSeesIt() throws Exception {
    PolicyInput base = TestPolicies.input("alice", List.of("analysts"), "red", Action.SEARCH, "docs_red");
    Map<String, Object> claims = Map.of("blob", "x".repeat(2 << 20));
    PolicyInput big = new PolicyInput(base.contract(), new Identity("alice", null, List.of("analysts"), "red", null, claims),
        base.connection(), base.operation(), base.context());
    long before = acmeMetrics.failClosed(ReasonCodes.INPUT_TOO_LARGE);
    assertFailClosed(acme.decide(big), ReasonCodes.INPUT_TOO_LARGE);
    assertEquals(before + 1, acmeMetrics.failClosed(ReasonCodes.INPUT_TOO_LARGE));
    assertTrue(acme.decide(base).allow(), "the engine still decides after refusing an input");
  }

  @Test
  void aDeeplyNestedInputIsDenied() {
    PolicyInput base = TestPolicies.input("alice", List.of("analysts"), "red", Action.SEARCH, "docs_red");
    Map<String, Object> nested = new HashMap<>();
    Map<String, Object> cur = nested;
    for (int i = 0; i < 100; i++) {
      Map<String, Object> next = new HashMap<>();
      cur.put("n", next);
      cur = next;
    }
    PolicyInput deep = new PolicyInput(base.contract(), new Identity("alice", null, List.of("analysts"), "red", null, nested),
        base.connection(), base.operation(), base.context());
    Decision d = acme.decide(deep);
    assertFailClosed(d, ReasonCodes.INPUT_INVALID);
    assertTrue(d.reasons().get(0).message().contains("deeper than 64"), d.toString());
  }

  // --- fail closed on every result shape -------------------------------------

  @Test
  void resultShapesMapToDecisionsOrFailClosed() throws Exception {
    assertFailClosed(decideRaw("number"), ReasonCodes.RESULT_INVALID);
    assertFailClosed(decideRaw("noallow"), ReasonCodes.RESULT_INVALID);
    assertFailClosed(decideRaw("stringallow"), ReasonCodes.RESULT_INVALID);
    assertFailClosed(decideRaw("badcap"), ReasonCodes.RESULT_INVALID);
    assertFailClosed(decideRaw("undefined"), ReasonCodes.POLICY_UNDEFINED);
    Decision yes = decideRaw("true");
    assertTrue(yes.allow());
    assertEquals(List.of(ReasonCodes.POLICY_ALLOW), yes.reasonCodes());
    Decision no = decideRaw("false");
    assertFalse(no.allow());
    assertEquals(List.of(ReasonCodes.POLICY_DENY), no.reasonCodes());
  }

  /** The typed mapping applied to what the modes policy returns for {@code mode}. */
  private Decision decideRaw(String mode) {
    Evaluation ev = modes.evaluate(modeInput(mode));
    String resultSet = ev.defined() ? "[{\"result\":" + ev.result() + "}]" : "[]";
    assertTrue(ev.status() != Evaluation.Status.FAILED, ev.toString());
    return PolicyEngine.toDecision(resultSet).withIdentity(ev.decisionId(), ev.revision());
  }

  @Test
  void decideFailsClosedWhenThePolicyIsUndefinedForTheInput() throws Exception {
    try (PolicyEngine e = PolicyEngine.start(config().poolSize(1).build(), TestPolicies.bundle("modes"))) {
      // the typed input has no "mode", so the modes policy answers with its echo decision
      Decision d = e.decide(TestPolicies.input("alice", List.of(), null, Action.SEARCH, "c"));
      assertTrue(d.allow());
      assertEquals(new LimitCap(7, LimitCap.CapMode.CLAMP), d.obligations().limitCap());
    }
  }

  @Test
  void timeNowIsTheRequestTimeAndStableWithinOneEvaluation() {
    PolicyInput base = TestPolicies.input("alice", List.of(), null, Action.SEARCH, "c");
    PolicyInput now = new PolicyInput(base.contract(), base.identity(), base.connection(),
        io.vectorgate.model.Operation.builder(Action.SEARCH).attributes(Map.of("mode", "now")).build(), base.context());
    Decision d = modes.decide(now);
    assertTrue(d.allow(), "time.now_ns() == time.now_ns() within one evaluation: " + d);
    assertEquals(String.valueOf(base.context().timeNs()), d.reasons().get(0).message());
    // the raw path reads the clock once per evaluation
    long before = System.currentTimeMillis() * 1_000_000L;
    Evaluation ev = modes.evaluate(modeInput("now"));
    long after = (System.currentTimeMillis() + 1) * 1_000_000L;
    assertTrue(ev.result().get("allow").asBoolean());
    long ns = ev.result().get("now").asLong();
    assertEquals(String.valueOf(ns), ev.result().at("/reasons/0/message").asText());
    assertTrue(ns >= before && ns <= after, before + " <= " + ns + " <= " + after);
  }

  @Test
  void aRunawayEvaluationTimesOutAndTheEngineRecovers() throws Exception {
    // the runaway policy allocates as it spins: with 256 MiB of guest memory an unloaded machine runs out
    // after ~300 ms, so the timeout is set well below that (a loaded machine spins, and allocates, slower)
    LongAdderEngineMetrics m = new LongAdderEngineMetrics();
    try (PolicyEngine e = PolicyEngine.start(config().poolSize(1).metrics(m)
        .evaluationTimeout(Duration.ofMillis(80)).memoryPages(32, 4096).build(), TestPolicies.bundle("modes"))) {
      Evaluation ev = e.evaluate("{\"mode\":\"spin\",\"n\":20000}");
      assertEquals(ReasonCodes.ENGINE_TIMEOUT, ev.reasonCode(), ev.toString());
      assertEquals(1, m.failClosed(ReasonCodes.ENGINE_TIMEOUT));
      assertFalse(Thread.currentThread().isInterrupted(), "the watchdog's interrupt must not leak to the caller");
      // the timed-out instance was replaced; its cold replacement may itself be slow on a loaded machine
      Evaluation after = e.evaluate("{\"a\":\"z\"}");
      for (int i = 0; i < 5 && !after.defined(); i++) {
        after = e.evaluate("{\"a\":\"z\"}");
      }
      assertTrue(after.defined(), after.toString());
    }
  }

  // --- raw evaluation ------------------------------------------------------

  @Test
  void rawEvaluationReturnsTheValueOfAnyExportedEntrypoint() {
    Evaluation ev = modes.evaluate("vectorgate/echo_input", "{\"k\":[1,2,{\"z\":null}]}");
    assertTrue(ev.defined(), ev.toString());
    assertEquals("{\"k\":[1,2,{\"z\":null}]}", ev.result().toString());
    assertEquals("modes-r1", ev.revision());
    Evaluation unknown = modes.evaluate("vectorgate/nope", "{}");
    assertEquals(ReasonCodes.UNKNOWN_ENTRYPOINT, unknown.reasonCode());
    assertTrue(unknown.message().contains("vectorgate/echo_input"), unknown.message());
  }

  @Test
  void rawInputIsValidatedBeforeItEntersTheGuest() {
    Map<String, String> cases = Map.of(
        "not json", "not valid JSON",
        "{\"a\": 1", "end-of-input",
        "{\"a\": 1} {\"b\": 2}", "content after",
        "{\"a\": 1, \"a\": 2}", "Duplicate field",
        "[".repeat(100) + "]".repeat(100), "deeper than 64",
        "", "empty",
        "{\"a\": NaN}", "not valid JSON",
        "{\"s\": \"\uD800\"}", "unpaired");
    cases.forEach((input, expected) -> {
      Evaluation ev = modes.evaluate(input);
      assertEquals(ReasonCodes.INPUT_INVALID, ev.reasonCode(), input);
      assertTrue(ev.message().contains(expected), input + " -> " + ev.message());
    });
    assertEquals(ReasonCodes.INPUT_INVALID, modes.evaluate(null).reasonCode());
    Evaluation big = modes.evaluate("{\"s\":\"" + "y".repeat(2 << 20) + "\"}");
    assertEquals(ReasonCodes.INPUT_TOO_LARGE, big.reasonCode());
  }

  @Test
  void inputsDoNotLeakAcrossEvaluations() {
    Evaluation first = modes.evaluate("{\"a\":\"first\",\"b\":\"secret\"}");
    assertEquals("first,secret", first.result().at("/reasons/0/message").asText());
    Evaluation second = modes.evaluate("{\"a\":\"second\"}");
    assertEquals("second,-", second.result().at("/reasons/0/message").asText());
    modes.evaluate("{\"mode\":\"conflict\",\"x\":1,\"y\":2,\"b\":\"aborted\"}");
    assertEquals("third,-", modes.evaluate("{\"a\":\"third\"}").result().at("/reasons/0/message").asText());
  }

  // --- activation ----------------------------------------------------------

  @Test
  void withoutAPolicyEveryDecisionIsDenied() {
    LongAdderEngineMetrics m = new LongAdderEngineMetrics();
    try (PolicyEngine empty = new PolicyEngine(config().metrics(m).build())) {
      Decision d = empty.decide(TestPolicies.input("alice", List.of("admins"), null, Action.SEARCH, "c"));
      assertFailClosed(d, ReasonCodes.NO_POLICY);
      assertEquals("", d.revision());
      assertEquals(ReasonCodes.NO_POLICY, empty.evaluate("{}").reasonCode());
      assertEquals(2, m.failClosed(ReasonCodes.NO_POLICY));
      assertTrue(empty.activeRevision().isEmpty());
    }
  }

  @Test
  void aClosedEngineDenies() throws Exception {
    PolicyEngine e = PolicyEngine.start(config().poolSize(1).build(), TestPolicies.bundle("acme"));
    e.close();
    assertFailClosed(e.decide(TestPolicies.input("alice", List.of("analysts"), "red", Action.SEARCH, "docs_red")),
        ReasonCodes.NO_POLICY);
    assertThrows(PolicyActivationException.class, () -> e.activate(TestPolicies.bundle("acme")));
  }

  @Test
  void aBundleWithoutTheEntrypointNeverBecomesActive() throws Exception {
    LongAdderEngineMetrics m = new LongAdderEngineMetrics();
    try (PolicyEngine e = PolicyEngine.start(config().poolSize(1).metrics(m).build(), TestPolicies.bundle("acme"))) {
      PolicyBundle other = TestPolicies.compiler().compile(new PolicyCompiler.CompileRequest(
          List.of(TestPolicies.dir("modes")), List.of("vectorgate/echo_input"), "echo-only", null)).orThrow();
      PolicyActivationException ex = assertThrows(PolicyActivationException.class,
          () -> e.activate(PolicyBundle.of(wasmWithout(other), other.dataJson(), "echo-only")));
      assertTrue(ex.getMessage().contains("echo-only"), ex.getMessage());
      assertEquals("acme-r1", e.activeRevision().orElseThrow());
      assertTrue(e.decide(TestPolicies.input("alice", List.of("analysts"), "red", Action.SEARCH, "docs_red")).allow());
      assertEquals(1, m.activationFailures());
    }
  }

  /** A module that really lacks vectorgate/decision: built from a policy without it. */
  private static byte[] wasmWithout(PolicyBundle unused) throws Exception {
    java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("no-decision");
    java.nio.file.Files.writeString(dir.resolve("p.rego"), "package other\nimport rego.v1\nanswer := 42\n");
    return TestPolicies.compiler().compile(new PolicyCompiler.CompileRequest(List.of(dir), List.of("other/answer"),
        "echo-only", null)).orThrow().wasm();
  }

  @Test
  void aBundleThatFailsItsSmokeEvaluationNeverBecomesActive() throws Exception {
    try (PolicyEngine e = PolicyEngine.start(config().poolSize(1).build(), TestPolicies.bundle("acme"))) {
      // the modes policy is undefined for this smoke input
      EngineConfig strict = config().poolSize(1).smokeInputJson(modeInput("undefined")).build();
      try (PolicyEngine e2 = new PolicyEngine(strict)) {
        PolicyActivationException ex = assertThrows(PolicyActivationException.class, () -> e2.activate(TestPolicies.bundle("modes")));
        assertTrue(ex.getMessage().contains("undefined for the smoke input"), ex.getMessage());
        assertTrue(e2.activeRevision().isEmpty());
      }
      // a smoke input the acme policy decides and the modes policy aborts on
      String smoke = "{\"mode\":\"conflict\",\"x\":1,\"y\":2," + EngineConfig.DEFAULT_SMOKE_INPUT.substring(1);
      EngineConfig aborting = config().poolSize(1).smokeInputJson(smoke).build();
      try (PolicyEngine e3 = PolicyEngine.start(aborting, TestPolicies.bundle("acme"))) {
        PolicyActivationException ex = assertThrows(PolicyActivationException.class, () -> e3.activate(TestPolicies.bundle("modes")));
        assertTrue(ex.getMessage().contains("conflict"), ex.getMessage());
        assertEquals("acme-r1", e3.activeRevision().orElseThrow());
      }
      assertEquals("acme-r1", e.activeRevision().orElseThrow());
    }
  }

  @Test
  void aBundleNeedingABuiltinTheEngineLacksIsRefused() throws Exception {
    // built by plain `opa build` (no restricted capabilities), as a user might
    java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("needs-http");
    java.nio.file.Files.writeString(dir.resolve("p.rego"), "package vectorgate\nimport rego.v1\n"
        + "decision := {\"allow\": http.send({\"method\": \"GET\", \"url\": input.u}).status_code == 200}\n");
    java.nio.file.Path out = dir.resolve("bundle.tar.gz");
    OpaCli.Result r = TestPolicies.opa().run(null, List.of("build", "-t", "wasm", "-e", "vectorgate/decision",
        "-o", out.toString(), dir.resolve("p.rego").toString()));
    assertEquals(0, r.exitCode(), r.stderr());
    try (PolicyEngine e = new PolicyEngine(config().poolSize(1).build())) {
      PolicyActivationException ex = assertThrows(PolicyActivationException.class, () -> e.activate(PolicyBundle.read(out)));
      assertTrue(ex.getMessage().contains("[http.send]"), ex.getMessage());
    }
  }

  @Test
  void activationReplacesTheBundleAndReportsIt() throws Exception {
    try (PolicyEngine e = new PolicyEngine(config().poolSize(2).build())) {
      ActivationReport first = e.activate(TestPolicies.bundle("acme"));
      assertEquals("acme-r1", first.revision());
      assertEquals(null, first.previousRevision());
      assertEquals(engine() == EngineConfig.Engine.WASM ? 2 : 0, first.instances(), "Wasm instances built");
      assertEquals(new EngineInUse("acme-r1", engine(), null), first.engine());
      assertTrue(first.entrypoints().containsKey("vectorgate/decision"));
      ActivationReport second = e.activate(TestPolicies.bundle("modes"));
      assertEquals("acme-r1", second.previousRevision());
      assertEquals("modes-r1", e.activeRevision().orElseThrow());
      assertTrue(e.entrypoints().contains("vectorgate/echo_input"));
    }
  }

}
