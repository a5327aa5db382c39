package io.vectorgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
}
