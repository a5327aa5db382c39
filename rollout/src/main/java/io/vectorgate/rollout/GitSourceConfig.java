package io.vectorgate.rollout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A git policy source: {@code uri} is a local path or a remote URL (https, ssh, file), {@code branch}
 * the branch followed, {@code subdir} the policy directory inside the repository (empty for the
 * root), {@code mirror} the local bare repository the gateway fetches into, {@code credentials}
 * for private repositories. With {@code allowedSigners} (SSH signatures, git's
 * {@code gpg.ssh.allowedSignersFile}) and/or {@code openPgpKeys} (OpenPGP/GPG signatures: public key
 * files), every commit must be signed by one of those keys.
 */
public record GitSourceConfig(String uri, String branch, String subdir, Path mirror, GitCredentials credentials,
    Path allowedSigners, List<Path> openPgpKeys) {
  /** The configuration entry of {@link #openPgpKeys()}, as errors name it. */
  public static final String OPENPGP_KEYS_FIELD = "policy.source.signatures.public_keys";
  private static final Pattern BRANCH = Pattern.compile("[A-Za-z0-9._/-]{1,200}");

  public GitSourceConfig {
    Objects.requireNonNull(uri, "uri");
    Objects.requireNonNull(mirror, "mirror");
    if (uri.isBlank()) {
      throw new IllegalArgumentException("policy.source.uri: must not be empty");
    }
    if (uri.startsWith("-")) {
      throw new IllegalArgumentException("policy.source.url: must not start with `-`");
    }
    branch = branch == null || branch.isBlank() ? "main" : branch;
    if (!BRANCH.matcher(branch).matches() || branch.contains("..") || branch.startsWith("/") || branch.endsWith("/")
        || branch.startsWith("-")) {
      throw new IllegalArgumentException("policy.source.branch: `" + branch + "` is not a valid branch name");
    }
    subdir = normalizeSubdir(subdir);
    credentials = credentials == null ? GitCredentials.NONE : credentials;
    checkCredentials(uri, credentials);
    if (allowedSigners != null && (!Files.isRegularFile(allowedSigners) || !Files.isReadable(allowedSigners))) {
      throw new IllegalArgumentException("policy.source.signatures.allowed_signers_file: `" + allowedSigners
          + "` is not a readable file");
    }
    openPgpKeys = openPgpKeys == null ? List.of() : List.copyOf(openPgpKeys);
    new OpenPgpCommitVerifier().readKeys(openPgpKeys, OPENPGP_KEYS_FIELD); // refused at load, not at the first commit
  }

  /** A source that does not require signed commits. */
  public GitSourceConfig(String uri, String branch, String subdir, Path mirror, GitCredentials credentials) {
    this(uri, branch, subdir, mirror, credentials, null, List.of());
  }

  /** A source whose commits must be SSH-signed by a key of {@code allowedSigners} (null: not required). */
  public GitSourceConfig(String uri, String branch, String subdir, Path mirror, GitCredentials credentials,
      Path allowedSigners) {
    this(uri, branch, subdir, mirror, credentials, allowedSigners, List.of());
  }

  /** Whether every commit must be signed: SSH by a key of {@link #allowedSigners()}, or OpenPGP by one of {@link #openPgpKeys()}. */
  public boolean requiresSignatures() {
    return allowedSigners != null || !openPgpKeys.isEmpty();
  }

  /** What a commit must be signed with, for messages: the allowed signers file and/or the public key files. */
  public String signersDescription() {
    List<String> parts = new java.util.ArrayList<>();
    if (allowedSigners != null) {
      parts.add("an SSH key in allowed_signers_file `" + allowedSigners.toAbsolutePath() + "`");
    }
    if (!openPgpKeys.isEmpty()) {
      parts.add("an OpenPGP key in public_keys " + openPgpKeys.stream().map(p -> "`" + p.toAbsolutePath() + "`")
          .collect(java.util.stream.Collectors.joining(", ", "[", "]")));
    }
    return String.join(" or ", parts);
  }

  /** Whether the source is reached over SSH ({@code ssh://…} or scp-like {@code user@host:path}). */
  public boolean isSsh() {
    return SshRemote.isSsh(uri);
  }

  /**
   * The validated SSH remote (the URL's user, else {@code credentials.username}).
   *
   * @throws IllegalStateException if the source is not an SSH source
   */
  public SshRemote sshRemote() {
    if (!isSsh()) {
      throw new IllegalStateException("not an ssh source: " + safeUri());
    }
    return SshRemote.parse(uri, credentials.username());
  }

  private static void checkCredentials(String uri, GitCredentials c) {
    if (SshRemote.isSsh(uri)) {
      try {
        SshRemote.parse(uri, c.username());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("policy.source.url: " + e.getMessage(), e);
      }
      if (c.token() != null) {
        throw new IllegalArgumentException("policy.source.credentials.token: a token is sent over https only; "
            + "an ssh URL needs ssh_key_file and known_hosts_file");
      }
      if (c.sshKeyFile() == null) {
        throw new IllegalArgumentException("policy.source.credentials.ssh_key_file: required for an ssh URL");
      }
      if (c.knownHostsFile() == null) {
        throw new IllegalArgumentException("policy.source.credentials.known_hosts_file: required for an ssh URL "
            + "(the server's host key is checked strictly against it)");
      }
    } else {
      String where = "applies only to an ssh URL (ssh://host/path or user@host:path)";
      if (c.sshKeyFile() != null) {
        throw new IllegalArgumentException("policy.source.credentials.ssh_key_file: " + where);
      }
      if (c.sshKeyPassphrase() != null) {
        throw new IllegalArgumentException("policy.source.credentials.ssh_key_passphrase: " + where);
      }
      if (c.knownHostsFile() != null) {
        throw new IllegalArgumentException("policy.source.credentials.known_hosts_file: " + where);
      }
    }
  }

  static String normalizeSubdir(String s) {
    if (s == null) {
      return "";
    }
    String t = s.replace('\\', '/');
    while (t.startsWith("./")) {
      t = t.substring(2);
    }
    while (t.endsWith("/")) {
      t = t.substring(0, t.length() - 1);
    }
    if (t.equals(".")) {
      return "";
    }
    if (t.startsWith("/") || t.chars().anyMatch(c -> c < 0x20)) {
      throw new IllegalArgumentException("policy.source.path: `" + s + "` must be a relative directory inside the repository");
    }
    for (String part : t.split("/", -1)) {
      if (!t.isEmpty() && (part.isEmpty() || part.equals(".") || part.equals(".."))) {
        throw new IllegalArgumentException("policy.source.path: `" + s + "` must be a relative directory inside the repository");
      }
    }
    return t;
  }

  /** The URI without user info (https) or password (ssh), for logs. */
  public String safeUri() {
    if (SshRemote.isSsh(uri)) {
      return uri.replaceAll("(?<=^|://)([^/@:]*):[^/@]*@", "$1:***@");
    }
    return uri.replaceAll("(?<=://)[^/@]*@", "***@");
  }

  /**
   * Credentials for a private repository: a token sent as the HTTP password (with {@code username},
   * default {@code git}) for https, or for ssh a private key file (OpenSSH or PEM) with an optional
   * passphrase and the known_hosts file the server's host key must be listed in ({@code username}
   * is the ssh user when the URL names none). Never printed: {@link #toString()} redacts.
   */
  public record GitCredentials(String username, String token, Path sshKeyFile, String sshKeyPassphrase,
      Path knownHostsFile) {
    public static final GitCredentials NONE = new GitCredentials(null, null, null, null, null);

    public GitCredentials {
      if (token != null && sshKeyFile != null) {
        throw new IllegalArgumentException("policy.source.credentials: give a token or an SSH key file, not both");
      }
      if (sshKeyPassphrase != null && sshKeyFile == null) {
        throw new IllegalArgumentException("policy.source.credentials.ssh_key_passphrase: set only with ssh_key_file");
      }
      username = username == null || username.isBlank() ? "git" : username;
    }

    /** Token credentials for https. */
    public GitCredentials(String username, String token) {
      this(username, token, null, null, null);
    }

    /** SSH credentials: key file, optional passphrase, known_hosts file. */
    public static GitCredentials ssh(String username, Path sshKeyFile, String sshKeyPassphrase, Path knownHostsFile) {
      return new GitCredentials(username, null, sshKeyFile, sshKeyPassphrase, knownHostsFile);
    }

    @Override
    public String toString() {
      return "GitCredentials[username=" + username + ", token=" + (token == null ? "none" : "***")
          + ", sshKeyFile=" + (sshKeyFile == null ? "none" : sshKeyFile)
          + ", sshKeyPassphrase=" + (sshKeyPassphrase == null ? "none" : "***")
          + ", knownHostsFile=" + (knownHostsFile == null ? "none" : knownHostsFile) + "]";
    }
  }
}
