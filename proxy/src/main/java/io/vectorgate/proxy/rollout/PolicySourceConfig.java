package io.vectorgate.proxy.rollout;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.vectorgate.proxy.config.ConfigException;
import io.vectorgate.proxy.config.GatewayConfig.SecretRef;
import io.vectorgate.rollout.OpenPgpCommitVerifier;
import io.vectorgate.rollout.SshRemote;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * {@code policy.source}: where the gateway's policy comes from when it is rolled out rather than
 * compiled once from {@code policy.rego_dirs}.
 *
 * <pre>
 * policy:
 *   source:
 *     kind: git                      # git | bundle_server
 *     url: https://git.example/acme/policies.git   # git: a URL or a local path; bundle_server: the bundle URL
 *     branch: main                   # git
 *     path: policies                 # git: the policy directory inside the repository
 *     poll_interval_seconds: 30
 *     credentials:                   # git, optional: token (HTTPS) or ssh_key_file (SSH)
 *       username: x-access-token
 *       token: {env: POLICY_GIT_TOKEN}
 *       # for ssh://git@host/org/repo.git or git@host:org/repo.git instead of token:
 *       # ssh_key_file: keys/policy-deploy      # OpenSSH or PEM private key
 *       # ssh_key_passphrase: {env: POLICY_SSH_PASSPHRASE}   # optional
 *       # known_hosts_file: keys/known_hosts     # required: the host key is checked strictly
 *     token: {env: BUNDLE_TOKEN}     # bundle_server, optional bearer token
 *     signing:                       # bundle_server, optional: verify .signatures.json
 *       public_key_file: keys/bundle-signing.pub.pem
 *       key_id: default
 *       scope: prod
 *     signatures:                    # git, optional: every commit must be signed by a configured key
 *       format: ssh                  # ssh | gpg (openpgp); absent: whichever keys are given below
 *       allowed_signers_file: keys/allowed_signers   # SSH: git's gpg.ssh.allowedSignersFile format
 *       # public_keys: [keys/alice.asc, keys/bob.asc]  # OpenPGP (GPG): gpg --export --armor files
 *     state: jdbc:postgresql://db:5432/vectorgate?user=gw   # or a SQLite file; absent: this process only
 *     instance_id: gw-1              # default: host name and process id
 *     work_dir: var/rollout          # mirror and staging folders
 *     impact:                        # git, optional
 *       sample: traffic/sample.jsonl
 *       expectations: impact-expectations.yaml   # inside the policy directory
 *     http:                          # optional: webhook and status endpoints
 *       address: 127.0.0.1:9181
 *       webhook_secret: {env: POLICY_WEBHOOK_SECRET}
 *       admin_token: {env: POLICY_ADMIN_TOKEN}
 * </pre>
 */
public record PolicySourceConfig(
    @JsonProperty("kind") String kind,
    @JsonProperty("url") String url,
    @JsonProperty("branch") String branch,
    @JsonProperty("path") String path,
    @JsonProperty("poll_interval_seconds") Long pollIntervalSeconds,
    @JsonProperty("credentials") Credentials credentials,
    @JsonProperty("token") SecretRef token,
    @JsonProperty("signing") Signing signing,
    @JsonProperty("state") String state,
    @JsonProperty("instance_id") String instanceId,
    @JsonProperty("work_dir") Path workDir,
    @JsonProperty("impact") Impact impact,
    @JsonProperty("http") Http http,
    @JsonProperty("signatures") Signatures signatures) {

  public PolicySourceConfig {
    kind = kind == null ? null : kind.toLowerCase(Locale.ROOT);
    pollIntervalSeconds = pollIntervalSeconds == null ? 30L : pollIntervalSeconds;
    workDir = workDir == null ? Path.of("var/rollout") : workDir;
  }

  /**
   * Git credentials: a token (with an optional user name) for https, or for ssh a key file with an
   * optional passphrase and the known_hosts file; never both.
   */
  public record Credentials(
      @JsonProperty("username") String username,
      @JsonProperty("token") SecretRef token,
      @JsonProperty("ssh_key_file") Path sshKeyFile,
      @JsonProperty("ssh_key_passphrase") SecretRef sshKeyPassphrase,
      @JsonProperty("known_hosts_file") Path knownHostsFile) {}

  /** Bundle signature verification. */
  public record Signing(
      @JsonProperty("public_key_file") Path publicKeyFile,
      @JsonProperty("key_id") String keyId,
      @JsonProperty("scope") String scope) {}

  /**
   * Git commit signatures: every commit must carry an SSH signature by a key listed for the
   * committer's e-mail in {@code allowed_signers_file} (git's {@code gpg.ssh.allowedSignersFile}),
   * or an OpenPGP (GPG) signature by one of the {@code public_keys} with a user id for the
   * committer's e-mail. {@code format} ({@code ssh} or {@code gpg}/{@code openpgp}) restricts it to
   * one format; without it, each configured format is accepted.
   */
  public record Signatures(
      @JsonProperty("format") String format,
      @JsonProperty("allowed_signers_file") Path allowedSignersFile,
      @JsonProperty("public_keys") List<Path> publicKeys) {
    public Signatures {
      publicKeys = publicKeys == null ? List.of() : List.copyOf(publicKeys);
    }
  }

  /** The impact check: a JSON-lines sample of policy inputs and the expectations file in the policy directory. */
  public record Impact(
      @JsonProperty("sample") Path sample,
      @JsonProperty("expectations") String expectations) {}

  /** The rollout HTTP endpoints (loopback): webhook with its secret, status with the admin token. */
  public record Http(
      @JsonProperty("address") String address,
      @JsonProperty("webhook_secret") SecretRef webhookSecret,
      @JsonProperty("admin_token") SecretRef adminToken) {}

  /** Relative paths resolved against {@code base} (the config file's directory). */
  public PolicySourceConfig resolve(Path base) {
    if (base == null) {
      return this;
    }
    String u = url;
    if ("git".equals(kind) && u != null && !u.contains("://") && !u.contains("@") && !SshRemote.isSsh(u)) {
      u = base.resolve(u).normalize().toString(); // a local repository path
    }
    String st = state;
    if (st != null && !st.startsWith("jdbc:")) {
      st = base.resolve(st).normalize().toString();
    }
    Credentials c = credentials == null ? null : new Credentials(credentials.username(), secret(base,
        credentials.token()), credentials.sshKeyFile() == null ? null : base.resolve(credentials.sshKeyFile()).normalize(),
        secret(base, credentials.sshKeyPassphrase()), credentials.knownHostsFile() == null ? null
        : base.resolve(credentials.knownHostsFile()).normalize());
    Signing s = signing == null ? null : new Signing(signing.publicKeyFile() == null ? null
        : base.resolve(signing.publicKeyFile()).normalize(), signing.keyId(), signing.scope());
    Impact i = impact == null ? null : new Impact(impact.sample() == null ? null : base.resolve(impact.sample()).normalize(),
        impact.expectations());
    Http h = http == null ? null : new Http(http.address(), secret(base, http.webhookSecret()), secret(base,
        http.adminToken()));
    Signatures sig = signatures == null ? null : new Signatures(signatures.format(),
        signatures.allowedSignersFile() == null ? null : base.resolve(signatures.allowedSignersFile()).normalize(),
        signatures.publicKeys().stream().map(k -> base.resolve(k).normalize()).toList());
    return new PolicySourceConfig(kind, u, branch, path, pollIntervalSeconds, c, secret(base, token), s, st, instanceId,
        base.resolve(workDir).normalize(), i, h, sig);
  }

  /** {@code format} against the keys given; the files readable, the OpenPGP key files holding public keys. */
  private void validateSignatures(String at) {
    String format = signatures.format() == null ? null : signatures.format().toLowerCase(Locale.ROOT);
    boolean ssh = signatures.allowedSignersFile() != null;
    boolean pgp = !signatures.publicKeys().isEmpty();
    if (format != null && !List.of("ssh", "gpg", "openpgp").contains(format)) {
      throw new ConfigException(at + ".format", "must be `ssh` or `gpg` (also written `openpgp`), was `"
          + signatures.format() + "`");
    }
    if ("ssh".equals(format) && pgp) {
      throw new ConfigException(at + ".public_keys", "OpenPGP keys do not apply to `format: ssh`; remove `format` to "
          + "accept SSH and OpenPGP signatures");
    }
    if (format != null && !"ssh".equals(format) && ssh) {
      throw new ConfigException(at + ".allowed_signers_file", "SSH allowed signers do not apply to `format: " + format
          + "`; remove `format` to accept SSH and OpenPGP signatures");
    }
    if ("ssh".equals(format) || (format == null && ssh)) {
      if (!ssh || !Files.isRegularFile(signatures.allowedSignersFile())
          || !Files.isReadable(signatures.allowedSignersFile())) {
        throw new ConfigException(at + ".allowed_signers_file", "required, a readable file; was `"
            + signatures.allowedSignersFile() + "`");
      }
    }
    if (format != null && !"ssh".equals(format) && !pgp) {
      throw new ConfigException(at + ".public_keys", "required for `format: " + format + "`: a list of OpenPGP "
          + "public key files (gpg --export --armor KEYID)");
    }
    if (format == null && !ssh && !pgp) {
      throw new ConfigException(at, "give allowed_signers_file (SSH signatures) and/or public_keys (OpenPGP "
          + "signatures)");
    }
    try {
      new OpenPgpCommitVerifier().readKeys(signatures.publicKeys(), at + ".public_keys");
    } catch (IllegalArgumentException e) {
      String msg = e.getMessage();
      int colon = msg.indexOf(": ");
      throw new ConfigException(colon < 0 ? at + ".public_keys" : msg.substring(0, colon),
          colon < 0 ? msg : msg.substring(colon + 2), e);
    }
  }

  private static SecretRef secret(Path base, SecretRef r) {
    return r == null || r.file() == null ? r : new SecretRef(r.env(), base.resolve(r.file()).normalize());
  }

  private void validateGitCredentials(String at) {
    String c = at + ".credentials";
    if (!SshRemote.isSsh(url)) {
      if (credentials == null) {
        return;
      }
      String onlySsh = "applies only to an ssh URL (ssh://host/path or user@host:path)";
      if (credentials.sshKeyFile() != null) {
        throw new ConfigException(c + ".ssh_key_file", onlySsh);
      }
      if (credentials.sshKeyPassphrase() != null) {
        throw new ConfigException(c + ".ssh_key_passphrase", onlySsh);
      }
      if (credentials.knownHostsFile() != null) {
        throw new ConfigException(c + ".known_hosts_file", onlySsh);
      }
      if (credentials.token() == null) {
        throw new ConfigException(c, "set exactly one of `token` or `ssh_key_file`");
      }
      return;
    }
    try {
      SshRemote.parse(url, credentials == null || credentials.username() == null || credentials.username().isBlank()
          ? "git" : credentials.username());
    } catch (IllegalArgumentException e) {
      throw new ConfigException(at + ".url", e.getMessage(), e);
    }
    if (credentials == null || credentials.sshKeyFile() == null) {
      if (credentials != null && credentials.token() != null) {
        throw new ConfigException(c + ".token", "a token is sent over https only; an ssh URL needs `ssh_key_file` "
            + "and `known_hosts_file`");
      }
      throw new ConfigException(c + ".ssh_key_file", "required for an ssh URL");
    }
    if (credentials.token() != null) {
      throw new ConfigException(c, "set exactly one of `token` or `ssh_key_file`");
    }
    if (!Files.isRegularFile(credentials.sshKeyFile()) || !Files.isReadable(credentials.sshKeyFile())) {
      throw new ConfigException(c + ".ssh_key_file", "not a readable file: `" + credentials.sshKeyFile() + "`");
    }
    if (credentials.knownHostsFile() == null) {
      throw new ConfigException(c + ".known_hosts_file", "required for an ssh URL (the server's host key is checked "
          + "strictly against it)");
    }
    if (!Files.isRegularFile(credentials.knownHostsFile()) || !Files.isReadable(credentials.knownHostsFile())) {
      throw new ConfigException(c + ".known_hosts_file", "not a readable file: `" + credentials.knownHostsFile() + "`");
    }
  }

  /** Validates every value; {@code at} is the key path ({@code file: policy.source}). */
  public void validate(String at) {
    if (kind == null || !(kind.equals("git") || kind.equals("bundle_server"))) {
      throw new ConfigException(at + ".kind", "must be `git` or `bundle_server`, was `" + kind + "`");
    }
    if (url == null || url.isBlank()) {
      throw new ConfigException(at + ".url", "required");
    }
    if (pollIntervalSeconds < 1 || pollIntervalSeconds > 86_400) {
      throw new ConfigException(at + ".poll_interval_seconds", "must be between 1 and 86400, was " + pollIntervalSeconds);
    }
    if (kind.equals("git")) {
      if (token != null || signing != null) {
        throw new ConfigException(at, "`token` and `signing` apply only to kind `bundle_server`");
      }
      validateGitCredentials(at);
      if (signatures != null) {
        validateSignatures(at + ".signatures");
      }
      if (impact != null) {
        if (impact.sample() == null || !Files.isRegularFile(impact.sample())) {
          throw new ConfigException(at + ".impact.sample", "not a file: `" + impact.sample() + "`");
        }
      }
    } else {
      if (branch != null || path != null || credentials != null || impact != null || signatures != null) {
        throw new ConfigException(at, "`branch`, `path`, `credentials`, `impact` and `signatures` apply only to kind `git`");
      }
      URI u;
      try {
        u = URI.create(url);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(at + ".url", "not a URL: " + e.getMessage(), e);
      }
      if (u.getScheme() == null || !(u.getScheme().equals("http") || u.getScheme().equals("https"))) {
        throw new ConfigException(at + ".url", "must be an http or https URL");
      }
      if (u.getUserInfo() != null) {
        throw new ConfigException(at + ".url", "put credentials in `token`, not in the URL");
      }
      if (signing != null && (signing.publicKeyFile() == null || !Files.isRegularFile(signing.publicKeyFile()))) {
        throw new ConfigException(at + ".signing.public_key_file", "not a file: `" + signing.publicKeyFile() + "`");
      }
    }
    if (state != null && state.startsWith("jdbc:") && !state.startsWith("jdbc:postgresql://")
        && !state.startsWith("jdbc:sqlite:")) {
      throw new ConfigException(at + ".state", "a jdbc:postgresql:// URL or a SQLite file path");
    }
    if (http != null) {
      if (http.address() == null || !http.address().matches("(127\\.0\\.0\\.1|localhost|\\[::1\\]):\\d{1,5}")) {
        throw new ConfigException(at + ".http.address", "must be a loopback host:port (127.0.0.1:PORT), was `"
            + http.address() + "`");
      }
      if (http.webhookSecret() == null && http.adminToken() == null) {
        throw new ConfigException(at + ".http", "set `webhook_secret`, `admin_token` or both");
      }
    }
  }
}
