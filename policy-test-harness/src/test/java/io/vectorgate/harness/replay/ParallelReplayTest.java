package io.vectorgate.harness.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectorgate.engine.DecisionEngine;
import io.vectorgate.engine.PolicyEngine;
import io.vectorgate.harness.HarnessException;
import io.vectorgate.harness.Policies;
import io.vectorgate.harness.bench.ReplayBenchmark;
import io.vectorgate.harness.impact.ImpactAnalyzer;
import io.vectorgate.harness.impact.ImpactExpectations;
import io.vectorgate.harness.impact.ImpactReport;
import io.vectorgate.model.Decision;
import io.vectorgate.model.PolicyInput;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Parallel reading and replaying give what one thread gives, in the same order: the same requests
 * from an export (or the first bad line's error), the same rebuilt inputs, errors and decisions per
 * record, malformed records included (each reported against its record, none dropped); and impact
 * analysis rebuilds each record once for both engines.
 */
class ParallelReplayTest {
  @TempDir static Path tmp;
  static PolicyEngine baseline;
  static PolicyEngine candidate;
  static List<String> good;

  @BeforeAll
  static void setUp() throws Exception {
    baseline = Policies.engine(Policies.baseline(tmp.resolve("baseline")), tmp.resolve("work"));
    candidate = Policies.engine(Policies.candidate(tmp.resolve("candidate")), tmp.resolve("work"));
    Path export = tmp.resolve("bench.jsonl");
    ReplayBenchmark.write(export, 2_500, true); // more than one batch of Traffic.BATCH lines
    good = Files.readAllLines(export);
  }

  @AfterAll
  static void tearDown() {
    baseline.close();
    candidate.close();
  }

  /** An export with request entries whose payloads the adapter refuses, other kinds and blank lines mixed in. */
  static List<String> mixed(long seed) {
    Random r = new Random(seed);
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < good.size(); i++) {
      String l = good.get(i);
      switch (r.nextInt(40)) {
        case 0 -> lines.add(l.replace("\"collectionName\":", "\"collectionName\":7,\"x\":")); // not protobuf JSON
        case 1 -> lines.add(l.replace("\"dsl\":\"id > ", "\"dsl\":\"id >> ")); // a filter the adapter refuses
        case 2 -> lines.add(l.replaceFirst("\"request\":\\{.*?\\},\"hash\"", "\"hash\"")); // payload not recorded
        case 3 -> lines.add(l.replace("\"kind\":\"request\"", "\"kind\":\"response\""));
        case 4 -> {
          lines.add("");
          lines.add(l);
        }
        default -> lines.add(l);
      }
    }
    return lines;
  }

  @Test
  void parallelLoadReadsWhatASequentialLoadReads() throws Exception {
    for (long seed = 1; seed <= 3; seed++) {
      Path f = tmp.resolve("mixed-" + seed + ".jsonl");
      Files.write(f, mixed(seed));
      Traffic par = Traffic.loadExport(f, true);
      Traffic seq = Traffic.loadExport(f, false);
      assertEquals(seq.requests(), par.requests());
      assertEquals(seq.state().milvusSchemaCount(), par.state().milvusSchemaCount());
      assertTrue(par.requests().size() > 2_000, "most lines are requests: " + par.requests().size());
    }
  }

  @Test
  void aBadLineFailsTheParallelLoadWithTheFirstBadLinesError() throws Exception {
    List<String> lines = new ArrayList<>(good);
    lines.set(2_300, "{not json");
    lines.set(2_100, lines.get(2_100).replace("2025-03-04T", "yesterday-")); // first bad line, in the second batch
    lines.set(2_400, lines.get(2_400).replace("vectorgate-record/v1", "vectorgate-record/v9"));
    Path f = tmp.resolve("bad.jsonl");
    Files.write(f, lines);
    HarnessException par = assertThrows(HarnessException.class, () -> Traffic.loadExport(f, true));
    HarnessException seq = assertThrows(HarnessException.class, () -> Traffic.loadExport(f, false));
    assertEquals(seq.getMessage(), par.getMessage());
    assertTrue(par.getMessage().startsWith(f + " line 2101: `time` is not an RFC 3339 instant"), par.getMessage());
  }

  @Test
  void aRepeatedIdentityIsConvertedOnceAndABadOneStillNamesItsLine() throws Exception {
    Traffic t = Traffic.load(tmp.resolve("bench.jsonl"));
    assertSame(t.requests().get(0).identity(), t.requests().get(4).identity(), "alice, lines 1 and 5");
    assertSame(t.requests().get(0).connection(), t.requests().get(1).connection());
    assertEquals("bob", t.requests().get(1).identity().subject());
    List<String> lines = new ArrayList<>(good);
    lines.set(8, lines.get(8).replaceFirst("\"identity\":\\{[^}]*\\}", "\"identity\":{\"subject\":\"alice\",\"groups\":{}}"));
    Path f = tmp.resolve("bad-identity.jsonl");
    Files.write(f, lines);
    HarnessException e = assertThrows(HarnessException.class, () -> Traffic.load(f));
    assertTrue(e.getMessage().startsWith(f + " line 9: `identity` does not have the contract's shape"), e.getMessage());
  }

  @Test
  void parallelReplayGivesTheSequentialResultsInOrderWithEveryMalformedRecordReported() throws Exception {
    Path f = tmp.resolve("mixed-replay.jsonl");
    Files.write(f, mixed(7));
    Traffic t = Traffic.load(f);
    List<Replayer.Replayed> seq = Replayer.replay(t.requests(), new InputRebuilder(t.state()), List.of(baseline), 1,
        Replayer.Progress.NONE);
    List<Replayer.Replayed> par = Replayer.replay(t.requests(), new InputRebuilder(t.state()), List.of(baseline), 2,
        Replayer.Progress.NONE);
    assertEquals(t.requests().size(), par.size());
    int errors = 0;
    for (int i = 0; i < par.size(); i++) {
      Replayer.Replayed p = par.get(i);
      Replayer.Replayed s = seq.get(i);
      assertSame(t.requests().get(i), p.source(), "order");
      assertEquals(s.rebuilt().error(), p.rebuilt().error());
      assertEquals(s.rebuilt().input(), p.rebuilt().input());
      assertEquals(s.rebuilt().drift(), p.rebuilt().drift());
      assertEquals(strip(s.decisions()), strip(p.decisions()), p.source().location());
      if (!p.rebuilt().ok()) {
        errors++;
        ReplayError e = p.rebuilt().error();
        assertEquals(p.source().id(), e.recordId());
        assertEquals(p.source().location(), e.location());
        assertTrue(!e.message().isBlank() && p.decisions().isEmpty());
      }
    }
    assertTrue(errors > 100, "the corpus has malformed records: " + errors);
    assertTrue(par.stream().anyMatch(r -> r.rebuilt().ok() && r.decisions().get(0).allow())
        && par.stream().anyMatch(r -> r.rebuilt().ok() && !r.decisions().get(0).allow()), "both outcomes");
  }

  @Test
  void impactDecidesBothSidesOnTheOneRebuiltInput() {
    Traffic t = Traffic.load(tmp.resolve("bench.jsonl"));
    Map<String, PolicyInput> seenByBaseline = new ConcurrentHashMap<>();
    Map<PolicyInput, Boolean> sameInstance = java.util.Collections.synchronizedMap(new IdentityHashMap<>());
    DecisionEngine b = in -> {
      seenByBaseline.put(in.context().requestId(), in);
      return baseline.decide(in);
    };
    DecisionEngine c = in -> {
      sameInstance.put(in, seenByBaseline.get(in.context().requestId()) == in);
      return candidate.decide(in);
    };
    ImpactReport r = ImpactAnalyzer.analyze(t, b, "baseline", "b", c, "candidate", "c", ImpactExpectations.none(), 2,
        Replayer.Progress.NONE);
    assertEquals(t.requests().size(), r.decided());
    assertEquals(t.requests().size(), sameInstance.size(), "one rebuilt input per record");
    assertTrue(sameInstance.values().stream().allMatch(v -> v), "the candidate decided the baseline's input");
    assertNotNull(r.counts());
  }

  /** Decisions without their per-call identity (decision id, time). */
  static List<Decision> strip(List<Decision> ds) {
    return ds.stream().map(d -> d.withIdentity(null, null)).toList();
  }
}
