package io.vectorgate.proxy.approval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vectorgate.approvals.admin.AdminClient;
import io.vectorgate.proxy.Gateway;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hold mode on the embedded SQLite store through the admin REST client, for what the approver's
 * command cannot express. The approve / reject / self-approval / 2-of-N / expiry paths run end to
 * end through the shipped {@code vectorgate approvals} command in the CLI module's failsafe test
 * {@code io.vectorgate.cli.ApprovalsCliIT} (same fixtures: pymilvus, Milvus Lite, real OIDC).
 */
class ApprovalE2EIT {
  @TempDir
  static Path work;
  static ApprovalGatewayEnv env;
  static Gateway gw;

  @BeforeAll
  static void start() throws Exception {
    env = new ApprovalGatewayEnv(work);
    gw = env.startGateway("gw", "sqlite: " + work.resolve("approvals.db"), "hold");
  }

  @AfterAll
  static void stop() {
    if (env != null) {
      env.close();
    }
  }

  private static List<Long> ids() throws Exception {
    JsonNode r = env.client(gw, "alice", "ids", "--collection", "docs");
    assertTrue(r.get("ok").asBoolean(), r.toString());
    return StreamSupport.stream(r.get("value").spliterator(), false).map(JsonNode::asLong).toList();
  }

  /** Outcome of one approver's call: the approval as answered, or the API's refusal. */
  private record Answer(String approver, JsonNode approval, AdminClient.ApiError refusal) {}

  @Test
  void concurrentApprovalsReleaseTheHeldCallOnceAndExactlyOneAnswerWins() throws Exception {
    JsonNode load = env.client(gw, "alice", "load");
    assertTrue(load.get("ok").asBoolean(), load.toString());
    Process p = env.clientAsync(gw, "carol", "race", "delete", "--collection", "docs", "--filter", "id >= 5");
    String id = env.awaitPending(gw, "erin", "carol", "id >= 5").get("id").asText();

    List<String> approvers = List.of("erin", "frank", "gina");
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(approvers.size());
    List<Answer> answers = new ArrayList<>();
    try {
      List<Future<Answer>> futures = new ArrayList<>();
      for (String who : approvers) {
        AdminClient c = env.admin(gw, who);
        futures.add(pool.submit(() -> {
          go.await();
          try {
            return new Answer(who, c.approve(id, "race", 1), null);
          } catch (AdminClient.ApiError e) {
            return new Answer(who, null, e);
          }
        }));
      }
      go.countDown();
      for (Future<Answer> f : futures) {
        answers.add(f.get(60, TimeUnit.SECONDS));
      }
    } finally {
      pool.shutdownNow();
    }

    List<Answer> won = answers.stream().filter(a -> a.approval() != null).toList();
    assertEquals(1, won.size(), "exactly one of three concurrent approvals must win: " + answers);
    assertEquals("approved", won.get(0).approval().get("status").asText());
    for (Answer lost : answers) {
      if (lost.refusal() != null) {
        assertEquals(409, lost.refusal().status(), lost.toString());
        assertEquals("not_pending", lost.refusal().code(), lost.toString());
      }
    }

    JsonNode r = env.result(p, "race");
    assertTrue(r.get("ok").asBoolean(), r.toString());
    // carol is bound to tenant acme: the approved delete removes the acme rows with id >= 5 only
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 7L, 9L), ids());
    JsonNode after = env.admin(gw, "erin").show(id);
    assertEquals(1, after.get("uses").asInt(), after.toString());
    assertEquals(1, after.get("votes").size(), after.toString());
    assertEquals(won.get(0).approver(), after.get("votes").get(0).get("approver").asText());
  }
}
