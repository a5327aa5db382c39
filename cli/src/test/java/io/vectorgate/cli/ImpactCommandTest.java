package io.vectorgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `vectorgate impact` with the real opa, the engine and the gateway's Milvus adapter. */
class ImpactCommandTest {
  @Test
  void reportsTheAffectedRequestsAndFailsOnUndeclaredChanges(@TempDir Path tmp) throws Exception {
    Path base = HarnessCommandsFixture.baseline(tmp.resolve("base"));
    Path cand = HarnessCommandsFixture.candidate(tmp.resolve("cand"));
    Path export = tmp.resolve("traffic.jsonl");
    List<String> affected = HarnessCommandsFixture.export(export);
    Path json = tmp.resolve("out/impact.json");
    Path html = tmp.resolve("out/impact.html");
    Path junit = tmp.resolve("out/impact.xml");
    var r = HarnessCommandsFixture.run("impact", "--baseline", base.toString(), "--candidate", cand.toString(),
        "--traffic", export.toString(), "--json", json.toString(), "--html", html.toString(), "--junit", junit.toString(),
        "--threads", "2");
    assertEquals(1, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("UNEXPECTED") && r.out().contains("newly_denied"), r.out());
    JsonNode report = new ObjectMapper().readTree(json.toFile());
    List<String> changed = new ArrayList<>();
    report.get("changed_records").forEach(c -> changed.add(c.get("record").asText()));
    assertEquals(affected, changed);
    assertEquals(2, report.get("counts").get("newly_denied").asInt());
    assertTrue(Files.readString(html).contains("<svg"));
    assertEquals(2, DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(junit.toFile())
        .getElementsByTagName("failure").getLength(), "one failing case per change group (kb_articles, kb_faq)");

    Path expect = tmp.resolve("expect.yaml");
    Files.writeString(expect, "version: vectorgate-impact-expectations/v1\nintended:\n  - change: newly_denied\n    group: analysts\n");
    r = HarnessCommandsFixture.run("impact", "--baseline", base.toString(), "--candidate", cand.toString(),
        "--traffic", export.toString(), "--expect", expect.toString());
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("PASS"), r.out());
  }

  @Test
  void unusableInputsExitWithTwoAndSayWhere(@TempDir Path tmp) throws Exception {
    Path base = HarnessCommandsFixture.baseline(tmp.resolve("base"));
    var r = HarnessCommandsFixture.run("impact", "--baseline", base.toString(), "--candidate", base.toString(),
        "--traffic", tmp.resolve("missing").toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("missing: traffic source does not exist"), r.err());
    Path expect = tmp.resolve("e.yaml");
    Files.writeString(expect, "version: vectorgate-impact-expectations/v1\nintended:\n  - change: newly_dropped\n");
    Path export = tmp.resolve("t.jsonl");
    HarnessCommandsFixture.export(export);
    r = HarnessCommandsFixture.run("impact", "--baseline", base.toString(), "--candidate", base.toString(),
        "--traffic", export.toString(), "--expect", expect.toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("e.yaml intended[0]: `change` must be one of"), r.err());
  }
}
