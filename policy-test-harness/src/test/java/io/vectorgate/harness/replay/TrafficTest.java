package io.vectorgate.harness.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectorgate.engine.PolicyEngine;
import io.vectorgate.harness.HarnessException;
import io.vectorgate.harness.Policies;
import io.vectorgate.harness.SampleTraffic;
import io.vectorgate.harness.traffic.CaseResult;
import io.vectorgate.harness.traffic.Snapshot;
import io.vectorgate.harness.traffic.TrafficTestFile;
import io.vectorgate.harness.traffic.TrafficTestRunner;
import io.vectorgate.recorder.Exporter;
import io.vectorgate.recorder.index.RecordQuery;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading recordings and exports, malformed recordings, and snapshot mode round trips. */
class TrafficTest {
  @TempDir static Path tmp;
  static PolicyEngine engine;
  static SampleTraffic recorded;
  static Path recording;

  @BeforeAll
  static void setUp() throws Exception {
    engine = Policies.engine(Policies.baseline(tmp.resolve("policy")), tmp.resolve("work"));
    recording = tmp.resolve("recording");
    recorded = SampleTraffic.record(recording, engine);
  }

  @AfterAll
  static void tearDown() {
    engine.close();
  }

  @Test
  void readsEveryRequestOfARecordingAndTheSameFromAnExport() throws Exception {
    Traffic t = Traffic.load(recording);
    assertEquals(recorded.all, t.requests().stream().map(RecordedRequest::id).toList());
    assertEquals(1, t.state().milvusSchemaCount(), "docs, learned from the recorded DescribeCollection response");
    assertEquals(1, t.state().chromaNameCount(), "kb_faq, learned from the recorded create response");
    Path export = tmp.resolve("export.jsonl");
    try (OutputStream out = Files.newOutputStream(export)) {
      Exporter.export(recording, RecordQuery.builder().build(), out);
    }
    Traffic e = Traffic.load(export);
    assertEquals(recorded.all, e.requests().stream().map(RecordedRequest::id).toList());
    assertTrue(e.requests().get(0).location().startsWith(export + " line "), e.requests().get(0).location());
  }

  @Test
  void malformedRecordingsFailWithFileAndLine() throws Exception {
    Path export = tmp.resolve("bad.jsonl");
    String good = "{\"format\":\"vectorgate-record/v1\",\"kind\":\"request\",\"seq\":1,\"id\":\"rec-a-1\","
        + "\"time\":\"2025-03-04T10:00:00Z\",\"connection\":{\"name\":\"m\",\"kind\":\"milvus\"},\"hash\":\"x\"}";
    Files.writeString(export, good + "\n{not json\n");
    HarnessException e = assertThrows(HarnessException.class, () -> Traffic.load(export));
    assertTrue(e.getMessage().startsWith(export + " line 2: not valid JSON"), e.getMessage());

    Files.writeString(export, good.replace("vectorgate-record/v1", "vectorgate-record/v9") + "\n");
    e = assertThrows(HarnessException.class, () -> Traffic.load(export));
    assertTrue(e.getMessage().contains("line 1: unknown record format `vectorgate-record/v9`"), e.getMessage());

    Files.writeString(export, good.replace("\"kind\":\"milvus\"", "\"kind\":\"oracle\"") + "\n");
    e = assertThrows(HarnessException.class, () -> Traffic.load(export));
    assertTrue(e.getMessage().contains("line 1: `connection` does not have the contract's shape"), e.getMessage());

    Files.writeString(export, good.replace("2025-03-04T10:00:00Z", "yesterday") + "\n");
    e = assertThrows(HarnessException.class, () -> Traffic.load(export));
    assertTrue(e.getMessage().contains("line 1: `time` is not an RFC 3339 instant"), e.getMessage());

    Files.writeString(export, good + "\n" + good + "\n");
    e = assertThrows(HarnessException.class, () -> Traffic.load(export));
    assertTrue(e.getMessage().contains("line 2: record id `rec-a-1` appears twice (first at " + export + " line 1)"),
        e.getMessage());

    Path dir = Files.createDirectories(tmp.resolve("corrupt"));
    Path seg = dir.resolve("segment-00000000000000000001.jsonl.gz");
    byte[] gz;
    try (var in = new GZIPInputStream(Files.newInputStream(Files.list(recording)
        .filter(p -> p.getFileName().toString().startsWith("segment-")).findFirst().orElseThrow()))) {
      gz = in.readAllBytes();
    }
    String text = new String(gz, StandardCharsets.UTF_8);
    int third = text.indexOf('\n', text.indexOf('\n') + 1);
    Files.writeString(dir.resolve("segment-00000000000000000001.jsonl"), text.substring(0, third + 1) + "garbage\n"
        + text.substring(third + 1));
    e = assertThrows(HarnessException.class, () -> Traffic.load(dir));
    assertTrue(e.getMessage().contains("segment-00000000000000000001.jsonl line 3"), e.getMessage());
    assertTrue(Files.notExists(seg));

    e = assertThrows(HarnessException.class, () -> Traffic.load(tmp.resolve("nowhere")));
    assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
  }

  @Test
  void snapshotRecordsTodaysDecisionsAsExpectationsThatPassUntilThePolicyChanges() throws Exception {
    Traffic t = Traffic.load(recording);
    List<Replayer.Replayed> replayed = Replayer.replay(t.requests(), new InputRebuilder(t.state()), List.of(engine), 2,
        Replayer.Progress.NONE);
    Path file = tmp.resolve("snap/org.traffic.yaml");
    Files.createDirectories(file.getParent());
    Files.writeString(file, Snapshot.yaml(Snapshot.relative(file, recording), replayed));
    TrafficTestFile parsed = TrafficTestFile.read(file);
    assertEquals(recorded.all.size(), parsed.cases().size());
    List<CaseResult> same = new TrafficTestRunner(engine, 2).run(parsed, Replayer.Progress.NONE);
    assertTrue(same.stream().allMatch(CaseResult::passed), same.toString());
    assertTrue(Files.readString(file).contains("error: payload_not_recorded"));

    try (PolicyEngine candidate = Policies.engine(Policies.candidate(tmp.resolve("candidate")), tmp.resolve("work"))) {
      List<CaseResult> changed = new TrafficTestRunner(candidate, 2).run(parsed, Replayer.Progress.NONE);
      List<String> failed = changed.stream().filter(r -> !r.passed()).map(CaseResult::name).toList();
      assertEquals(recorded.affected.size(), failed.size(), failed.toString());
      for (String id : recorded.affected) {
        assertTrue(failed.stream().anyMatch(n -> n.endsWith("(" + id + ")")), id + " not in " + failed);
      }
    }
  }
}
