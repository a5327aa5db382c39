package io.vectorgate.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectorgate.engine.Evaluation;
import io.vectorgate.engine.ContractJson;
import io.vectorgate.model.Decision;
import io.vectorgate.model.PolicyInput;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rollout from a real git repository through the real compiler, opa test and engine. */
class GitRolloutTest {
  @TempDir Path tmp;
  TestRepo repo;
  InMemoryRolloutState state;
  RolloutFixture gw;

  @BeforeEach
  void setUp() throws Exception {
    repo = TestRepo.create(tmp.resolve("repo"));
    state = new InMemoryRolloutState();
  }

  @AfterEach
  void tearDown() {
    if (gw != null) {
      gw.close();
    }
    repo.close();
  }

  private RolloutFixture gateway(ImpactCheck impact, String subdir) throws Exception {
    gw = new RolloutFixture("gw-1", repo.uri(), tmp, state, impact, subdir);
    return gw;
  }

  private boolean allows(String action) throws Exception {
    Evaluation e = gw.engine.evaluate(Policies.input(action, "docs"));
    assertTrue(e.defined(), () -> "undefined: " + e);
    return e.result().path("allow").asBoolean();
  }

  @Test
  void goodCommitRollsOutWithTheCommitAsRevision() throws Exception {
    String sha = repo.commit("first policy", Map.of("policy.vg", Policies.GOOD_VG, "vectorgate_test.rego",
        Policies.PASSING_TEST));
    gateway(null, null);
    RolloutController.CheckResult r = gw.controller.checkNow();
    assertEquals(new RolloutController.CheckResult.Activated(sha, null), r);
    assertEquals(sha, gw.engine.activeRevision().orElseThrow());
    PolicyInput in = ContractJson.mapper().readValue(Policies.input("search", "docs"), PolicyInput.class);
    Decision d = gw.engine.decide(in);
    assertTrue(d.allow(), d::toString);
    assertEquals(sha, d.revision(), "the decision carries the commit");
    assertEquals(new RolloutController.CheckResult.Unchanged(sha), gw.controller.checkNow());
    assertEquals(1, gw.controller.metrics().successes());
    assertEquals(RolloutState.Outcome.ACTIVATED, state.history(1).get(0).outcome());
    assertEquals(sha, state.instances().get(0).activeRevision());
  }

  /** Line 5 calls {@code walk}: native in OPA's Wasm, not implemented by the plan engine. */
  private static final String WALKING_REGO = """
      package vectorgate.walkcheck

      import rego.v1

      depths contains count(path) if walk(input.identity, [path, _])
      """;

  @Test
  void aRevisionThePlanEngineCannotRunRollsOutOnWasmByDefaultAndIsRefusedWhenPlanIsNamed() throws Exception {
    String sha = repo.commit("policy with walk", Map.of("policy.vg", Policies.GOOD_VG, "rules/walk.rego", WALKING_REGO));
    // the default engine (plan, with the per-bundle Wasm fallback): every stage passes, the revision runs on Wasm
    gw = new RolloutFixture("gw-1", new GitSourceConfig(repo.uri(), "main", null, tmp.resolve("mirror-gw-1"), null),
        tmp, state, null, RolloutFixture.engineConfig().toBuilder().engine(io.vectorgate.engine.EngineConfig.Engine.PLAN)
            .planFallback(true).build());
    assertEquals(new RolloutController.CheckResult.Activated(sha, null), gw.controller.checkNow());
    io.vectorgate.engine.EngineInUse in = gw.engine.activeEngine().orElseThrow();
    assertEquals(io.vectorgate.engine.EngineConfig.Engine.WASM, in.engine());
    assertTrue(in.fallback().contains("builtin `walk`") && in.fallback().contains("walk.rego:5"), in.fallback());
    assertTrue(allows("search"));
    gw.close();
    gw = null;
    // `engine: plan` named explicitly: the smoke stage refuses the revision, naming the builtin and place
    try (RolloutFixture strict = new RolloutFixture("gw-2", new GitSourceConfig(repo.uri(), "main", null,
        tmp.resolve("mirror-gw-2"), null), tmp, state, null, RolloutFixture.engineConfig().toBuilder()
        .engine(io.vectorgate.engine.EngineConfig.Engine.PLAN).build())) {
      RolloutController.CheckResult.Failed f = assertInstanceOf(RolloutController.CheckResult.Failed.class,
          strict.controller.checkNow());
      assertEquals(Stage.SMOKE, f.failure().stage(), f.failure()::render);
      assertTrue(f.failure().render().contains("builtin `walk`") && f.failure().render().contains("walk.rego:5"),
          f.failure()::render);
      assertTrue(strict.engine.activeRevision().isEmpty(), "nothing was activated");
    }
  }

  @Test
  void regoSyntaxErrorNeverActivates() throws Exception {
    String good = repo.commit("good", Map.of("policy.vg", Policies.GOOD_VG));
    gateway(null, null);
    gw.controller.checkNow();
    String bad = repo.commit("broken rego", Map.of("rules/extra.rego", Policies.BAD_REGO));
    RolloutController.CheckResult r = gw.controller.checkNow();
    RolloutController.CheckResult.Failed f = assertInstanceOf(RolloutController.CheckResult.Failed.class, r);
    assertEquals(bad, f.revision());
    assertEquals(Stage.COMPILE, f.failure().stage());
    assertTrue(f.failure().problems().stream().anyMatch(p -> p.file().equals("rules/extra.rego") && p.line() == 6),
        f.failure()::render);
    assertEquals(good, gw.engine.activeRevision().orElseThrow(), "the last good revision stays");
    assertTrue(allows("search"));
    assertEquals(1, gw.controller.metrics().failures(Stage.COMPILE));
    assertEquals(1L, gw.controller.metrics().snapshot().get("rollout_failure.compile"));
    // not rebuilt on the next poll
    assertInstanceOf(RolloutController.CheckResult.KnownBad.class, gw.controller.checkNow());
    assertEquals(1, gw.controller.metrics().failures(Stage.COMPILE));
    RolloutController.Status s = gw.controller.status();
    assertEquals(good, s.activeRevision());
    assertEquals(bad, s.lastFailure().orElseThrow().revision());
    assertEquals("compile", state.instances().get(0).failedStage());
    assertTrue(state.instances().get(0).failedMessage().contains("rules/extra.rego:6"), state.instances().get(0)::toString);
    // fixing it rolls out
    String fixed = repo.commit("fix", Map.of("rules/extra.rego", "package vectorgate\n"));
    assertEquals(new RolloutController.CheckResult.Activated(fixed, good), gw.controller.checkNow());
  }

  @Test
  void dslTypeErrorNeverActivates() throws Exception {
    String good = repo.commit("good", Map.of("policy.vg", Policies.GOOD_VG));
    gateway(null, null);
    gw.controller.checkNow();
    repo.commit("type error", Map.of("policy.vg", Policies.TYPE_ERROR_VG));
    RolloutController.CheckResult.Failed f = assertInstanceOf(RolloutController.CheckResult.Failed.class,
        gw.controller.checkNow());
    assertEquals(Stage.COMPILE, f.failure().stage());
    assertTrue(f.failure().problems().stream().anyMatch(p -> p.file().equals("policy.vg") && p.line() == 4),
        f.failure()::render);
    assertEquals(good, gw.engine.activeRevision().orElseThrow());
  }

  @Test
  void failingPolicyTestNeverActivates() throws Exception {
    String good = repo.commit("good", Map.of("policy.vg", Policies.GOOD_VG, "vectorgate_test.rego",
        Policies.PASSING_TEST));
    gateway(null, null);
    gw.controller.checkNow();
    String bad = repo.commit("test that fails", Map.of("vectorgate_test.rego", Policies.FAILING_TEST));
    RolloutController.CheckResult.Failed f = assertInstanceOf(RolloutController.CheckResult.Failed.class,
        gw.controller.checkNow());
    assertEquals(bad, f.revision());
    assertEquals(Stage.TEST, f.failure().stage());
    assertEquals(java.util.List.of("data.vectorgate_test.test_delete_denied"), f.failure().failedTests());
    assertTrue(f.failure().problems().stream().anyMatch(p -> p.file().equals("vectorgate_test.rego") && p.line() == 9),
        f.failure()::render);
    assertEquals(good, gw.engine.activeRevision().orElseThrow());
    // the commit that makes the test pass activates
    String fixed = repo.commit("deny deletes", Map.of("policy.vg", Policies.DENY_DELETE_VG));
    assertInstanceOf(RolloutController.CheckResult.Activated.class, gw.controller.checkNow());
    assertEquals(fixed, gw.engine.activeRevision().orElseThrow());
    assertFalse(allows("delete"));
  }

  @Test
  void unexpectedImpactNeverActivatesIntendedImpactDoes() throws Exception {
    Path sample = tmp.resolve("sample.jsonl");
    Files.writeString(sample, Policies.input("search", "docs") + "\n" + Policies.input("delete", "docs") + "\n");
    ImpactCheck impact = new SampleImpactCheck(sample, null, RolloutFixture.engineConfig());
    String good = repo.commit("good", Map.of("policies/policy.vg", Policies.GOOD_VG, "README.md", "not policy"));
    gateway(impact, "policies");
    assertEquals(new RolloutController.CheckResult.Activated(good, null), gw.controller.checkNow());
    repo.commit("deny deletes, undeclared", Map.of("policies/policy.vg", Policies.DENY_DELETE_VG));
    RolloutController.CheckResult.Failed f = assertInstanceOf(RolloutController.CheckResult.Failed.class,
        gw.controller.checkNow());
    assertEquals(Stage.IMPACT, f.failure().stage());
    assertEquals(1, f.failure().failedTests().size(), f.failure()::render);
    assertTrue(f.failure().failedTests().get(0).startsWith("newly_denied at sample.jsonl:2"), f.failure()::render);
    assertTrue(allows("delete"));
    String declared = repo.commit("declare the change", Map.of("policies/impact-expectations.yaml", """
        version: vectorgate-impact-expectations/v1
        intended:
          - change: newly_denied
            action: delete
            max: 1
        """));
    assertEquals(new RolloutController.CheckResult.Activated(declared, good), gw.controller.checkNow());
    assertFalse(allows("delete"));
  }

  /** Issue 20: like `vectorgate impact`, a declared change that never happens fails the impact stage. */
  @Test
  void aDeclaredChangeThatNeverHappensFailsTheImpactStage() throws Exception {
    Path sample = tmp.resolve("sample.jsonl");
    StringBuilder lines = new StringBuilder();
    for (int i = 1; i <= 12; i++) {
      lines.append(Policies.input(i % 2 == 0 ? "delete" : "search", "docs")).append('\n');
    }
    Files.writeString(sample, lines.toString());
    ImpactCheck impact = new SampleImpactCheck(sample, null, RolloutFixture.engineConfig());
    String good = repo.commit("good", Map.of("policies/policy.vg", Policies.GOOD_VG));
    gateway(impact, "policies");
    gw.controller.checkNow();
    repo.commit("declares a change it does not make", Map.of("policies/policy.vg",
        Policies.GOOD_VG.replace("rollout-test", "renamed"), "policies/impact-expectations.yaml", """
        version: vectorgate-impact-expectations/v1
        unreplayable: count
        intended:
          - change: newly_allowed
            action: drop_collection
        """));
    RolloutController.CheckResult.Failed f = assertInstanceOf(RolloutController.CheckResult.Failed.class,
        gw.controller.checkNow());
    assertEquals(Stage.IMPACT, f.failure().stage(), f.failure()::render);
    assertTrue(f.failure().render().contains("impact-expectations.yaml:4:5 intended[0]: intended change "
        + "`newly_allowed action=drop_collection` did not occur"), f.failure()::render);
    assertEquals(good, gw.engine.activeRevision().orElseThrow());
    // undeclared changes are listed in sample order, numerically (2, 4, …, 12)
    repo.commit("deny deletes, undeclared", Map.of("policies/policy.vg", Policies.DENY_DELETE_VG,
        "policies/impact-expectations.yaml", "version: vectorgate-impact-expectations/v1\nintended: []\n"));
    f = assertInstanceOf(RolloutController.CheckResult.Failed.class, gw.controller.checkNow());
    List<String> order = f.failure().problems().stream().map(p -> p.message().replaceAll(".*sample.jsonl:(\\d+).*", "$1"))
        .toList();
    assertEquals(List.of("2", "4", "6", "8", "10", "12"), order, f.failure()::render);
    assertFalse(f.failure().render().contains(":0:"), f.failure()::render);
  }

  @Test
  void forcePushMovesToTheNewHeadAndOldRevisionsStayPinnable() throws Exception {
    String a = repo.commit("a", Map.of("policy.vg", Policies.GOOD_VG));
    gateway(null, null);
    gw.controller.checkNow();
    String b = repo.commit("b", Map.of("policy.vg", Policies.DENY_DELETE_VG));
    assertEquals(new RolloutController.CheckResult.Activated(b, a), gw.controller.checkNow());
    repo.resetHard(a);
    String c = repo.commit("c (rewritten history)", Map.of("other.vg", Policies.GOOD_VG.replace("rollout-test", "other")));
    assertEquals(new RolloutController.CheckResult.Activated(c, b), gw.controller.checkNow());
    // b is no longer on the branch, but was good: pinning it works (kept in the mirror)
    assertEquals(new RolloutController.CheckResult.Activated(b, c), gw.controller.pin(b, "ops", "test"));
    assertFalse(allows("delete"));
  }

  @Test
  void deletedBranchKeepsTheActiveRevision() throws Exception {
    String a = repo.commit("a", Map.of("policy.vg", Policies.GOOD_VG));
    gateway(null, null);
    gw.controller.checkNow();
    repo.deleteMain();
    RolloutController.CheckResult.Failed f = assertInstanceOf(RolloutController.CheckResult.Failed.class,
        gw.controller.checkNow());
    assertEquals(Stage.FETCH, f.failure().stage());
    assertTrue(f.failure().message().contains("branch `main` does not exist"), f.failure().message());
    assertEquals(a, gw.engine.activeRevision().orElseThrow());
    assertEquals(1, gw.controller.metrics().failures(Stage.FETCH));
  }

  @Test
  void rollbackPinsThePreviousGoodRevisionUntilUnpinned() throws Exception {
    String a = repo.commit("a", Map.of("policy.vg", Policies.GOOD_VG));
    gateway(null, null);
    gw.controller.checkNow();
    String b = repo.commit("b", Map.of("policy.vg", Policies.DENY_DELETE_VG));
    gw.controller.checkNow();
    assertEquals(new RolloutController.CheckResult.Activated(a, b), gw.controller.rollback("ops", "deletes broke"));
    assertEquals(a, state.pin().orElseThrow().revision());
    assertTrue(allows("delete"));
    String c = repo.commit("c", Map.of("policy.vg", Policies.DENY_DELETE_VG.replace("no_deletes", "no_deletes_c")));
    assertEquals(new RolloutController.CheckResult.Unchanged(a), gw.controller.checkNow(), "pinned: the head is ignored");
    assertEquals(new RolloutController.CheckResult.Activated(c, a), gw.controller.unpin("ops"));
    assertTrue(state.pin().isEmpty());
    // a rollback never returns to a revision rolled back from
    assertEquals(new RolloutController.CheckResult.Activated(a, c), gw.controller.rollback("ops", null));
  }

  @Test
  void badPinsAreRefusedNotStoredAndRolloutContinues() throws Exception {
    String a = repo.commit("a", Map.of("policy.vg", Policies.GOOD_VG));
    gateway(null, null);
    gw.controller.checkNow();
    PinRefusedException unknown = assertThrows(PinRefusedException.class,
        () -> gw.controller.pin("0123456789abcdef0123456789abcdef01234567", "ops", null));
    assertEquals(Stage.CHECKOUT, unknown.failure().stage());
    assertTrue(unknown.getMessage().contains("is not in"), unknown.getMessage());
    PinRefusedException malformed = assertThrows(PinRefusedException.class, () -> gw.controller.pin("abc", "ops", null));
    assertTrue(malformed.getMessage().contains("not a full commit id"), malformed.getMessage());
    assertThrows(IllegalArgumentException.class, () -> gw.controller.pin("has space", "ops", null));
    String broken = repo.commit("broken", Map.of("rules/extra.rego", Policies.BAD_REGO));
    String fixed = repo.commit("fixed", Map.of("rules/extra.rego", "package vectorgate\n"));
    PinRefusedException failing = assertThrows(PinRefusedException.class, () -> gw.controller.pin(broken, "ops", null));
    assertEquals(Stage.COMPILE, failing.failure().stage());
    assertTrue(state.pin().isEmpty(), "a refused pin is never stored");
    assertTrue(state.history(50).stream().noneMatch(e -> e.outcome() == RolloutState.Outcome.PINNED));
    assertTrue(gw.controller.status().lastFailure().isEmpty(), "a refused pin is not a rollout failure");
    assertEquals(a, gw.engine.activeRevision().orElseThrow());
    // the branch is still followed
    assertEquals(new RolloutController.CheckResult.Activated(fixed, a), gw.controller.checkNow());
  }

  @Test
  void aBrokenPinStoredDirectlyInTheStateIsReportedAndTheBranchIsFollowed() throws Exception {
    String a = repo.commit("a", Map.of("policy.vg", Policies.GOOD_VG));
    gateway(null, null);
    gw.controller.checkNow();
    // `vectorgate policy pin --state …` cannot ask the repository: the gateway judges the pin
    RolloutOperations.pin(state, "0000000000000000000000000000000000000000", "ops", "typo", java.time.Clock.systemUTC());
    assertInstanceOf(RolloutController.CheckResult.Unchanged.class, gw.controller.checkNow());
    RolloutController.Status st = gw.controller.status();
    assertEquals("0000000000000000000000000000000000000000", st.brokenPin().orElseThrow().revision());
    assertEquals(Stage.CHECKOUT, st.brokenPin().orElseThrow().failure().stage());
    assertEquals(1L, st.metrics().get("rollout_pin_broken"));
    String b = repo.commit("b", Map.of("policy.vg", Policies.DENY_DELETE_VG));
    assertEquals(new RolloutController.CheckResult.Activated(b, a), gw.controller.checkNow(), "good pushes activate");
    // a good pin then replaces it
    assertEquals(new RolloutController.CheckResult.Activated(a, b), gw.controller.pin(a, "ops", "hold"));
    assertTrue(gw.controller.status().brokenPin().isEmpty());
    assertEquals(0L, gw.controller.metrics().snapshot().get("rollout_pin_broken"));
  }

  @Test
  void restartWithABrokenHeadServesTheLastGoodRevisionFromTheSharedState() throws Exception {
    String a = repo.commit("a", Map.of("policy.vg", Policies.GOOD_VG));
    gateway(null, null);
    gw.controller.checkNow();
    gw.close();
    String broken = repo.commit("broken", Map.of("rules/extra.rego", Policies.BAD_REGO));
    // a new process: fresh mirror and engine, the same shared state
    gw = new RolloutFixture("gw-1b", repo.uri(), tmp, state, null, null);
    RolloutController.CheckResult.FellBack fb = assertInstanceOf(RolloutController.CheckResult.FellBack.class,
        gw.controller.checkNow());
    assertEquals(a, fb.revision());
    assertEquals(broken, fb.broken());
    assertEquals(Stage.COMPILE, fb.failure().stage());
    assertEquals(a, gw.engine.activeRevision().orElseThrow());
    assertTrue(allows("search"));
    RolloutController.Status st = gw.controller.status();
    assertEquals(broken, st.brokenHead().orElseThrow().revision());
    assertEquals(broken, st.lastFailure().orElseThrow().revision());
    assertEquals(1L, st.metrics().get("rollout_head_broken"));
    assertEquals(1L, st.metrics().get("rollout_failure.compile"));
    // keeps checking: the broken head is not rebuilt, a fix activates
    assertInstanceOf(RolloutController.CheckResult.KnownBad.class, gw.controller.checkNow());
    assertEquals(1, gw.controller.metrics().failures(Stage.COMPILE));
    String fixed = repo.commit("fixed", Map.of("rules/extra.rego", "package vectorgate\n"));
    assertEquals(new RolloutController.CheckResult.Activated(fixed, a), gw.controller.checkNow());
    assertTrue(gw.controller.status().brokenHead().isEmpty());
    assertEquals(0L, gw.controller.metrics().snapshot().get("rollout_head_broken"));
  }

  @Test
  void restartWithABrokenHeadAndNoHistoryStillFails() throws Exception {
    repo.commit("a", Map.of("policy.vg", Policies.GOOD_VG));
    repo.commit("broken", Map.of("rules/extra.rego", Policies.BAD_REGO));
    gateway(null, null);
    assertInstanceOf(RolloutController.CheckResult.Failed.class, gw.controller.checkNow(),
        "a revision that was never activated is not started from");
    assertTrue(gw.engine.activeRevision().isEmpty());
  }

  @Test
  void unpinWithABrokenHeadActivatesTheNewestGoodRevisionOnTheBranch() throws Exception {
    String a = repo.commit("a", Map.of("policy.vg", Policies.GOOD_VG));
    gateway(null, null);
    gw.controller.checkNow();
    gw.controller.pin(a, "ops", "freeze");
    String g1 = repo.commit("g1", Map.of("policy.vg", Policies.DENY_DELETE_VG));
    String g2 = repo.commit("g2", Map.of("policy.vg", Policies.DENY_DELETE_VG.replace("no_deletes", "no_deletes_2")));
    String broken = repo.commit("broken", Map.of("rules/extra.rego", Policies.BAD_REGO));
    assertEquals(new RolloutController.CheckResult.Unchanged(a), gw.controller.checkNow(), "pinned");
    RolloutController.CheckResult.FellBack fb = assertInstanceOf(RolloutController.CheckResult.FellBack.class,
        gw.controller.unpin("ops"));
    assertEquals(g2, fb.revision(), "the newest good commit, not the pinned one nor an older one (" + g1 + ")");
    assertEquals(a, fb.previous());
    assertEquals(broken, fb.broken());
    assertFalse(allows("delete"));
    // the next check stays on it without rebuilding anything
    long builds = gw.controller.metrics().failures(Stage.COMPILE);
    assertInstanceOf(RolloutController.CheckResult.KnownBad.class, gw.controller.checkNow());
    assertEquals(builds, gw.controller.metrics().failures(Stage.COMPILE));
    assertEquals(g2, gw.engine.activeRevision().orElseThrow());
  }

  @Test
  void diagnosticsNameFilesRelativeToTheRepositoryRoot() throws Exception {
    repo.commit("good", Map.of("policies/policy.vg", Policies.GOOD_VG));
    gateway(null, "policies");
    gw.controller.checkNow();
    String bad = repo.commit("broken", Map.of("policies/rules/extra.rego", Policies.BAD_REGO,
        "policies/bad.vg", Policies.TYPE_ERROR_VG.replace("rollout-test", "other")));
    RolloutController.CheckResult.Failed f = assertInstanceOf(RolloutController.CheckResult.Failed.class,
        gw.controller.checkNow());
    assertEquals(bad, f.revision());
    String rendered = f.failure().render();
    assertTrue(f.failure().problems().stream().anyMatch(p -> p.file().equals("policies/bad.vg") && p.line() == 4),
        rendered);
    assertFalse(rendered.contains("staging-") || rendered.contains(tmp.toString()), rendered);
    repo.commit("only the rego error", Map.of("policies/bad.vg", Policies.GOOD_VG.replace("rollout-test", "other")));
    f = assertInstanceOf(RolloutController.CheckResult.Failed.class, gw.controller.checkNow());
    rendered = f.failure().render();
    assertTrue(f.failure().problems().stream()
        .anyMatch(p -> p.file().equals("policies/rules/extra.rego") && p.line() == 6), rendered);
    assertFalse(rendered.contains("staging-") || rendered.contains(tmp.toString()), rendered);
    repo.commit("a failing test", Map.of("policies/rules/extra.rego", "package vectorgate\n",
        "policies/vectorgate_test.rego", Policies.FAILING_TEST));
    f = assertInstanceOf(RolloutController.CheckResult.Failed.class, gw.controller.checkNow());
    assertEquals(Stage.TEST, f.failure().stage());
    rendered = f.failure().render();
    assertEquals(1, f.failure().problems().size(), rendered);
    assertEquals("policies/vectorgate_test.rego", f.failure().problems().get(0).file(), rendered);
    assertFalse(rendered.contains("staging-") || rendered.contains(tmp.toString()), rendered);
  }

  /** Issue 20: with allowed_signers_file, unsigned and wrongly signed commits are refused at checkout. */
  @Test
  void signedCommitsAreRequiredWhenConfigured() throws Exception {
    java.security.KeyPair trusted = SshGitServer.rsa();
    java.security.KeyPair stranger = SshGitServer.rsa();
    Path trustedKey = SshGitServer.writeOpenSsh(trusted, tmp.resolve("keys/trusted"), null);
    Path strangerKey = SshGitServer.writeOpenSsh(stranger, tmp.resolve("keys/stranger"), null);
    Files.writeString(tmp.resolve("keys/trusted.pub"), SshGitServer.openSshPublicKey(trusted.getPublic()));
    Files.writeString(tmp.resolve("keys/stranger.pub"), SshGitServer.openSshPublicKey(stranger.getPublic()));
    Path allowed = tmp.resolve("keys/allowed_signers");
    Files.writeString(allowed, "author@example.test " + org.apache.sshd.common.config.keys.PublicKeyEntry.toString(
        trusted.getPublic()) + "\n");
    String signed = repo.commitSigned("signed", Map.of("policy.vg", Policies.GOOD_VG), trustedKey);
    gw = new RolloutFixture("gw-1", new GitSourceConfig(repo.uri(), "main", null, tmp.resolve("mirror-signed"), null,
        allowed), tmp, state, null);
    assertEquals(new RolloutController.CheckResult.Activated(signed, null), gw.controller.checkNow());

    String unsigned = repo.commit("unsigned", Map.of("policy.vg", Policies.DENY_DELETE_VG));
    RolloutController.CheckResult.Failed f = assertInstanceOf(RolloutController.CheckResult.Failed.class,
        gw.controller.checkNow());
    assertEquals(unsigned, f.revision());
    assertEquals(Stage.CHECKOUT, f.failure().stage());
    assertTrue(f.failure().message().contains("is not signed"), f.failure().message());

    String foreign = repo.commitSigned("signed by a stranger", Map.of("policy.vg",
        Policies.DENY_DELETE_VG.replace("no_deletes", "no_deletes_2")), strangerKey);
    f = assertInstanceOf(RolloutController.CheckResult.Failed.class, gw.controller.checkNow());
    assertEquals(foreign, f.revision());
    assertEquals(Stage.CHECKOUT, f.failure().stage());
    assertTrue(f.failure().message().contains("does not verify against allowed_signers_file"), f.failure().message());
    assertEquals(signed, gw.engine.activeRevision().orElseThrow(), "the last signed revision stays");
    assertTrue(allows("delete"));

    String good = repo.commitSigned("signed again", Map.of("policy.vg",
        Policies.DENY_DELETE_VG.replace("no_deletes", "no_deletes_3")), trustedKey);
    assertEquals(new RolloutController.CheckResult.Activated(good, signed), gw.controller.checkNow());
    assertThrows(IllegalArgumentException.class, () -> new GitSourceConfig(repo.uri(), "main", null, tmp.resolve("m2"),
        null, tmp.resolve("keys/missing")));
  }

  /**
   * Issue 20: with public_keys, commits must carry an OpenPGP (GPG) signature by a configured key for
   * the committer's e-mail; unsigned, stranger-signed, SSH-signed and foreign-committer commits are
   * refused at checkout while the last signed revision serves. A source configured with both
   * formats takes either.
   */
  @Test
  void openPgpSignedCommitsAreRequiredWhenConfigured() throws Exception {
    var author = OpenPgpTestKeys.generate("Policy Author <author@example.test>");
    var stranger = OpenPgpTestKeys.generate("Policy Author <author@example.test>");
    Path authorKey = OpenPgpTestKeys.writePublic(author, tmp.resolve("keys/author.asc"));
    String signed = repo.commitSignedOpenPgp("signed", Map.of("policy.vg", Policies.GOOD_VG), author,
        "author@example.test");
    gw = new RolloutFixture("gw-1", new GitSourceConfig(repo.uri(), "main", null, tmp.resolve("mirror-gpg"), null,
        null, List.of(authorKey)), tmp, state, null);
    assertEquals(new RolloutController.CheckResult.Activated(signed, null), gw.controller.checkNow());

    String unsigned = repo.commit("unsigned", Map.of("policy.vg", Policies.DENY_DELETE_VG));
    RolloutController.CheckResult.Failed f = assertInstanceOf(RolloutController.CheckResult.Failed.class,
        gw.controller.checkNow());
    assertEquals(unsigned, f.revision());
    assertEquals(Stage.CHECKOUT, f.failure().stage());
    assertTrue(f.failure().message().contains("is not signed; policy.source.signatures requires commits signed by an "
        + "OpenPGP key in public_keys [`" + authorKey.toAbsolutePath() + "`]"), f.failure().message());

    String foreign = repo.commitSignedOpenPgp("signed by a stranger", Map.of("policy.vg",
        Policies.DENY_DELETE_VG.replace("no_deletes", "no_deletes_2")), stranger, "author@example.test");
    f = assertInstanceOf(RolloutController.CheckResult.Failed.class, gw.controller.checkNow());
    assertEquals(foreign, f.revision());
    assertEquals(Stage.CHECKOUT, f.failure().stage());
    assertTrue(f.failure().message().contains("the OpenPGP signature of commit " + foreign + " does not verify against "
        + "policy.source.signatures.public_keys: it is signed by key "), f.failure().message());
    assertTrue(f.failure().message().contains("which is not among the configured public keys"), f.failure().message());

    String impostor = repo.commitSignedOpenPgp("the author's key, another committer", Map.of("policy.vg",
        Policies.DENY_DELETE_VG.replace("no_deletes", "no_deletes_3")), author, "mallory@example.test");
    f = assertInstanceOf(RolloutController.CheckResult.Failed.class, gw.controller.checkNow());
    assertEquals(impostor, f.revision());
    assertTrue(f.failure().message().contains("the committer e-mail `mallory@example.test` is not the e-mail of a "
        + "valid user id of key"), f.failure().message());

    Path sshKey = SshGitServer.writeOpenSsh(SshGitServer.rsa(), tmp.resolve("keys/ssh"), null);
    String sshSigned = repo.commitSigned("ssh-signed", Map.of("policy.vg",
        Policies.DENY_DELETE_VG.replace("no_deletes", "no_deletes_4")), sshKey);
    f = assertInstanceOf(RolloutController.CheckResult.Failed.class, gw.controller.checkNow());
    assertEquals(sshSigned, f.revision());
    assertTrue(f.failure().message().contains("carries an SSH signature, but policy.source.signatures has no "
        + "allowed_signers_file"), f.failure().message());
    assertEquals(signed, gw.engine.activeRevision().orElseThrow(), "the last signed revision stays");
    assertTrue(allows("delete"));

    String good = repo.commitSignedOpenPgp("signed again", Map.of("policy.vg",
        Policies.DENY_DELETE_VG.replace("no_deletes", "no_deletes_5")), author, "author@example.test");
    assertEquals(new RolloutController.CheckResult.Activated(good, signed), gw.controller.checkNow());
    assertFalse(allows("delete"));
    gw.close();

    // both formats configured: the SSH-signed commit by an allowed signer is taken too
    Path allowed = tmp.resolve("keys/allowed_signers");
    java.security.KeyPair ssh = SshGitServer.rsa();
    Path sshTrusted = SshGitServer.writeOpenSsh(ssh, tmp.resolve("keys/ssh-trusted"), null);
    Files.writeString(allowed, "author@example.test " + org.apache.sshd.common.config.keys.PublicKeyEntry.toString(
        ssh.getPublic()) + "\n");
    String both = repo.commitSigned("ssh-signed by an allowed signer", Map.of("policy.vg",
        Policies.DENY_DELETE_VG.replace("no_deletes", "no_deletes_6")), sshTrusted);
    gw = new RolloutFixture("gw-2", new GitSourceConfig(repo.uri(), "main", null, tmp.resolve("mirror-both"), null,
        allowed, List.of(authorKey)), tmp.resolve("gw-2"), new InMemoryRolloutState(), null);
    assertEquals(new RolloutController.CheckResult.Activated(both, null), gw.controller.checkNow());

    IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> new GitSourceConfig(repo.uri(),
        "main", null, tmp.resolve("m3"), null, null, List.of(tmp.resolve("keys/missing.asc"))));
    assertTrue(bad.getMessage().startsWith("policy.source.signatures.public_keys[0]: `"), bad.getMessage());
  }

  @Test
  void missingSubdirectoryFailsAtCheckout() throws Exception {
    repo.commit("a", Map.of("policy.vg", Policies.GOOD_VG));
    gateway(null, "policies");
    RolloutController.CheckResult.Failed f = assertInstanceOf(RolloutController.CheckResult.Failed.class,
        gw.controller.checkNow());
    assertEquals(Stage.CHECKOUT, f.failure().stage());
    assertTrue(f.failure().message().contains("`policies` does not exist"), f.failure().message());
    assertTrue(gw.engine.activeRevision().isEmpty());
  }

  /**
   * The active revision checked out and prepared again for an explanation: the decision's reason is
   * traced into the repository's files (a rule of hand-written Rego and one generated from DSL).
   */
  @Test
  void theActiveRevisionIsPreparedAgainForAnExplanationNamingRepositoryFiles() throws Exception {
    String sha = repo.commit("deny deletes", Map.of("policies/policy.vg", Policies.DENY_DELETE_VG,
        "policies/rules/extra.rego", "package vectorgate\n\nimport rego.v1\n\n"
            + "deny contains {\"code\": \"no_drafts\", \"message\": \"drafts are closed\"} if {\n"
            + "\tinput.operation.resource.collection == \"drafts\"\n}\n"));
    gateway(null, "policies");
    assertEquals(new RolloutController.CheckResult.Activated(sha, null), gw.controller.checkNow());
    Path into = Files.createDirectories(tmp.resolve("explain"));
    RolloutController.PreparedTree t = gw.controller.prepare(sha, into).orElseThrow();
    assertEquals("policies", t.root());
    var explainer = io.vectorgate.engine.DecisionExplainer.create(java.time.Duration.ofSeconds(60));
    var x = explainer.explain(new io.vectorgate.engine.DecisionExplainer.Request(
        List.of(new io.vectorgate.engine.DecisionExplainer.Source(t.dir(), t.root())),
        Policies.input("delete", "drafts"), "data.vectorgate.decision", false));
    assertEquals(false, x.result().path("allow").asBoolean(true), x.result().toString());
    var drafts = x.reasons().stream().filter(r -> r.code().equals("no_drafts")).findFirst().orElseThrow();
    assertEquals("policies/rules/extra.rego:5", drafts.rules().get(0).location());
    var deletes = x.reasons().stream().filter(r -> r.code().equals("no_deletes")).findFirst().orElseThrow();
    assertTrue(deletes.rules().get(0).file().startsWith("policies/policy.vg"), deletes.rules().toString());
    assertTrue(x.notes().stream().noneMatch(n -> n.file().contains(tmp.toString())), x.notes().toString());
    assertEquals(sha, gw.engine.activeRevision().orElseThrow(), "preparing changes nothing");
  }
}
