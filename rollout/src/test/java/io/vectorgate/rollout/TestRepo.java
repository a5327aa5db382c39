package io.vectorgate.rollout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.ResetCommand;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;

/** A real git repository on disk, written through JGit, standing in for the policy repository. */
final class TestRepo implements AutoCloseable {
  final Path dir;
  final Git git;

  private TestRepo(Path dir, Git git) {
    this.dir = dir;
    this.git = git;
  }

  static TestRepo create(Path dir) throws GitAPIException {
    return new TestRepo(dir, Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call());
  }

  /** Writes {@code files} (path → content; null content deletes) and commits them; returns the commit id. */
  String commit(String message, Map<String, String> files) throws IOException, GitAPIException {
    for (Map.Entry<String, String> e : files.entrySet()) {
      Path f = dir.resolve(e.getKey());
      if (e.getValue() == null) {
        Files.deleteIfExists(f);
        git.rm().addFilepattern(e.getKey()).call();
      } else {
        Files.createDirectories(f.getParent());
        Files.writeString(f, e.getValue(), StandardCharsets.UTF_8);
        git.add().addFilepattern(e.getKey()).call();
      }
    }
    PersonIdent who = new PersonIdent("Policy Author", "author@example.test");
    RevCommit c = git.commit().setMessage(message).setAuthor(who).setCommitter(who).call();
    return c.getName();
  }

  /** Like {@link #commit}, signed with the SSH private key file {@code key} (as `git commit -S` with gpg.format=ssh). */
  String commitSigned(String message, Map<String, String> files, Path key) throws IOException, GitAPIException {
    var cfg = git.getRepository().getConfig();
    cfg.setString("gpg", null, "format", "ssh");
    cfg.save();
    for (Map.Entry<String, String> e : files.entrySet()) {
      Path f = dir.resolve(e.getKey());
      Files.createDirectories(f.getParent());
      Files.writeString(f, e.getValue(), StandardCharsets.UTF_8);
      git.add().addFilepattern(e.getKey()).call();
    }
    PersonIdent who = new PersonIdent("Policy Author", "author@example.test");
    return git.commit().setMessage(message).setAuthor(who).setCommitter(who).setSign(true)
        .setSigningKey(key.toAbsolutePath().toString()).call().getName();
  }

  /**
   * Like {@link #commit}, with committer e-mail {@code committerEmail}, OpenPGP-signed with {@code key}
   * (as `git commit -S` with gpg).
   */
  String commitSignedOpenPgp(String message, Map<String, String> files,
      org.bouncycastle.openpgp.api.OpenPGPKey key, String committerEmail) throws IOException, GitAPIException {
    var cfg = git.getRepository().getConfig();
    cfg.setString("gpg", null, "format", "openpgp");
    cfg.save();
    for (Map.Entry<String, String> e : files.entrySet()) {
      Path f = dir.resolve(e.getKey());
      Files.createDirectories(f.getParent());
      Files.writeString(f, e.getValue(), StandardCharsets.UTF_8);
      git.add().addFilepattern(e.getKey()).call();
    }
    PersonIdent who = new PersonIdent("Policy Author", committerEmail);
    return git.commit().setMessage(message).setAuthor(who).setCommitter(who).setSign(true)
        .setSigner(OpenPgpTestKeys.signer(key)).call().getName();
  }

  /** Moves the branch to {@code revision} as a force-push would. */
  void resetHard(String revision) throws GitAPIException {
    git.reset().setMode(ResetCommand.ResetType.HARD).setRef(revision).call();
  }

  /** Deletes branch {@code main} (HEAD moves to a new branch {@code other}). */
  void deleteMain() throws GitAPIException {
    git.checkout().setCreateBranch(true).setName("other").call();
    git.branchDelete().setBranchNames("main").setForce(true).call();
  }

  String uri() {
    return dir.toString();
  }

  @Override
  public void close() {
    git.close();
  }
}
