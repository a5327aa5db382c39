package io.vectorgate.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectorgate.harness.report.TestReports;
import io.vectorgate.harness.traffic.CaseResult;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/** `vectorgate test` on samples/harness/policy: DSL check, real `opa test`, traffic tests through the engine. */
class PolicyTestRunnerTest {
  static final Path SAMPLE = GatewaySim.ROOT.resolve("samples/harness/policy");

  static PolicyTestRunner.TestRun run(Path dir, Path work) {
    return PolicyTestRunner.run(dir, PolicyTestRunner.Options.defaults(), Policies.loader(), work);
  }

  @Test
  void theSamplePolicyDirectoryPassesAllThreeKindsOfTests(@TempDir Path work) throws Exception {
    PolicyTestRunner.TestRun run = run(SAMPLE, work);
    assertTrue(run.passed(), TestReports.terminal(run));
    assertEquals(List.of("dsl", "opa", "smoke.traffic.yaml"),
        run.results().stream().map(CaseResult::suite).distinct().toList());
    assertEquals(2, run.results().stream().filter(r -> r.suite().equals("opa")).count());
    assertEquals(6, run.results().stream().filter(r -> r.suite().equals("smoke.traffic.yaml")).count());
    assertTrue(run.revision().startsWith("sha256:"), run.revision());

    Document xml = DocumentBuilderFactory.newInstance().newDocumentBuilder()
        .parse(new ByteArrayInputStream(TestReports.junitXml(run).getBytes(StandardCharsets.UTF_8)));
    assertEquals(9, xml.getElementsByTagName("testcase").getLength());
    assertEquals("0", xml.getDocumentElement().getAttribute("failures"));
    String html = TestReports.html(run);
    assertTrue(html.contains("<svg") && html.contains("PASS") && !html.contains("<script"), html);
    assertTrue(TestReports.json(run).contains("\"passed\" : true"));
  }

  @Test
  void failingExpectationsAndBrokenFilesAreReportedWithTheirLocation(@TempDir Path tmp) throws Exception {
    Path dir = tmp.resolve("policy");
    copy(SAMPLE, dir);
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
              allow: true
              limit_cap: {max: 7}
              mask: [{field: phone}]
        """);
    Files.writeString(dir.resolve("tests/broken.traffic.yaml"), """
        version: vectorgate-traffic-test/v1
        cases:
          - name: typo
            record: rec-1-1
            expct: {allow: true}
        """);
    Files.writeString(dir.resolve("bad_test.rego"), """
        package vectorgate_bad_test
        import rego.v1
        test_always_fails if { 1 == 2 }
        """);
    PolicyTestRunner.TestRun run = run(dir, tmp.resolve("work"));
    assertFalse(run.passed());
    CaseResult wrong = one(run, "expects the wrong cap");
    assertEquals(CaseResult.Status.FAILED, wrong.status());
    assertTrue(wrong.location().endsWith("wrong.traffic.yaml:5:5"), wrong.location());
    assertTrue(wrong.failures().contains("expect.limit_cap.max: expected 7, got 100"), wrong.failures().toString());
    assertTrue(wrong.failures().stream().anyMatch(f -> f.startsWith("expect.mask: no mask matches")), wrong.failures().toString());
    CaseResult broken = one(run, "file is valid");
    assertEquals(CaseResult.Status.ERROR, broken.status());
    assertTrue(broken.failures().get(0).contains("broken.traffic.yaml:3:5")
        && broken.failures().get(0).contains("unknown field `cases[0].expct`"), broken.failures().get(0));
    CaseResult opa = one(run, "data.vectorgate_bad_test.test_always_fails");
    assertEquals(CaseResult.Status.FAILED, opa.status());
    assertTrue(opa.location().endsWith("bad_test.rego:3"), opa.location());
  }

  @Test
  void dslErrorsFailTheDslSuiteWithFileLineAndCode(@TempDir Path tmp) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("p"));
    Files.writeString(dir.resolve("broken.vg"), "policy \"b\" version 1\nallow serch on collection \"x\" for anyone\n");
    PolicyTestRunner.TestRun run = run(dir, tmp.resolve("work"));
    CaseResult dsl = one(run, "p/broken.vg"); // no repository: relative to the directory above the policy directory
    assertEquals(CaseResult.Status.FAILED, dsl.status());
    assertTrue(dsl.failures().get(0).contains("broken.vg:2:") && dsl.failures().get(0).contains("VG101"), dsl.failures().get(0));
  }

  /**
   * Issue 20: in a git repository every location, message and JUnit attribute names the file
   * relative to the repository root, once; never a temporary folder.
   */
  @Test
  void everyProblemNamesItsRepositoryPathOnce(@TempDir Path tmp) throws Exception {
    Path repo = tmp.resolve("repo");
    org.eclipse.jgit.api.Git.init().setDirectory(repo.toFile()).call().close();
    Path dir = repo.resolve("policies");
    copy(SAMPLE, dir);
    Path work = tmp.resolve("work");

    // a Rego syntax error: one compile case, not also an opa suite error
    Files.createDirectories(dir.resolve("rules"));
    Files.writeString(dir.resolve("rules/broken.rego"), "package vectorgate\n\nimport rego.v1\n\nx := input.y ++ 1\n");
    PolicyTestRunner.TestRun run = run(dir, work);
    List<CaseResult> bad = run.results().stream().filter(r -> !r.passed()).toList();
    assertEquals(1, bad.size(), TestReports.terminal(run));
    assertEquals("compile", bad.get(0).suite());
    assertTrue(bad.get(0).location().matches("policies/rules/broken\\.rego:5(:\\d+)?"), bad.get(0).location());
    assertTrue(bad.get(0).failures().get(0).startsWith("policies/rules/broken.rego:5"), bad.get(0).failures().toString());
    assertNoTemporaryPath(run, tmp);
    Document xml = junit(run);
    assertEquals("policies/rules/broken.rego", testcase(xml, "policy compiles").getAttribute("file"));
    assertEquals("5", testcase(xml, "policy compiles").getAttribute("line"));
    Files.delete(dir.resolve("rules/broken.rego"));

    // a DSL error in a sub-directory: the dsl suite names it, and nothing else runs
    Files.writeString(dir.resolve("rules/bad.vg"), "policy \"b\" version 1\nallow serch on collection \"x\" for anyone\n");
    run = run(dir, work);
    bad = run.results().stream().filter(r -> !r.passed()).toList();
    assertEquals(1, bad.size(), TestReports.terminal(run));
    assertEquals("policies/rules/bad.vg", bad.get(0).name());
    assertEquals("policies/rules/bad.vg:2", bad.get(0).location());
    assertTrue(bad.get(0).failures().get(0).startsWith("policies/rules/bad.vg:2:"), bad.get(0).failures().toString());
    assertEquals("policies/rules/bad.vg", testcase(junit(run), "policies/rules/bad.vg").getAttribute("file"));
    Files.delete(dir.resolve("rules/bad.vg"));

    // a failing Rego test (with the failing expression and its values) and a failing traffic case
    Files.writeString(dir.resolve("tests/values_test.rego"), """
        package vectorgate_values_test

        import rego.v1

        test_values if {
        	x := 2
        	x == 1
        }
        """);
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
    run = run(dir, work);
    CaseResult rego = one(run, "data.vectorgate_values_test.test_values");
    assertEquals("policies/tests/values_test.rego:5", rego.location());
    String detail = rego.failures().get(0);
    assertTrue(detail.startsWith("test rule is not true:\npolicies/tests/values_test.rego:7:"), detail);
    assertTrue(detail.contains("x == 1") && detail.contains("2"), detail);
    CaseResult traffic = one(run, "expects the wrong cap");
    assertEquals("policies/tests/wrong.traffic.yaml:5:5", traffic.location());
    assertNoTemporaryPath(run, tmp);
    xml = junit(run);
    assertEquals("policies/tests/values_test.rego", testcase(xml, "data.vectorgate_values_test.test_values")
        .getAttribute("file"));
    assertEquals("5", testcase(xml, "data.vectorgate_values_test.test_values").getAttribute("line"));
    assertEquals("policies/tests/wrong.traffic.yaml", testcase(xml, "expects the wrong cap").getAttribute("file"));
    assertEquals("5", testcase(xml, "expects the wrong cap").getAttribute("line"));
  }

  /** `vectorgate test --coverage`: Rego line coverage of the directory's own modules, with a threshold. */
  @Test
  void coverageIsMeasuredPerFileAndFailsBelowTheThreshold(@TempDir Path tmp) throws Exception {
    Path repo = tmp.resolve("repo");
    org.eclipse.jgit.api.Git.init().setDirectory(repo.toFile()).call().close();
    Path dir = repo.resolve("policies");
    copy(SAMPLE, dir);
    Files.writeString(dir.resolve("extra.rego"), """
        package vectorgate.extra

        import rego.v1

        tested if input.x == 1

        untested if {
        	input.y == 2
        	input.z == 3
        }
        """);
    Files.writeString(dir.resolve("extra_test.rego"), """
        package vectorgate.extra_test

        import rego.v1

        test_tested if data.vectorgate.extra.tested with input as {"x": 1}
        """);
    PolicyTestRunner.Options strict = new PolicyTestRunner.Options(false, 2, List.of(), null, true, 99.0);
    PolicyTestRunner.TestRun run = PolicyTestRunner.run(dir, strict, Policies.loader(), tmp.resolve("w1"));
    CaseResult cov = run.results().stream().filter(r -> r.suite().equals("coverage")).findFirst().orElseThrow();
    assertEquals(CaseResult.Status.FAILED, cov.status(), TestReports.terminal(run));
    assertTrue(cov.name().startsWith("rego line coverage ") && cov.name().endsWith("(threshold 99.0%)"), cov.name());
    String extra = cov.failures().stream().filter(f -> f.startsWith("policies/extra.rego: ")).findFirst()
        .orElseThrow(() -> new AssertionError(cov.failures().toString()));
    assertTrue(extra.contains("not covered: 7-9") || extra.contains("not covered: 8-9"), extra);
    assertTrue(cov.failures().stream().noneMatch(f -> f.contains("_test.rego") || f.contains("library")),
        cov.failures().toString());
    assertTrue(cov.failures().stream().anyMatch(f -> f.startsWith("policies/policy.vg.rego: ")), cov.failures().toString());
    assertFalse(run.passed());

    PolicyTestRunner.Options loose = new PolicyTestRunner.Options(false, 2, List.of(), null, true, 10.0);
    run = PolicyTestRunner.run(dir, loose, Policies.loader(), tmp.resolve("w2"));
    assertTrue(run.passed(), TestReports.terminal(run));
    assertTrue(TestReports.terminal(run).contains("COVERAGE  rego line coverage "), TestReports.terminal(run));
    org.junit.jupiter.api.Assertions.assertThrows(HarnessException.class,
        () -> new PolicyTestRunner.Options(false, 2, List.of(), null, true, 101.0));
  }

  private static void assertNoTemporaryPath(PolicyTestRunner.TestRun run, Path tmp) {
    String all = TestReports.terminal(run) + TestReports.junitXml(run).replace(run.policyDir().toString(), "<dir>");
    assertFalse(all.contains(tmp.toString()) || all.contains("prepared") || all.contains("opa-tests-"), all);
  }

  private static Document junit(PolicyTestRunner.TestRun run) throws Exception {
    return DocumentBuilderFactory.newInstance().newDocumentBuilder()
        .parse(new ByteArrayInputStream(TestReports.junitXml(run).getBytes(StandardCharsets.UTF_8)));
  }

  private static org.w3c.dom.Element testcase(Document xml, String name) {
    var cases = xml.getElementsByTagName("testcase");
    for (int i = 0; i < cases.getLength(); i++) {
      var e = (org.w3c.dom.Element) cases.item(i);
      if (e.getAttribute("name").equals(name)) {
        return e;
      }
    }
    throw new AssertionError("no testcase " + name);
  }

  static CaseResult one(PolicyTestRunner.TestRun run, String name) {
    return run.results().stream().filter(r -> r.name().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no case " + name + " in\n" + TestReports.terminal(run)));
  }

  static void copy(Path from, Path to) throws Exception {
    try (Stream<Path> walk = Files.walk(from)) {
      for (Path p : walk.toList()) {
        Path t = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t);
        }
      }
    }
  }
}
