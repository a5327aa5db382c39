package io.vectorgate.approvals;

import io.vectorgate.approvals.ApprovalEvent.Kind;
import io.vectorgate.approvals.ApprovalException.Code;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The approval workflow over an {@link ApprovalStore}: the gateway side creates requests, waits
 * for them (hold) and uses grants; the approver side lists, approves and rejects. Every
 * transition goes to the {@link ApprovalAudit} and, for creation and resolution, to the
 * {@link ApprovalNotifier} (whose failures never change an outcome).
 *
 * <p>Waiting is woken in-process when this instance stores an answer, and otherwise polls the
 * shared store every {@code pollInterval}, so an approval given on another instance releases a
 * call held here. A sweeper marks expired requests every second.
 */
public final class ApprovalService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ApprovalService.class);

  /**
   * @param pollInterval how often a held call re-reads the shared store
   * @param grantTtl how long an approval's grant stays usable after approval
   * @param maxUses the most uses an approver may grant
   */
  public record Settings(Duration pollInterval, Duration grantTtl, int maxUses) {
    public static final Settings DEFAULTS = new Settings(Duration.ofMillis(200), Duration.ofMinutes(15), 100);

    public Settings {
      if (pollInterval.isNegative() || pollInterval.isZero()) {
        throw new IllegalArgumentException("pollInterval must be > 0");
      }
      if (grantTtl.isNegative() || grantTtl.isZero()) {
        throw new IllegalArgumentException("grantTtl must be > 0");
      }
      if (maxUses < 1) {
        throw new IllegalArgumentException("maxUses must be >= 1");
      }
    }
  }

  /** How a wait for an answer ended, with the approval as last seen. */
  public enum WaitEnd { RESOLVED, TIMED_OUT, CANCELLED, SHUTDOWN }

  /** The result of {@link #await}. */
  public record Waited(WaitEnd end, Approval approval) {}

  /** The result of {@link #request}: the approval and whether this call created it. */
  public record Requested(Approval approval, boolean created) {}

  private final ApprovalStore store;
  private final ApprovalAudit audit;
  private final ApprovalNotifier notifier;
  private final Clock clock;
  private final Settings settings;
  private final Object changed = new Object();
  private final ScheduledExecutorService sweeper;
  private volatile boolean closed;

  public ApprovalService(ApprovalStore store, ApprovalAudit audit, ApprovalNotifier notifier, Clock clock,
      Settings settings) {
    this.store = store;
    this.audit = audit;
    this.notifier = notifier;
    this.clock = clock;
    this.settings = settings;
    this.sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "vectorgate-approval-sweeper");
      t.setDaemon(true);
      return t;
    });
    sweeper.scheduleWithFixedDelay(this::sweepSafely, 1, 1, TimeUnit.SECONDS);
  }

  public Settings settings() {
    return settings;
  }

  // ---- gateway side ----

  /**
   * Returns the requester's open approval for this exact request (same connection and
   * fingerprint: pending, or approved with an unused grant), or creates a new pending one.
   */
  public Requested request(NewApproval n) {
    Instant now = clock.instant();
    Optional<Approval> open = store.findReusable(n.requester().subject(), n.connection(), n.fingerprint(), now);
    if (open.isPresent()) {
      return new Requested(open.get(), false);
    }
    Approval a = new Approval(ApprovalIds.next(), ApprovalStatus.PENDING, now, now.plusSeconds(n.expiresInSeconds()),
        n.requester(), n.connection(), n.clientAddress(), n.summary(), n.fingerprint(), n.reason(), n.approverGroups(),
        n.minApprovals(), 1, 0, null, null, null, n.decisionId(), n.revision(), n.requestId(), List.of());
    store.insert(a);
    emit(Kind.CREATED, a, n.requester().subject(), a.summary().text());
    notifySafely("created", a);
    return new Requested(a, true);
  }

  /**
   * Waits until approval {@code id} is resolved (approved, rejected or expired), {@code until}
   * passes, {@code cancelled} says so, or the service shuts down.
   */
  public Waited await(String id, Instant until, BooleanSupplier cancelled) throws InterruptedException {
    while (true) {
      Instant now = clock.instant();
      Approval a = store.find(id).orElseThrow(() -> new ApprovalException(Code.NOT_FOUND, "no approval `" + id + "`"));
      ApprovalStatus s = a.statusAt(now);
      if (s == ApprovalStatus.EXPIRED && a.status() == ApprovalStatus.PENDING) {
        sweepSafely();
        a = store.find(id).orElse(a);
      }
      if (s != ApprovalStatus.PENDING) {
        return new Waited(WaitEnd.RESOLVED, a);
      }
      if (closed) {
        return new Waited(WaitEnd.SHUTDOWN, a);
      }
      if (cancelled.getAsBoolean()) {
        return new Waited(WaitEnd.CANCELLED, a);
      }
      long left = Duration.between(now, until).toMillis();
      if (left <= 0) {
        return new Waited(WaitEnd.TIMED_OUT, a);
      }
      long untilExpiry = Math.max(1, Duration.between(now, a.expiresAt()).toMillis());
      synchronized (changed) {
        if (!closed) {
          changed.wait(Math.max(1, Math.min(Math.min(left, untilExpiry), settings.pollInterval().toMillis())));
        }
      }
    }
  }

  /**
   * Takes one use of {@code a}'s grant for its requester's request with {@code fingerprint}; false
   * when it cannot be used (not approved, used up, expired, another request).
   */
  public boolean use(Approval a, String fingerprint) {
    boolean ok = store.use(a.id(), a.requester().subject(), fingerprint, clock.instant());
    if (ok) {
      emit(Kind.USED, store.find(a.id()).orElse(a), a.requester().subject(), "grant used by the identical request");
    }
    return ok;
  }

  // ---- approver side ----

  public Optional<Approval> find(String id) {
    return store.find(ApprovalIds.require(id));
  }

  public List<Approval> list(ApprovalStatus status, int limit) {
    if (limit < 1 || limit > 1000) {
      throw new ApprovalException(Code.INVALID, "limit must be between 1 and 1000, was " + limit);
    }
    return store.list(status, limit);
  }

  /** {@code approver} approves {@code id}; the deciding approval grants {@code uses} identical requests. */
  public Approval approve(String id, Approver approver, String comment, int uses) {
    if (uses < 1 || uses > settings.maxUses()) {
      throw refused(id, approver, new ApprovalException(Code.INVALID, "uses must be between 1 and "
          + settings.maxUses() + ", was " + uses));
    }
    return answer(id, approver, true, comment, uses);
  }

  /** {@code approver} rejects {@code id}; a rejection needs a reason. */
  public Approval reject(String id, Approver approver, String reason) {
    if (reason == null || reason.isBlank()) {
      throw refused(id, approver, new ApprovalException(Code.INVALID, "a rejection needs a reason"));
    }
    return answer(id, approver, false, reason.strip(), 1);
  }

  private Approval answer(String id, Approver approver, boolean approve, String comment, int uses) {
    try {
      ApprovalIds.require(id);
    } catch (ApprovalException e) {
      throw refused(id, approver, e);
    }
    if (comment != null && comment.length() > 2000) {
      throw refused(id, approver, new ApprovalException(Code.INVALID, "comment is longer than 2000 characters"));
    }
    ApprovalStore.Answer r;
    try {
      r = store.answer(id, approver, approve, comment, clock.instant(), uses, settings.grantTtl());
    } catch (ApprovalStore.ExpiredDuringAnswer e) {
      if (e.markedNow()) {
        emit(Kind.EXPIRED, e.approval(), "system", e.approval().resolution());
        notifySafely("expired", e.approval());
        wakeWaiters();
      }
      throw refused(id, approver, new ApprovalException(Code.EXPIRED, e.getMessage()));
    } catch (ApprovalException e) {
      throw refused(id, approver, e);
    }
    Approval a = r.approval();
    if (!r.resolved()) {
      emit(Kind.VOTED, a, approver.subject(), (approve ? "approved" : "rejected") + (comment == null ? "" : ": " + comment)
          + " (" + a.approvals().size() + " of " + a.minApprovals() + ")");
    } else {
      emit(a.status() == ApprovalStatus.APPROVED ? Kind.APPROVED : Kind.REJECTED, a, approver.subject(),
          a.status() == ApprovalStatus.APPROVED ? a.resolution() + (comment == null ? "" : "; " + comment) : comment);
      notifySafely(a.status().wire(), a);
      wakeWaiters();
    }
    return a;
  }

  private ApprovalException refused(String id, Approver approver, ApprovalException e) {
    audit(new ApprovalEvent(Kind.REFUSED, ApprovalIds.isValid(id) ? id : "-", clock.instant(), approver.subject(),
        null, e.code().wire() + ": " + e.getMessage()));
    return e;
  }

  // ---- housekeeping ----

  /** Marks due requests expired (also done every second in the background). */
  public void sweep() {
    for (Approval a : store.expireDue(clock.instant())) {
      emit(Kind.EXPIRED, a, "system", a.resolution());
      notifySafely("expired", a);
      wakeWaiters();
    }
  }

  private void sweepSafely() {
    try {
      sweep();
    } catch (RuntimeException e) {
      LOG.warn("event=approval_sweep_failed error={}", e.toString(), e);
    }
  }

  private void wakeWaiters() {
    synchronized (changed) {
      changed.notifyAll();
    }
  }

  private void emit(Kind kind, Approval a, String actor, String detail) {
    audit(new ApprovalEvent(kind, a.id(), clock.instant(), actor, a.status(), detail));
  }

  private void audit(ApprovalEvent e) {
    try {
      audit.record(e);
    } catch (RuntimeException ex) {
      LOG.error("event=approval_audit_failed approval_id={} kind={} error={}", e.approvalId(), e.kind().wire(),
          ex.toString(), ex);
    }
  }

  private void notifySafely(String event, Approval a) {
    try {
      notifier.notify(event, a);
    } catch (RuntimeException e) {
      LOG.error("event=approval_notify_failed approval_id={} kind={} error={}", a.id(), event, e.toString(), e);
    }
  }

  /** Ends every wait with {@link WaitEnd#SHUTDOWN}; pending approvals and grants stay in the store. */
  @Override
  public void close() {
    closed = true;
    wakeWaiters();
    sweeper.shutdownNow();
  }
}
