package io.vectorgate.rollout;

import java.nio.file.Path;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A git policy source: {@code uri} is a local path or a remote URL (https, ssh, file), {@code branch}
 * the branch followed, {@code subdir} the policy directory inside the repository (empty for the
 * root), {@code mirror} the local bare repository the gateway fetches into, {@code credentials}
 * for private repositories.
 */
public record GitSourceConfig(String uri, String branch, String subdir, Path mirror, GitCredentials credentials) {
  private static final Pattern BRANCH = Pattern.compile("[A-Za-z0-9._/-]{1,200}");

  public GitSourceConfig {
    Objects.requireNonNull(uri, "uri");
    Objects.requireNonNull(mirror, "mirror");
    if (uri.isBlank()) {
      throw new IllegalArgumentException("policy.source.uri: must not be empty");
    }
    branch = branch == null || branch.isBlank() ? "main" : branch;
    if (!BRANCH.matcher(branch).matches() || branch.contains("..") || branch.startsWith("/") || branch.endsWith("/")
        || branch.startsWith("-")) {
      throw new IllegalArgumentException("policy.source.branch: `" + branch + "` is not a valid branch name");
    }
    subdir = normalizeSubdir(subdir);
    credentials = credentials == null ? GitCredentials.NONE : credentials;
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

  /** The URI without user info, for logs. */
  public String safeUri() {
    return uri.replaceAll("(?<=://)[^/@]*@", "***@");
  }

  /**
   * Credentials for a private repository: a token sent as the HTTP password (with {@code username},
   * default {@code git}), or an SSH private key file. Never printed: {@link #toString()} redacts.
   */
  public record GitCredentials(String username, String token, Path sshKeyFile) {
    public static final GitCredentials NONE = new GitCredentials(null, null, null);

    public GitCredentials {
      if (token != null && sshKeyFile != null) {
        throw new IllegalArgumentException("policy.source.credentials: give a token or an SSH key file, not both");
      }
      username = username == null || username.isBlank() ? "git" : username;
    }

    @Override
    public String toString() {
      return "GitCredentials[username=" + username + ", token=" + (token == null ? "none" : "***")
          + ", sshKeyFile=" + (sshKeyFile == null ? "none" : sshKeyFile) + "]";
    }
  }
}
