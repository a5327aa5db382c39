package io.vectorgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectorgate.approvals.Approval;
import io.vectorgate.approvals.ApprovalNotifier;
import io.vectorgate.approvals.ApprovalService;
import io.vectorgate.approvals.ApprovalStore;
import io.vectorgate.approvals.ApprovalSummary;
import io.vectorgate.approvals.Approver;
import io.vectorgate.approvals.LoggingApprovalAudit;
import io.vectorgate.approvals.NewApproval;
import io.vectorgate.approvals.StoreConfig;
import io.vectorgate.approvals.admin.AdminAuthenticator;
import io.vectorgate.approvals.admin.AdminServer;
import io.vectorgate.model.Identity;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * `vectorgate approvals` against the real admin API server and approval store (SQLite). Tokens
 * are resolved by a fixed table here; the shaded jar against a real gateway with real OIDC tokens
 * and pymilvus is {@link ApprovalsCliIT} (failsafe).
 */
class ApprovalsCommandTest {
  private static final Map<String, Approver> TOKENS = Map.of(
      "tok-erin", new Approver("erin", List.of("db-admins")),
      "tok-frank", new Approver("frank", List.of("db-admins")),
      "tok-carol", new Approver("carol", List.of("ml-engineers")),
      "tok-mallory", new Approver("mallory", List.of("analysts")));

  @TempDir
  Path dir;
  ApprovalService service;
  AdminServer server;
  String gateway;

  @BeforeEach
  void start() throws Exception {
    service = new ApprovalService(ApprovalStore.open(StoreConfig.sqlite(dir.resolve("a.db"))), new LoggingApprovalAudit(),
        ApprovalNotifier.NONE, Clock.systemUTC(), ApprovalService.Settings.DEFAULTS);
    AdminAuthenticator auth = token -> {
      Approver a = TOKENS.get(token);
      if (a == null) {
        throw new AdminAuthenticator.Refused("invalid_token", "unknown token", null);
      }
      return a;
    };
    server = new AdminServer(service, auth, Set.of("admins"), "127.0.0.1", 0);
    server.start();
    gateway = "http://127.0.0.1:" + server.port();
  }

  @AfterEach
  void stop() {
    server.close();
    service.close();
  }

  private record Run(int code, String out, String err) {}

  private Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = new CommandLine(new VectorgateCli());
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return new Run(cl.execute(args), out.toString(), err.toString());
  }

  private Approval held(int min) {
    return service.request(new NewApproval(new Identity("carol", null, List.of("ml-engineers"), "acme", "iss", Map.of()),
        "lite", "127.0.0.1", new ApprovalSummary("Delete", "delete", null, "docs", null, "id >= 5", Map.of("ids", 0L),
            "delete on docs where id >= 5"), "f".repeat(64), "bulk delete", List.of("db-admins"), min, 600, "d", "r",
        "q")).approval();
  }

  @Test
  void listShowApproveAsAnApprover() {
    Approval a = held(2);
    Run list = run("approvals", "list", "--gateway", gateway, "--token", "tok-erin");
    assertEquals(0, list.code(), list.err());
    assertTrue(list.out().contains(a.id()) && list.out().contains("carol") && list.out().contains("0/2")
        && list.out().contains("delete on docs where id >= 5"), list.out());
    Run show = run("approvals", "show", a.id(), "--gateway", gateway, "--token", "tok-erin");
    assertEquals(0, show.code(), show.err());
    assertTrue(show.out().contains("\"fingerprint\" : \"" + "f".repeat(64)), show.out());

    Run first = run("approvals", "approve", a.id(), "--comment", "ok", "--gateway", gateway, "--token", "tok-erin");
    assertEquals(0, first.code(), first.err());
    assertTrue(first.out().startsWith("your approval is recorded; still pending"), first.out());
    Run twice = run("approvals", "approve", a.id(), "--gateway", gateway, "--token", "tok-erin");
    assertEquals(1, twice.code());
    assertTrue(twice.err().contains("already_voted"), twice.err());
    Run second = run("approvals", "approve", a.id(), "--uses", "2", "--gateway", gateway, "--token", "tok-frank");
    assertEquals(0, second.code(), second.err());
    assertTrue(second.out().startsWith("approved: ") && second.out().contains("2/2"), second.out());
    assertEquals(2, service.find(a.id()).orElseThrow().maxUses());
  }

  @Test
  void refusalsExitOneWithTheServersReason() {
    Approval a = held(1);
    Run self = run("approvals", "approve", a.id(), "--gateway", gateway, "--token", "tok-carol");
    assertEquals(1, self.code());
    assertTrue(self.err().contains("HTTP 403, self_approval"), self.err());
    Run hidden = run("approvals", "show", a.id(), "--gateway", gateway, "--token", "tok-mallory");
    assertEquals(1, hidden.code());
    assertTrue(hidden.err().contains("HTTP 404"), hidden.err());
    Run badToken = run("approvals", "list", "--gateway", gateway, "--token", "nope");
    assertEquals(1, badToken.code());
    assertTrue(badToken.err().contains("HTTP 401, invalid_token"), badToken.err());
    Run noReason = run("approvals", "reject", a.id(), "--gateway", gateway, "--token", "tok-erin");
    assertEquals(2, noReason.code(), "picocli requires --reason");
    Run rejected = run("approvals", "reject", a.id(), "--reason", "wrong filter", "--gateway", gateway, "--token", "tok-erin");
    assertEquals(0, rejected.code(), rejected.err());
    assertTrue(rejected.out().startsWith("rejected: "), rejected.out());
    assertTrue(service.find(a.id()).orElseThrow().resolution().contains("wrong filter"));
  }

  @Test
  void usageErrorsExitTwoNamingTheProblem() {
    Run badId = run("approvals", "show", "../../etc/passwd", "--gateway", gateway, "--token", "tok-erin");
    assertEquals(2, badId.code());
    assertTrue(badId.err().contains("is not an approval id"), badId.err());
    Run noToken = run("approvals", "list", "--gateway", gateway, "--token", "");
    assertEquals(2, noToken.code());
    assertTrue(noToken.err().contains("VECTORGATE_TOKEN"), noToken.err());
    Run badUrl = run("approvals", "list", "--gateway", "ftp://x", "--token", "tok-erin");
    assertEquals(2, badUrl.code());
    assertTrue(badUrl.err().contains("--gateway must be an http(s) URL"), badUrl.err());
  }
}
