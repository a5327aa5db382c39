package io.vectorgate.proxy.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectorgate.proxy.config.ConfigException;
import io.vectorgate.proxy.config.ConfigLoader;
import io.vectorgate.proxy.config.GatewayConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Map;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyEncryptionContext;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.UploadPack;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code policy.source} over SSH: the new credential keys are parsed, resolved against the config
 * file and strictly validated; a gateway starts with its policy fetched from a real Apache MINA
 * sshd on loopback, authenticating with a passphrase-protected key whose passphrase comes from the
 * environment.
 */
class GatewayRolloutSshTest {
  @TempDir Path dir;

  private String base(String policy) {
    return """
        listeners: [{name: m, kind: milvus-grpc, address: "127.0.0.1:0", connection: c}]
        connections: [{name: c, kind: milvus, upstream: "127.0.0.1:19530", credential: {env: X}}]
        identity: {issuer: "http://127.0.0.1:1/i", audiences: [vectorgate]}
        masking: {hmac_key: {env: K}}
        """ + policy;
  }

  private void files() throws IOException {
    Files.createDirectories(dir.resolve("keys"));
    Files.writeString(dir.resolve("keys/id"), "not checked at parse time");
    Files.writeString(dir.resolve("keys/known_hosts"), "");
  }

  @Test
  void sshKeysAreParsedAndResolvedAgainstTheConfigFile() throws Exception {
    files();
    GatewayConfig c = ConfigLoader.parse(base("""
        policy:
          source:
            kind: git
            url: "git@git.example:acme/policies.git"
            credentials:
              ssh_key_file: keys/id
              ssh_key_passphrase: {file: keys/pass}
              known_hosts_file: keys/known_hosts
        """), dir, "gw.yaml");
    PolicySourceConfig s = c.policy().source();
    assertEquals("git@git.example:acme/policies.git", s.url(), "an scp-like URL is not a local path");
    assertEquals(dir.resolve("keys/id"), s.credentials().sshKeyFile());
    assertEquals(dir.resolve("keys/known_hosts"), s.credentials().knownHostsFile());
    assertEquals(dir.resolve("keys/pass"), s.credentials().sshKeyPassphrase().file());
    PolicySourceConfig noUser = ConfigLoader.parse(base("""
        policy: {source: {kind: git, url: "git.example:acme/policies.git",
                          credentials: {ssh_key_file: keys/id, known_hosts_file: keys/known_hosts}}}
        """), dir, "gw.yaml").policy().source();
    assertEquals("git.example:acme/policies.git", noUser.url());
  }

  @Test
  void sshMisconfigurationsNameTheKey() throws Exception {
    files();
    String ssh = "url: \"ssh://git@git.example:2222/acme/p.git\"";
    String https = "url: \"https://git.example/acme/p.git\"";
    String key = "ssh_key_file: keys/id";
    String kh = "known_hosts_file: keys/known_hosts";
    String[][] cases = {
        {https + ", credentials: {" + key + ", " + kh + "}", "policy.source.credentials.ssh_key_file: applies only"},
        {https + ", credentials: {token: {env: T}, " + kh + "}", "policy.source.credentials.known_hosts_file: applies"},
        {https + ", credentials: {token: {env: T}, ssh_key_passphrase: {env: P}}",
            "policy.source.credentials.ssh_key_passphrase: applies only"},
        {ssh + ", credentials: {token: {env: T}}", "policy.source.credentials.token: a token is sent over https only"},
        {ssh, "policy.source.credentials.ssh_key_file: required for an ssh URL"},
        {ssh + ", credentials: {" + key + "}", "policy.source.credentials.known_hosts_file: required"},
        {ssh + ", credentials: {ssh_key_file: keys/missing, " + kh + "}",
            "policy.source.credentials.ssh_key_file: not a readable file: `" + dir.resolve("keys/missing") + "`"},
        {ssh + ", credentials: {" + key + ", known_hosts_file: keys/none}",
            "policy.source.credentials.known_hosts_file: not a readable file: `" + dir.resolve("keys/none") + "`"},
        {ssh + ", credentials: {" + key + ", " + kh + ", token: {env: T}}", "policy.source.credentials: set exactly one"},
        {"url: \"ssh://git:hunter2@git.example/acme/p.git\", credentials: {" + key + ", " + kh + "}",
            "policy.source.url: the ssh URL embeds a password"},
        {"url: \"ssh://git@git.example:70000/acme/p.git\", credentials: {" + key + ", " + kh + "}",
            "policy.source.url: ssh port 70000 is outside 1..65535"},
        {"url: \"git@-oProxyCommand=x:acme/p.git\", credentials: {" + key + ", " + kh + "}",
            "policy.source.url: the ssh host must not start with `-`"},
    };
    for (String[] k : cases) {
      String yaml = "policy: {source: {kind: git, " + k[0] + "}}\n";
      ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(base(yaml), dir, "gw.yaml"),
          yaml);
      assertTrue(e.getMessage().contains(k[1]), yaml + " -> " + e.getMessage());
      assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
    }
  }

  @Test
  void gatewayStartsFromAnSshRepositoryWithAPassphraseFromTheEnvironment() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    KeyPair host = g.generateKeyPair();
    KeyPair client = g.generateKeyPair();
    try (Git git = Git.init().setDirectory(dir.resolve("repo").toFile()).setInitialBranch("main").call()) {
      Path f = dir.resolve("repo/policies/policy.vg");
      Files.createDirectories(f.getParent());
      Files.writeString(f, GatewayRolloutTest.POLICY);
      git.add().addFilepattern("policies/policy.vg").call();
      PersonIdent who = new PersonIdent("t", "t@example.test");
      String sha = git.commit().setMessage("c").setAuthor(who).setCommitter(who).call().getName();

      SshServer sshd = gitServer(git.getRepository(), host, client);
      try {
        Files.createDirectories(dir.resolve("keys"));
        OpenSSHKeyEncryptionContext enc = new OpenSSHKeyEncryptionContext();
        enc.setCipherName("AES");
        enc.setCipherType("256");
        enc.setCipherMode("CTR");
        enc.setPassword("s3cret passphrase");
        enc.setKdfRounds(4);
        try (OutputStream out = Files.newOutputStream(dir.resolve("keys/deploy"))) {
          OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(client, "deploy", enc, out);
        }
        Files.writeString(dir.resolve("keys/known_hosts"), "[127.0.0.1]:" + sshd.getPort() + " "
            + PublicKeyEntry.toString(host.getPublic()) + "\n");
        GatewayConfig c = ConfigLoader.parse(base("""
            policy:
              source:
                kind: git
                url: "ssh://git@127.0.0.1:%d/acme/policies.git"
                path: policies
                poll_interval_seconds: 3600
                credentials:
                  ssh_key_file: keys/deploy
                  ssh_key_passphrase: {env: POLICY_SSH_PASSPHRASE}
                  known_hosts_file: keys/known_hosts
            """.formatted(sshd.getPort())), dir, "gw.yaml");
        try (GatewayRollout r = GatewayRollout.start(c.policy().source(),
            Map.of("POLICY_SSH_PASSPHRASE", "s3cret passphrase")::get, GatewayRolloutTest.ENGINE)) {
          assertEquals(sha, r.engine().activeRevision().orElseThrow());
        }
        ConfigException wrong = assertThrows(ConfigException.class, () -> GatewayRollout.start(c.policy().source(),
            Map.of("POLICY_SSH_PASSPHRASE", "not the passphrase")::get, GatewayRolloutTest.ENGINE));
        assertTrue(wrong.getMessage().startsWith("policy.source: policy.source.credentials.ssh_key_file: cannot load `"
            + dir.resolve("keys/deploy") + "` with the configured ssh_key_passphrase"), wrong.getMessage());
        assertFalse(wrong.getMessage().contains("not the passphrase"), wrong.getMessage());
        ConfigException unset = assertThrows(ConfigException.class, () -> GatewayRollout.start(c.policy().source(),
            k -> null, GatewayRolloutTest.ENGINE));
        assertEquals("policy.source.credentials.ssh_key_passphrase.env: environment variable `POLICY_SSH_PASSPHRASE` "
            + "is not set", unset.getMessage());
      } finally {
        sshd.stop(true);
      }
    }
  }

  /** A loopback sshd that accepts {@code client} for user {@code git} and serves git-upload-pack of {@code repo}. */
  private static SshServer gitServer(Repository repo, KeyPair host, KeyPair client) throws IOException {
    SshServer sshd = SshServer.setUpDefaultServer();
    sshd.setHost("127.0.0.1");
    sshd.setPort(0);
    sshd.setKeyPairProvider(KeyPairProvider.wrap(host));
    sshd.setPublickeyAuthenticator((user, key, session) -> "git".equals(user)
        && KeyUtils.compareKeys(key, client.getPublic()));
    sshd.setCommandFactory((channel, command) -> new UploadPackCommand(repo, command));
    sshd.start();
    return sshd;
  }

  /** Runs JGit's {@link UploadPack} for a {@code git-upload-pack '<path>'} command; refuses any other command. */
  private static final class UploadPackCommand implements Command {
    private final Repository repo;
    private final String command;
    private InputStream in;
    private OutputStream out;
    private OutputStream err;
    private ExitCallback exit;

    UploadPackCommand(Repository repo, String command) {
      this.repo = repo;
      this.command = command;
    }

    @Override
    public void setInputStream(InputStream in) {
      this.in = in;
    }

    @Override
    public void setOutputStream(OutputStream out) {
      this.out = out;
    }

    @Override
    public void setErrorStream(OutputStream err) {
      this.err = err;
    }

    @Override
    public void setExitCallback(ExitCallback callback) {
      this.exit = callback;
    }

    @Override
    public void start(ChannelSession channel, Environment env) {
      Thread t = new Thread(() -> {
        if (!command.startsWith("git-upload-pack ")) {
          exit.onExit(127, "unsupported command");
          return;
        }
        try {
          new UploadPack(repo).upload(in, out, err);
          out.flush();
          exit.onExit(0);
        } catch (IOException e) {
          exit.onExit(1, e.toString());
        }
      }, "test-upload-pack");
      t.setDaemon(true);
      t.start();
    }

    @Override
    public void destroy(ChannelSession channel) {
      // the upload thread ends with the channel's streams
    }
  }
}
