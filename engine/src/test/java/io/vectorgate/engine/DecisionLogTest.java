package io.vectorgate.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vectorgate.model.Action;
import io.vectorgate.model.Decision;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

class DecisionLogTest {
  @TempDir Path tmp;

  private static List<JsonNode> lines(String text) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    for (String l : text.split("\n")) {
      if (!l.isBlank()) {
        out.add(ContractJson.mapper().readTree(l));
      }
    }
    return out;
  }

  /** Both engines log through their own decision path (the plan engine's decidePlan, the Wasm pool's decide). */
  @ParameterizedTest
  @EnumSource(EngineConfig.Engine.class)
  void everyDecisionIsOneJsonLineWithOpaFieldNamesAndMaskedInput(EngineConfig.Engine engine) throws Exception {
    Path log = tmp.resolve("decisions.jsonl");
    LongAdderEngineMetrics metrics = new LongAdderEngineMetrics();
    JsonLinesDecisionLogger logger = JsonLinesDecisionLogger.toFile(log, 1000,
        DecisionLogMasker.erasing("/input/identity/email", "/input/context/client_address", "/input/nope"), metrics);
    Decision allowed;
    Decision failed;
    try (PolicyEngine e = PolicyEngine.start(TestPolicies.config().engine(engine).poolSize(1).decisionLogger(logger).metrics(metrics).build(),
        TestPolicies.bundle("acme"))) {
      allowed = e.decide(TestPolicies.input("alice", List.of("analysts"), "red", Action.SEARCH, "docs_red"));
      failed = e.decide(null);
    }
    logger.close();
    List<JsonNode> events = lines(Files.readString(log));
    assertEquals(2, events.size());
    JsonNode ev = events.get(0);
    assertEquals(allowed.decisionId(), ev.get("decision_id").asText());
    assertEquals("vectorgate/decision", ev.get("path").asText());
    assertEquals("acme-r1", ev.at("/bundles/vectorgate/revision").asText());
    assertTrue(Instant.parse(ev.get("timestamp").asText()).isBefore(Instant.now().plusSeconds(1)));
    assertEquals("alice", ev.at("/input/identity/subject").asText());
    assertTrue(ev.at("/input/identity/email").isMissingNode(), "masked field is erased");
    assertTrue(ev.at("/input/context/client_address").isMissingNode());
    assertEquals(List.of("/input/identity/email", "/input/context/client_address"),
        ContractJson.mapper().convertValue(ev.get("erased"), List.class));
    assertTrue(ev.at("/result/allow").asBoolean());
    assertEquals("role_grant", ev.at("/result/reasons/0/code").asText());
    assertTrue(ev.at("/metrics/timer_rego_query_eval_ns").asLong() > 0);
    assertTrue(ev.at("/metrics/timer_vectorgate_decision_ns").asLong() >= ev.at("/metrics/timer_rego_query_eval_ns").asLong());
    assertFalse(ev.has("error"));

    JsonNode bad = events.get(1);
    assertEquals(failed.decisionId(), bad.get("decision_id").asText());
    assertEquals(ReasonCodes.INPUT_INVALID, bad.at("/error/code").asText());
    assertFalse(bad.has("input"));
    assertFalse(bad.at("/result/allow").asBoolean());
    assertEquals(0, metrics.decisionLogDroppedCount());
  }

  @Test
  void aFullQueueDropsAndCountsInsteadOfBlocking() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    OutputStream slow = new OutputStream() {
      @Override
      public void write(int b) {
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    };
    LongAdderEngineMetrics metrics = new LongAdderEngineMetrics();
    JsonLinesDecisionLogger logger = new JsonLinesDecisionLogger(slow, 2, DecisionLogMasker.NONE, metrics, Map.of());
    DecisionLogEntry e = new DecisionLogEntry("id", Instant.now(), "r", "p", "{}", Map.of("allow", true), null, null, 1, 2);
    for (int i = 0; i < 100_000; i++) { // big enough to fill the 64 KiB writer buffer and the queue
      logger.log(e);
    }
    assertTrue(logger.dropped() > 0);
    assertEquals(logger.dropped(), metrics.decisionLogDroppedCount());
    release.countDown();
    logger.close();
  }

  @Test
  void labelsAndEventShape() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    JsonLinesDecisionLogger logger = new JsonLinesDecisionLogger(out, 10,
        event -> event.at("/input/secret").isMissingNode() ? List.of() : List.of("/input/secret", "/result/0"),
        EngineMetrics.NONE, Map.of("gateway", "gw-1"));
    logger.log(new DecisionLogEntry("d1", Instant.parse("2026-01-02T03:04:05Z"), "r1", "a/b",
        "{\"secret\":\"s\",\"keep\":1}", List.of("x", "y"), null, null, 5, 9));
    logger.close();
    JsonNode ev = lines(out.toString(StandardCharsets.UTF_8)).get(0);
    assertEquals("gw-1", ev.at("/labels/gateway").asText());
    assertEquals("2026-01-02T03:04:05Z", ev.get("timestamp").asText());
    assertEquals("{\"keep\":1}", ev.get("input").toString());
    assertEquals("[\"y\"]", ev.get("result").toString());
    assertEquals(2, ev.get("erased").size());
    assertEquals(9, ev.at("/metrics/timer_vectorgate_decision_ns").asLong());
    logger.log(new DecisionLogEntry("late", Instant.now(), "r", "p", null, null, null, null, 0, 0));
    assertEquals(1, logger.dropped(), "entries after close are dropped and counted");
  }

  @Test
  void maskPointersMustStayInsideInputOrResult() {
    assertThrows(IllegalArgumentException.class, () -> DecisionLogMasker.erasing("/decision_id"));
    assertThrows(IllegalArgumentException.class, () -> DecisionLogMasker.erasing("/inputs/x"));
  }
}
