package io.vectorgate.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectorgate.model.Action;
import io.vectorgate.model.Decision;
import io.vectorgate.model.PolicyInput;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link PolicyEngineCases} on the Wasm engine, and what only it has: the instance pool, guest memory, the interpreter. */
class WasmPolicyEngineTest extends PolicyEngineCases {
  @Override
  protected EngineConfig.Engine engine() {
    return EngineConfig.Engine.WASM;
  }

  @Override
  protected EngineConfig.Builder config() {
    return TestPolicies.config().engine(EngineConfig.Engine.WASM);
  }

  @Test
  void aGuestAbortIsDeniedAndTheInstanceKeepsWorking() {
    long before = modesMetrics.failClosed(ReasonCodes.ENGINE_ABORT);
    Evaluation ev = modes.evaluate("{\"mode\":\"conflict\",\"x\":1,\"y\":2}");
    assertEquals(Evaluation.Status.FAILED, ev.status());
    assertEquals(ReasonCodes.ENGINE_ABORT, ev.reasonCode());
    assertTrue(ev.message().contains("conflict"), ev.message());
    assertEquals(before + 1, modesMetrics.failClosed(ReasonCodes.ENGINE_ABORT));
    Evaluation after = modes.evaluate("{\"a\":\"after\"}");
    assertTrue(after.defined(), after.toString());
    assertEquals("after,-", after.result().at("/reasons/0/message").asText());
  }

  @Test
  void aCallerInterruptFailsClosedKeepsTheFlagAndKeepsTheInstance() throws Exception {
    LongAdderEngineMetrics m = new LongAdderEngineMetrics();
    try (PolicyEngine e = PolicyEngine.start(config().poolSize(1).metrics(m)
        .evaluationTimeout(Duration.ofSeconds(20)).memoryPages(32, 8192).build(), TestPolicies.bundle("modes"))) {
      Evaluation[] result = new Evaluation[1];
      boolean[] flagAfter = new boolean[1];
      Thread caller = new Thread(() -> {
        result[0] = e.evaluate("{\"mode\":\"spin\",\"n\":20000}");
        flagAfter[0] = Thread.currentThread().isInterrupted();
      });
      caller.start();
      Thread.sleep(100); // well before the spinning policy could exhaust 512 MiB of guest memory
      caller.interrupt();
      caller.join(30_000);
      assertEquals(ReasonCodes.ENGINE_ERROR, result[0].reasonCode(), result[0].toString());
      assertTrue(result[0].message().contains("interrupted"), result[0].message());
      assertTrue(flagAfter[0], "the caller's interrupt status is preserved");
      assertEquals(0, m.instancesDiscarded(), "a healthy instance is not thrown away");
      assertTrue(e.evaluate("{\"a\":\"b\"}").defined());
    }
  }

  @Test
  void aFullPoolDeniesWithPoolExhausted() throws Exception {
    LongAdderEngineMetrics m = new LongAdderEngineMetrics();
    try (PolicyEngine e = PolicyEngine.start(config().poolSize(1).metrics(m)
        .evaluationTimeout(Duration.ofMillis(400)).borrowTimeout(Duration.ofMillis(20)).memoryPages(32, 4096).build(),
        TestPolicies.bundle("modes"))) {
      ExecutorService ex = Executors.newSingleThreadExecutor();
      try {
        CountDownLatch started = new CountDownLatch(1);
        Future<Evaluation> spinning = ex.submit(() -> {
          started.countDown();
          return e.evaluate("{\"mode\":\"spin\",\"n\":20000}");
        });
        started.await();
        Evaluation blocked = null;
        // the spinner may need a moment to be scheduled and borrow the only instance: keep asking until then
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline && (blocked == null || !ReasonCodes.POOL_EXHAUSTED.equals(blocked.reasonCode()))) {
          blocked = e.evaluate("{\"a\":\"b\"}");
        }
        assertEquals(ReasonCodes.POOL_EXHAUSTED, blocked.reasonCode(), blocked.toString());
        assertTrue(m.failClosed(ReasonCodes.POOL_EXHAUSTED) >= 1);
        // the spinner itself fails closed: stopped by the timeout, or (on a slow machine) by guest memory first
        String spinCode = spinning.get(30, TimeUnit.SECONDS).reasonCode();
        assertTrue(ReasonCodes.ENGINE_TIMEOUT.equals(spinCode) || ReasonCodes.ENGINE_ABORT.equals(spinCode), spinCode);
      } finally {
        ex.shutdownNow();
      }
      assertTrue(e.evaluate("{\"a\":\"b\"}").defined());
    }
  }

  @Test
  void guestMemoryDoesNotGrowAcrossEvaluations() throws Exception {
    // 64 pages = 4 MiB of guest memory; 400 evaluations of a 100 KiB input only fit if each one
    // starts again from the data heap mark
    try (PolicyEngine small = PolicyEngine.start(config().poolSize(1).memoryPages(32, 64).build(),
        TestPolicies.bundle("modes"))) {
      String payload = "{\"a\":\"" + "p".repeat(100 * 1024) + "\"}";
      for (int i = 0; i < 400; i++) {
        Evaluation ev = small.evaluate(payload);
        assertTrue(ev.defined(), i + ": " + ev);
      }
    }
  }

  @Test
  void anInputTooBigForGuestMemoryFailsClosed() throws Exception {
    try (PolicyEngine tiny = PolicyEngine.start(config().poolSize(1).memoryPages(32, 40)
        .maxInputBytes(8 << 20).build(), TestPolicies.bundle("modes"))) {
      Evaluation ev = tiny.evaluate("{\"a\":\"" + "q".repeat(3 << 20) + "\"}");
      assertEquals(Evaluation.Status.FAILED, ev.status());
      assertTrue(ev.reasonCode().equals(ReasonCodes.INPUT_TOO_LARGE) || ev.reasonCode().equals(ReasonCodes.ENGINE_ABORT),
          ev.toString());
      assertTrue(tiny.evaluate("{\"a\":\"ok\"}").defined(), "the instance still works");
    }
  }

  @Test
  void theInterpreterGivesTheSameDecisions() throws Exception {
    try (PolicyEngine interp = PolicyEngine.start(config().poolSize(1).useCompiler(false).build(),
        TestPolicies.bundle("acme"))) {
      PolicyInput in = TestPolicies.input("carol", List.of("ml-team", "support"), "blue", Action.QUERY, "tickets_blue");
      Decision a = interp.decide(in);
      Decision b = acme.decide(in);
      assertEquals(b.withIdentity(null, null), a.withIdentity(null, null));
    }
  }
}
