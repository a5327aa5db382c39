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

  /** Issue 20: a recording with a collection recorded without payloads passes when the expectations say so. */
  @Test
  void unreplayableRecordsCountAsDeclaredAndADeclaredChangeMustHappen(@TempDir Path tmp) throws Exception {
    Path base = HarnessCommandsFixture.baseline(tmp.resolve("base"));
    Path cand = HarnessCommandsFixture.candidate(tmp.resolve("cand"));
    Path export = tmp.resolve("traffic.jsonl");
    HarnessCommandsFixture.export(export);
    ObjectMapper m = new ObjectMapper();
    var first = (com.fasterxml.jackson.databind.node.ObjectNode) m.readTree(Files.readAllLines(export).get(0));
    first.put("id", "rec-0123456789ab-9").put("seq", 9).remove("request"); // recorded without payload
    Files.writeString(export, Files.readString(export) + m.writeValueAsString(first) + "\n");
    String expect = "version: vectorgate-impact-expectations/v1\n%sintended:\n  - change: newly_denied\n    group: analysts\n%s";
    Path strict = tmp.resolve("strict.yaml");
    Files.writeString(strict, expect.formatted("", ""));
    var r = HarnessCommandsFixture.run("impact", "--baseline", base.toString(), "--candidate", cand.toString(),
        "--traffic", export.toString(), "--expect", strict.toString(), "--threads", "1");
    assertEquals(1, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("payload_not_recorded"), r.out());
    Path counted = tmp.resolve("counted.yaml");
    Files.writeString(counted, expect.formatted("unreplayable: count\n", ""));
    r = HarnessCommandsFixture.run("impact", "--baseline", base.toString(), "--candidate", cand.toString(),
        "--traffic", export.toString(), "--expect", counted.toString(), "--threads", "1");
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("1 unreplayable (count)") && r.out().contains("rec-0123456789ab-9"), r.out());
    Path never = tmp.resolve("never.yaml");
    Files.writeString(never, expect.formatted("unreplayable: ignore\n", "  - change: newly_allowed\n"));
    r = HarnessCommandsFixture.run("impact", "--baseline", base.toString(), "--candidate", cand.toString(),
        "--traffic", export.toString(), "--expect", never.toString(), "--threads", "1");
    assertEquals(1, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("intended change `newly_allowed` did not occur"), r.out());
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
    assertTrue(r.err().contains("e.yaml:3:13: intended[0]: `change` must be one of"), r.err()); // file:line:col
  }
}
