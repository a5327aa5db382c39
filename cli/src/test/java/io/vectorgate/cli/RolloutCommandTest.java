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

  /** gw-1 and gw-2 activated A then B, gw-2 then failed on a later commit; gw-3 still runs A. */
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
      s.heartbeat(new RolloutState.InstanceReport("gw-1", "git repo", B, null, null, null, t.plusSeconds(90),
          t.plusSeconds(60)));
      s.heartbeat(new RolloutState.InstanceReport("gw-3", "git repo", A, null, null, null, t.plusSeconds(95),
          t.plusSeconds(5)));
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
    assertTrue(r.out().contains("gw-1  active " + B + "  applied 2026-01-01T00:01:00Z  (heartbeat "), r.out());
    assertTrue(r.out().contains("gw-3  active " + A + "  applied 2026-01-01T00:00:05Z"), r.out());
    assertTrue(r.out().contains("(instances run 2 different revisions: not converged yet)"), r.out());
    assertTrue(r.out().contains("last failure: " + "c".repeat(40) + " at stage test"), r.out());
    assertTrue(r.out().contains("policy_test.rego:9: data.p.test_x"), r.out());
    Run j = run("policy", "status", "--state", db, "--json");
    JsonNode o = new ObjectMapper().readTree(j.out());
    assertEquals(3, o.path("instances").size());
    assertEquals("test", o.path("instances").get(1).path("failed_stage").asText());
    assertEquals("2026-01-01T00:01:00Z", o.path("instances").get(0).path("activated_at").asText());
    assertTrue(o.path("instances").get(1).path("activated_at").isNull(), "unknown: " + o);
  }

  @Test
  void statusThroughTheAdminApiShowsWhenEachInstanceAppliedItsRevision() throws Exception {
    JsonNode doc = new ObjectMapper().readTree("""
        {"instance": "gw-1", "source": "git repo", "active_revision": "%s", "pin": null,
         "instances": [
           {"instance": "gw-1", "active_revision": "%s", "at": "2026-01-01T00:01:30Z", "activated_at": "2026-01-01T00:01:00Z"},
           {"instance": "gw-2", "active_revision": "%s", "at": "2026-01-01T00:01:30Z", "activated_at": null,
            "failed_stage": "test"}]}
        """.formatted(B, B, A));
    StringWriter text = new StringWriter();
    RolloutCommand.printStatus(new PrintWriter(text, true), doc);
    String out = text.toString();
    assertTrue(out.contains("  gw-1  active " + B + "  applied 2026-01-01T00:01:00Z  (heartbeat "), out);
    assertTrue(out.contains("  gw-2  active " + A + "  (heartbeat "), out);
    assertTrue(out.contains("last failure at stage test"), out);
    assertTrue(out.contains("(instances run 2 different revisions: not converged yet)"), out);
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
    Run known = run("policy", "pin", B, "--state", db, "--by", "bob");
    assertEquals(0, known.code());
    assertEquals("", known.err(), "B was activated: no warning");
    try (JdbcRolloutState s = JdbcRolloutState.open(db)) {
      assertEquals(B, s.pin().orElseThrow().revision());
    }
    Run unseen = run("policy", "pin", "d".repeat(40), "--state", db, "--by", "bob");
    assertEquals(0, unseen.code(), "the direct form cannot ask the repository");
    assertTrue(unseen.err().contains("was never activated") && unseen.err().contains("broken_pin"), unseen.err());
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

  /**
   * The same commands through a real gateway's admin API (git rollout of two commits, real OIDC
   * tokens): status as text and JSON, rollback and pin applied at once, groups enforced.
   */
  @Test
  void statusRollbackAndPinThroughTheGatewayAdminApi(@TempDir Path tmp) throws Exception {
    Path repo = tmp.resolve("repo");
    try (org.eclipse.jgit.api.Git git = org.eclipse.jgit.api.Git.init().setDirectory(repo.toFile())
            .setInitialBranch("main").call();
        io.vectorgate.proxy.testing.OidcProvider oidc = io.vectorgate.proxy.testing.OidcProvider.start(0)) {
      String rule = "package vectorgate\n\nimport rego.v1\n\nallow contains {\"code\": \"%s\", \"message\": \"m\"} if input.identity.subject != \"\"\n";
      String a = commitFile(git, repo, "policies/a.rego", rule.formatted("a"));
      String b = commitFile(git, repo, "policies/b.rego", rule.formatted("b"));
      Path cfg = tmp.resolve("gw.yaml");
      java.nio.file.Files.writeString(cfg, """
          listeners: [{name: m, kind: milvus-grpc, address: "127.0.0.1:0", connection: c}]
          connections: [{name: c, kind: milvus, upstream: "127.0.0.1:1", credential: {env: X}}]
          identity: {issuer: "%s", audiences: [vectorgate], algorithms: [RS256]}
          masking: {hmac_key: {env: K}}
          policy:
            source: {kind: git, url: repo, branch: main, path: policies, poll_interval_seconds: 3600,
                     state: rollout.db, instance_id: gw-cli, work_dir: var}
          admin: {address: "127.0.0.1:0", reader_groups: [sre], operator_groups: [policy-admins]}
          """.formatted(oidc.issuer()));
      java.util.Map<String, String> env = java.util.Map.of("X", "root:Milvus", "K", "test-mask-key-0123456789abcdef");
      try (io.vectorgate.proxy.Gateway gw = io.vectorgate.proxy.Gateway.fromConfig(
          io.vectorgate.proxy.config.ConfigLoader.load(cfg), env::get, java.time.Clock.systemUTC())) {
        String url = "http://127.0.0.1:" + gw.adminPort();
        String reader = oidc.token("rita", java.util.List.of("sre"), null, 600);
        String operator = oidc.token("otto", java.util.List.of("policy-admins"), null, 600);

        Run st = run("policy", "status", "--gateway", url, "--token", reader);
        assertEquals(0, st.code(), st.err());
        assertTrue(st.out().contains("active: " + b), st.out());
        assertTrue(st.out().contains("instance: gw-cli"), st.out());
        Run js = run("policy", "status", "--gateway", url + "/", "--token", reader, "--json");
        assertEquals(b, new ObjectMapper().readTree(js.out()).path("active_revision").asText(), js.out());

        Run refused = run("policy", "rollback", "--gateway", url, "--token", reader);
        assertEquals(1, refused.code(), refused.out());
        assertTrue(refused.err().contains("HTTP 403"), refused.err());
        Run noToken = run("policy", "status", "--gateway", url, "--token", "");
        assertEquals(2, noToken.code());
        assertTrue(noToken.err().contains("no token"), noToken.err());
        Run badUrl = run("policy", "status", "--gateway", "ftp://x", "--token", reader);
        assertEquals(2, badUrl.code());
        assertTrue(badUrl.err().contains("http(s) URL"), badUrl.err());

        // the gateway started at B: nothing earlier was ever active, so a plain rollback is refused
        Run none = run("policy", "rollback", "--gateway", url, "--token", operator);
        assertEquals(1, none.code(), none.out());
        assertTrue(none.err().contains("HTTP 409") && none.err().contains("no earlier good revision"), none.err());
        Run to = run("policy", "rollback", "--to", a, "--gateway", url, "--token", operator, "--reason", "cli test");
        assertEquals(0, to.code(), to.err());
        assertTrue(to.out().contains("rollback: activated; active revision " + a), to.out());
        assertEquals(a, activeOf(url, reader));
        Run pin = run("policy", "pin", b, "--gateway", url, "--token", operator);
        assertEquals(0, pin.code(), pin.err());
        assertTrue(pin.out().contains("pin: activated; active revision " + b), pin.out());
        // issue 20: bad pins are refused with 400 and never stored
        for (String badRev : java.util.List.of("abc", "0".repeat(40))) {
          Run bad = run("policy", "pin", badRev, "--gateway", url, "--token", operator);
          assertEquals(1, bad.code(), bad.out());
          assertTrue(bad.err().contains("refused (HTTP 400, invalid_revision)"), bad.err());
        }
        Run afterBad = run("policy", "status", "--gateway", url, "--token", reader, "--json");
        assertEquals(b, new ObjectMapper().readTree(afterBad.out()).path("pin").path("revision").asText(),
            "the refused pins left the previous pin in place: " + afterBad.out());
        Run clear = run("policy", "pin", "--clear", "--gateway", url, "--token", operator);
        assertEquals(0, clear.code(), clear.err());
        assertTrue(clear.out().contains("unpin: unchanged; active revision " + b), clear.out());
        Run rb = run("policy", "rollback", "--gateway", url, "--token", operator);
        assertEquals(0, rb.code(), rb.err());
        assertTrue(rb.out().contains("rollback: activated; active revision " + a), rb.out());

        // --state on the command line wins over a configured gateway: the shared state, read directly
        Run direct = run("policy", "status", "--state", tmp.resolve("rollout.db").toString(), "--gateway", url);
        assertEquals(0, direct.code(), direct.err());
        assertTrue(direct.out().contains("gw-cli  active " + a), direct.out());
        assertTrue(direct.out().contains("pin: " + a), direct.out());
      }
    }
  }

  private static String activeOf(String url, String token) throws Exception {
    var r = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
        java.net.URI.create(url + "/v1/policy/status")).header("Authorization", "Bearer " + token).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    return new ObjectMapper().readTree(r.body()).path("active_revision").asText();
  }

  private static String commitFile(org.eclipse.jgit.api.Git git, Path repo, String file, String content) throws Exception {
    Path f = repo.resolve(file);
    java.nio.file.Files.createDirectories(f.getParent());
    java.nio.file.Files.writeString(f, content);
    git.add().addFilepattern(file).call();
    var who = new org.eclipse.jgit.lib.PersonIdent("t", "t@example.test");
    return git.commit().setMessage(file).setAuthor(who).setCommitter(who).call().getName();
  }
}
