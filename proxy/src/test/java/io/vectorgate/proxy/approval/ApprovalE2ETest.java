package io.vectorgate.proxy.approval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vectorgate.approvals.admin.AdminClient;
import io.vectorgate.proxy.Gateway;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hold mode end to end on the embedded SQLite store: unmodified pymilvus sends a bulk delete
 * through the gateway; the call stays open until an approver answers through the admin API
 * (the client {@code vectorgate approvals} uses), with real OIDC tokens for everyone.
 */
class ApprovalE2ETest {
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

  @BeforeEach
  void freshData() throws Exception {
    assertOk(env.client(gw, "alice", "load"));
  }

  private static List<Long> ids() throws Exception {
    JsonNode r = env.client(gw, "alice", "ids", "--collection", "docs");
    assertTrue(r.get("ok").asBoolean(), r.toString());
    return StreamSupport.stream(r.get("value").spliterator(), false).map(JsonNode::asLong).toList();
  }

  @Test
  void bulkDeleteBlocksUntilApprovedThenDeletesExactlyTheApprovedRows() throws Exception {
    Process p = env.clientAsync(gw, "carol", "hold-approve", "delete", "--collection", "docs", "--filter", "id >= 5");
    JsonNode pending = env.awaitPending(gw, "erin", "carol", "id >= 5");
    String id = pending.get("id").asText();
    assertEquals("delete", pending.get("summary").get("action").asText());
    assertEquals("docs", pending.get("summary").get("collection").asText());
    assertEquals("Delete", pending.get("summary").get("method").asText());
    assertEquals(List.of("db-admins"), List.of(pending.get("approver_groups").get(0).asText()));
    assertEquals(1, pending.get("min_approvals").asInt());
    assertTrue(pending.get("fingerprint").asText().matches("[0-9a-f]{64}"), pending.toString());
    assertTrue(pending.get("reason").asText().contains("delete"), pending.toString());
    assertEquals("ml-engineers", pending.get("requester").get("groups").get(0).asText());

    AdminClient.ApiError self = assertThrows(AdminClient.ApiError.class, () -> env.admin(gw, "carol").approve(id, "mine", 1));
    assertEquals(403, self.status());
    assertEquals("self_approval", self.code());
    AdminClient.ApiError hidden = assertThrows(AdminClient.ApiError.class, () -> env.admin(gw, "mallory").show(id));
    assertEquals(404, hidden.status());
    AdminClient.ApiError badToken = assertThrows(AdminClient.ApiError.class,
        () -> new AdminClient(java.net.URI.create("http://127.0.0.1:" + gw.approvals().orElseThrow().adminPort()),
            "not-a-jwt").list(null, 10));
    assertEquals(401, badToken.status());
    assertTrue(p.isAlive(), "the held call ended before anyone approved");
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L), ids(), "rows changed before the approval");

    JsonNode approved = env.admin(gw, "erin").approve(id, "checked the filter", 1);
    assertEquals("approved", approved.get("status").asText());
    JsonNode r = env.result(p, "hold-approve");
    assertTrue(r.get("ok").asBoolean(), r.toString());
    // carol is bound to tenant acme: the approved delete removes the acme rows with id >= 5 only
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 7L, 9L), ids());
    JsonNode after = env.admin(gw, "erin").show(id);
    assertEquals(1, after.get("uses").asInt());
    AdminClient.ApiError twice = assertThrows(AdminClient.ApiError.class, () -> env.admin(gw, "frank").approve(id, null, 1));
    assertEquals(409, twice.status());
    assertEquals("not_pending", twice.code());
  }

  @Test
  void rejectionEndsTheHeldCallWithTheReasonAndTheId() throws Exception {
    Process p = env.clientAsync(gw, "carol", "hold-reject", "delete", "--collection", "docs", "--filter", "id <= 2");
    String id = env.awaitPending(gw, "erin", "carol", "id <= 2").get("id").asText();
    AdminClient.ApiError noReason = assertThrows(AdminClient.ApiError.class, () -> env.admin(gw, "erin").reject(id, ""));
    assertEquals(400, noReason.status());
    env.admin(gw, "erin").reject(id, "not during the audit");
    JsonNode r = env.result(p, "hold-reject");
    assertFalse(r.get("ok").asBoolean(), r.toString());
    String err = r.get("error").asText();
    assertTrue(err.contains("approval_rejected") && err.contains(id) && err.contains("not during the audit"), err);
    assertEquals(10, ids().size(), "a rejected delete changed data");
  }

  @Test
  void expiryEndsTheHeldCallAndLateApprovalsAreRefused() throws Exception {
    Process p = env.clientAsync(gw, "carol", "hold-expire", "delete", "--collection", "docs", "--filter", "id < 4");
    String id = env.awaitPending(gw, "erin", "carol", "id < 4").get("id").asText();
    JsonNode r = env.result(p, "hold-expire");
    assertFalse(r.get("ok").asBoolean(), r.toString());
    assertTrue(r.get("error").asText().contains("approval_expired") && r.get("error").asText().contains(id), r.toString());
    AdminClient.ApiError late = assertThrows(AdminClient.ApiError.class, () -> env.admin(gw, "erin").approve(id, null, 1));
    assertEquals(409, late.status());
    assertEquals("approval_expired", late.code());
    assertEquals("expired", env.admin(gw, "erin").show(id).get("status").asText());
    assertEquals(10, ids().size());
  }

  @Test
  void breakGlassDropNeedsTwoDistinctApprovers() throws Exception {
    assertOk(env.client(gw, "alice", "create-scratch", "--collection", "scratch"));
    Process p = env.clientAsync(gw, "oscar", "two-of-n", "drop", "--collection", "scratch");
    JsonNode pending = env.awaitPending(gw, "erin", "oscar", "scratch");
    String id = pending.get("id").asText();
    assertEquals(2, pending.get("min_approvals").asInt());
    assertEquals("pending", env.admin(gw, "erin").approve(id, "one", 1).get("status").asText());
    AdminClient.ApiError again = assertThrows(AdminClient.ApiError.class, () -> env.admin(gw, "erin").approve(id, "again", 1));
    assertEquals("already_voted", again.code());
    assertTrue(p.isAlive(), "released after one of two approvals");
    assertEquals("approved", env.admin(gw, "frank").approve(id, "two", 1).get("status").asText());
    JsonNode r = env.result(p, "two-of-n");
    assertTrue(r.get("ok").asBoolean(), r.toString());
    JsonNode listed = env.client(gw, "alice", "ids", "--collection", "scratch");
    assertFalse(listed.get("ok").asBoolean(), "scratch still exists: " + listed);
  }

  private static void assertOk(JsonNode r) {
    assertTrue(r.get("ok").asBoolean(), r.toString());
  }
}
