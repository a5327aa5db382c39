package io.vectorgate.rollout;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A validated SSH git remote: {@code ssh://[user@]host[:port]/path} or the scp-like
 * {@code [user@]host:path}. Parsing is strict and fails closed: embedded passwords, option-like
 * values ({@code -oProxyCommand=…}), shell metacharacters, control characters, queries, fragments
 * and ports outside 1..65535 are refused with a message naming the part. The JGit URI handed to
 * the transport is rebuilt from the validated parts ({@link #toGitUri()}), so what is checked is
 * what is connected to.
 */
public record SshRemote(Form form, String user, String host, int port, String path) {
  /** How the remote was written. */
  public enum Form { URL, SCP }

  public static final int DEFAULT_PORT = 22;
  static final int MAX_LENGTH = 2048;
  private static final Pattern USER = Pattern.compile("[A-Za-z0-9._][A-Za-z0-9._-]{0,63}");
  private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");
  /** Characters refused in a repository path: whitespace, quotes and what a shell would interpret. */
  private static final String PATH_FORBIDDEN = "'\"`\\$;|&<>(){}*?!~#";

  public SshRemote {
    if (user == null || !USER.matcher(user).matches()) {
      throw new IllegalArgumentException("ssh user `" + GitPolicySource.printable(user) + "` is not a valid user name");
    }
    checkHost(host);
    if (port < 1 || port > 65_535) {
      throw new IllegalArgumentException("ssh port " + port + " is outside 1..65535");
    }
    checkPath(path);
  }

  /**
   * Whether {@code uri} names an SSH remote the way git decides it: an {@code ssh://} (or
   * {@code git+ssh://}, {@code ssh+git://}) URL, or no {@code ://} and a colon before the first slash.
   */
  public static boolean isSsh(String uri) {
    if (uri == null) {
      return false;
    }
    String lower = uri.toLowerCase(Locale.ROOT);
    if (lower.startsWith("ssh://") || lower.startsWith("git+ssh://") || lower.startsWith("ssh+git://")) {
      return true;
    }
    if (uri.contains("://")) {
      return false;
    }
    int colon = uri.indexOf(':');
    int slash = uri.indexOf('/');
    return colon > 0 && (slash < 0 || colon < slash);
  }

  /**
   * Parses {@code uri}; {@code defaultUser} is used when the remote names no user. Messages never
   * repeat an embedded password.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  public static SshRemote parse(String uri, String defaultUser) {
    if (uri == null || uri.isBlank()) {
      throw new IllegalArgumentException("the ssh URL is empty");
    }
    if (uri.length() > MAX_LENGTH) {
      throw new IllegalArgumentException("the ssh URL is longer than " + MAX_LENGTH + " characters");
    }
    if (uri.chars().anyMatch(c -> c < 0x21 || c == 0x7f)) {
      throw new IllegalArgumentException("the ssh URL contains whitespace or control characters");
    }
    String lower = uri.toLowerCase(Locale.ROOT);
    if (lower.startsWith("git+ssh://") || lower.startsWith("ssh+git://")) {
      throw new IllegalArgumentException("write the ssh URL as `ssh://…`");
    }
    if (lower.startsWith("ssh://")) {
      return parseUrl(uri.substring("ssh://".length()), defaultUser);
    }
    if (!isSsh(uri)) {
      throw new IllegalArgumentException("not an ssh URL (ssh://[user@]host[:port]/path or [user@]host:path)");
    }
    return parseScp(uri, defaultUser);
  }

  private static SshRemote parseUrl(String rest, String defaultUser) {
    if (rest.indexOf('?') >= 0 || rest.indexOf('#') >= 0) {
      throw new IllegalArgumentException("the ssh URL must not have a query or fragment");
    }
    int slash = rest.indexOf('/');
    if (slash < 0 || slash == rest.length() - 1) {
      throw new IllegalArgumentException("the ssh URL names no repository path");
    }
    String authority = rest.substring(0, slash);
    String path = rest.substring(slash);
    String user = defaultUser;
    int at = authority.lastIndexOf('@');
    if (at >= 0) {
      user = userInfo(authority.substring(0, at));
      authority = authority.substring(at + 1);
    }
    String host;
    int port = DEFAULT_PORT;
    String portText = null;
    if (authority.startsWith("[")) {
      int close = authority.indexOf(']');
      if (close < 0) {
        throw new IllegalArgumentException("the ssh host has an unclosed `[`");
      }
      host = authority.substring(1, close);
      String after = authority.substring(close + 1);
      if (!after.isEmpty()) {
        if (!after.startsWith(":")) {
          throw new IllegalArgumentException("unexpected text after the ssh host `[" + GitPolicySource.printable(host)
              + "]`");
        }
        portText = after.substring(1);
      }
      checkIpv6(host);
    } else {
      int colon = authority.indexOf(':');
      host = colon < 0 ? authority : authority.substring(0, colon);
      portText = colon < 0 ? null : authority.substring(colon + 1);
    }
    if (portText != null) {
      port = port(portText);
    }
    return new SshRemote(Form.URL, user, host, port, path);
  }

  private static SshRemote parseScp(String uri, String defaultUser) {
    String user = defaultUser;
    String rest = uri;
    int firstColon = uri.indexOf(':');
    int at = uri.indexOf('@');
    if (at >= 0 && at < firstColon) {
      user = userInfo(uri.substring(0, at));
      rest = uri.substring(at + 1);
    } else if (at >= 0 && uri.substring(0, at).indexOf(':') >= 0 && uri.substring(0, at).indexOf('/') < 0) {
      throw new IllegalArgumentException("the ssh URL embeds a password; use ssh_key_file");
    }
    String host;
    String path;
    if (rest.startsWith("[")) {
      int close = rest.indexOf("]:");
      if (close < 0) {
        throw new IllegalArgumentException("the ssh host has an unclosed `[` or no `:path`");
      }
      host = rest.substring(1, close);
      path = rest.substring(close + 2);
      checkIpv6(host);
    } else {
      int colon = rest.indexOf(':');
      host = rest.substring(0, colon);
      path = rest.substring(colon + 1);
    }
    if (path.isEmpty()) {
      throw new IllegalArgumentException("the ssh URL names no repository path");
    }
    return new SshRemote(Form.SCP, user, host, DEFAULT_PORT, path);
  }

  private static String userInfo(String userInfo) {
    if (userInfo.indexOf(':') >= 0) {
      throw new IllegalArgumentException("the ssh URL embeds a password; use ssh_key_file");
    }
    if (userInfo.indexOf('@') >= 0) {
      throw new IllegalArgumentException("the ssh URL has more than one `@`");
    }
    if (userInfo.startsWith("-")) {
      throw new IllegalArgumentException("the ssh user must not start with `-`");
    }
    return userInfo;
  }

  private static int port(String text) {
    if (!text.matches("[0-9]{1,5}")) {
      throw new IllegalArgumentException("ssh port `" + GitPolicySource.printable(text)
          + "` is not a number in 1..65535");
    }
    int p = Integer.parseInt(text);
    if (p < 1 || p > 65_535) {
      throw new IllegalArgumentException("ssh port " + p + " is outside 1..65535");
    }
    return p;
  }

  private static void checkHost(String host) {
    if (host == null || host.isEmpty()) {
      throw new IllegalArgumentException("the ssh URL names no host");
    }
    if (host.startsWith("-")) {
      throw new IllegalArgumentException("the ssh host must not start with `-`");
    }
    if (host.indexOf(':') >= 0) {
      checkIpv6(host);
      return;
    }
    if (host.length() > 253) {
      throw new IllegalArgumentException("the ssh host is longer than 253 characters");
    }
    for (String label : host.split("\\.", -1)) {
      if (!LABEL.matcher(label).matches()) {
        throw new IllegalArgumentException("the ssh host `" + GitPolicySource.printable(host)
            + "` is not a valid host name or address");
      }
    }
  }

  private static void checkIpv6(String host) {
    if (!IPV6.matcher(host).matches() || host.chars().filter(c -> c == ':').count() < 2) {
      throw new IllegalArgumentException("the ssh host `[" + GitPolicySource.printable(host)
          + "]` is not an IPv6 address");
    }
  }

  private static void checkPath(String path) {
    if (path == null || path.isEmpty() || path.equals("/")) {
      throw new IllegalArgumentException("the ssh URL names no repository path");
    }
    String p = path.startsWith("/") ? path.substring(1) : path;
    if (p.startsWith("-")) {
      throw new IllegalArgumentException("the ssh repository path must not start with `-`");
    }
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c < 0x21 || c == 0x7f || PATH_FORBIDDEN.indexOf(c) >= 0) {
        throw new IllegalArgumentException("the ssh repository path contains `" + GitPolicySource.printable(
            String.valueOf(c)) + "` (whitespace, quotes and shell characters are refused)");
      }
    }
  }

  /** The host as a known_hosts file names it: {@code host}, or {@code [host]:port} off port 22. */
  public String knownHostsName() {
    return port == DEFAULT_PORT ? host : "[" + host + "]:" + port;
  }

  /** The URI handed to JGit, rebuilt from the validated parts. */
  public String toGitUri() {
    String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    if (form == Form.SCP) {
      return user + "@" + h + ":" + path;
    }
    return "ssh://" + user + "@" + h + (port == DEFAULT_PORT ? "" : ":" + port) + path;
  }

  @Override
  public String toString() {
    return toGitUri();
  }
}
