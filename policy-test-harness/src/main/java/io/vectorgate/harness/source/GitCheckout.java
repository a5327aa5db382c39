package io.vectorgate.harness.source;

import io.vectorgate.harness.HarnessException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jgit.errors.RevisionSyntaxException;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectLoader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.treewalk.filter.PathFilter;

/** Writes a directory of a git revision into a temporary directory, with JGit (no {@code git} binary). */
public final class GitCheckout {
  /** Most files one checkout writes. */
  static final int MAX_FILES = 10_000;
  /** Most bytes one file may have. */
  static final long MAX_FILE_BYTES = 16L << 20;

  private GitCheckout() {}

  /** What was checked out: the commit id and the number of files written. */
  public record Result(String commitId, int files) {
    public String revisionLabel() {
      return "git-" + commitId.substring(0, 12);
    }
  }

  /**
   * The path of {@code dir} relative to the work tree of the git repository containing {@code start},
   * or empty when there is no repository or {@code dir} lies outside it.
   */
  public static java.util.Optional<String> pathInRepository(Path start, Path dir) {
    FileRepositoryBuilder b = new FileRepositoryBuilder().findGitDir(start.toAbsolutePath().toFile());
    if (b.getGitDir() == null || !Files.isDirectory(dir)) {
      return java.util.Optional.empty();
    }
    Path top = b.getGitDir().toPath().toAbsolutePath().normalize().getParent();
    Path abs = dir.toAbsolutePath().normalize();
    return abs.startsWith(top) ? java.util.Optional.of(top.relativize(abs).toString().replace('\\', '/'))
        : java.util.Optional.empty();
  }

  public static Result checkout(PolicySource.GitRevision src, Path out) {
    String where = src.describe();
    FileRepositoryBuilder builder = new FileRepositoryBuilder().readEnvironment().findGitDir(src.repository().toFile());
    if (builder.getGitDir() == null) {
      throw new HarnessException(where, "no git repository at or above " + src.repository());
    }
    try (Repository repo = builder.setMustExist(true).build()) {
      ObjectId id;
      try {
        id = repo.resolve(src.revision() + "^{commit}");
      } catch (RevisionSyntaxException e) {
        throw new HarnessException(where, "`" + src.revision() + "` is not a valid revision: " + e.getMessage(), e);
      }
      if (id == null) {
        throw new HarnessException(where, "unknown revision `" + src.revision() + "` in " + repo.getDirectory()
            + " (and no bundle file or policy directory of that name exists)");
      }
      int files = 0;
      try (RevWalk rw = new RevWalk(repo); TreeWalk tw = new TreeWalk(repo)) {
        RevCommit commit = rw.parseCommit(id);
        tw.addTree(commit.getTree());
        tw.setRecursive(true);
        if (!src.path().isEmpty()) {
          tw.setFilter(PathFilter.create(src.path()));
        }
        Path root = out.toAbsolutePath().normalize();
        Files.createDirectories(root);
        while (tw.next()) {
          String p = tw.getPathString();
          String rel = src.path().isEmpty() ? p : p.substring(Math.min(p.length(), src.path().length() + 1));
          if (rel.isEmpty()) {
            throw new HarnessException(where, "`" + src.path() + "` is a file at " + src.revision() + ", not a directory");
          }
          FileMode mode = tw.getFileMode(0);
          if (mode != FileMode.REGULAR_FILE && mode != FileMode.EXECUTABLE_FILE) {
            throw new HarnessException(where, "`" + p + "` is not a regular file at " + src.revision()
                + " (symlinks and submodules are refused)");
          }
          if (++files > MAX_FILES) {
            throw new HarnessException(where, "more than " + MAX_FILES + " files under `" + src.path() + "`");
          }
          Path target = root.resolve(rel).normalize();
          if (!target.startsWith(root)) {
            throw new HarnessException(where, "path `" + p + "` leaves the checkout directory");
          }
          ObjectLoader loader = repo.open(tw.getObjectId(0));
          if (loader.getSize() > MAX_FILE_BYTES) {
            throw new HarnessException(where, "`" + p + "` is larger than " + MAX_FILE_BYTES + " bytes");
          }
          Files.createDirectories(target.getParent());
          try (OutputStream os = Files.newOutputStream(target)) {
            loader.copyTo(os);
          }
        }
        if (files == 0) {
          throw new HarnessException(where, "no files under `" + (src.path().isEmpty() ? "/" : src.path()) + "` at "
              + src.revision());
        }
      }
      return new Result(id.getName(), files);
    } catch (IOException e) {
      throw new HarnessException(where, "cannot read the git repository: " + e.getMessage(), e);
    }
  }
}
