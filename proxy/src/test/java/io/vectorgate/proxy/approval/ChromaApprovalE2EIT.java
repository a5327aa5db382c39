package io.vectorgate.proxy.approval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vectorgate.approvals.admin.AdminClient;
import io.vectorgate.engine.PolicyEngine;
import io.vectorgate.proxy.Gateway;
import io.vectorgate.proxy.e2e.ChromaServer;
import io.vectorgate.proxy.testing.MilvusLite;
import io.vectorgate.proxy.testing.Closer;
import io.vectorgate.proxy.testing.GatewayTestBuilder;
import io.vectorgate.proxy.testing.GatewayTestBuilder.Connection;
import io.vectorgate.proxy.testing.GatewayTestBuilder.Listener;
import io.vectorgate.proxy.testing.OidcProvider;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hold mode on the HTTP gateway end to end: the unmodified chromadb client sends a delete with a
 * {@code where} filter (a bulk delete, which the sample organisation sends to approval) through
 * the gateway to the real Chroma; the call stays open until a db-admin answers through the admin
 * API; then exactly the approved rows are gone (the requester's tenant filter applies too).
 */
class ChromaApprovalE2EIT {
  static final Map<String, List<String>> GROUPS = Map.of(
      "carol", List.of("ml-engineers"),
      "erin", List.of("db-admins"));
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  static Path work;
  static ChromaServer chroma;
  static OidcProvider oidc;
  static PolicyEngine engine;
  static Gateway gateway;

  @BeforeAll
  static void start() throws Exception {
    chroma = ChromaServer.start(work);
    oidc = OidcProvider.start(0);
    GatewayTestBuilder.Started started = GatewayTestBuilder.in(work)
        .listener(Listener.http("chroma", "chroma"))
        .connection(Connection.of("chroma", "chroma", chroma.address())
            .credential("VG_CHROMA_TOKEN", "gateway-chroma-credential").timeoutSeconds(30))
        .identity(oidc)
        .sampleRego("chroma-demo")
        .section("approvals", """
            store: {sqlite: "%s"}
            max_wait_seconds: 120
            poll_interval_millis: 100
            admin: {address: "127.0.0.1:0"}
            """.formatted(work.resolve("approvals.db")))
        .start();
    engine = started.engine();
    gateway = started.gateway();
  }

  @AfterAll
  static void stop() throws Exception {
    Closer.closeAll(gateway, engine, oidc, chroma);
  }

  @BeforeEach
  void freshData() throws Exception {
    assertEquals(10, direct("load").get("value").asInt());
  }

  static String token(String user) {
    return oidc.token(user, GROUPS.get(user), "acme", 3600);
  }

  static AdminClient admin(String user) {
    return new AdminClient(URI.create("http://127.0.0.1:" + gateway.approvals().orElseThrow().adminPort()), token(user));
  }

  static JsonNode direct(String step) throws Exception {
    String out = MilvusLite.runPython(work, "approval_chroma_client.py", "--chroma", chroma.address(), step);
    JsonNode r = JSON.readTree(out.lines().reduce((a, b) -> b).orElseThrow());
    assertTrue(r.get("ok").asBoolean(), r.toString());
    return r;
  }

  static List<Integer> ids() throws Exception {
    List<Integer> out = new ArrayList<>();
    direct("ids").get("value").forEach(n -> out.add(n.asInt()));
    return out;
  }

  /** Starts a chromadb delete through the gateway (it will be held). */
  static Process deleteAsync(String user, String where, String tag) throws Exception {
    List<String> cmd = List.of(MilvusLite.venvBin("python").toString(),
        MilvusLite.root().resolve("python/approval_chroma_client.py").toString(), "--gateway",
        "127.0.0.1:" + gateway.port("chroma"), "--token", token(user), "delete", "--where", where);
    return new ProcessBuilder(cmd).directory(MilvusLite.root().resolve("python").toFile())
        .redirectOutput(work.resolve(tag + ".out").toFile()).redirectError(work.resolve(tag + ".err").toFile()).start();
  }

  static JsonNode result(Process p, String tag) throws Exception {
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), tag + " did not finish: " + Files.readString(work.resolve(tag + ".err")));
    String out = Files.readString(work.resolve(tag + ".out"));
    assertEquals(0, p.exitValue(), tag + ": " + out + Files.readString(work.resolve(tag + ".err")));
    return JSON.readTree(out.lines().reduce((a, b) -> b).orElseThrow());
  }

  /** The pending approval of {@code requester} whose summary mentions {@code text}. */
  static JsonNode awaitPending(String requester, String text) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < end) {
      for (JsonNode a : admin("erin").list("pending", 100).get("approvals")) {
        if (a.get("requester").get("subject").asText().equals(requester)
            && a.get("summary").get("text").asText().contains(text)) {
          return a;
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no pending approval of " + requester + " mentioning `" + text + "`");
  }

  @Test
  void deleteIsHeldUntilApprovedThenExactlyTheApprovedRowsAreGone() throws Exception {
    // acme 2 and 4, and globex 3, which carol's tenant filter keeps out of reach
    String where = "{\"title\": {\"$in\": [\"acme report 2\", \"acme report 4\", \"globex report 3\"]}}";
    Process p = deleteAsync("carol", where, "approve");
    JsonNode pending = awaitPending("carol", "acme report 4");
    String id = pending.get("id").asText();
    assertEquals("delete", pending.get("summary").get("action").asText());
    assertEquals("docs", pending.get("summary").get("collection").asText());
    assertTrue(pending.get("summary").get("method").asText().startsWith("POST /api/v2/tenants/"), pending.toString());
    assertTrue(pending.get("summary").get("method").asText().endsWith("/delete"), pending.toString());
    assertTrue(p.isAlive(), "the held call ended before anyone answered");
    assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), ids(), "rows changed before the approval");

    admin("erin").approve(id, "checked the filter", 1);
    JsonNode r = result(p, "approve");
    assertTrue(r.get("ok").asBoolean(), r.toString());
    assertEquals(List.of(1, 3, 5, 6, 7, 8, 9, 10), ids());
    assertEquals("approved", admin("erin").show(id).get("status").asText());
  }

  @Test
  void rejectionReachesTheClientAsA403NamingTheApprovalAndTheReason() throws Exception {
    Process p = deleteAsync("carol", "{\"title\": \"acme report 6\"}", "reject");
    String id = awaitPending("carol", "acme report 6").get("id").asText();
    admin("erin").reject(id, "not during the audit");
    JsonNode r = result(p, "reject");
    assertFalse(r.get("ok").asBoolean(), r.toString());
    String error = r.get("error").asText();
    assertTrue(error.contains("approval_rejected"), error);
    assertTrue(error.contains(id), error);
    assertTrue(error.contains("not during the audit"), error);
    assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), ids());
  }

  @Test
  void aDifferentBodyFromTheSameIdentityDoesNotRideOnTheApproval() throws Exception {
    Process first = deleteAsync("carol", "{\"title\": \"acme report 8\"}", "ride-1");
    String id = awaitPending("carol", "acme report 8").get("id").asText();
    admin("erin").approve(id, "ok, twice", 2);
    assertTrue(result(first, "ride-1").get("ok").asBoolean());
    assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 9, 10), ids());

    // the approval still has a use left, but only for the identical request: this one waits for its own
    Process other = deleteAsync("carol", "{\"title\": \"acme report 10\"}", "ride-2");
    String otherId = awaitPending("carol", "acme report 10").get("id").asText();
    assertNotEquals(id, otherId);
    assertTrue(other.isAlive());
    assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 9, 10), ids());
    admin("erin").reject(otherId, "one at a time");
    JsonNode r = result(other, "ride-2");
    assertFalse(r.get("ok").asBoolean(), r.toString());
    assertTrue(r.get("error").asText().contains(otherId), r.toString());
    assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 9, 10), ids());
  }
}
