package io.vectorgate.proxy.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vectorgate.engine.EngineConfig;
import io.vectorgate.proxy.config.ConfigException;
import io.vectorgate.proxy.config.ConfigLoader;
import io.vectorgate.proxy.config.GatewayConfig;
import io.vectorgate.rollout.WebhookSignature;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code policy.source} in the gateway config and the gateway-side rollout over a real git repository. */
class GatewayRolloutTest {
  @TempDir Path dir;

  /** One interpreted instance; a generous evaluation timeout, since the shared test host is often loaded. */
  static final EngineConfig ENGINE = EngineConfig.builder().poolSize(1).useCompiler(false)
      .evaluationTimeout(java.time.Duration.ofSeconds(30)).build();

  static final String POLICY = """
      policy "gw-rollout" version 1

      allow search, describe on any collection for anyone
      """;

  private String base(String policy) {
    return """
        listeners: [{name: m, kind: milvus-grpc, address: "127.0.0.1:0", connection: c}]
        connections: [{name: c, kind: milvus, upstream: "127.0.0.1:19530", credential: {env: X}}]
        identity: {issuer: "http://127.0.0.1:1/i", audiences: [vectorgate]}
        masking: {hmac_key: {env: K}}
        """ + policy;
  }

  private String commit(Git git, Map<String, String> files) throws Exception {
    for (Map.Entry<String, String> e : files.entrySet()) {
      Path f = dir.resolve("repo").resolve(e.getKey());
      Files.createDirectories(f.getParent());
      Files.writeString(f, e.getValue());
      git.add().addFilepattern(e.getKey()).call();
    }
    PersonIdent who = new PersonIdent("t", "t@example.test");
    return git.commit().setMessage("c").setAuthor(who).setCommitter(who).call().getName();
  }

  @Test
  void sourceIsParsedResolvedAndExclusiveWithRegoDirs() throws Exception {
    GatewayConfig c = ConfigLoader.parse(base("""
        policy:
          source:
            kind: git
            url: repo
            branch: main
            path: policies
            state: state/rollout.db
            work_dir: var/ro
            http: {address: "127.0.0.1:0", webhook_secret: {file: secrets/hook}}
        """), dir, "gw.yaml");
    PolicySourceConfig s = c.policy().source();
    assertEquals(dir.resolve("repo").toString(), s.url());
    assertEquals(dir.resolve("state/rollout.db").toString(), s.state());
    assertEquals(dir.resolve("var/ro"), s.workDir());
    assertEquals(dir.resolve("secrets/hook"), s.http().webhookSecret().file());
    assertEquals(30L, s.pollIntervalSeconds());
    assertTrue(c.policy().regoDirs().isEmpty());

    // OpenPGP commit signatures: key files resolved against the config's directory and read at load
    Files.createDirectories(dir.resolve("keys"));
    Files.writeString(dir.resolve("keys/author.asc"), new org.bouncycastle.openpgp.api.bc.BcOpenPGPApi()
        .generateKey(4).ed25519x25519Key("Policy Author <author@example.test>").build().toCertificate()
        .toAsciiArmoredString());
    PolicySourceConfig signed = ConfigLoader.parse(base(
        "policy: {source: {kind: git, url: repo, signatures: {format: gpg, public_keys: [keys/author.asc]}}}\n"), dir,
        "gw.yaml").policy().source();
    assertEquals(List.of(dir.resolve("keys/author.asc")), signed.signatures().publicKeys());

    Files.createDirectories(dir.resolve("rego"));
    String[][] cases = {
        {"policy: {rego_dirs: [rego], source: {kind: git, url: repo}}", "policy"},
        {"policy: {source: {kind: svn, url: repo}}", "policy.source.kind"},
        {"policy: {source: {kind: git}}", "policy.source.url"},
        {"policy: {source: {kind: git, url: repo, poll_interval_seconds: 0}}", "policy.source.poll_interval_seconds"},
        {"policy: {source: {kind: git, url: repo, credentials: {}}}", "policy.source.credentials"},
        {"policy: {source: {kind: git, url: repo, token: {env: T}}}", "policy.source"},
        {"policy: {source: {kind: bundle_server, url: \"ftp://x/b.tar.gz\"}}", "policy.source.url"},
        {"policy: {source: {kind: bundle_server, url: \"https://u:p@x/b.tar.gz\"}}", "policy.source.url"},
        {"policy: {source: {kind: bundle_server, url: \"https://x/b.tar.gz\", branch: main}}", "policy.source"},
        {"policy: {source: {kind: bundle_server, url: \"https://x/b.tar.gz\", signing: {public_key_file: nope.pem}}}",
            "policy.source.signing.public_key_file"},
        {"policy: {source: {kind: git, url: repo, state: \"jdbc:mysql://x\"}}", "policy.source.state"},
        {"policy: {source: {kind: git, url: repo, http: {address: \"0.0.0.0:80\", admin_token: {env: A}}}}",
            "policy.source.http.address"},
        {"policy: {source: {kind: git, url: repo, http: {address: \"127.0.0.1:0\"}}}", "policy.source.http"},
        {"policy: {source: {kind: git, url: repo, surprise: 1}}", "policy"},
        {"policy: {source: {kind: git, url: repo, signatures: {format: x509, allowed_signers_file: gw.yaml}}}",
            "policy.source.signatures.format"},
        {"policy: {source: {kind: git, url: repo, signatures: {format: gpg, allowed_signers_file: gw.yaml}}}",
            "policy.source.signatures.allowed_signers_file: SSH allowed signers do not apply to `format: gpg`"},
        {"policy: {source: {kind: git, url: repo, signatures: {format: gpg}}}",
            "policy.source.signatures.public_keys: required for `format: gpg`"},
        {"policy: {source: {kind: git, url: repo, signatures: {format: ssh, allowed_signers_file: gw.yaml, "
            + "public_keys: [gw.yaml]}}}", "policy.source.signatures.public_keys: OpenPGP keys do not apply"},
        {"policy: {source: {kind: git, url: repo, signatures: {public_keys: [gw.yaml]}}}",
            "policy.source.signatures.public_keys[0]: `"},
        {"policy: {source: {kind: git, url: repo, signatures: {format: openpgp, public_keys: [missing.asc]}}}",
            "policy.source.signatures.public_keys[0]: `"},
        {"policy: {source: {kind: git, url: repo, signatures: {}}}", "policy.source.signatures: give"},
        {"policy: {source: {kind: git, url: repo, signatures: {format: ssh}}}",
            "policy.source.signatures.allowed_signers_file"},
        {"policy: {source: {kind: bundle_server, url: \"https://x/b.tar.gz\", signatures: {format: ssh}}}",
            "policy.source"},
    };
    for (String[] k : cases) {
      ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(base(k[0] + "\n"), dir, "gw.yaml"),
          k[0]);
      assertTrue(e.getMessage().contains(k[1]), k[0] + " -> " + e.getMessage());
    }
    assertNull(ConfigLoader.parse(base("policy: {rego_dirs: [rego]}\n"), dir, "gw.yaml").policy().source());
  }

  @Test
  void rolloutStartsActiveServesWebhookAndStatus() throws Exception {
    try (Git git = Git.init().setDirectory(dir.resolve("repo").toFile()).setInitialBranch("main").call()) {
      String first = commit(git, Map.of("policies/policy.vg", POLICY));
      Files.createDirectories(dir.resolve("secrets"));
      Files.writeString(dir.resolve("secrets/hook"), "hook-secret-0123456789abcdef\n");
      GatewayConfig c = ConfigLoader.parse(base("""
          policy:
            source:
              kind: git
              url: repo
              path: policies
              instance_id: gw-test
              state: rollout.db
              poll_interval_seconds: 3600
              http: {address: "127.0.0.1:0", webhook_secret: {file: secrets/hook}, admin_token: {env: ADMIN}}
          """), dir, "gw.yaml");
      try (GatewayRollout r = GatewayRollout.start(c.policy().source(), Map.of("ADMIN", "adm-token")::get, ENGINE)) {
        assertEquals(first, r.engine().activeRevision().orElseThrow());
        String second = commit(git, Map.of("policies/more.vg", POLICY.replace("gw-rollout", "more")));
        HttpClient http = HttpClient.newHttpClient();
        String base = "http://127.0.0.1:" + r.httpPort().orElseThrow();
        byte[] body = "{\"ref\":\"refs/heads/main\"}".getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> denied = http.send(HttpRequest.newBuilder(URI.create(base + "/admin/policy/webhook"))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body)).header(WebhookSignature.HEADER, "sha256=00").build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(401, denied.statusCode());
        String sig = new WebhookSignature("hook-secret-0123456789abcdef".getBytes(StandardCharsets.UTF_8)).sign(body);
        HttpResponse<String> ok = http.send(HttpRequest.newBuilder(URI.create(base + "/admin/policy/webhook"))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body)).header(WebhookSignature.HEADER, sig).build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(202, ok.statusCode());
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (!second.equals(r.engine().activeRevision().orElse(null)) && System.nanoTime() < deadline) {
          Thread.sleep(50);
        }
        assertEquals(second, r.engine().activeRevision().orElseThrow());
        HttpResponse<String> st = http.send(HttpRequest.newBuilder(URI.create(base + "/admin/policy/status"))
            .header("Authorization", "Bearer adm-token").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, st.statusCode());
        JsonNode s = new ObjectMapper().readTree(st.body());
        assertEquals(second, s.path("active_revision").asText());
        assertEquals("gw-test", s.path("instance").asText());
        assertEquals(2, s.path("metrics").path("rollout_success").asInt());
      }
    }
  }

  @Test
  void startFailsNamingTheSourceWhenNothingCanBeActivated() throws Exception {
    try (Git git = Git.init().setDirectory(dir.resolve("repo").toFile()).setInitialBranch("main").call()) {
      commit(git, Map.of("policy.vg", "policy \"x\" version 1\n\nallow search on any collection when ids == \"x\"\n"));
      GatewayConfig c = ConfigLoader.parse(base("policy: {source: {kind: git, url: repo}}\n"), dir, "gw.yaml");
      ConfigException e = assertThrows(ConfigException.class, () -> GatewayRollout.start(c.policy().source(),
          k -> null, ENGINE));
      assertTrue(e.getMessage().contains("policy.source"), e.getMessage());
      assertTrue(e.getMessage().contains("compile") && e.getMessage().contains("policy.vg:3"), e.getMessage());
    }
  }

  /** {@code gateway --check}: the source must be reachable, else a clear error naming policy.source. */
  @Test
  void checkSourceReachesTheRepositoryAndRefusesAMissingOne() throws Exception {
    try (Git git = Git.init().setDirectory(dir.resolve("repo").toFile()).setInitialBranch("main").call()) {
      String first = commit(git, Map.of("policies/policy.vg", POLICY));
      GatewayConfig ok = ConfigLoader.parse(base("policy: {source: {kind: git, url: repo, path: policies}}\n"), dir,
          "gw.yaml");
      assertEquals(first, GatewayRollout.checkSource(ok.policy().source(), k -> null));
      assertTrue(Files.notExists(dir.resolve("var")), "the check writes nothing under work_dir");
      GatewayConfig missing = ConfigLoader.parse(base("policy: {source: {kind: git, url: no-such-repo}}\n"), dir,
          "gw.yaml");
      ConfigException e = assertThrows(ConfigException.class, () -> GatewayRollout.checkSource(
          missing.policy().source(), k -> null));
      assertTrue(e.getMessage().startsWith("policy.source: the policy source is not reachable: cannot fetch branch `main`"),
          e.getMessage());
      assertTrue(e.getMessage().contains("no-such-repo"), e.getMessage());
      GatewayConfig noBranch = ConfigLoader.parse(base("policy: {source: {kind: git, url: repo, branch: release}}\n"),
          dir, "gw.yaml");
      e = assertThrows(ConfigException.class, () -> GatewayRollout.checkSource(noBranch.policy().source(), k -> null));
      assertTrue(e.getMessage().contains("branch `release` does not exist"), e.getMessage());
    }
  }

  /** A restart on a broken head starts on the last good revision the shared state knows; the broken head is reported. */
  @Test
  void restartOnABrokenHeadStartsOnTheLastGoodRevision() throws Exception {
    try (Git git = Git.init().setDirectory(dir.resolve("repo").toFile()).setInitialBranch("main").call()) {
      String good = commit(git, Map.of("policies/policy.vg", POLICY));
      GatewayConfig c = ConfigLoader.parse(base("""
          policy: {source: {kind: git, url: repo, path: policies, state: rollout.db, poll_interval_seconds: 3600}}
          """), dir, "gw.yaml");
      try (GatewayRollout r = GatewayRollout.start(c.policy().source(), k -> null, ENGINE)) {
        assertEquals(good, r.engine().activeRevision().orElseThrow());
      }
      String broken = commit(git, Map.of("policies/policy.vg",
          "policy \"x\" version 1\n\nallow search on any collection when ids == \"x\"\n"));
      try (GatewayRollout r = GatewayRollout.start(c.policy().source(), k -> null, ENGINE)) {
        assertEquals(good, r.engine().activeRevision().orElseThrow());
        var st = r.status();
        assertEquals(broken, st.brokenHead().orElseThrow().revision());
        assertEquals("policies/policy.vg", st.brokenHead().orElseThrow().failure().problems().get(0).file());
        assertEquals(1L, st.metrics().get("rollout_head_broken"));
      }
    }
  }
}
