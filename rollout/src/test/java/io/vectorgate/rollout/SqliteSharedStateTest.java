package io.vectorgate.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link SharedStateContract} on a SQLite file (instances of one host, and the CLI). */
class SqliteSharedStateTest extends SharedStateContract {
  private int n;

  @Override
  String freshStore() {
    return tmp.resolve("rollout-" + (++n) + ".db").toString();
  }

  @Test
  void aStateWrittenByAnOlderBuildGainsTheActivationTimeAndKeepsItsRows() throws Exception {
    String file = freshStore();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
      // the table as builds before activated_at_ms created it
      s.execute("CREATE TABLE vg_rollout_instances (instance_id TEXT PRIMARY KEY, source TEXT, active_revision TEXT, "
          + "failed_revision TEXT, failed_stage TEXT, failed_message TEXT, at_ms BIGINT NOT NULL)");
      s.execute("INSERT INTO vg_rollout_instances VALUES ('gw-old', 'git repo', 'aaa', NULL, NULL, NULL, 1000)");
    }
    try (JdbcRolloutState st = JdbcRolloutState.open(file)) {
      List<RolloutState.InstanceReport> r = st.instances();
      assertEquals(1, r.size());
      assertEquals("aaa", r.get(0).activeRevision());
      assertNull(r.get(0).activatedAt(), "unknown for a row of an older build");
      Instant applied = Instant.ofEpochMilli(5000);
      st.heartbeat(new RolloutState.InstanceReport("gw-old", "git repo", "bbb", null, null, null,
          Instant.ofEpochMilli(6000), applied));
      assertEquals(applied, st.instances().get(0).activatedAt());
    }
    try (JdbcRolloutState again = JdbcRolloutState.open(file)) { // opening twice adds the column once
      assertEquals(Instant.ofEpochMilli(5000), again.instances().get(0).activatedAt());
    }
  }
}
