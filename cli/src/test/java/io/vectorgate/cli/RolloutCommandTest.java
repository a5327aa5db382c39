package io.vectorgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vectorgate.rollout.JdbcRolloutState;
import io.vectorgate.rollout.RolloutState;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** `vectorgate policy status|pin|rollback` on a real SQLite rollout state shared with (recorded) gateways. */
class RolloutCommandTest {
  private record Run(int code, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = new CommandLine(new VectorgateCli());
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return new Run(cl.execute(args), out.toString(), err.toString());
  }

  static final String A = "a".repeat(40);
  static final String B = "b".repeat(40);

  /** Two gateways activated A then B; gw-2 failed on a later commit. */
  private static String seed(Path tmp) {
    String file = tmp.resolve("rollout.db").toString();
    try (JdbcRolloutState s = JdbcRolloutState.open(file)) {
      Instant t = Instant.parse("2026-01-01T00:00:00Z");
      for (String gw : new String[] {"gw-1", "gw-2"}) {
        s.append(new RolloutState.HistoryEvent(0, t, gw, A, RolloutState.Outcome.ACTIVATED, "", "first activation"));
      }
      for (String gw : new String[] {"gw-1", "gw-2"}) {
        s.append(new RolloutState.HistoryEvent(0, t.plusSeconds(60), gw, B, RolloutState.Outcome.ACTIVATED, "", "replaced"));
      }
      s.heartbeat(new RolloutState.InstanceReport("gw-1", "git repo", B, null, null, null, t.plusSeconds(90)));
      s.heartbeat(new RolloutState.InstanceReport("gw-2", "git repo", B, "c".repeat(40), "test",
          "test: 1 of 3 test(s) failed\n  policy_test.rego:9: data.p.test_x: failed", t.plusSeconds(90)));
    }
    return file;
  }

  @Test
  void statusShowsEveryInstanceAndItsLastFailure(@TempDir Path tmp) throws Exception {
    String db = seed(tmp);
    Run r = run("policy", "status", "--state", db);
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("pin: none"), r.out());
    assertTrue(r.out().contains("gw-1  active " + B), r.out());
    assertTrue(r.out().contains("last failure: " + "c".repeat(40) + " at stage test"), r.out());
    assertTrue(r.out().contains("policy_test.rego:9: data.p.test_x"), r.out());
    Run j = run("policy", "status", "--state", db, "--json");
    JsonNode o = new ObjectMapper().readTree(j.out());
    assertEquals(2, o.path("instances").size());
    assertEquals("test", o.path("instances").get(1).path("failed_stage").asText());
  }

  @Test
  void rollbackPinsThePreviousGoodRevisionAndPinClearUndoes(@TempDir Path tmp) {
    String db = seed(tmp);
    Run r = run("policy", "rollback", "--state", db, "--by", "alice", "--reason", "bad deploy");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("rolled back to " + A), r.out());
    try (JdbcRolloutState s = JdbcRolloutState.open(db)) {
      assertEquals(A, s.pin().orElseThrow().revision());
      assertEquals("alice", s.pin().orElseThrow().by());
      assertEquals(RolloutState.Outcome.ROLLED_BACK, s.history(1).get(0).outcome());
    }
    assertTrue(run("policy", "status", "--state", db).out().contains("pin: " + A + " (by alice"));
    Run clear = run("policy", "pin", "--clear", "--state", db, "--by", "alice");
    assertEquals(0, clear.code(), clear.err());
    try (JdbcRolloutState s = JdbcRolloutState.open(db)) {
      assertTrue(s.pin().isEmpty());
    }
  }

  @Test
  void pinValidatesItsInput(@TempDir Path tmp) {
    String db = seed(tmp);
    assertEquals(0, run("policy", "pin", B, "--state", db, "--by", "bob").code());
    try (JdbcRolloutState s = JdbcRolloutState.open(db)) {
      assertEquals(B, s.pin().orElseThrow().revision());
    }
    assertEquals(2, run("policy", "pin", "--state", db).code(), "neither revision nor --clear");
    assertEquals(2, run("policy", "pin", B, "--clear", "--state", db).code());
    Run bad = run("policy", "pin", "bad revision\n", "--state", db);
    assertTrue(bad.code() != 0);
    assertTrue(bad.err().contains("is not valid"), bad.err());
    Run noState = run("policy", "status", "--state", "");
    assertTrue(noState.code() != 0);
    assertTrue(noState.err().contains("no rollout state given"), noState.err());
  }

  @Test
  void rollbackWithoutHistoryFails(@TempDir Path tmp) {
    Run r = run("policy", "rollback", "--state", tmp.resolve("empty.db").toString());
    assertEquals(1, r.code());
    assertTrue(r.err().contains("nothing to roll back"), r.err());
  }
}
