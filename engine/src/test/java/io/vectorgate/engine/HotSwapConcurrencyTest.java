package io.vectorgate.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectorgate.model.Action;
import io.vectorgate.model.Decision;
import io.vectorgate.model.PolicyInput;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Many threads decide while bundles are swapped: each decision comes from exactly one revision. */
class HotSwapConcurrencyTest {
  @TempDir Path tmp;

  private PolicyBundle bundle(String marker) throws Exception {
    Path dir = tmp.resolve(marker);
    Files.createDirectories(dir);
    // the revision and the data both carry the marker, so a decision that mixed two bundles shows
    Files.writeString(dir.resolve("p.rego"), String.join("\n",
        "package vectorgate",
        "import rego.v1",
        "decision := {\"allow\": true, \"reasons\": [{\"code\": \"marker\", \"message\": concat(\":\", [data.swap.marker, input.identity.subject])}]}",
        ""));
    Files.writeString(dir.resolve("data.json"), "{\"swap\": {\"marker\": \"" + marker + "\"}}");
    return TestPolicies.compiler().compile(PolicyCompiler.CompileRequest.of(dir).withRevision("rev-" + marker)).orThrow();
  }

  @Test
  void decisionsDuringSwapsEachComeFromOneRevisionAndNoneFails() throws Exception {
    PolicyBundle a = bundle("A");
    PolicyBundle b = bundle("B");
    LongAdderEngineMetrics metrics = new LongAdderEngineMetrics();
    EngineConfig cfg = TestPolicies.config().engine(EngineConfig.Engine.WASM).poolSize(2).metrics(metrics)
        .borrowTimeout(Duration.ofSeconds(30)).evaluationTimeout(Duration.ofSeconds(30)).build();
    int threads = 6;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    Map<String, LongAdder> perRevision = new ConcurrentHashMap<>();
    Queue<String> problems = new ConcurrentLinkedQueue<>();
    AtomicBoolean swapping = new AtomicBoolean(true);
    try (PolicyEngine engine = PolicyEngine.start(cfg, a)) {
      List<Future<?>> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        String subject = "user" + t;
        PolicyInput in = TestPolicies.input(subject, List.of(), null, Action.SEARCH, "c");
        workers.add(pool.submit(() -> {
          while (swapping.get()) {
            Decision d = engine.decide(in);
            String marker = d.revision().substring("rev-".length());
            String expected = marker + ":" + subject;
            if (!d.allow() || d.reasons().size() != 1 || !expected.equals(d.reasons().get(0).message())) {
              problems.add(d.toString());
            }
            perRevision.computeIfAbsent(d.revision(), k -> new LongAdder()).increment();
          }
        }));
      }
      PolicyBundle[] order = {b, a, b, a, b};
      for (PolicyBundle next : order) {
        Thread.sleep(150);
        ActivationReport r = engine.activate(next);
        assertEquals(next.revision(), r.revision());
      }
      Thread.sleep(150);
      swapping.set(false);
      for (Future<?> w : workers) {
        w.get(60, TimeUnit.SECONDS);
      }
      assertEquals("rev-B", engine.activeRevision().orElseThrow());
    } finally {
      pool.shutdownNow();
    }
    assertTrue(problems.isEmpty(), problems.size() + " inconsistent or failed decisions, e.g. " + problems.peek());
    assertEquals(0, metrics.failClosedTotal(), metrics.snapshot().toString());
    assertTrue(perRevision.containsKey("rev-A") && perRevision.containsKey("rev-B"), perRevision.toString());
    assertEquals(6, metrics.activations());
    assertEquals(perRevision.values().stream().mapToLong(LongAdder::sum).sum(), metrics.allowed());
  }
}
