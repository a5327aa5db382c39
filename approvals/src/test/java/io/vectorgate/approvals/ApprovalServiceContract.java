package io.vectorgate.approvals;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectorgate.approvals.ApprovalEvent.Kind;
import io.vectorgate.approvals.ApprovalException.Code;
import io.vectorgate.model.Identity;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The approval workflow on one store kind; subclasses provide a fresh database per test. */
abstract class ApprovalServiceContract {
  static final Identity BOB = new Identity("bob", "bob@example.com", List.of("ml-engineers"), "acme", "iss", Map.of());
  static final Approver ERIN = new Approver("erin", List.of("db-admins"));
  static final Approver FRANK = new Approver("frank", List.of("db-admins"));
  static final Approver CAROL = new Approver("carol", List.of("analysts"));

  final List<AutoCloseable> open = new ArrayList<>();
  final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T09:00:00Z"));
  final RecordingAudit audit = new RecordingAudit();

  /** A new, empty database for this test. */
  abstract StoreConfig freshStore() throws Exception;

  ApprovalStore store(StoreConfig cfg) {
    ApprovalStore s = ApprovalStore.open(cfg);
    open.add(s);
    return s;
  }

  ApprovalService service(StoreConfig cfg, Clock c) {
    ApprovalService s = new ApprovalService(store(cfg), audit, ApprovalNotifier.NONE, c,
        new ApprovalService.Settings(Duration.ofMillis(50), Duration.ofMinutes(10), 10));
    open.add(0, s);
    return s;
  }

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
  }

  static NewApproval bulkDelete(String fingerprint, int min, long expiresIn) {
    return new NewApproval(BOB, "lite", "127.0.0.1", new ApprovalSummary("Delete", "delete", "default", "docs", null,
        "id >= 5", Map.of("ids", 0L), "delete from docs where id >= 5"), fingerprint, "bulk delete needs approval",
        List.of("db-admins"), min, expiresIn, "dec-1", "rev-1", "req-1");
  }

  @Test
  void oneApprovalApprovesAndEveryTransitionIsAudited() throws Exception {
    ApprovalService svc = service(freshStore(), clock);
    ApprovalService.Requested r = svc.request(bulkDelete("fp1", 1, 600));
    assertTrue(r.created());
    Approval a = r.approval();
    assertEquals(ApprovalStatus.PENDING, svc.find(a.id()).orElseThrow().status());
    assertEquals("delete from docs where id >= 5", svc.find(a.id()).orElseThrow().summary().text());
    assertEquals(BOB, svc.find(a.id()).orElseThrow().requester());

    Approval done = svc.approve(a.id(), ERIN, "looks right", 1);
    assertEquals(ApprovalStatus.APPROVED, done.status());
    assertEquals(List.of("erin"), done.approvals().stream().map(Vote::approver).toList());
    assertEquals(List.of("db-admins"), done.votes().get(0).groups());
    assertEquals(clock.instant().plus(Duration.ofMinutes(10)), done.grantExpiresAt());

    assertTrue(svc.use(done, "fp1"));
    assertFalse(svc.use(done, "fp1"), "a one-use grant was used twice");
    assertEquals(List.of(Kind.CREATED, Kind.APPROVED, Kind.USED), audit.kinds(a.id()));
  }

  @Test
  void selfApprovalWrongGroupAndRejectionWithoutReasonAreRefused() throws Exception {
    ApprovalService svc = service(freshStore(), clock);
    Approval a = svc.request(bulkDelete("fp", 1, 600)).approval();
    Approver bobAsAdmin = new Approver("bob", List.of("db-admins", "ml-engineers"));
    assertEquals(Code.SELF_APPROVAL, assertThrows(ApprovalException.class, () -> svc.approve(a.id(), bobAsAdmin, null, 1)).code());
    assertEquals(Code.NOT_AN_APPROVER, assertThrows(ApprovalException.class, () -> svc.approve(a.id(), CAROL, null, 1)).code());
    assertEquals(Code.INVALID, assertThrows(ApprovalException.class, () -> svc.reject(a.id(), ERIN, " ")).code());
    assertEquals(Code.NOT_FOUND, assertThrows(ApprovalException.class,
        () -> svc.approve("apr-aaaaaaaaaaaaaaaaaaaa", ERIN, null, 1)).code());
    assertEquals(Code.INVALID, assertThrows(ApprovalException.class, () -> svc.approve("'; DROP TABLE approvals; --", ERIN, null, 1)).code());
    assertEquals(ApprovalStatus.PENDING, svc.find(a.id()).orElseThrow().status());
    assertEquals(List.of(Kind.CREATED, Kind.REFUSED, Kind.REFUSED, Kind.REFUSED), audit.kinds(a.id()));
    assertEquals(1, audit.kinds("apr-aaaaaaaaaaaaaaaaaaaa").size());
    assertTrue(audit.events.stream().anyMatch(e -> e.approvalId().equals("-") && e.detail().startsWith("invalid_request")));
  }

  @Test
  void twoOfNNeedsTwoDistinctApprovers() throws Exception {
    ApprovalService svc = service(freshStore(), clock);
    Approval a = svc.request(bulkDelete("fp", 2, 600)).approval();
    Approval after1 = svc.approve(a.id(), ERIN, null, 1);
    assertEquals(ApprovalStatus.PENDING, after1.status());
    assertFalse(svc.use(after1, "fp"), "a pending approval worked as a grant");
    assertEquals(Code.ALREADY_VOTED, assertThrows(ApprovalException.class, () -> svc.approve(a.id(), ERIN, null, 1)).code());
    Approval after2 = svc.approve(a.id(), FRANK, "second", 3);
    assertEquals(ApprovalStatus.APPROVED, after2.status());
    assertEquals(3, after2.maxUses());
    assertEquals(Code.NOT_PENDING, assertThrows(ApprovalException.class,
        () -> svc.approve(a.id(), new Approver("gina", List.of("db-admins")), null, 1)).code());
    assertEquals(List.of(Kind.CREATED, Kind.VOTED, Kind.REFUSED, Kind.APPROVED, Kind.REFUSED), audit.kinds(a.id()));
    for (int i = 0; i < 3; i++) {
      assertTrue(svc.use(after2, "fp"));
    }
    assertFalse(svc.use(after2, "fp"));
  }

  @Test
  void rejectionIsFinalAndCarriesTheReason() throws Exception {
    ApprovalService svc = service(freshStore(), clock);
    Approval a = svc.request(bulkDelete("fp", 2, 600)).approval();
    svc.approve(a.id(), ERIN, null, 1);
    Approval rejected = svc.reject(a.id(), FRANK, "wrong collection");
    assertEquals(ApprovalStatus.REJECTED, rejected.status());
    assertTrue(rejected.resolution().contains("wrong collection") && rejected.resolution().contains("frank"), rejected.resolution());
    assertEquals(Code.NOT_PENDING, assertThrows(ApprovalException.class,
        () -> svc.approve(a.id(), new Approver("gina", List.of("db-admins")), null, 1)).code());
    assertFalse(svc.use(rejected, "fp"));
    // the same request again opens a new approval
    ApprovalService.Requested again = svc.request(bulkDelete("fp", 2, 600));
    assertTrue(again.created());
    assertNotEquals(a.id(), again.approval().id());
  }

  @Test
  void approvingAfterExpiryIsRefusedAndTheExpiryIsRecorded() throws Exception {
    ApprovalService svc = service(freshStore(), clock);
    Approval a = svc.request(bulkDelete("fp", 1, 60)).approval();
    clock.advance(Duration.ofSeconds(61));
    ApprovalException e = assertThrows(ApprovalException.class, () -> svc.approve(a.id(), ERIN, null, 1));
    assertEquals(Code.EXPIRED, e.code());
    assertEquals(ApprovalStatus.EXPIRED, svc.find(a.id()).orElseThrow().status());
    assertEquals(List.of(Kind.CREATED, Kind.EXPIRED, Kind.REFUSED), audit.kinds(a.id()));
  }

  @Test
  void sweeperExpiresOnceAndGrantsExpire() throws Exception {
    ApprovalService svc = service(freshStore(), clock);
    Approval a = svc.request(bulkDelete("fp-a", 1, 60)).approval();
    Approval b = svc.request(bulkDelete("fp-b", 1, 600)).approval();
    svc.approve(b.id(), ERIN, null, 1);
    clock.advance(Duration.ofSeconds(61));
    svc.sweep();
    svc.sweep();
    assertEquals(ApprovalStatus.EXPIRED, svc.find(a.id()).orElseThrow().status());
    assertEquals(1, audit.kinds(a.id()).stream().filter(k -> k == Kind.EXPIRED).count());
    assertEquals(ApprovalStatus.APPROVED, svc.find(b.id()).orElseThrow().status(), "an approved request expired");
    clock.advance(Duration.ofMinutes(10));
    assertFalse(svc.use(svc.find(b.id()).orElseThrow(), "fp-b"), "a grant was used after its lifetime");
  }

  @Test
  void identicalRequestReusesTheOpenApprovalAndGrantIsBoundToRequesterAndFingerprint() throws Exception {
    ApprovalService svc = service(freshStore(), clock);
    Approval a = svc.request(bulkDelete("fp", 1, 600)).approval();
    ApprovalService.Requested again = svc.request(bulkDelete("fp", 1, 600));
    assertFalse(again.created());
    assertEquals(a.id(), again.approval().id());
    assertTrue(svc.request(bulkDelete("other", 1, 600)).created());
    Approval ok = svc.approve(a.id(), ERIN, null, 1);
    assertEquals(a.id(), svc.request(bulkDelete("fp", 1, 600)).approval().id());
    assertFalse(svc.use(ok, "other"), "a grant released a different request");
    Approval forged = new Approval(ok.id(), ok.status(), ok.createdAt(), ok.expiresAt(),
        new Identity("mallory", null, List.of(), null, null, Map.of()), ok.connection(), ok.clientAddress(), ok.summary(),
        ok.fingerprint(), ok.reason(), ok.approverGroups(), ok.minApprovals(), ok.maxUses(), ok.uses(),
        ok.grantExpiresAt(), ok.resolvedAt(), ok.resolution(), ok.decisionId(), ok.revision(), ok.requestId(), ok.votes());
    assertFalse(svc.use(forged, "fp"), "a grant released another requester's request");
    assertTrue(svc.use(ok, "fp"));
  }

  @Test
  void anApprovalOnAnotherInstanceReleasesAHeldWait() throws Exception {
    StoreConfig db = freshStore();
    ApprovalService one = service(db, Clock.systemUTC());
    ApprovalService two = service(db, Clock.systemUTC());
    Approval a = one.request(bulkDelete("fp", 1, 600)).approval();
    ExecutorService ex = Executors.newSingleThreadExecutor();
    try {
      Future<ApprovalService.Waited> waited = ex.submit(() -> one.await(a.id(), Instant.now().plusSeconds(60), () -> false));
      two.approve(a.id(), ERIN, null, 1);
      ApprovalService.Waited w = waited.get(30, TimeUnit.SECONDS);
      assertEquals(ApprovalService.WaitEnd.RESOLVED, w.end());
      assertEquals(ApprovalStatus.APPROVED, w.approval().status());
    } finally {
      ex.shutdownNow();
    }
  }

  @Test
  void waitsEndOnDeadlineCancellationAndShutdownLeavingTheApprovalPending() throws Exception {
    StoreConfig db = freshStore();
    ApprovalService svc = service(db, Clock.systemUTC());
    Approval a = svc.request(bulkDelete("fp", 1, 600)).approval();
    assertEquals(ApprovalService.WaitEnd.TIMED_OUT, svc.await(a.id(), Instant.now().plusMillis(100), () -> false).end());
    assertEquals(ApprovalService.WaitEnd.CANCELLED, svc.await(a.id(), Instant.now().plusSeconds(60), () -> true).end());
    CountDownLatch started = new CountDownLatch(1);
    ExecutorService ex = Executors.newSingleThreadExecutor();
    try {
      Future<ApprovalService.Waited> waited = ex.submit(() -> {
        started.countDown();
        return svc.await(a.id(), Instant.now().plusSeconds(60), () -> false);
      });
      started.await();
      svc.close();
      assertEquals(ApprovalService.WaitEnd.SHUTDOWN, waited.get(30, TimeUnit.SECONDS).end());
    } finally {
      ex.shutdownNow();
    }
    // restart: the pending approval is still there and can be approved; its grant then works
    ApprovalService restarted = service(db, Clock.systemUTC());
    assertEquals(ApprovalStatus.PENDING, restarted.find(a.id()).orElseThrow().status());
    Approval ok = restarted.approve(a.id(), ERIN, null, 1);
    assertEquals(a.id(), restarted.request(bulkDelete("fp", 1, 600)).approval().id());
    assertTrue(restarted.use(ok, "fp"));
  }

  @Test
  void concurrentApproveAndRejectResolveToOneOutcome() throws Exception {
    StoreConfig db = freshStore();
    List<ApprovalService> instances = List.of(service(db, clock), service(db, clock), service(db, clock));
    for (int round = 0; round < 5; round++) {
      Approval a = instances.get(0).request(bulkDelete("fp-" + round, 1, 600)).approval();
      int n = 6;
      CountDownLatch go = new CountDownLatch(1);
      ExecutorService ex = Executors.newFixedThreadPool(n);
      List<Future<Boolean>> results = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        ApprovalService svc = instances.get(i % instances.size());
        Approver who = new Approver("admin" + i, List.of("db-admins"));
        boolean approve = i % 2 == 0;
        results.add(ex.submit(() -> {
          go.await();
          try {
            if (approve) {
              svc.approve(a.id(), who, null, 1);
            } else {
              svc.reject(a.id(), who, "no");
            }
            return true;
          } catch (ApprovalException e) {
            assertEquals(Code.NOT_PENDING, e.code(), e.getMessage());
            return false;
          }
        }));
      }
      go.countDown();
      int winners = 0;
      for (Future<Boolean> f : results) {
        winners += f.get(60, TimeUnit.SECONDS) ? 1 : 0;
      }
      ex.shutdownNow();
      assertEquals(1, winners, "round " + round);
      Approval end = instances.get(1).find(a.id()).orElseThrow();
      assertTrue(end.status() == ApprovalStatus.APPROVED || end.status() == ApprovalStatus.REJECTED);
      assertEquals(1, end.votes().size(), "votes after the resolution were stored: " + end.votes());
      long resolutions = audit.kinds(a.id()).stream().filter(k -> k == Kind.APPROVED || k == Kind.REJECTED).count();
      assertEquals(1, resolutions);
    }
  }

  @Test
  void listsNewestFirstAndFiltersByStatus() throws Exception {
    ApprovalService svc = service(freshStore(), clock);
    Approval a = svc.request(bulkDelete("fp1", 1, 600)).approval();
    clock.advance(Duration.ofSeconds(1));
    Approval b = svc.request(bulkDelete("fp2", 1, 600)).approval();
    svc.approve(a.id(), ERIN, null, 1);
    assertEquals(List.of(b.id(), a.id()), svc.list(null, 10).stream().map(Approval::id).toList());
    assertEquals(List.of(b.id()), svc.list(ApprovalStatus.PENDING, 10).stream().map(Approval::id).toList());
    assertEquals(Code.INVALID, assertThrows(ApprovalException.class, () -> svc.list(null, 0)).code());
  }
}
