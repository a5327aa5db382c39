package io.vectorgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vectorgate.proxy.Gateway;
import io.vectorgate.proxy.approval.ApprovalGatewayEnv;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 7 end to end through the shipped command: unmodified pymilvus sends destructive calls
 * through a real gateway (Milvus Lite upstream, a real OIDC provider, the shipped Rego library and
 * the sample organisation, held approvals in SQLite); approvers answer with the shaded
 * {@code vectorgate.jar} run as a subprocess ({@code java -jar target/vectorgate.jar approvals ...}),
 * exactly as {@code scripts/vectorgate} runs it. Failsafe runs this after {@code package}, so the jar
 * exists; its path is the system property {@code vectorgate.cli.jar}. One gateway and one Milvus Lite
 * serve all scenarios; each restores the sample rows first and uses its own filter, so a pending
 * approval is never mistaken for another scenario's.
 */
class ApprovalsCliIT {
  /** Approvals expire after this many seconds: long enough for a few CLI runs, short for the expiry path. */
  private static final int EXPIRES = 30;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final AtomicInteger RUNS = new AtomicInteger();

  @TempDir
  static Path work;
  static ApprovalGatewayEnv env;
  static Gateway gw;
  static String adminUrl;
  private final List<Process> clients = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    cliJar(); // fail before starting anything when the jar is missing
    env = new ApprovalGatewayEnv(work, EXPIRES);
    gw = env.startGateway("gw", "sqlite: " + work.resolve("approvals.db"), "hold");
    adminUrl = ApprovalGatewayEnv.adminUrl(gw);
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

  /** A scenario that failed half-way must not leave a pymilvus call hanging on the gateway. */
  @AfterEach
  void endClients() throws InterruptedException {
    for (Process p : clients) {
      if (p.isAlive()) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void bulkDeleteBlocksUntilApprovedThroughTheCliThenDeletesExactlyTheApprovedRows() throws Exception {
    Process p = held("carol", "cli-approve", "delete", "--collection", "docs", "--filter", "id >= 5");
    String id = awaitPendingViaCli("erin", "carol", "id >= 5");

    // the approver's token from --token this time (the other runs use VECTORGATE_TOKEN)
    Cli list = vectorgate(null, "approvals", "list", "--gateway", adminUrl, "--token", env.token("erin"));
    assertEquals(0, list.code(), list.toString());
    String line = list.lineStartingWith(id);
    assertTrue(line.matches(".*\\bpending\\s+carol\\s+0/1\\s+\\S+\\s+.*id >= 5.*"), line);
    assertTrue(list.out().startsWith("ID "), list.out()); // the header row
    assertTrue(list.out().strip().endsWith("approval(s)"), list.out());

    Cli show = vectorgate("erin", "approvals", "show", id, "--gateway", adminUrl);
    assertEquals(0, show.code(), show.toString());
    JsonNode a = show.json();
    assertEquals(id, a.get("id").asText());
    assertEquals("pending", a.get("status").asText());
    assertEquals("delete", a.get("summary").get("action").asText());
    assertEquals("docs", a.get("summary").get("collection").asText());
    assertEquals("Delete", a.get("summary").get("method").asText());
    assertEquals(List.of("db-admins"), strings(a.get("approver_groups")));
    assertEquals(1, a.get("min_approvals").asInt());
    assertTrue(a.get("fingerprint").asText().matches("[0-9a-f]{64}"), a.toString());
    assertTrue(a.get("reason").asText().contains("delete"), a.toString());
    assertEquals("carol", a.get("requester").get("subject").asText());
    assertEquals(List.of("ml-engineers"), strings(a.get("requester").get("groups")));
    assertEquals(0, a.get("votes").size());

    assertTrue(p.isAlive(), "the held call ended before anyone approved");
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L), ids(), "rows changed before the approval");

    Cli approve = vectorgate("erin", "approvals", "approve", id, "--comment", "checked the filter", "--gateway", adminUrl);
    assertEquals(0, approve.code(), approve.toString());
    assertTrue(approve.out().startsWith("approved: " + id), approve.out());
    assertTrue(approve.out().contains("1/1"), approve.out());

    JsonNode r = env.result(p, "cli-approve");
    assertTrue(r.get("ok").asBoolean(), r.toString());
    // carol is bound to tenant acme: the approved delete removes the acme rows with id >= 5 only
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 7L, 9L), ids());

    JsonNode after = vectorgate("erin", "approvals", "show", id, "--gateway", adminUrl).json();
    assertEquals("approved", after.get("status").asText());
    assertEquals(1, after.get("uses").asInt());
    assertEquals("erin", after.get("votes").get(0).get("approver").asText());
    assertEquals("checked the filter", after.get("votes").get(0).get("comment").asText());

    Cli twice = vectorgate("frank", "approvals", "approve", id, "--gateway", adminUrl);
    assertRefused(twice, 409, "not_pending");
    Cli hidden = vectorgate("mallory", "approvals", "show", id, "--gateway", adminUrl);
    assertRefused(hidden, 404, "");
    Cli badToken = vectorgate(null, "approvals", "list", "--gateway", adminUrl, "--token", "not-a-jwt");
    assertRefused(badToken, 401, "");
  }

  @Test
  void rejectionThroughTheCliEndsTheHeldCallWithPermissionDeniedNamingTheIdAndReason() throws Exception {
    Process p = held("carol", "cli-reject", "delete", "--collection", "docs", "--filter", "id <= 2");
    String id = awaitPendingViaCli("erin", "carol", "id <= 2");

    Cli noReasonOption = vectorgate("erin", "approvals", "reject", id, "--gateway", adminUrl);
    assertEquals(2, noReasonOption.code(), noReasonOption.toString());
    assertTrue(noReasonOption.err().contains("--reason"), noReasonOption.err());
    Cli emptyReason = vectorgate("erin", "approvals", "reject", id, "--reason", "", "--gateway", adminUrl);
    assertRefused(emptyReason, 400, "");
    assertTrue(p.isAlive(), "a refused rejection ended the held call");

    Cli reject = vectorgate("erin", "approvals", "reject", id, "--reason", "not during the audit", "--gateway", adminUrl);
    assertEquals(0, reject.code(), reject.toString());
    assertTrue(reject.out().startsWith("rejected: " + id), reject.out());
    assertTrue(reject.out().contains(" rejected "), reject.out());

    JsonNode r = env.result(p, "cli-reject");
    assertFalse(r.get("ok").asBoolean(), r.toString());
    assertEquals("1401", r.get("code").asText(), r.toString()); // in band: Milvus's "privilege not permitted"
    String err = r.get("error").asText();
    assertTrue(err.contains("approval_rejected") && err.contains(id) && err.contains("not during the audit"), err);
    assertEquals(10, ids().size(), "a rejected delete changed data");
  }

  @Test
  void theRequesterCannotApproveTheirOwnRequestThroughTheCliAndTheCallStaysHeld() throws Exception {
    Process p = held("carol", "cli-self", "delete", "--collection", "docs", "--filter", "id >= 8");
    String id = awaitPendingViaCli("erin", "carol", "id >= 8");

    Cli self = vectorgate("carol", "approvals", "approve", id, "--comment", "mine", "--gateway", adminUrl);
    assertRefused(self, 403, "self_approval");
    assertTrue(self.out().isEmpty(), self.out());

    assertTrue(p.isAlive(), "a refused self-approval released the held call");
    JsonNode still = vectorgate("erin", "approvals", "show", id, "--gateway", adminUrl).json();
    assertEquals("pending", still.get("status").asText());
    assertEquals(0, still.get("votes").size(), still.toString());
    assertEquals(10, ids().size(), "rows changed after a refused self-approval");

    // still approvable by someone else: the refusal spoiled nothing
    Cli approve = vectorgate("erin", "approvals", "approve", id, "--gateway", adminUrl);
    assertEquals(0, approve.code(), approve.toString());
    assertTrue(env.result(p, "cli-self").get("ok").asBoolean());
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 9L), ids());
  }

  @Test
  void breakGlassDropNeedsTwoDistinctApproversThroughTheCli() throws Exception {
    assertOk(env.client(gw, "alice", "create-scratch", "--collection", "scratch"));
    Process p = held("oscar", "cli-two-of-n", "drop", "--collection", "scratch");
    String id = awaitPendingViaCli("erin", "oscar", "scratch");
    assertEquals(2, vectorgate("erin", "approvals", "show", id, "--gateway", adminUrl).json().get("min_approvals").asInt());

    Cli first = vectorgate("erin", "approvals", "approve", id, "--comment", "one", "--gateway", adminUrl);
    assertEquals(0, first.code(), first.toString());
    assertTrue(first.out().startsWith("your approval is recorded; still pending: " + id), first.out());
    assertTrue(first.out().contains("1/2"), first.out());
    Cli again = vectorgate("erin", "approvals", "approve", id, "--comment", "again", "--gateway", adminUrl);
    assertRefused(again, 409, "already_voted");
    assertTrue(p.isAlive(), "released after one of two approvals");
    assertTrue(vectorgate("frank", "approvals", "list", "--gateway", adminUrl).lineStartingWith(id).contains("1/2"));

    Cli second = vectorgate("frank", "approvals", "approve", id, "--comment", "two", "--gateway", adminUrl);
    assertEquals(0, second.code(), second.toString());
    assertTrue(second.out().startsWith("approved: " + id), second.out());
    assertTrue(second.out().contains("2/2"), second.out());

    JsonNode r = env.result(p, "cli-two-of-n");
    assertTrue(r.get("ok").asBoolean(), r.toString());
    JsonNode listed = env.client(gw, "alice", "ids", "--collection", "scratch");
    assertFalse(listed.get("ok").asBoolean(), "scratch still exists: " + listed);
  }

  @Test
  void anExpiredApprovalEndsTheHeldCallAndTheCliRefusesToApproveIt() throws Exception {
    Process p = held("carol", "cli-expire", "delete", "--collection", "docs", "--filter", "id < 4");
    String id = awaitPendingViaCli("erin", "carol", "id < 4");

    JsonNode r = env.result(p, "cli-expire");
    assertFalse(r.get("ok").asBoolean(), r.toString());
    assertEquals("1401", r.get("code").asText(), r.toString()); // in band: Milvus's "privilege not permitted"
    String err = r.get("error").asText();
    assertTrue(err.contains("approval_expired") && err.contains(id), r.toString());

    Cli late = vectorgate("erin", "approvals", "approve", id, "--gateway", adminUrl);
    assertRefused(late, 409, "approval_expired");
    Cli expired = vectorgate("erin", "approvals", "list", "--status", "expired", "--gateway", adminUrl);
    assertEquals(0, expired.code(), expired.toString());
    assertTrue(expired.lineStartingWith(id).contains(" expired "), expired.out());
    assertEquals("expired", vectorgate("erin", "approvals", "show", id, "--gateway", adminUrl).json().get("status").asText());
    assertEquals(10, ids().size(), "an expired delete changed data");
  }

  // --- the CLI as a subprocess --------------------------------------------------------------

  /** One run of {@code java -jar vectorgate.jar}: exit code, stdout, stderr. */
  private record Cli(int code, String out, String err) {
    JsonNode json() throws IOException {
      assertEquals(0, code, toString());
      return JSON.readTree(out);
    }

    String lineStartingWith(String id) {
      return out.lines().filter(l -> l.startsWith(id + " ")).findFirst()
          .orElseThrow(() -> new AssertionError("no line for " + id + " in:\n" + out + "\nstderr: " + err));
    }
  }

  private static Path cliJar() {
    String jar = System.getProperty("vectorgate.cli.jar");
    if (jar == null || !Files.isRegularFile(Path.of(jar))) {
      throw new IllegalStateException("the shaded CLI jar is missing (system property vectorgate.cli.jar = " + jar
          + "): run this test with `mvn -pl cli verify`, where failsafe runs after package");
    }
    return Path.of(jar);
  }

  /**
   * Runs the shaded jar with {@code args}; {@code user}'s token goes in {@code VECTORGATE_TOKEN}
   * (null: no token in the environment, the arguments carry it).
   */
  private static Cli vectorgate(String user, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-jar", cliJar().toString()));
    cmd.addAll(List.of(args));
    int n = RUNS.incrementAndGet();
    Path out = work.resolve("cli-" + n + ".out");
    Path err = work.resolve("cli-" + n + ".err");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
    Map<String, String> environment = pb.environment();
    environment.remove("VECTORGATE_GATEWAY");
    environment.remove("VECTORGATE_TOKEN");
    if (user != null) {
      environment.put("VECTORGATE_TOKEN", env.token(user));
    }
    Process p = pb.start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      throw new AssertionError("vectorgate " + String.join(" ", args) + " did not finish within 120 s");
    }
    return new Cli(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  /** Polls {@code vectorgate approvals list --json} as {@code approver} until {@code requester}'s call shows up pending. */
  private static String awaitPendingViaCli(String approver, String requester, String text) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (System.nanoTime() < end) {
      Cli list = vectorgate(approver, "approvals", "list", "--json", "--gateway", adminUrl);
      assertEquals(0, list.code(), list.toString());
      for (JsonNode a : list.json().get("approvals")) {
        if (a.get("requester").get("subject").asText().equals(requester)
            && a.get("summary").get("text").asText().contains(text)) {
          assertEquals("pending", a.get("status").asText());
          return a.get("id").asText();
        }
      }
      Thread.sleep(200);
    }
    throw new AssertionError("`vectorgate approvals list` showed no pending approval of " + requester + " for `" + text
        + "` within 90 s");
  }

  private static void assertRefused(Cli run, int status, String code) {
    assertEquals(1, run.code(), run.toString());
    assertTrue(run.err().startsWith("vectorgate: refused (HTTP " + status + ", " + code), run.err());
  }

  /** Starts a pymilvus call that the gateway will hold; ended after the test if still running. */
  private Process held(String user, String tag, String... args) throws Exception {
    Process p = env.clientAsync(gw, user, tag, args);
    clients.add(p);
    return p;
  }

  private static List<Long> ids() throws Exception {
    JsonNode r = env.client(gw, "alice", "ids", "--collection", "docs");
    assertOk(r);
    return StreamSupport.stream(r.get("value").spliterator(), false).map(JsonNode::asLong).toList();
  }

  private static List<String> strings(JsonNode array) {
    return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
  }

  private static void assertOk(JsonNode r) {
    assertTrue(r.get("ok").asBoolean(), r.toString());
  }
}
