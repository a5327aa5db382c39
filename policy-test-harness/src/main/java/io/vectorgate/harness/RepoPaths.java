package io.vectorgate.harness;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How reports name files: relative to the policy repository's root (the nearest directory above
 * the policy directory holding {@code .git}; without one, the working directory when the policy
 * directory is under it), never a temporary folder. Staging folders a run created are registered
 * with {@link #alias(Path, Path)} and shown as the source directory they copy.
 */
public final class RepoPaths {
  private static final Pattern LOCATION = Pattern.compile("^(.*?)((?::\\d+){1,2})$");

  private final Path root;
  private final List<Path[]> aliases = new ArrayList<>();

  private RepoPaths(Path root) {
    this.root = root;
  }

  /** The repository root of {@code policyDir} (see the class comment). */
  public static RepoPaths of(Path policyDir) {
    Path dir = policyDir.toAbsolutePath().normalize();
    Path repo = repositoryRoot(dir);
    if (repo != null) {
      return new RepoPaths(repo);
    }
    Path cwd = Path.of("").toAbsolutePath().normalize();
    return new RepoPaths(dir.startsWith(cwd) ? cwd : dir.getParent() == null ? dir : dir.getParent());
  }

  /**
   * How a file named on the command line is shown: relative to the root of the git repository that
   * holds it, or, outside a repository, as given.
   */
  public static String given(Path file) {
    Path repo = repositoryRoot(file.toAbsolutePath().normalize());
    return repo == null ? file.toString() : at(repo).show(file);
  }

  /** The nearest directory at or above {@code dir} holding {@code .git}, or null. */
  private static Path repositoryRoot(Path dir) {
    for (Path p = dir; p != null; p = p.getParent()) {
      if (Files.exists(p.resolve(".git"))) {
        return p;
      }
    }
    return null;
  }

  /** A root given explicitly (tests, or a checkout of a known repository). */
  public static RepoPaths at(Path root) {
    return new RepoPaths(root.toAbsolutePath().normalize());
  }

  public Path root() {
    return root;
  }

  /** Files under {@code staging} are shown as the same relative path under {@code source}. */
  public RepoPaths alias(Path staging, Path source) {
    aliases.add(new Path[] {staging.toAbsolutePath().normalize(), source.toAbsolutePath().normalize()});
    return this;
  }

  /** {@code file} relative to the root ({@code /}-separated); a file outside the root stays absolute. */
  public String show(Path file) {
    Path f = file.toAbsolutePath().normalize();
    for (Path[] a : aliases) {
      if (f.startsWith(a[0])) {
        f = a[1].resolve(a[0].relativize(f).toString()).normalize();
        break;
      }
    }
    if (f.startsWith(root) && !f.equals(root)) {
      return root.relativize(f).toString().replace('\\', '/');
    }
    return f.equals(root) ? "." : f.toString();
  }

  /** {@code file:line[:col]} with the file part shown relative to the root (a bare name is kept). */
  public String location(String location) {
    if (location == null || location.isEmpty()) {
      return "";
    }
    Matcher m = LOCATION.matcher(location);
    String file = m.matches() ? m.group(1) : location;
    String suffix = m.matches() ? m.group(2) : "";
    if (file.isEmpty()) {
      return location;
    }
    Path p = Path.of(file);
    if (!p.isAbsolute() && !Files.exists(p)) {
      return location;
    }
    return show(p) + suffix;
  }

  /** Replaces every registered staging folder and absolute path under the root inside a message. */
  public String text(String s) {
    if (s == null) {
      return null;
    }
    String out = s;
    for (Path[] a : aliases) {
      String src = show(a[1]);
      out = out.replace(a[0] + "/", ".".equals(src) ? "" : src + "/").replace(a[0].toString(), src);
    }
    return out.replace(root + "/", "");
  }

  /** The file part of a {@code file:line[:col]} location. */
  public static String fileOf(String location) {
    Matcher m = LOCATION.matcher(location == null ? "" : location);
    return m.matches() ? m.group(1) : location == null ? "" : location;
  }

  /** The line of a {@code file:line[:col]} location (0 when none). */
  public static int lineOf(String location) {
    Matcher m = LOCATION.matcher(location == null ? "" : location);
    if (!m.matches()) {
      return 0;
    }
    String n = m.group(2).substring(1);
    int i = n.indexOf(':');
    return Integer.parseInt(i < 0 ? n : n.substring(0, i));
  }
}
