package io.vectorgate.proxy.approval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectorgate.approvals.ApprovalService;
import io.vectorgate.approvals.ApprovalStore;
import io.vectorgate.approvals.LoggingApprovalAudit;
import io.vectorgate.approvals.StoreConfig;
import io.vectorgate.model.Action;
import io.vectorgate.model.ApprovalRequirement;
import io.vectorgate.model.Connection;
import io.vectorgate.model.DatabaseKind;
import io.vectorgate.model.Decision;
import io.vectorgate.model.Identity;
import io.vectorgate.model.Obligations;
import io.vectorgate.model.Operation;
import io.vectorgate.model.PolicyInput;
import io.vectorgate.model.Reason;
import io.vectorgate.model.RequestContext;
import io.vectorgate.model.Resource;
import io.vectorgate.model.Usage;
import io.vectorgate.proxy.pipeline.ApprovalGate;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bound on concurrently held calls, on the gate itself (so it holds for the gRPC listener,
 * whose calls carry method and message bytes, exactly as for HTTP), over a real SQLite store.
 */
class HoldingApprovalGateTest {
  @TempDir
  Path dir;
  ApprovalStore store;
  ApprovalService service;

  @BeforeEach
  void open() {
    store = ApprovalStore.open(StoreConfig.sqlite(dir.resolve("a.db")));
    service = new ApprovalService(store, new LoggingApprovalAudit(), (event, approval) -> { }, Clock.systemUTC(),
        new ApprovalService.Settings(Duration.ofMillis(20), Duration.ofMinutes(5), 10));
  }

  @AfterEach
  void close() {
    service.close();
    store.close();
  }

  static PolicyInput input() {
    Identity carol = new Identity("carol", null, List.of("ml-engineers"), "acme", "http://issuer", null);
    Operation op = Operation.builder(Action.DELETE).resource(Resource.collection("default", "docs"))
        .filter("id >= 5").build();
    return PolicyInput.of(carol, new Connection("lite", DatabaseKind.MILVUS), op,
        new RequestContext("2026-11-25T09:00:00Z", 0, "127.0.0.1", "r1", Usage.NONE));
  }

  static Decision needsApproval() {
    ApprovalRequirement req = new ApprovalRequirement("bulk delete", List.of("db-admins"), 1, 600);
    return new Decision(true, List.of(new Reason("bulk_delete_approval", "bulk delete")),
        new Obligations(List.of(), false, List.of(), null, req, null), "d1", "rev-1");
  }

  static ApprovalGate.Hold grpc(String expr, AtomicBoolean cancelled) {
    return new ApprovalGate.Hold("milvus.proto.milvus.MilvusService/Delete", expr.getBytes(StandardCharsets.UTF_8),
        null, cancelled::get);
  }

  static String code(ApprovalGate.Verdict v) {
    return assertInstanceOf(ApprovalGate.Verdict.Refused.class, v).reason().code();
  }

  @Test
  void beyondTheBoundACallGetsGrantModeAtOnceAndTheSlotIsFreedWhenTheHoldEnds() throws Exception {
    HoldingApprovalGate gate = new HoldingApprovalGate(service, true, Duration.ofSeconds(60), Duration.ofSeconds(1),
        Clock.systemUTC(), 1);
    AtomicBoolean leave = new AtomicBoolean();
    CompletableFuture<ApprovalGate.Verdict> held = CompletableFuture.supplyAsync(
        () -> gate.check(input(), needsApproval(), grpc("id >= 5", leave)));
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (gate.held() != 1) {
      assertTrue(System.nanoTime() < end && !held.isDone(), "the first call is not held");
      Thread.sleep(10);
    }
    ApprovalGate.Verdict second = gate.check(input(), needsApproval(), grpc("id >= 6", new AtomicBoolean()));
    assertEquals("approval_pending", code(second));
    String msg = ((ApprovalGate.Verdict.Refused) second).reason().message();
    assertTrue(msg.contains("approval pending: apr-") && msg.contains("already holds 1 call"), msg);
    assertEquals(1, gate.held());

    leave.set(true);
    assertEquals("approval_cancelled", code(held.get(30, TimeUnit.SECONDS)));
    assertEquals(0, gate.held());
    // the slot is free again: the next call is held (and ends when its client leaves)
    AtomicBoolean leave2 = new AtomicBoolean();
    CompletableFuture<ApprovalGate.Verdict> third = CompletableFuture.supplyAsync(
        () -> gate.check(input(), needsApproval(), grpc("id >= 7", leave2)));
    while (gate.held() != 1) {
      assertTrue(System.nanoTime() < end && !third.isDone(), "the third call is not held");
      Thread.sleep(10);
    }
    leave2.set(true);
    assertEquals("approval_cancelled", code(third.get(30, TimeUnit.SECONDS)));
  }

  @Test
  void zeroHeldCallsMeansGrantModeAlways() {
    HoldingApprovalGate gate = new HoldingApprovalGate(service, true, Duration.ofSeconds(60), Duration.ofSeconds(1),
        Clock.systemUTC(), 0);
    assertEquals("approval_pending", code(gate.check(input(), needsApproval(), grpc("id >= 5", new AtomicBoolean()))));
    assertEquals(0, gate.held());
  }
}
