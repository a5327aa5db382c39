package io.vectorgate.harness.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectorgate.harness.HarnessException;
import io.vectorgate.harness.Policies;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Policy sources: directories, bundles and git revisions (JGit) compile to the same bundles. */
class PolicySourceTest {
  @Test
  void gitRevisionsCheckOutThePolicyDirectoryAsCommitted(@TempDir Path tmp) throws Exception {
    Path repo = tmp.resolve("repo");
    try (Git git = Git.init().setDirectory(repo.toFile()).setInitialBranch("main").call()) {
      Policies.baseline(repo.resolve("policies"));
      Files.writeString(repo.resolve("README.md"), "not a policy\n");
      git.add().addFilepattern(".").call();
      git.commit().setMessage("baseline").setAuthor("t", "t@example.com").setCommitter("t", "t@example.com").setSign(false).call();
      Files.delete(repo.resolve("policies/policy.vg"));
      Policies.candidate(repo.resolve("policies"));
      git.add().addFilepattern(".").call();
      git.commit().setMessage("candidate").setAuthor("t", "t@example.com").setCommitter("t", "t@example.com").setSign(false).call();
    }
    PolicySource base = PolicySource.parse("HEAD~1", repo, "policies");
    assertEquals(new PolicySource.GitRevision(repo, "HEAD~1", "policies"), base);
    assertEquals(new PolicySource.GitRevision(repo, "main", "policies"), PolicySource.parse("git:main:./policies/", repo, "x"));
    assertInstanceOf(PolicySource.Directory.class, PolicySource.parse(repo.resolve("policies").toString(), repo, ""));

    PolicyLoader loader = Policies.loader();
    PolicyLoader.Loaded atBase = loader.load(base, tmp.resolve("w"));
    PolicyLoader.Loaded atHead = loader.load(PolicySource.parse("HEAD", repo, "policies"), tmp.resolve("w"));
    assertTrue(atBase.revision().startsWith("git-"), atBase.revision());
    assertNotEquals(atBase.revision(), atHead.revision());
    String baseRego = Files.readString(atBase.preparedDir().resolve("policy.vg.rego"));
    String headRego = Files.readString(atHead.preparedDir().resolve("policy.vg.rego"));
    assertNotEquals(baseRego, headRego, "the two revisions hold different policies");
    // the working-tree directory builds the same policy as HEAD
    PolicyLoader.Loaded dir = loader.load(new PolicySource.Directory(repo.resolve("policies")), tmp.resolve("w"));
    assertEquals(headRego, Files.readString(dir.preparedDir().resolve("policy.vg.rego")));
    // a bundle written from it loads as a bundle source
    Path bundle = tmp.resolve("b.tar.gz");
    Files.write(bundle, dir.bundle().toTarGz());
    assertEquals(dir.revision(), loader.load(PolicySource.parse(bundle.toString(), repo, ""), tmp.resolve("w")).revision());

    HarnessException e = assertThrows(HarnessException.class,
        () -> loader.load(PolicySource.parse("no-such-rev", repo, "policies"), tmp.resolve("w")));
    assertTrue(e.getMessage().contains("unknown revision `no-such-rev`"), e.getMessage());
    e = assertThrows(HarnessException.class, () -> loader.load(PolicySource.parse("HEAD:missing", repo, ""), tmp.resolve("w")));
    assertTrue(e.getMessage().contains("no files under `missing`"), e.getMessage());
    e = assertThrows(HarnessException.class, () -> PolicySource.parse("HEAD:../etc", repo, ""));
    assertTrue(e.getMessage().contains("must be relative"), e.getMessage());
    e = assertThrows(HarnessException.class, () -> loader.load(PolicySource.parse("HEAD", tmp.resolve("elsewhere"), ""),
        tmp.resolve("w")));
    assertTrue(e.getMessage().contains("no git repository"), e.getMessage());
  }

  @Test
  void brokenPoliciesFailWithTheirDiagnostics(@TempDir Path tmp) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("p"));
    Files.writeString(dir.resolve("x.rego"), "package vectorgate\n\nallow contains x if {\n  x := http.send({})\n}\n");
    HarnessException e = assertThrows(HarnessException.class,
        () -> Policies.loader().load(new PolicySource.Directory(dir), tmp.resolve("w")));
    assertTrue(e.getMessage().contains("x.rego:4") && e.getMessage().contains("http.send"), e.getMessage());
  }
}
