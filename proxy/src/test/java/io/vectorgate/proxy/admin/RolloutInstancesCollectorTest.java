package io.vectorgate.proxy.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.vectorgate.rollout.JdbcRolloutState;
import io.vectorgate.rollout.RolloutState;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The per-instance rollout metrics, read from a real shared state (SQLite) and written in the
 * Prometheus text format: every instance's revision, activation time and heartbeat, and no samples
 * (rather than a failed scrape) while the state cannot be read.
 */
class RolloutInstancesCollectorTest {
  @TempDir
  Path dir;

  private static String scrape(RolloutInstancesCollector c) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrometheusTextFormatWriter.create().write(out, c.collect());
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void everyInstanceOfTheSharedStateWithItsRevisionAndWhenItAppliedIt() throws Exception {
    try (JdbcRolloutState state = JdbcRolloutState.open(dir.resolve("rollout.db").toString())) {
      RolloutInstancesCollector c = new RolloutInstancesCollector(state::instances);
      assertFalse(scrape(c).contains("instance_id="), "nobody reported yet");
      state.heartbeat(new RolloutState.InstanceReport("gw-1", "git repo", "aaa", null, null, null,
          Instant.ofEpochSecond(1_800_000_100), Instant.ofEpochSecond(1_800_000_000)));
      state.heartbeat(new RolloutState.InstanceReport("gw-2", "git repo", "bbb", null, null, null,
          Instant.ofEpochSecond(1_800_000_200), Instant.ofEpochSecond(1_800_000_150)));
      state.heartbeat(new RolloutState.InstanceReport("gw-3", "git repo", null, "ccc", "compile", "x",
          Instant.ofEpochSecond(1_800_000_300)));
      String text = scrape(c);
      for (String line : List.of(
          "vectorgate_policy_instance_revision_info{instance_id=\"gw-1\",revision=\"aaa\"} 1",
          "vectorgate_policy_instance_revision_info{instance_id=\"gw-2\",revision=\"bbb\"} 1",
          "vectorgate_policy_instance_revision_info{instance_id=\"gw-3\",revision=\"\"} 1",
          "vectorgate_policy_instance_activation_timestamp_seconds{instance_id=\"gw-1\"} 1.8E9",
          "vectorgate_policy_instance_activation_timestamp_seconds{instance_id=\"gw-2\"} 1.80000015E9",
          "vectorgate_policy_instance_heartbeat_timestamp_seconds{instance_id=\"gw-3\"} 1.8000003E9")) {
        assertTrue(text.lines().anyMatch(line::equals), line + " in\n" + text);
      }
      assertFalse(text.contains("activation_timestamp_seconds{instance_id=\"gw-3\"}"),
          "no activation time before the first activation:\n" + text);
    }
  }

  @Test
  void aStateThatCannotBeReadGivesNoSamplesAndRecovers() throws Exception {
    Path file = dir.resolve("rollout.db");
    try (JdbcRolloutState state = JdbcRolloutState.open(file.toString())) {
      state.heartbeat(new RolloutState.InstanceReport("gw-1", "git repo", "aaa", null, null, null, Instant.now(),
          Instant.now()));
      boolean[] broken = {true};
      RolloutInstancesCollector c = new RolloutInstancesCollector(() -> {
        if (broken[0]) {
          throw new IllegalStateException("rollout state: cannot read the instances: connection refused");
        }
        return state.instances();
      });
      String text = scrape(c);
      assertFalse(text.contains("instance_id="), text);
      broken[0] = false;
      assertTrue(scrape(c).contains("vectorgate_policy_instance_revision_info{instance_id=\"gw-1\",revision=\"aaa\"} 1"));
      assertEquals(1, state.instances().size());
      assertTrue(Files.exists(file));
    }
  }
}
