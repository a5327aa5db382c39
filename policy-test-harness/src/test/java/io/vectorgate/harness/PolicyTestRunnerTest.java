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
    CaseResult dsl = one(run, "broken.vg");
    assertEquals(CaseResult.Status.FAILED, dsl.status());
    assertTrue(dsl.failures().get(0).contains("broken.vg:2:") && dsl.failures().get(0).contains("VG101"), dsl.failures().get(0));
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
