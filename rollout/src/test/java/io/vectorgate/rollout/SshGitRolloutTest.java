package io.vectorgate.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rollout over SSH from a real Apache MINA sshd on loopback serving a real git repository, with
 * keys generated here: client key authentication (OpenSSH, PEM, passphrase), strict host key
 * checking against a known_hosts file, and failures that keep the last good revision.
 */
class SshGitRolloutTest {
  static final String PASSPHRASE = "correct horse battery staple 42";

  @TempDir Path tmp;
  TestRepo repo;
  KeyPair hostKey;
  KeyPair clientKey;
  SshGitServer server;
  Path knownHosts;
  InMemoryRolloutState state;
  RolloutFixture gw;

  @BeforeEach
  void setUp() throws Exception {
    repo = TestRepo.create(tmp.resolve("repo"));
    hostKey = SshGitServer.rsa();
    clientKey = SshGitServer.rsa();
    server = new SshGitServer(clientKey.getPublic(), repo.git.getRepository(), hostKey);
    server.start();
    knownHosts = tmp.resolve("known_hosts");
    Files.writeString(knownHosts, "# policy git host\n" + SshGitServer.knownHostsLine(server.knownHostsName(),
        hostKey.getPublic()) + "\n");
    state = new InMemoryRolloutState();
  }

  @AfterEach
  void tearDown() throws Exception {
    if (gw != null) {
      gw.close();
    }
    server.close();
    repo.close();
  }

  String sshUrl() {
    return "ssh://git@127.0.0.1:" + server.port() + "/acme/policies.git";
  }

  GitSourceConfig config(Path keyFile, String passphrase) {
    return new GitSourceConfig(sshUrl(), "main", null, tmp.resolve("mirror.git"),
        GitSourceConfig.GitCredentials.ssh(null, keyFile, passphrase, knownHosts));
  }

  RolloutFixture gateway(GitSourceConfig cfg) throws Exception {
    gw = new RolloutFixture("gw-ssh", cfg, tmp, state, null);
    return gw;
  }

  private boolean allows(String action) throws Exception {
    io.vectorgate.engine.Evaluation e = gw.engine.evaluate(Policies.input(action, "docs"));
    assertTrue(e.defined(), () -> "undefined: " + e);
    return e.result().path("allow").asBoolean();
  }

  Path clientKeyFile() throws Exception {
    return SshGitServer.writeOpenSsh(clientKey, tmp.resolve("keys/id_rsa"), null);
  }

  @Test
  void goodCommitRollsOutOverSsh() throws Exception {
    String sha = repo.commit("first policy", Map.of("policy.vg", Policies.GOOD_VG, "vectorgate_test.rego",
        Policies.PASSING_TEST));
    gateway(config(clientKeyFile(), null));
    assertEquals(new RolloutController.CheckResult.Activated(sha, null), gw.controller.checkNow());
    assertEquals(sha, gw.engine.activeRevision().orElseThrow());
    String next = repo.commit("deny deletes", Map.of("policy.vg", Policies.DENY_DELETE_VG));
    assertEquals(new RolloutController.CheckResult.Activated(next, sha), gw.controller.checkNow());
    assertTrue(gw.source.describe().contains("ssh://git@127.0.0.1:" + server.port()), gw.source.describe());
  }

  @Test
  void signedWebhookTriggersACheckOverSsh() throws Exception {
    String first = repo.commit("first", Map.of("policy.vg", Policies.GOOD_VG));
    gateway(config(clientKeyFile(), null));
    gw.controller.checkNow();
    byte[] secret = "webhook-secret-for-ssh-tests-0123".getBytes(StandardCharsets.UTF_8);
    HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    http.createContext("/admin/policy/", new RolloutHttpHandler(gw.controller, new WebhookSignature(secret), null));
    http.start();
    try {
      gw.controller.start(); // polls hourly: only the webhook can bring the next commit in time
      String next = repo.commit("deny deletes", Map.of("policy.vg", Policies.DENY_DELETE_VG));
      String body = "{\"ref\":\"refs/heads/main\",\"after\":\"" + next + "\"}";
      HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
              + http.getAddress().getPort() + RolloutHttpHandler.WEBHOOK_PATH))
          .header(WebhookSignature.HEADER, new WebhookSignature(secret).sign(body.getBytes(StandardCharsets.UTF_8)))
          .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(202, r.statusCode(), r.body());
      long deadline = System.nanoTime() + 120_000_000_000L;
      while (!next.equals(gw.engine.activeRevision().orElse(null)) && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertEquals(next, gw.engine.activeRevision().orElse(null), "the pushed commit was fetched over ssh");
      assertFalse(first.equals(next));
      assertFalse(allows("delete"), "the pushed policy decides");
    } finally {
      http.stop(0);
    }
  }

  @Test
  void pemKeyAndUserFromCredentialsWork() throws Exception {
    Path pem = SshGitServer.writePkcs8Pem(clientKey, tmp.resolve("id_rsa.pem"));
    String sha = repo.commit("policy", Map.of("policy.vg", Policies.GOOD_VG));
    // no user in the URL: the credentials' user name (default `git`) is used
    gateway(new GitSourceConfig("ssh://127.0.0.1:" + server.port() + "/acme/policies.git", "main", null,
        tmp.resolve("mirror.git"), GitSourceConfig.GitCredentials.ssh(null, pem, null, knownHosts)));
    assertEquals(new RolloutController.CheckResult.Activated(sha, null), gw.controller.checkNow());
  }

  @Test
  void wrongClientKeyFailsTheFetchAndKeepsTheLastGoodRevision() throws Exception {
    String good = repo.commit("good", Map.of("policy.vg", Policies.GOOD_VG));
    gateway(config(clientKeyFile(), null));
    gw.controller.checkNow();
    assertEquals(good, gw.engine.activeRevision().orElseThrow());
    server.setTestUserPublicKey(SshGitServer.rsa().getPublic()); // the deploy key was replaced on the server
    repo.commit("next", Map.of("policy.vg", Policies.DENY_DELETE_VG));
    RolloutController.CheckResult.Failed f = assertInstanceOf(RolloutController.CheckResult.Failed.class,
        gw.controller.checkNow());
    assertEquals(Stage.FETCH, f.failure().stage());
    String m = f.failure().message();
    assertTrue(m.contains("ssh authentication as `git` to [127.0.0.1]:" + server.port() + " failed"), m);
    assertTrue(m.contains(tmp.resolve("keys/id_rsa").toString()), m);
    assertEquals(good, gw.engine.activeRevision().orElseThrow(), "the last good revision stays");
    assertEquals(1, gw.controller.metrics().failures(Stage.FETCH));
  }

  @Test
  void unknownHostKeyIsRefusedNamingTheHostAndFile() throws Exception {
    repo.commit("good", Map.of("policy.vg", Policies.GOOD_VG));
    // known_hosts lists the key for another host only
    Files.writeString(knownHosts, SshGitServer.knownHostsLine("[git.example]:" + server.port(), hostKey.getPublic())
        + "\n");
    gateway(config(clientKeyFile(), null));
    RolloutController.CheckResult.Failed f = assertInstanceOf(RolloutController.CheckResult.Failed.class,
        gw.controller.checkNow());
    assertEquals(Stage.FETCH, f.failure().stage());
    String m = f.failure().message();
    assertTrue(m.contains("the host [127.0.0.1]:" + server.port() + " is not in known_hosts_file `" + knownHosts + "`"),
        m);
    assertTrue(gw.engine.activeRevision().isEmpty(), "nothing activates from an unverified host");
    assertFalse(Files.readString(knownHosts).contains("127.0.0.1"), "the unknown key is never added");
  }

  @Test
  void changedHostKeyIsRefusedAndTheActiveRevisionStays() throws Exception {
    String good = repo.commit("good", Map.of("policy.vg", Policies.GOOD_VG));
    gateway(config(clientKeyFile(), null));
    gw.controller.checkNow();
    assertEquals(good, gw.engine.activeRevision().orElseThrow());
    server.replaceHostKey(SshGitServer.rsa()); // the server now presents another host key
    repo.commit("next", Map.of("policy.vg", Policies.DENY_DELETE_VG));
    RolloutController.CheckResult.Failed f = assertInstanceOf(RolloutController.CheckResult.Failed.class,
        gw.controller.checkNow());
    assertEquals(Stage.FETCH, f.failure().stage());
    String m = f.failure().message();
    assertTrue(m.contains("the host key of [127.0.0.1]:" + server.port()), m);
    assertTrue(m.contains("does not match the key(s) listed for it in known_hosts_file `" + knownHosts + "`"), m);
    assertEquals(good, gw.engine.activeRevision().orElseThrow());
  }

  @Test
  void revokedHostKeyIsRefused() throws Exception {
    repo.commit("good", Map.of("policy.vg", Policies.GOOD_VG));
    Files.writeString(knownHosts, "@revoked " + SshGitServer.knownHostsLine(server.knownHostsName(),
        hostKey.getPublic()) + "\n" + SshGitServer.knownHostsLine(server.knownHostsName(), hostKey.getPublic()) + "\n");
    gateway(config(clientKeyFile(), null));
    RolloutController.CheckResult.Failed f = assertInstanceOf(RolloutController.CheckResult.Failed.class,
        gw.controller.checkNow());
    assertTrue(f.failure().message().contains("is marked @revoked"), f.failure().message());
  }

  @Test
  void passphraseProtectedKeyWorksWithTheRightPassphrase() throws Exception {
    KeyPair ec = SshGitServer.ec();
    server.setTestUserPublicKey(ec.getPublic());
    Path key = SshGitServer.writeOpenSsh(ec, tmp.resolve("id_ecdsa_enc"), PASSPHRASE);
    String sha = repo.commit("policy", Map.of("policy.vg", Policies.GOOD_VG));
    gateway(config(key, PASSPHRASE));
    assertEquals(new RolloutController.CheckResult.Activated(sha, null), gw.controller.checkNow());
  }

  @Test
  void ed25519ClientAndHostKeysWork() throws Exception {
    server.close();
    KeyPair edHost = SshGitServer.ed25519();
    KeyPair edClient = SshGitServer.ed25519();
    server = new SshGitServer(edClient.getPublic(), repo.git.getRepository(), edHost);
    server.start();
    Files.writeString(knownHosts, SshGitServer.knownHostsLine(server.knownHostsName(), edHost.getPublic()) + "\n");
    assertTrue(Files.readString(knownHosts).contains(" ssh-ed25519 "), Files.readString(knownHosts));
    Path key = SshGitServer.writeOpenSsh(edClient, tmp.resolve("id_ed25519"), PASSPHRASE);
    String sha = repo.commit("policy", Map.of("policy.vg", Policies.GOOD_VG));
    gateway(config(key, PASSPHRASE));
    assertEquals(new RolloutController.CheckResult.Activated(sha, null), gw.controller.checkNow());
  }

  @Test
  void wrongOrMissingPassphraseFailsClearlyWithoutRevealingIt() throws Exception {
    Path key = SshGitServer.writeOpenSsh(clientKey, tmp.resolve("id_enc"), PASSPHRASE);
    String wrong = "not-the-passphrase-7f3a91";
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new GitPolicySource(config(key, wrong)));
    assertTrue(e.getMessage().startsWith("policy.source.credentials.ssh_key_file"), e.getMessage());
    assertTrue(e.getMessage().contains(key.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("wrong passphrase"), e.getMessage());
    for (Throwable t = e; t != null; t = t.getCause()) {
      assertFalse(String.valueOf(t.getMessage()).contains(wrong), "the passphrase leaks: " + t);
      assertFalse(String.valueOf(t.getMessage()).contains(PASSPHRASE), "the passphrase leaks: " + t);
    }
    IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
        () -> new GitPolicySource(config(key, null)));
    assertTrue(none.getMessage().contains("set ssh_key_passphrase"), none.getMessage());
  }

  @Test
  void keyFileRemovedAfterStartFailsTheFetchNamingIt() throws Exception {
    String good = repo.commit("good", Map.of("policy.vg", Policies.GOOD_VG));
    Path key = clientKeyFile();
    gateway(config(key, null));
    gw.controller.checkNow();
    Files.delete(key);
    repo.commit("next", Map.of("policy.vg", Policies.DENY_DELETE_VG));
    RolloutController.CheckResult.Failed f = assertInstanceOf(RolloutController.CheckResult.Failed.class,
        gw.controller.checkNow());
    assertEquals(Stage.FETCH, f.failure().stage());
    assertTrue(f.failure().message().contains("ssh_key_file: `" + key + "` is not a readable file"),
        f.failure().message());
    assertEquals(good, gw.engine.activeRevision().orElseThrow());
  }

  @Test
  void configurationErrorsNameTheKey() throws Exception {
    Path key = clientKeyFile();
    Path mirror = tmp.resolve("m.git");
    IllegalArgumentException tokenOverSsh = assertThrows(IllegalArgumentException.class, () -> new GitSourceConfig(
        sshUrl(), "main", null, mirror, new GitSourceConfig.GitCredentials("git", "secret-token")));
    assertTrue(tokenOverSsh.getMessage().startsWith("policy.source.credentials.token:"), tokenOverSsh.getMessage());
    assertFalse(tokenOverSsh.getMessage().contains("secret-token"));
    IllegalArgumentException keyOverHttps = assertThrows(IllegalArgumentException.class, () -> new GitSourceConfig(
        "https://git.example/acme/policies.git", "main", null, mirror,
        GitSourceConfig.GitCredentials.ssh(null, key, null, knownHosts)));
    assertTrue(keyOverHttps.getMessage().startsWith("policy.source.credentials.ssh_key_file:"),
        keyOverHttps.getMessage());
    IllegalArgumentException noKnownHosts = assertThrows(IllegalArgumentException.class, () -> new GitSourceConfig(
        sshUrl(), "main", null, mirror, GitSourceConfig.GitCredentials.ssh(null, key, null, null)));
    assertTrue(noKnownHosts.getMessage().startsWith("policy.source.credentials.known_hosts_file: required"),
        noKnownHosts.getMessage());
    IllegalArgumentException noKey = assertThrows(IllegalArgumentException.class, () -> new GitSourceConfig(
        sshUrl(), "main", null, mirror, null));
    assertTrue(noKey.getMessage().startsWith("policy.source.credentials.ssh_key_file: required"), noKey.getMessage());
    IllegalArgumentException password = assertThrows(IllegalArgumentException.class, () -> new GitSourceConfig(
        "ssh://git:hunter2@127.0.0.1/acme/p.git", "main", null, mirror,
        GitSourceConfig.GitCredentials.ssh(null, key, null, knownHosts)));
    assertTrue(password.getMessage().startsWith("policy.source.url: the ssh URL embeds a password"),
        password.getMessage());
    assertFalse(password.getMessage().contains("hunter2"));
    IllegalArgumentException option = assertThrows(IllegalArgumentException.class, () -> new GitSourceConfig(
        "-oProxyCommand=touch /tmp/x:repo.git", "main", null, mirror, null));
    assertEquals("policy.source.url: must not start with `-`", option.getMessage());
    IllegalArgumentException injected = assertThrows(IllegalArgumentException.class, () -> new GitSourceConfig(
        "git@host:-oProxyCommand=x", "main", null, mirror, GitSourceConfig.GitCredentials.ssh(null, key, null,
        knownHosts)));
    assertTrue(injected.getMessage().startsWith("policy.source.url: the ssh repository path must not start with `-`"),
        injected.getMessage());
    IllegalArgumentException missingKnownHosts = assertThrows(IllegalArgumentException.class,
        () -> new GitPolicySource(new GitSourceConfig(sshUrl(), "main", null, mirror,
            GitSourceConfig.GitCredentials.ssh(null, key, null, tmp.resolve("nope")))));
    assertTrue(missingKnownHosts.getMessage().contains("known_hosts_file: `" + tmp.resolve("nope")
        + "` is not a readable file"), missingKnownHosts.getMessage());
    IllegalArgumentException notAKey = assertThrows(IllegalArgumentException.class,
        () -> new GitPolicySource(new GitSourceConfig(sshUrl(), "main", null, mirror,
            GitSourceConfig.GitCredentials.ssh(null, knownHosts, null, knownHosts))));
    assertTrue(notAKey.getMessage().startsWith("policy.source.credentials.ssh_key_file"), notAKey.getMessage());
    assertTrue(GitSourceConfig.GitCredentials.ssh(null, key, PASSPHRASE, knownHosts).toString().contains(
        "sshKeyPassphrase=***"));
    assertFalse(GitSourceConfig.GitCredentials.ssh(null, key, PASSPHRASE, knownHosts).toString().contains(PASSPHRASE));
  }
}
