package io.vectorgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `vectorgate test` on samples/harness/policy, and snapshot mode on a recording export. */
class TestCommandTest {
  static final Path SAMPLE = HarnessCommandsFixture.ROOT.resolve("samples/harness/policy");

  @Test
  void runsDslOpaAndTrafficTestsAndWritesReports(@TempDir Path tmp) throws Exception {
    Path junit = tmp.resolve("r/junit.xml");
    Path json = tmp.resolve("r/report.json");
    Path html = tmp.resolve("r/report.html");
    var r = HarnessCommandsFixture.run("test", SAMPLE.toString(), "--junit", junit.toString(), "--json", json.toString(),
        "--html", html.toString(), "--threads", "2");
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("PASS: 9 passed, 0 failed, 0 errors"), r.out());
    assertEquals(9, DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(junit.toFile())
        .getElementsByTagName("testcase").getLength());
    assertTrue(Files.readString(json).contains("\"passed\" : true"));
    assertTrue(Files.readString(html).contains("smoke.traffic.yaml"));
  }

  @Test
  void snapshotThenTestPassesUntilThePolicyChanges(@TempDir Path tmp) throws Exception {
    Path base = HarnessCommandsFixture.baseline(tmp.resolve("base"));
    Path export = tmp.resolve("traffic.jsonl");
    var affected = HarnessCommandsFixture.export(export);
    Path snap = tmp.resolve("snap/recorded.traffic.yaml");
    var r = HarnessCommandsFixture.run("test", base.toString(), "--snapshot", export.toString(), "--out", snap.toString());
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(Files.readString(snap).contains("recording: ../traffic.jsonl"), Files.readString(snap));
    r = HarnessCommandsFixture.run("test", base.toString(), "--traffic", snap.toString());
    assertEquals(0, r.code(), r.out() + r.err());
    Path cand = HarnessCommandsFixture.candidate(tmp.resolve("cand"));
    r = HarnessCommandsFixture.run("test", cand.toString(), "--traffic", snap.toString());
    assertEquals(1, r.code(), r.out() + r.err());
    for (String id : affected) {
      assertTrue(r.out().contains("FAILED  recorded.traffic.yaml / query") && r.out().contains(id), r.out());
    }
    r = HarnessCommandsFixture.run("test", base.toString(), "--snapshot", export.toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--snapshot needs --out"), r.err());
  }

  /**
   * Issue 20: in a git repository, `vectorgate test` names every file relative to the repository
   * root, reports each problem once, exits 1 on failures and 2 on unusable input, and writes JUnit
   * `file`/`line` attributes that point at files.
   */
  @Test
  void failuresNameRepositoryPathsOnceWithExitCodesAndJunitAttributes(@TempDir Path tmp) throws Exception {
    Path repo = tmp.resolve("repo");
    org.eclipse.jgit.api.Git.init().setDirectory(repo.toFile()).call().close();
    Path dir = repo.resolve("policies");
    Files.createDirectories(dir.resolve("tests"));
    Files.copy(SAMPLE.resolve("policy.vg"), dir.resolve("policy.vg"));
    Files.copy(SAMPLE.resolve("policy_test.rego"), dir.resolve("policy_test.rego"));
    Files.copy(SAMPLE.resolve("tests/smoke.traffic.yaml"), dir.resolve("tests/smoke.traffic.yaml"));
    Path junit = tmp.resolve("junit.xml");

    Files.writeString(dir.resolve("broken.rego"), "package vectorgate\n\nimport rego.v1\n\nx := input.y ++ 1\n");
    var r = HarnessCommandsFixture.run("test", dir.toString(), "--junit", junit.toString(), "--threads", "1");
    assertEquals(1, r.code(), r.out() + r.err());
    assertEquals(1, r.out().split("rego_parse_error", -1).length - 1, "reported once:\n" + r.out());
    assertTrue(r.out().contains("policies/broken.rego:5"), r.out());
    assertFalse(r.out().contains(tmp.toString()) || r.out().contains("vectorgate-test-"), r.out());
    var xml = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(junit.toFile());
    var cases = xml.getElementsByTagName("testcase");
    var tc = (org.w3c.dom.Element) cases.item(cases.getLength() - 1);
    assertEquals("policy compiles", tc.getAttribute("name"));
    assertEquals("policies/broken.rego", tc.getAttribute("file"));
    assertEquals("5", tc.getAttribute("line"));
    Files.delete(dir.resolve("broken.rego"));

    Files.writeString(dir.resolve("tests/wrong.traffic.yaml"), """
        version: vectorgate-traffic-test/v1
        defaults:
          connection: {name: milvus-main, kind: milvus}
        cases:
          - name: expects the wrong cap
            identity: {subject: alice, groups: [analysts]}
            request:
              rpc: Query
              message: {collectionName: docs, expr: "id > 0"}
            expect:
              limit_cap: {max: 7}
        """);
    r = HarnessCommandsFixture.run("test", dir.toString(), "--junit", junit.toString(), "--threads", "1");
    assertEquals(1, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("(policies/tests/wrong.traffic.yaml:5:5)"), r.out());
    String x = Files.readString(junit);
    assertTrue(x.contains("file=\"policies/tests/wrong.traffic.yaml\" line=\"5\""), x);
    assertTrue(x.contains("file=\"policies/policy_test.rego\""), x);
    assertFalse(x.contains(tmp.toString()), x);

    var missing = HarnessCommandsFixture.run("test", repo.resolve("nope").toString());
    assertEquals(2, missing.code(), missing.out() + missing.err());
  }

  /**
   * Issue 20: a DSL error under `vectorgate test` is one failed `dsl` case named by the file's path
   * relative to the repository root, in the output and in the JUnit `file`/`line` attributes; it is
   * not reported again by a compile or opa suite, and the exit code is 1.
   */
  @Test
  void dslFailuresNameRepositoryPathsOnceWithJunitAttributes(@TempDir Path tmp) throws Exception {
    Path repo = tmp.resolve("repo");
    org.eclipse.jgit.api.Git.init().setDirectory(repo.toFile()).call().close();
    Path dir = repo.resolve("policies");
    Files.createDirectories(dir.resolve("team"));
    Files.copy(SAMPLE.resolve("policy.vg"), dir.resolve("policy.vg"));
    Files.copy(SAMPLE.resolve("policy_test.rego"), dir.resolve("policy_test.rego"));
    Files.writeString(dir.resolve("team/extra.vg"), "policy \"extra\" version 1\n\nallow serch on collection \"docs\"\n");
    Path junit = tmp.resolve("junit.xml");
    var r = HarnessCommandsFixture.run("test", dir.toString(), "--junit", junit.toString(), "--threads", "1");
    assertEquals(1, r.code(), r.out() + r.err());
    assertEquals(1, r.out().split("VG101", -1).length - 1, "reported once:\n" + r.out());
    assertTrue(r.out().contains("policies/team/extra.vg:3:7: error VG101: unknown action `serch`"), r.out());
    assertFalse(r.out().contains(tmp.toString()) || r.out().contains("vectorgate-test-"), r.out());
    var xml = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(junit.toFile());
    var cases = xml.getElementsByTagName("testcase");
    org.w3c.dom.Element failed = null;
    for (int i = 0; i < cases.getLength(); i++) {
      var tc = (org.w3c.dom.Element) cases.item(i);
      assertFalse(tc.getAttribute("file").contains(tmp.toString()), tc.getAttribute("file"));
      if (tc.getElementsByTagName("failure").getLength() > 0 || tc.getElementsByTagName("error").getLength() > 0) {
        assertEquals(null, failed, "one failing case only");
        failed = tc;
      }
    }
    assertTrue(failed != null, Files.readString(junit));
    assertEquals("dsl", failed.getAttribute("classname"));
    assertEquals("policies/team/extra.vg", failed.getAttribute("file"));
    assertEquals("3", failed.getAttribute("line"));
  }
}
