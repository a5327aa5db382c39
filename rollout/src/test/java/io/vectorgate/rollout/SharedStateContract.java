package io.vectorgate.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two gateways sharing one state store converge on the same revision; a pin or rollback reaches both. */
abstract class SharedStateContract {
  @TempDir Path tmp;

  /** A location (URL or path) of a new, empty store. */
  abstract String freshStore() throws Exception;

  @Test
  void twoGatewaysConvergeAndFollowPinAndRollback() throws Exception {
    String store = freshStore();
    try (TestRepo repo = TestRepo.create(tmp.resolve("repo"));
        JdbcRolloutState s1 = JdbcRolloutState.open(store);
        JdbcRolloutState s2 = JdbcRolloutState.open(store);
        RolloutFixture g1 = new RolloutFixture("gw-1", repo.uri(), tmp, s1, null, null);
        RolloutFixture g2 = new RolloutFixture("gw-2", repo.uri(), tmp, s2, null, null)) {
      String a = repo.commit("a", Map.of("policy.vg", Policies.GOOD_VG));
      g1.controller.checkNow();
      g2.controller.checkNow();
      String b = repo.commit("b", Map.of("policy.vg", Policies.DENY_DELETE_VG));
      g1.controller.checkNow();
      g2.controller.checkNow();
      assertEquals(b, g1.engine.activeRevision().orElseThrow());
      assertEquals(b, g2.engine.activeRevision().orElseThrow());
      assertEquals(List.of(b, b), s1.instances().stream().map(RolloutState.InstanceReport::activeRevision).toList());

      // a rollback on gateway 1 reaches gateway 2 at its next check
      assertEquals(new RolloutController.CheckResult.Activated(a, b), g1.controller.rollback("alice", "bad deletes"));
      assertEquals(a, s2.pin().orElseThrow().revision());
      assertEquals(new RolloutController.CheckResult.Activated(a, b), g2.controller.checkNow());
      repo.commit("c", Map.of("policy.vg", Policies.GOOD_VG.replace("rollout-test", "rollout-c")));
      assertInstanceOf(RolloutController.CheckResult.Unchanged.class, g2.controller.checkNow());

      // the CLI's operations on a third connection: pin b for all, then unpin
      try (JdbcRolloutState cli = JdbcRolloutState.open(store)) {
        RolloutOperations.pin(cli, b, "bob", "back to b", Clock.systemUTC());
      }
      g1.controller.checkNow();
      g2.controller.checkNow();
      assertEquals(b, g1.engine.activeRevision().orElseThrow());
      assertEquals(b, g2.engine.activeRevision().orElseThrow());
      try (JdbcRolloutState cli = JdbcRolloutState.open(store)) {
        RolloutOperations.unpin(cli, "bob", Clock.systemUTC());
        assertTrue(cli.pin().isEmpty());
      }
      g1.controller.checkNow();
      g2.controller.checkNow();
      String head = repo.git.getRepository().resolve("main").name();
      assertEquals(head, g1.engine.activeRevision().orElseThrow());
      assertEquals(head, g2.engine.activeRevision().orElseThrow());

      List<RolloutState.HistoryEvent> h = s1.history(100);
      assertTrue(h.stream().anyMatch(e -> e.outcome() == RolloutState.Outcome.ROLLED_BACK && e.revision().equals(b)
          && e.instanceId().equals("alice")), h::toString);
      assertTrue(h.stream().anyMatch(e -> e.outcome() == RolloutState.Outcome.PINNED && e.instanceId().equals("bob")));
      assertEquals(2, s2.instances().size());
    }
  }

  @Test
  void eachInstanceReportsWhichRevisionItAppliedAndWhen() throws Exception {
    String store = freshStore();
    try (TestRepo repo = TestRepo.create(tmp.resolve("repo"));
        JdbcRolloutState s1 = JdbcRolloutState.open(store);
        JdbcRolloutState s2 = JdbcRolloutState.open(store);
        RolloutFixture g1 = new RolloutFixture("gw-1", repo.uri(), tmp, s1, null, null);
        RolloutFixture g2 = new RolloutFixture("gw-2", repo.uri(), tmp, s2, null, null)) {
      String a = repo.commit("a", Map.of("policy.vg", Policies.GOOD_VG));
      java.time.Instant before = java.time.Instant.now().minusMillis(1);
      g1.controller.checkNow();
      g2.controller.checkNow();
      Map<String, RolloutState.InstanceReport> r = byId(s1);
      java.time.Instant appliedA = r.get("gw-1").activatedAt();
      assertTrue(appliedA != null && !appliedA.isBefore(before) && !appliedA.isAfter(r.get("gw-1").at()), r::toString);
      assertEquals(a, r.get("gw-2").activeRevision());
      assertTrue(r.get("gw-2").activatedAt() != null, r::toString);

      Thread.sleep(5);
      assertInstanceOf(RolloutController.CheckResult.Unchanged.class, g1.controller.checkNow());
      r = byId(s2);
      assertEquals(appliedA, r.get("gw-1").activatedAt(), "a check that changes nothing keeps the activation time");
      assertTrue(r.get("gw-1").at().isAfter(appliedA), "while the heartbeat moves: " + r);

      String b = repo.commit("b", Map.of("policy.vg", Policies.DENY_DELETE_VG));
      g1.controller.checkNow();
      r = byId(s2);
      assertEquals(b, r.get("gw-1").activeRevision());
      assertTrue(r.get("gw-1").activatedAt().isAfter(appliedA), r::toString);
      assertEquals(a, r.get("gw-2").activeRevision(), "gw-2 has not checked yet: not converged, and visible");
      assertEquals(g1.controller.instances(), s2.instances(), "the controller reads the shared state");
    }
  }

  private static Map<String, RolloutState.InstanceReport> byId(RolloutState s) {
    Map<String, RolloutState.InstanceReport> m = new java.util.TreeMap<>();
    s.instances().forEach(i -> m.put(i.instanceId(), i));
    return m;
  }

  @Test
  void failuresAreVisibleToEveryInstance() throws Exception {
    String store = freshStore();
    try (TestRepo repo = TestRepo.create(tmp.resolve("repo"));
        JdbcRolloutState s1 = JdbcRolloutState.open(store);
        RolloutFixture g1 = new RolloutFixture("gw-1", repo.uri(), tmp, s1, null, null)) {
      repo.commit("a", Map.of("policy.vg", Policies.GOOD_VG));
      g1.controller.checkNow();
      String bad = repo.commit("bad", Map.of("policy.vg", Policies.TYPE_ERROR_VG));
      g1.controller.checkNow();
      try (JdbcRolloutState other = JdbcRolloutState.open(store)) {
        RolloutState.InstanceReport r = other.instances().get(0);
        assertEquals(bad, r.failedRevision());
        assertEquals("compile", r.failedStage());
        assertTrue(r.failedMessage().contains("policy.vg:4"), r.failedMessage());
        RolloutState.HistoryEvent e = other.history(1).get(0);
        assertEquals(RolloutState.Outcome.FAILED, e.outcome());
        assertEquals("compile", e.stage());
      }
    }
  }

  @Test
  void rollbackWithoutHistoryIsAClearError() throws Exception {
    try (JdbcRolloutState s = JdbcRolloutState.open(freshStore())) {
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> RolloutOperations.rollback(s, null, "ops", null, Clock.systemUTC()));
      assertTrue(e.getMessage().contains("nothing to roll back"), e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> RolloutOperations.pin(s, "has space", "ops", null,
          Clock.systemUTC()));
      assertTrue(s.pin().isEmpty());
    }
  }
}
