package io.vectorgate.harness.impact;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectorgate.engine.PolicyEngine;
import io.vectorgate.harness.Policies;
import io.vectorgate.harness.SampleTraffic;
import io.vectorgate.harness.replay.ReplayError;
import io.vectorgate.harness.replay.Replayer;
import io.vectorgate.harness.replay.Traffic;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Baseline vs a candidate changing one rule, on a recorded Milvus + Chroma session, with the real engine. */
class ImpactAnalyzerTest {
  @TempDir static Path tmp;
  static PolicyEngine baseline;
  static PolicyEngine candidate;
  static SampleTraffic recorded;
  static Traffic traffic;

  @BeforeAll
  static void setUp() throws Exception {
    baseline = Policies.engine(Policies.baseline(tmp.resolve("baseline")), tmp.resolve("work"));
    candidate = Policies.engine(Policies.candidate(tmp.resolve("candidate")), tmp.resolve("work"));
    recorded = SampleTraffic.record(tmp.resolve("recording"), baseline);
    traffic = Traffic.load(tmp.resolve("recording"));
  }

  @AfterAll
  static void tearDown() {
    baseline.close();
    candidate.close();
  }

  static ImpactReport run(ImpactExpectations e) {
    return ImpactAnalyzer.analyze(traffic, baseline, "baseline", "b", candidate, "candidate", "c", e, 2,
        Replayer.Progress.NONE);
  }

  @Test
  void namesExactlyTheRequestsTheChangedRuleAffects() {
    ImpactReport r = run(ImpactExpectations.none());
    assertEquals(recorded.all.size(), r.requests());
    Set<String> changed = r.changes().stream().map(c -> c.source().id()).collect(Collectors.toSet());
    assertEquals(Set.copyOf(recorded.affected), changed, ImpactReportsText.of(r));
    assertTrue(r.changes().stream().allMatch(c -> c.kind() == ChangeKind.NEWLY_DENIED));
    assertEquals(3, r.counts().get(ChangeKind.NEWLY_DENIED));
    assertEquals(0, r.counts().get(ChangeKind.NEWLY_ALLOWED));
    // grouped by action, collection and identity group: milvus query and chroma search on customers by analysts
    Set<String> groups = r.groups().stream().map(g -> g.kind().wireName() + "|" + g.action() + "|" + g.collection() + "|"
        + g.group() + "|" + g.count()).collect(Collectors.toSet());
    assertEquals(Set.of("newly_denied|query|kb_articles|analysts|2", "newly_denied|search|kb_faq|analysts|1"), groups);
    assertTrue(r.groups().stream().allMatch(g -> g.aspects().contains("no_allow_rule")), r.groups().toString());
    assertFalse(r.passed(), "undeclared changes fail the run");
    assertEquals(3, r.unexpectedChanges());
  }

  @Test
  void declaredChangesPassAndUndeclaredOrMissingOnesFail() throws Exception {
    Path ok = tmp.resolve("intended.yaml");
    Files.writeString(ok, """
        version: vectorgate-impact-expectations/v1
        intended:
          - change: newly_denied
            collection: kb_articles
            group: analysts
            note: analysts lose knowledge-base reads (ticket 42)
          - change: newly_denied
            action: search
            collection: kb_faq
        """);
    ImpactReport r = run(ImpactExpectations.read(ok));
    assertEquals(0, r.unexpectedChanges());
    assertTrue(r.notObserved().isEmpty(), r.notObserved().toString());
    assertEquals(1, r.errors().size(), "only the unrecorded payload is an error: " + r.errors());
    assertFalse(r.passed(), "an error fails the run");

    Path partial = tmp.resolve("partial.yaml");
    Files.writeString(partial, """
        version: vectorgate-impact-expectations/v1
        intended:
          - change: newly_denied
            action: query
            collection: kb_articles
            max: 1
          - change: newly_allowed
            collection: docs
        """);
    ImpactReport p = run(ImpactExpectations.read(partial));
    assertEquals(1, p.unexpectedChanges(), "the chroma search is not covered");
    assertEquals(2, p.notObserved().size(), p.notObserved().toString());
    assertTrue(p.notObserved().get(0).contains("more than its max 1"), p.notObserved().get(0));
    assertTrue(p.notObserved().get(1).contains("intended[1]") && p.notObserved().get(1).contains("did not occur"),
        p.notObserved().get(1));
  }

  @Test
  void adapterRefusalsMatchingTheRecordAreNotErrorsButMissingPayloadsAre() {
    ImpactReport r = run(ImpactExpectations.none());
    assertEquals(1, r.refusedAsRecorded());
    List<ReplayError> errors = r.errors();
    assertEquals(1, errors.size());
    assertEquals(recorded.unrecorded, errors.get(0).recordId());
    assertEquals("payload_not_recorded", errors.get(0).code());
    assertTrue(errors.get(0).location().contains("segment-"), errors.get(0).location());
  }

  /** Issue 20: expectations state how unreplayable records (recorded without payloads) count. */
  @Test
  void unreplayableRecordsCountAsTheExpectationsSay() throws Exception {
    String intended = """
        version: vectorgate-impact-expectations/v1
        unreplayable: %s
        intended:
          - change: newly_denied
            collection: kb_articles
          - change: newly_denied
            collection: kb_faq
        """;
    for (String mode : List.of("count", "ignore")) {
      Path f = tmp.resolve("unreplayable-" + mode + ".yaml");
      Files.writeString(f, intended.formatted(mode));
      ImpactReport r = run(ImpactExpectations.read(f));
      assertTrue(r.errors().isEmpty(), mode + ": " + r.errors());
      assertEquals(List.of(recorded.unrecorded), r.unreplayable().stream().map(ReplayError::recordId).toList(), mode);
      assertTrue(r.passed(), mode + ": " + io.vectorgate.harness.report.ImpactReports.terminal(r));
      String text = io.vectorgate.harness.report.ImpactReports.terminal(r);
      assertTrue(text.contains("1 unreplayable (" + mode + ")"), text);
      assertEquals(mode.equals("count"), text.contains(recorded.unrecorded), text);
      assertEquals(1, r.refusedAsRecorded(), "adapter refusals are not unreplayable records");
    }
    Path fail = tmp.resolve("unreplayable-fail.yaml");
    Files.writeString(fail, intended.formatted("fail"));
    ImpactReport r = run(ImpactExpectations.read(fail));
    assertEquals(1, r.errors().size());
    assertFalse(r.passed());
    Path bad = tmp.resolve("unreplayable-bad.yaml");
    Files.writeString(bad, intended.formatted("sometimes"));
    var e = org.junit.jupiter.api.Assertions.assertThrows(io.vectorgate.harness.HarnessException.class,
        () -> ImpactExpectations.read(bad));
    assertTrue(e.getMessage().contains("`unreplayable` must be one of fail, count, ignore"), e.getMessage());
  }

  /** Issue 17: a newly denied example names its reason codes once. */
  @Test
  void examplesNameReasonCodesOnce() {
    String text = io.vectorgate.harness.report.ImpactReports.terminal(run(ImpactExpectations.none()));
    for (String line : text.split("\n")) {
      if (line.strip().startsWith("e.g.") && line.contains(" -> deny")) {
        assertEquals(1, line.split("no_allow_rule", -1).length - 1, line);
      }
    }
    assertTrue(text.contains("e.g."), text);
  }

  @Test
  void reportsDriftBetweenRecordedAndRebuiltOperations() {
    ImpactReport r = run(ImpactExpectations.none());
    assertTrue(r.drift().containsKey(recorded.tampered), r.drift().keySet().toString());
    assertTrue(r.drift().get(recorded.tampered).stream().anyMatch(d -> d.pointer().equals("/limit")
        && d.recorded().asLong() == 999 && d.rebuilt().asLong() == 20 && !d.explained()));
    // requests recorded by the (simulated) gateway rebuild exactly, wildcards expanded from the recorded schema
    assertFalse(r.drift().containsKey(recorded.queryGet), String.valueOf(r.drift().get(recorded.queryGet)));
    assertFalse(r.drift().containsKey(recorded.describe));
  }

  /** Text of a report for assertion messages. */
  static final class ImpactReportsText {
    static String of(ImpactReport r) {
      return io.vectorgate.harness.report.ImpactReports.terminal(r);
    }
  }
}
