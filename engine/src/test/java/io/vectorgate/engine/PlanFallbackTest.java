package io.vectorgate.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vectorgate.model.Action;
import io.vectorgate.model.Decision;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A bundle the plan engine cannot take but the Wasm engine can: with the default engine (plan, with
 * {@link EngineConfig#planFallback()}) it is served by Wasm, logged once as a structured WARN naming
 * the builtin and {@code file:line}, and reported as such (activation report, {@link
 * PolicyEngine#activeEngine()}); an explicitly chosen plan engine refuses it and keeps the last good
 * bundle. The policy is real: it uses {@code walk}, which OPA's Wasm target implements natively and
 * the plan engine does not.
 */
class PlanFallbackTest {
  /** Line 7 calls {@code walk}. */
  private static final String WALKING_POLICY = """
      package vectorgate

      import rego.v1

      default allow := false

      depths contains count(path) if walk(input.identity, [path, _])

      allow if input.identity.subject == "alice"

      decision := {"allow": allow, "reasons": [{"code": "depth", "message": format_int(max(depths), 10)}]}
      """;

  @TempDir
  static Path work;
  private static PolicyBundle walking;

  private ListAppender<ILoggingEvent> log;
  private Logger engineLogger;

  @BeforeAll
  static void compile() throws Exception {
    Path dir = Files.createDirectories(work.resolve("walking"));
    Files.writeString(dir.resolve("p.rego"), WALKING_POLICY);
    walking = TestPolicies.compiler().compile(PolicyCompiler.CompileRequest.of(dir).withRevision("walking-r1"))
        .orThrow();
  }

  @BeforeEach
  void captureLog() {
    engineLogger = (Logger) LoggerFactory.getLogger(PolicyEngine.class);
    log = new ListAppender<>();
    log.start();
    engineLogger.addAppender(log);
  }

  @AfterEach
  void releaseLog() {
    engineLogger.detachAppender(log);
  }

  private static EngineConfig.Builder byDefault() {
    // what EngineConfig.builder() gives when no engine is named anywhere
    return TestPolicies.config().engine(EngineConfig.Engine.PLAN).planFallback(true).poolSize(1).noWarmup();
  }

  @Test
  void theCompilerKeepsAWasmOnlyBundleThatSaysWhyItHasNoPlan() {
    assertFalse(walking.plan().isPresent());
    assertEquals(1, walking.planDiagnostics().size(), walking.planDiagnostics().toString());
    Diagnostic d = walking.planDiagnostics().get(0);
    assertTrue(d.file().endsWith("p.rego"), d.toString());
    assertEquals(7, d.line(), d.toString());
    assertTrue(d.message().contains("builtin `walk` is not supported by the Vectorgate plan engine"), d.toString());
  }

  @Test
  void byDefaultTheBundleFallsBackToWasmLoggedOnceAndReported() throws Exception {
    try (PolicyEngine e = PolicyEngine.start(byDefault().build(), TestPolicies.bundle("acme"))) {
      assertEquals(EngineConfig.Engine.PLAN, e.activeEngine().orElseThrow().engine());
      ActivationReport r = e.activate(walking);
      assertEquals(EngineConfig.Engine.WASM, r.engine().engine());
      assertTrue(r.engine().fellBack());
      assertTrue(r.engine().fallback().contains("walk") && r.engine().fallback().contains("p.rego:7"),
          r.engine().fallback());
      assertEquals(1, r.instances(), "a Wasm pool was built for it");
      assertEquals(r.engine(), e.activeEngine().orElseThrow());
      assertEquals("wasm", e.poolState().get("engine"));

      Decision alice = e.decide(TestPolicies.input("alice", List.of("analysts"), null, Action.SEARCH, "c"));
      assertTrue(alice.allow(), alice.toString());
      assertEquals("walking-r1", alice.revision());
      assertEquals("2", alice.reasons().get(0).message(), "walk reached identity.groups[0], two levels down");
      assertFalse(e.decide(TestPolicies.input("bob", List.of(), null, Action.SEARCH, "c")).allow());

      // the same revision again (rollout checks activate it in scratch engines too): one WARN in all
      e.activate(TestPolicies.bundle("acme"));
      assertEquals(EngineConfig.Engine.PLAN, e.activeEngine().orElseThrow().engine(), "the next bundle runs on plan again");
      e.activate(walking);
      try (PolicyEngine other = PolicyEngine.start(byDefault().build(), walking)) {
        assertEquals(EngineConfig.Engine.WASM, other.activeEngine().orElseThrow().engine());
      }
    }
    List<String> warns = log.list.stream().filter(ev -> ev.getLevel() == Level.WARN)
        .map(ILoggingEvent::getFormattedMessage).filter(m -> m.startsWith("event=engine_fallback")).toList();
    assertEquals(1, warns.size(), warns.toString());
    String w = warns.get(0);
    assertTrue(w.contains("revision=walking-r1") && w.contains("configured=plan") && w.contains("engine=wasm")
        && w.contains("builtins=[walk]") && w.contains("p.rego:7]"), w);
  }

  @Test
  void anExplicitPlanEngineRefusesItAndKeepsTheLastGood() throws Exception {
    LongAdderEngineMetrics m = new LongAdderEngineMetrics();
    try (PolicyEngine e = PolicyEngine.start(TestPolicies.config().engine(EngineConfig.Engine.PLAN).metrics(m)
        .poolSize(1).noWarmup().build(), TestPolicies.bundle("acme"))) {
      PolicyActivationException ex = assertThrows(PolicyActivationException.class, () -> e.activate(walking));
      assertTrue(ex.getMessage().contains("walking-r1") && ex.getMessage().contains("builtin `walk`")
          && ex.getMessage().contains("p.rego:7") && ex.getMessage().contains("`engine: wasm`"), ex.getMessage());
      assertEquals(new EngineInUse("acme-r1", EngineConfig.Engine.PLAN, null), e.activeEngine().orElseThrow());
      assertEquals(1, m.activationFailures());
    }
  }

  @Test
  void aBundleBuiltForWasmOnlyFallsBackNamingTheMissingPlan() throws Exception {
    PolicyBundle fromServer = PolicyBundle.read(TestPolicies.bundle("acme").withPlan(null).toTarGz(),
        BundleLimits.DEFAULTS);
    assertEquals(List.of(), fromServer.planDiagnostics(), "diagnostics are not part of the bundle file");
    try (PolicyEngine e = PolicyEngine.start(byDefault().build(), fromServer)) {
      EngineInUse in = e.activeEngine().orElseThrow();
      assertEquals(EngineConfig.Engine.WASM, in.engine());
      assertTrue(in.fallback().contains("carries no plan"), in.fallback());
      assertTrue(e.decide(TestPolicies.input("alice", List.of("analysts"), "red", Action.SEARCH, "docs_red")).allow());
    }
  }

  @Test
  void aBundleNeitherEngineCanRunIsRefusedWithBothReasons() throws Exception {
    // built by plain `opa build -t wasm` (no restricted capabilities, no plan), calling http.send
    Path dir = Files.createDirectories(work.resolve("needs-http"));
    Files.writeString(dir.resolve("p.rego"), "package vectorgate\nimport rego.v1\n"
        + "decision := {\"allow\": http.send({\"method\": \"GET\", \"url\": input.u}).status_code == 200}\n");
    Path out = dir.resolve("bundle.tar.gz");
    OpaCli.Result r = TestPolicies.opa().run(null, List.of("build", "-t", "wasm", "-e", "vectorgate/decision",
        "-o", out.toString(), dir.resolve("p.rego").toString()));
    assertEquals(0, r.exitCode(), r.stderr());
    try (PolicyEngine e = PolicyEngine.start(byDefault().build(), TestPolicies.bundle("acme"))) {
      PolicyActivationException ex = assertThrows(PolicyActivationException.class, () -> e.activate(PolicyBundle.read(out)));
      assertTrue(ex.getMessage().contains("runs on neither engine") && ex.getMessage().contains("carries no plan")
          && ex.getMessage().contains("[http.send]"), ex.getMessage());
      assertEquals(new EngineInUse("acme-r1", EngineConfig.Engine.PLAN, null), e.activeEngine().orElseThrow(),
          "the last good bundle stays, on the plan engine");
    }
  }

  @Test
  void anExplicitWasmEngineRunsItWithoutAFallback() throws Exception {
    try (PolicyEngine e = PolicyEngine.start(TestPolicies.config().engine(EngineConfig.Engine.WASM).poolSize(1)
        .noWarmup().build(), walking)) {
      EngineInUse in = e.activeEngine().orElseThrow();
      assertEquals(EngineConfig.Engine.WASM, in.engine());
      assertNull(in.fallback());
    }
    assertTrue(log.list.stream().noneMatch(ev -> ev.getFormattedMessage().startsWith("event=engine_fallback")));
  }

  @Test
  void theDefaultIsPlanWithFallbackUnlessTheProcessNamesAnEngine() {
    EngineConfig d = EngineConfig.defaults();
    assertEquals(EngineConfig.Engine.explicitChoice().orElse(EngineConfig.Engine.PLAN), d.engine());
    assertEquals(EngineConfig.Engine.explicitChoice().isEmpty(), d.planFallback());
    EngineConfig named = EngineConfig.builder().engine(EngineConfig.Engine.PLAN).build();
    assertFalse(named.planFallback(), "naming the engine is an explicit choice");
    assertEquals(named, named.toBuilder().build(), "toBuilder keeps the choice");
    EngineConfig both = EngineConfig.builder().engine(EngineConfig.Engine.PLAN).planFallback(true).build();
    assertTrue(both.toBuilder().build().planFallback());
  }
}
