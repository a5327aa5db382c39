package io.vectorgate.harness.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectorgate.engine.EngineConfig;
import io.vectorgate.engine.PolicyBundle;
import io.vectorgate.engine.PolicyEngine;
import io.vectorgate.harness.GatewaySim;
import io.vectorgate.harness.HarnessEngines;
import io.vectorgate.harness.Policies;
import io.vectorgate.harness.SampleTraffic;
import io.vectorgate.harness.bench.ReplayBenchmark;
import io.vectorgate.harness.source.PolicySource;
import io.vectorgate.model.Decision;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15's differential gate on recorded traffic: every request of the harness's recordings,
 * rebuilt and re-decided by the harness's own replay ({@link Replayer}) on the plan engine and the
 * Wasm engine side by side, gets the same decision from both (decision ids aside).
 *
 * <p>Recordings: the sample session {@link SampleTraffic} (Milvus and Chroma requests through the
 * real adapters and recorder, hostile ones included) and 3,000 pymilvus-shaped requests of the
 * replay benchmark's export. Policies: the sample organisation's DSL policy, the impact tests'
 * candidate, and the shipped Rego library (its rules; the loader adds core.rego) with the sample data.
 */
class RecordedTrafficDifferentialTest {
  @TempDir static Path tmp;
  static List<RecordedTraffic> corpora = new ArrayList<>();

  record RecordedTraffic(String name, Traffic traffic) {}

  @BeforeAll
  static void record() throws Exception {
    try (PolicyEngine baseline = Policies.engine(Policies.baseline(tmp.resolve("rec-policy")), tmp.resolve("rec-work"))) {
      Path session = tmp.resolve("session");
      SampleTraffic.record(session, baseline);
      corpora.add(new RecordedTraffic("sample session", Traffic.load(session)));
    }
    Path export = tmp.resolve("bench.jsonl");
    ReplayBenchmark.write(export, 3_000, true);
    corpora.add(new RecordedTraffic("benchmark export", Traffic.load(export)));
  }

  @AfterAll
  static void clear() {
    corpora.clear();
  }

  @ParameterizedTest
  @ValueSource(strings = {"baseline", "candidate", "library"})
  void planAndWasmDecideEveryRecordedRequestAlike(String which) throws Exception {
    Path dir = tmp.resolve("policy-" + which);
    PolicySource source = switch (which) {
      case "baseline" -> new PolicySource.Directory(Policies.baseline(dir));
      case "candidate" -> new PolicySource.Directory(Policies.candidate(dir));
      default -> {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("data.json"), Files.readString(GatewaySim.ROOT.resolve("samples/org/data.json")));
        copyTree(GatewaySim.ROOT.resolve("rego-policies/src/main/rego"), dir.resolve("rego"));
        yield new PolicySource.Directory(dir);
      }
    };
    PolicyBundle bundle = Policies.loader().load(source, tmp.resolve("work-" + which)).bundle();
    try (PolicyEngine plan = start(bundle, EngineConfig.Engine.PLAN);
        PolicyEngine wasm = start(bundle, EngineConfig.Engine.WASM)) {
      for (RecordedTraffic c : corpora) {
        InputRebuilder rebuilder = new InputRebuilder(c.traffic().state());
        List<Replayer.Replayed> out = Replayer.replay(c.traffic().requests(), rebuilder, List.of(plan, wasm), 2,
            Replayer.Progress.NONE);
        int decided = 0;
        int allowed = 0;
        for (Replayer.Replayed r : out) {
          if (!r.rebuilt().ok()) {
            continue;
          }
          decided++;
          Decision p = r.decisions().get(0).withIdentity(null, null);
          Decision w = r.decisions().get(1).withIdentity(null, null);
          assertEquals(w, p, which + ", " + c.name() + ", " + r.source().location() + ": plan and wasm disagree on "
              + r.rebuilt().input());
          allowed += p.allow() ? 1 : 0;
        }
        assertTrue(decided >= c.traffic().requests().size() * 0.7, c.name() + ": too few requests rebuilt: " + decided);
        assertTrue(allowed > 0 && allowed < decided || which.equals("library"),
            which + ", " + c.name() + ": the corpus should see both outcomes, saw " + allowed + " of " + decided);
      }
    }
  }

  private static PolicyEngine start(PolicyBundle bundle, EngineConfig.Engine engine) throws Exception {
    return PolicyEngine.start(EngineConfig.builder().poolSize(2).borrowTimeout(HarnessEngines.BORROW_TIMEOUT)
        .evaluationTimeout(HarnessEngines.EVALUATION_TIMEOUT).noWarmup().engine(engine).build(), bundle);
  }

  private static void copyTree(Path from, Path to) throws Exception {
    try (var s = Files.walk(from)) {
      for (Path p : s.toList()) {
        Path t = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else if (!p.getFileName().toString().endsWith("_test.rego") && !p.getFileName().toString().equals("core.rego")) {
          // the loader adds the contract's core.rego to every policy directory itself
          Files.copy(p, t);
        }
      }
    }
  }
}
