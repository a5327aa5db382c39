package io.vectorgate.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * {@link PolicyEngineCases} on the plan engine as the gateway runs it by default (plan, falling
 * back to Wasm per bundle), and what differs from Wasm: a conflict is an {@code engine_error} of
 * the evaluator, not a guest abort, and no instance is involved.
 */
class PlanPolicyEngineTest extends PolicyEngineCases {
  @Override
  protected EngineConfig.Engine engine() {
    return EngineConfig.Engine.PLAN;
  }

  @Override
  protected EngineConfig.Builder config() {
    return TestPolicies.config().engine(EngineConfig.Engine.PLAN).planFallback(true);
  }

  @Test
  void aConflictIsAnEngineErrorAndTheEngineKeepsWorking() {
    long before = modesMetrics.failClosed(ReasonCodes.ENGINE_ERROR);
    Evaluation ev = modes.evaluate("{\"mode\":\"conflict\",\"x\":1,\"y\":2}");
    assertEquals(Evaluation.Status.FAILED, ev.status());
    assertEquals(ReasonCodes.ENGINE_ERROR, ev.reasonCode());
    assertTrue(ev.message().contains("conflict"), ev.message());
    assertEquals(before + 1, modesMetrics.failClosed(ReasonCodes.ENGINE_ERROR));
    Evaluation after = modes.evaluate("{\"a\":\"after\"}");
    assertTrue(after.defined(), after.toString());
    assertEquals("after,-", after.result().at("/reasons/0/message").asText());
    assertEquals(EngineConfig.Engine.PLAN, modes.activeEngine().orElseThrow().engine());
  }
}
