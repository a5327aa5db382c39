package io.vectorgate.proxy.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vectorgate.proxy.Gateway;
import io.vectorgate.proxy.config.ConfigLoader;
import io.vectorgate.proxy.testing.GatewayTestBuilder;
import io.vectorgate.proxy.testing.GatewayTestBuilder.Connection;
import io.vectorgate.proxy.testing.GatewayTestBuilder.Listener;
import io.vectorgate.proxy.testing.MilvusLite;
import io.vectorgate.proxy.testing.OidcProvider;
import io.vectorgate.rollout.WebhookSignature;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10 end to end: a real gateway started from YAML with a git {@code policy.source}, session
 * recording, the JSON-lines decision log and the {@code admin:} API; mock-oauth2-server tokens;
 * pymilvus against Milvus Lite. Every request's decision log line and recorded request carry the
 * active commit's SHA through a webhook-triggered activation, a commit that fails to compile (stays
 * inactive, visible in status and metrics) and a pin through the admin API.
 */
class AdminRolloutE2EIT {
  @TempDir Path dir;
  final ObjectMapper json = new ObjectMapper();
  final HttpClient http = HttpClient.newHttpClient();
  static final String HOOK_SECRET = "webhook-secret-0123456789abcdef";

  static final String OPEN = """
      package vectorgate

      import rego.v1

      allow contains {"code": "e2e_open", "message": "commit %s: any verified identity"} if input.identity.subject != ""
      """;

  private String commit(Git git, String file, String content) throws Exception {
    Path f = dir.resolve("repo").resolve(file);
    Files.createDirectories(f.getParent());
    Files.writeString(f, content);
    git.add().addFilepattern(file).call();
    PersonIdent who = new PersonIdent("t", "t@example.test");
    return git.commit().setMessage(file).setAuthor(who).setCommitter(who).call().getName();
  }

  static final Map<String, String> ENV = Map.of("VG_MILVUS", "root:Milvus", "VG_MASK_KEY", GatewayTestBuilder.MASK_KEY,
      "VG_HOOK", HOOK_SECRET);

  /** The gateway's YAML: git source {@code repo}/policies with a SQLite state, recording, decision log, admin API. */
  private Path config(MilvusLite milvus, OidcProvider oidc) throws Exception {
    return GatewayTestBuilder.in(dir)
        .listener(Listener.milvus("milvus", "lite"))
        .connection(Connection.of("lite", "milvus", milvus.address()).credential("VG_MILVUS", ENV.get("VG_MILVUS"))
            .rowFilterBinding("literal"))
        .identity(oidc)
        .section("policy", """
            source:
              kind: git
              url: repo
              branch: main
              path: policies
              poll_interval_seconds: 3600       # only the webhook triggers checks in this test
              state: var/rollout.db
              instance_id: gw-e2e
              work_dir: var/rollout
            """)
        .section("recording", """
            directory: var/recording
            acknowledge: durable
            admin: {auditor_groups: [auditors]}
            """)
        .section("decision_log", """
            path: var/decisions.jsonl
            mask: [/input/identity/email]
            labels: {gateway: gw-e2e}
            """)
        .section("admin", """
            address: 127.0.0.1:0
            reader_groups: [sre]
            operator_groups: [policy-admins]
            policy_webhook_secret: {env: VG_HOOK}
            """)
        .write();
  }

  @Test
  void everyDecisionLogLineAndRecordCarriesTheActiveCommit() throws Exception {
    try (Git git = Git.init().setDirectory(dir.resolve("repo").toFile()).setInitialBranch("main").call();
        MilvusLite milvus = MilvusLite.start(dir, 0);
        OidcProvider oidc = OidcProvider.start(0)) {
      String a = commit(git, "policies/open.rego", OPEN.formatted("A"));
      Path decisions = dir.resolve("var/decisions.jsonl");
      Path config = config(milvus, oidc);
      Map<String, String> env = ENV;
      try (Gateway gw = Gateway.fromConfig(ConfigLoader.load(config), env::get, Clock.systemUTC())) {
        String admin = "http://127.0.0.1:" + gw.adminPort();
        String reader = oidc.token("rita", List.of("sre"), null, 3600);
        String operator = oidc.token("otto", List.of("policy-admins"), null, 3600);
        String auditor = oidc.token("dora", List.of("auditors"), null, 3600);
        String address = "127.0.0.1:" + gw.port("milvus");

        // commit A is active from start-up: a pymilvus call is decided, logged and recorded with A
        client(oidc, address, "user-a1");
        revisionsOf(decisions, auditor, admin, "user-a1", a);

        // commit B (good) + the signed webhook: B activates, the next request carries B
        String b = commit(git, "policies/more.rego", OPEN.formatted("B").replace("e2e_open", "e2e_more"));
        webhook(admin);
        JsonNode st = awaitStatus(admin, reader, s -> b.equals(s.path("active_revision").asText()));
        client(oidc, address, "user-b1");
        revisionsOf(decisions, auditor, admin, "user-b1", b);

        // commit C with a Rego syntax error: stays inactive; status names stage compile with file:line
        String c = commit(git, "policies/broken.rego", "package vectorgate\n\nimport rego.v1\n\nallow contains x if {\n");
        webhook(admin);
        st = awaitStatus(admin, reader, s -> c.equals(s.path("last_failure").path("revision").asText()));
        assertEquals(b, st.path("active_revision").asText(), st.toPrettyString());
        JsonNode failure = st.path("last_failure");
        assertEquals("compile", failure.path("stage").asText(), failure.toPrettyString());
        assertFalse(failure.path("problems").isEmpty(), failure.toPrettyString());
        JsonNode problem = failure.path("problems").get(0);
        assertEquals("policies/broken.rego", problem.path("file").asText(), problem.toString()); // repository-relative
        assertEquals(6, problem.path("line").asInt(), problem.toString()); // the unexpected end of file
        assertTrue(st.path("history").toString().contains("broken.rego:6"), st.toString()); // the rendered failure
        assertTrue(st.path("instances").toString().contains("gw-e2e"), st.toPrettyString());
        assertTrue(st.path("history").toString().contains("\"failed\""), st.toPrettyString());

        // metrics: the failure counted at compile, the info metric still names B
        HttpResponse<String> m = AdminApiTest.send("GET", admin + "/metrics", reader, null);
        assertEquals(200, m.statusCode(), m.body());
        assertTrue(m.body().contains("vectorgate_policy_rollout_failures_total{stage=\"compile\"} 1.0"), m.body());
        assertTrue(m.body().contains("vectorgate_policy_rollout_failures_total{stage=\"test\"} 0.0"), m.body());
        assertTrue(m.body().contains("plan_fallback=\"false\",revision=\"" + b + "\",source=\"git "),
            m.body());
        assertTrue(m.body().contains("vectorgate_policy_rollout_activations_total 2.0"), m.body());
        assertTrue(m.body().contains("vectorgate_policy_last_failure_timestamp_seconds "), m.body());
        assertTrue(m.body().contains("vectorgate_policy_last_activation_timestamp_seconds "), m.body());
        // the shared state's view: every instance's applied revision and when (here the one instance)
        assertTrue(m.body().contains("vectorgate_policy_instance_revision_info{instance_id=\"gw-e2e\",revision=\"" + b
            + "\"} 1"), m.body());
        assertTrue(m.body().contains("vectorgate_policy_instance_activation_timestamp_seconds{instance_id=\"gw-e2e\"} "),
            m.body());
        assertTrue(st.path("instances").get(0).path("activated_at").isTextual(), st.toPrettyString());
        assertTrue(m.body().matches("(?s).*vectorgate_requests_total\\{outcome=\"allowed\"} [1-9].*"), m.body());

        // requests still carry B
        client(oidc, address, "user-c1");
        revisionsOf(decisions, auditor, admin, "user-c1", b);

        // a reader may not pin; an operator pins A through the admin API; records carry A
        assertEquals(403, AdminApiTest.send("POST", admin + "/v1/policy/pin", reader,
            "{\"revision\": \"" + a + "\"}").statusCode());
        HttpResponse<String> pin = AdminApiTest.send("POST", admin + "/v1/policy/pin", operator,
            "{\"revision\": \"" + a + "\", \"reason\": \"e2e\"}");
        assertEquals(200, pin.statusCode(), pin.body());
        JsonNode pinned = json.readTree(pin.body());
        assertEquals("activated", pinned.path("outcome").asText(), pinned.toString());
        assertEquals(a, pinned.path("active_revision").asText(), pinned.toString());
        st = awaitStatus(admin, reader, s -> a.equals(s.path("pin").path("revision").asText()));
        assertEquals("otto", st.path("pin").path("by").asText(), st.toString());
        client(oidc, address, "user-d1");
        revisionsOf(decisions, auditor, admin, "user-d1", a);
      }
    }
  }

  static final String BROKEN = "package vectorgate\n\nimport rego.v1\n\nallow contains x if {\n";

  /**
   * Issue 20: a restart with a broken branch head serves the last good revision from the shared
   * state and reports the broken head; bad pins are refused with 400 and never stored, so a good push
   * still activates; {@code pin --clear} with a broken head activates the newest good commit.
   */
  @Test
  void restartOnABrokenHeadBadPinsAndPinClear() throws Exception {
    try (Git git = Git.init().setDirectory(dir.resolve("repo").toFile()).setInitialBranch("main").call();
        MilvusLite milvus = MilvusLite.start(dir, 0);
        OidcProvider oidc = OidcProvider.start(0)) {
      String a = commit(git, "policies/open.rego", OPEN.formatted("A"));
      Path decisions = dir.resolve("var/decisions.jsonl");
      Path config = config(milvus, oidc);
      try (Gateway gw = Gateway.fromConfig(ConfigLoader.load(config), ENV::get, Clock.systemUTC())) {
        JsonNode st = awaitStatus("http://127.0.0.1:" + gw.adminPort(), oidc.token("rita", List.of("sre"), null, 600),
            s -> true);
        assertEquals(a, st.path("active_revision").asText(), st.toPrettyString());
      }
      String broken = commit(git, "policies/broken.rego", BROKEN);
      try (Gateway gw = Gateway.fromConfig(ConfigLoader.load(config), ENV::get, Clock.systemUTC())) {
        String admin = "http://127.0.0.1:" + gw.adminPort();
        String reader = oidc.token("rita", List.of("sre"), null, 3600);
        String operator = oidc.token("otto", List.of("policy-admins"), null, 3600);
        String auditor = oidc.token("dora", List.of("auditors"), null, 3600);
        String address = "127.0.0.1:" + gw.port("milvus");
        JsonNode st = awaitStatus(admin, reader, s -> true);
        assertEquals(a, st.path("active_revision").asText(), st.toPrettyString());
        assertEquals(broken, st.path("broken_head").path("revision").asText(), st.toPrettyString());
        assertEquals("compile", st.path("broken_head").path("stage").asText(), st.toPrettyString());
        assertEquals("policies/broken.rego", st.path("broken_head").path("problems").get(0).path("file").asText(),
            st.toPrettyString());
        HttpResponse<String> m = AdminApiTest.send("GET", admin + "/metrics", reader, null);
        assertTrue(m.body().contains("vectorgate_policy_head_broken 1.0"), m.body());
        client(oidc, address, "user-r1");
        revisionsOf(decisions, auditor, admin, "user-r1", a);

        // bad pins: 400, nothing stored
        for (String bad : List.of("abc", "0000000000000000000000000000000000000000", broken)) {
          HttpResponse<String> pin = AdminApiTest.send("POST", admin + "/v1/policy/pin", operator,
              "{\"revision\": \"" + bad + "\"}");
          assertEquals(400, pin.statusCode(), bad + ": " + pin.body());
          assertEquals("invalid_revision", json.readTree(pin.body()).path("error").asText(), pin.body());
        }
        st = awaitStatus(admin, reader, s -> true);
        assertTrue(st.path("pin").isNull(), st.toPrettyString());
        assertFalse(st.path("history").toString().contains("\"pinned\""), st.toPrettyString());

        // rollout continues: the fix activates
        String fixed = commit(git, "policies/broken.rego", "package vectorgate\n");
        webhook(admin);
        // (the engine swaps before the controller's bookkeeping ends: wait for both)
        st = awaitStatus(admin, reader, s -> fixed.equals(s.path("active_revision").asText())
            && s.path("broken_head").isNull());
        assertEquals(0, st.path("metrics").path("rollout_head_broken").asInt(), st.toPrettyString());
        m = AdminApiTest.send("GET", admin + "/metrics", reader, null);
        assertTrue(m.body().contains("vectorgate_policy_head_broken 0.0"), m.body());

        // pin A; two good commits and a broken one arrive; pin --clear activates the newest good one
        HttpResponse<String> pin = AdminApiTest.send("POST", admin + "/v1/policy/pin", operator,
            "{\"revision\": \"" + a + "\", \"reason\": \"freeze\"}");
        assertEquals(200, pin.statusCode(), pin.body());
        commit(git, "policies/more.rego", OPEN.formatted("G1").replace("e2e_open", "e2e_g1"));
        String g2 = commit(git, "policies/more.rego", OPEN.formatted("G2").replace("e2e_open", "e2e_g2"));
        String h = commit(git, "policies/broken2.rego", BROKEN);
        HttpResponse<String> unpin = AdminApiTest.send("POST", admin + "/v1/policy/unpin", operator, "{}");
        assertEquals(200, unpin.statusCode(), unpin.body());
        JsonNode u = json.readTree(unpin.body());
        assertEquals("fell_back", u.path("outcome").asText(), u.toString());
        assertEquals(g2, u.path("revision").asText(), u.toString());
        assertEquals(h, u.path("broken_revision").asText(), u.toString());
        assertEquals(g2, u.path("active_revision").asText(), u.toString());
        client(oidc, address, "user-g2");
        revisionsOf(decisions, auditor, admin, "user-g2", g2);
      }
    }
  }

  /**
   * Issue 20: with {@code policy.source.signatures}, only commits SSH-signed by an allowed signer
   * activate; an unsigned commit is refused at stage checkout and requests keep the signed revision.
   */
  @Test
  void unsignedCommitsAreRefusedWhenSignaturesAreRequired() throws Exception {
    try (Git git = Git.init().setDirectory(dir.resolve("repo").toFile()).setInitialBranch("main").call();
        MilvusLite milvus = MilvusLite.start(dir, 0);
        OidcProvider oidc = OidcProvider.start(0)) {
      java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("RSA");
      g.initialize(3072);
      java.security.KeyPair key = g.generateKeyPair();
      Path keyFile = dir.resolve("keys/author");
      Files.createDirectories(keyFile.getParent());
      try (var out = Files.newOutputStream(keyFile)) {
        org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(key,
            "author", null, out);
      }
      Files.writeString(dir.resolve("keys/allowed_signers"), "t@example.test "
          + org.apache.sshd.common.config.keys.PublicKeyEntry.toString(key.getPublic()) + "\n");
      git.getRepository().getConfig().setString("gpg", null, "format", "ssh");
      git.getRepository().getConfig().save();
      Path f = dir.resolve("repo/policies/open.rego");
      Files.createDirectories(f.getParent());
      Files.writeString(f, OPEN.formatted("A"));
      git.add().addFilepattern("policies/open.rego").call();
      PersonIdent who = new PersonIdent("t", "t@example.test");
      String a = git.commit().setMessage("signed").setAuthor(who).setCommitter(who).setSign(true)
          .setSigningKey(keyFile.toString()).call().getName();
      Path config = config(milvus, oidc);
      String yaml = Files.readString(config);
      assertTrue(yaml.contains("\n    work_dir: var/rollout\n"), yaml);
      Files.writeString(config, yaml.replace("\n    work_dir: var/rollout\n",
          "\n    work_dir: var/rollout\n    signatures: {format: ssh, allowed_signers_file: keys/allowed_signers}\n"));
      try (Gateway gw = Gateway.fromConfig(ConfigLoader.load(config), ENV::get, Clock.systemUTC())) {
        String admin = "http://127.0.0.1:" + gw.adminPort();
        String reader = oidc.token("rita", List.of("sre"), null, 3600);
        String auditor = oidc.token("dora", List.of("auditors"), null, 3600);
        String address = "127.0.0.1:" + gw.port("milvus");
        String b = commit(git, "policies/more.rego", OPEN.formatted("B").replace("e2e_open", "e2e_more")); // unsigned
        webhook(admin);
        JsonNode st = awaitStatus(admin, reader, s -> b.equals(s.path("last_failure").path("revision").asText()));
        assertEquals(a, st.path("active_revision").asText(), st.toPrettyString());
        assertEquals("checkout", st.path("last_failure").path("stage").asText(), st.toPrettyString());
        assertTrue(st.path("last_failure").path("message").asText().contains("is not signed"), st.toPrettyString());
        client(oidc, address, "user-s1");
        revisionsOf(dir.resolve("var/decisions.jsonl"), auditor, admin, "user-s1", a);
      }
    }
  }

  /** One pymilvus {@code list_collections} as {@code subject} (handshake + ShowCollections through the gateway). */
  private void client(OidcProvider oidc, String address, String subject) throws Exception {
    Path script = dir.resolve("list_collections.py");
    if (!Files.exists(script)) {
      Files.writeString(script, """
          import json, sys
          from pymilvus import MilvusClient
          c = MilvusClient(uri="http://" + sys.argv[1], token=sys.argv[2], timeout=30)
          print(json.dumps({"collections": c.list_collections()}))
          """);
    }
    String token = oidc.token(subject, List.of("analysts"), "acme", 600);
    Path out = dir.resolve(subject + ".out");
    Path err = dir.resolve(subject + ".err");
    Process p = new ProcessBuilder(MilvusLite.venvBin("python").toString(), script.toString(), address, token)
        .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("pymilvus did not finish: " + Files.readString(err));
    }
    assertEquals(0, p.exitValue(), "pymilvus failed: " + Files.readString(err));
    assertTrue(json.readTree(Files.readString(out)).get("collections").isArray(), Files.readString(out));
  }

  /**
   * Waits until {@code subject}'s decisions are in the decision log and its requests in the
   * recording (both are written off the request path), then checks that every one carries {@code revision}.
   */
  private void revisionsOf(Path decisions, String auditor, String admin, String subject, String revision)
      throws Exception {
    List<JsonNode> lines = await(() -> {
      List<JsonNode> found = new ArrayList<>();
      if (Files.exists(decisions)) {
        for (String l : Files.readAllLines(decisions, StandardCharsets.UTF_8)) {
          JsonNode n = json.readTree(l);
          if (subject.equals(n.path("input").path("identity").path("subject").asText())) {
            found.add(n);
          }
        }
      }
      return found.size() >= 2 ? found : null; // the handshake and ShowCollections
    }, "decision log lines of " + subject);
    for (JsonNode l : lines) {
      assertEquals(revision, l.path("bundles").path("vectorgate").path("revision").asText(), l.toString());
      assertEquals("gw-e2e", l.path("labels").path("gateway").asText(), l.toString());
      assertFalse(l.path("input").path("identity").has("email"), "the masked email was logged: " + l);
      assertTrue(l.path("erased").toString().contains("/input/identity/email"), l.toString());
      assertTrue(l.path("result").path("allow").asBoolean(), l.toString());
    }
    JsonNode records = await(() -> {
      HttpResponse<String> r = AdminApiTest.send("GET", admin + "/v1/sessions/records?subject=" + subject, auditor, null);
      assertEquals(200, r.statusCode(), r.body());
      JsonNode n = json.readTree(r.body()).get("records");
      return n.size() >= 2 ? n : null;
    }, "recorded requests of " + subject);
    java.util.Set<String> logged = new java.util.HashSet<>();
    lines.forEach(l -> logged.add(l.path("decision_id").asText()));
    for (JsonNode r : records) {
      assertEquals(revision, r.path("revision").asText(), r.toString());
      assertTrue(logged.contains(r.path("decisionId").asText()), "the record's decision is not in the decision log: " + r);
    }
  }

  private void webhook(String admin) throws Exception {
    byte[] body = "{\"ref\":\"refs/heads/main\"}".getBytes(StandardCharsets.UTF_8);
    HttpResponse<String> unsigned = http.send(HttpRequest.newBuilder(URI.create(admin + "/v1/policy/webhook"))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(401, unsigned.statusCode(), unsigned.body());
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(admin + "/v1/policy/webhook"))
        .header(WebhookSignature.HEADER, new WebhookSignature(HOOK_SECRET.getBytes(StandardCharsets.UTF_8)).sign(body))
        .header("X-GitHub-Event", "push").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(202, r.statusCode(), r.body());
  }

  private JsonNode awaitStatus(String admin, String token, Predicate<JsonNode> until) throws Exception {
    return await(() -> {
      HttpResponse<String> r = AdminApiTest.send("GET", admin + "/v1/policy/status", token, null);
      assertEquals(200, r.statusCode(), r.body());
      JsonNode s = json.readTree(r.body());
      return until.test(s) ? s : null;
    }, "the policy status");
  }

  @FunctionalInterface
  interface Probe<T> {
    T get() throws Exception;
  }

  /** Polls {@code probe} until it returns non-null; fails naming {@code what} after 3 minutes (a loaded host is slow). */
  private static <T> T await(Probe<T> probe, String what) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    while (true) {
      T v = probe.get();
      if (v != null) {
        return v;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("gave up waiting for " + what);
      }
      Thread.sleep(200);
    }
  }
}
