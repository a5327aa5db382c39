package io.vectorgate.harness.source;

import io.vectorgate.harness.HarnessException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A policy to decide with: a compiled bundle ({@code bundle.tar.gz}), a policy directory ({@code .rego},
 * {@code .vg}, {@code data.json}), or a policy directory as it was at a git revision.
 */
public sealed interface PolicySource {

  /** A human-readable name for reports. */
  String describe();

  /** A bundle built by {@code vectorgate policy compile} or {@code opa build -t wasm}. */
  record BundleFile(Path path) implements PolicySource {
    @Override
    public String describe() {
      return "bundle " + path;
    }
  }

  /** A policy directory in the working tree. */
  record Directory(Path path) implements PolicySource {
    @Override
    public String describe() {
      return "directory " + path;
    }
  }

  /** The directory {@code path} (relative to the repository root; empty = the root) at {@code revision}. */
  record GitRevision(Path repository, String revision, String path) implements PolicySource {
    @Override
    public String describe() {
      return "git " + revision + (path.isEmpty() ? "" : ":" + path);
    }
  }

  /**
   * Reads a command-line spec: {@code git:REV[:PATH]} is a git revision; an existing {@code .tar.gz}
   * / {@code .tgz} file a bundle; an existing directory a policy directory; anything else is taken as
   * a git revision {@code REV[:PATH]}. A revision without a path uses {@code defaultPath} (the
   * policy directory's path inside the repository).
   *
   * @param repository the git work tree (or any directory inside it) for revisions
   */
  static PolicySource parse(String spec, Path repository, String defaultPath) {
    if (spec == null || spec.isBlank()) {
      throw new HarnessException("", "empty policy source");
    }
    if (spec.startsWith("git:")) {
      return git(spec.substring(4), repository, defaultPath, spec);
    }
    Path p = Path.of(spec);
    if (Files.isRegularFile(p)) {
      String name = p.getFileName().toString();
      if (name.endsWith(".tar.gz") || name.endsWith(".tgz")) {
        return new BundleFile(p);
      }
      throw new HarnessException(spec, "a policy file must be a bundle (.tar.gz); give a policy directory for sources");
    }
    if (Files.isDirectory(p)) {
      return new Directory(p);
    }
    return git(spec, repository, defaultPath, spec);
  }

  private static PolicySource git(String revAndPath, Path repository, String defaultPath, String spec) {
    if (revAndPath.isEmpty()) {
      throw new HarnessException(spec, "git source without a revision");
    }
    if (repository == null) {
      throw new HarnessException(spec, "`" + spec + "` is neither a bundle nor a directory, and no git repository was given");
    }
    int colon = revAndPath.indexOf(':');
    String rev = colon < 0 ? revAndPath : revAndPath.substring(0, colon);
    String path = colon < 0 ? (defaultPath == null ? "" : defaultPath) : revAndPath.substring(colon + 1);
    path = path.replace('\\', '/');
    while (path.startsWith("./")) {
      path = path.substring(2);
    }
    while (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    if (path.equals(".")) {
      path = "";
    }
    if (path.startsWith("/") || path.equals("..") || path.startsWith("../") || path.contains("/../")) {
      throw new HarnessException(spec, "git path `" + path + "` must be relative to the repository root and stay inside it");
    }
    return new GitRevision(repository, rev, path);
  }
}
