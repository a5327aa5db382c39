package io.vectorgate.rollout;

import io.vectorgate.engine.PolicyEngine;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a live {@link PolicyEngine} on the revision it should run: the pinned revision when the
 * shared {@link RolloutState} has a pin, else the source's newest. Checks run on a single thread,
 * every {@code pollInterval} and at once on {@link #trigger()} (the webhook); a revision that fails
 * checkout, compile, test or impact is recorded and not retried until the target changes (or
 * {@link #retryFailed()}), one that fails smoke or activate is retried at the next check; the last
 * good revision stays active. Good bundles are kept (the last {@value #GOOD_CACHE}) so a
 * rollback to one of them needs no rebuild.
 */
public final class RolloutController implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RolloutController.class);
  static final int GOOD_CACHE = 8;
  /** Commits walked back from a broken branch head for a newer good revision. */
  static final int MAX_FALLBACK_WALK = 50;
  /** Revisions built per check while looking for a good one behind a broken target. */
  static final int MAX_FALLBACK_BUILDS = 5;

  /** What one check did. */
  public sealed interface CheckResult {
    /** The engine already runs {@code revision}. */
    record Unchanged(String revision) implements CheckResult {}

    /** {@code revision} is now active (it replaced {@code previous}, null for the first). */
    record Activated(String revision, String previous) implements CheckResult {}

    /** {@code revision} (null when the fetch failed) did not activate. */
    record Failed(String revision, StageFailure failure) implements CheckResult {}

    /** {@code revision} failed before and is not retried. */
    record KnownBad(String revision, StageFailure failure) implements CheckResult {}

    /** The source has no revision yet. */
    record Empty() implements CheckResult {}

    /**
     * The target {@code broken} (the branch head or the pin; null when the fetch failed) did not
     * build, so the newest good {@code revision} was activated instead (it replaced {@code previous}).
     */
    record FellBack(String revision, String previous, String broken, StageFailure failure) implements CheckResult {}
  }

  /** A failure with its revision and time. */
  public record LastFailure(String revision, StageFailure failure, Instant at) {}

  /** Everything the admin API and {@code vectorgate policy status} show. */
  public record Status(String instanceId, String source, String activeRevision, Optional<RolloutState.Pin> pin,
      String latestSeen, Instant lastCheck, Optional<LastFailure> lastFailure, List<RolloutState.InstanceReport> instances,
      List<RolloutState.HistoryEvent> history, Map<String, Long> metrics, Optional<LastFailure> brokenHead,
      Optional<LastFailure> brokenPin) {}

  private final String instanceId;
  private final PolicySource source;
  private final RolloutPipeline pipeline;
  private final PolicyEngine live;
  private final RolloutState state;
  private final Clock clock;
  private final Duration pollInterval;
  private final Map<String, RolloutPipeline.Built> good = new LinkedHashMap<>(16, 0.75f, true) {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<String, RolloutPipeline.Built> eldest) {
      return size() > GOOD_CACHE;
    }
  };
  private final Map<String, StageFailure> failed = new LinkedHashMap<>();
  private final AtomicBoolean pending = new AtomicBoolean();
  private volatile ScheduledExecutorService scheduler;
  private volatile String latestSeen;
  private volatile Instant lastCheck;
  private volatile LastFailure lastFailure;
  /** When this instance activated the revision it runs (null before the first activation). */
  private volatile Instant activatedAt;
  /** The branch head when it failed a deterministic stage and another revision serves (null: the head is fine). */
  private volatile LastFailure brokenHead;
  /** The stored pin when it failed a deterministic stage (the branch is followed instead). */
  private volatile LastFailure brokenPin;

  public RolloutController(String instanceId, PolicySource source, RolloutPipeline pipeline, PolicyEngine live,
      RolloutState state, Clock clock, Duration pollInterval) {
    this.instanceId = Objects.requireNonNull(instanceId, "instanceId");
    this.source = Objects.requireNonNull(source, "source");
    this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
    this.live = Objects.requireNonNull(live, "live");
    this.state = Objects.requireNonNull(state, "state");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.pollInterval = Objects.requireNonNull(pollInterval, "pollInterval");
    if (pollInterval.isNegative() || pollInterval.isZero()) {
      throw new IllegalArgumentException("poll interval must be positive, got " + pollInterval);
    }
  }

  public String instanceId() {
    return instanceId;
  }

  public PolicyEngine engine() {
    return live;
  }

  public RolloutMetrics metrics() {
    return pipeline.metrics();
  }

  /** Starts polling (first check after one interval; call {@link #checkNow()} first for a synchronous start). */
  public synchronized void start() {
    if (scheduler != null) {
      return;
    }
    scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "vectorgate-rollout-" + instanceId);
      t.setDaemon(true);
      return t;
    });
    long ms = pollInterval.toMillis();
    scheduler.scheduleWithFixedDelay(this::checkLogged, ms, ms, TimeUnit.MILLISECONDS);
  }

  /** Asks for a check as soon as possible (webhook); requests while one is queued collapse into it. */
  public void trigger() {
    ScheduledExecutorService s = scheduler;
    if (s == null) {
      throw new IllegalStateException("the rollout controller is not started");
    }
    if (pending.compareAndSet(false, true)) {
      s.execute(() -> {
        pending.set(false);
        checkLogged();
      });
    }
  }

  private void checkLogged() {
    try {
      checkNow();
    } catch (RuntimeException e) {
      LOG.error("event=rollout_check_error instance={} error=\"{}\"", instanceId, e.toString(), e);
    }
  }

  /**
   * One check, on the caller's thread. The target is the pin when one is set and it builds, else the
   * branch head. When the target cannot be built, the newest good revision is activated instead: on
   * the branch, the newest commit between the target and the active revision that passes the
   * pipeline (so {@code pin --clear} with a broken head moves to the newest good commit); with no
   * active revision (a restart), the newest revision the shared history records as activated. The
   * broken target stays reported ({@link Status#brokenHead()}, {@link Status#brokenPin()}) and is
   * checked again when it changes.
   */
  public synchronized CheckResult checkNow() {
    pipeline.metrics().check();
    lastCheck = clock.instant();
    Optional<RolloutState.Pin> pin = state.pin();
    if (pin.isPresent()) {
      String p = pin.get().revision();
      if (p.equals(activeRevision())) {
        brokenPin = null;
        pipeline.metrics().pinBroken(false);
        setBrokenHead(null);
        heartbeat();
        return new CheckResult.Unchanged(p);
      }
      StageFailure known = failed.get(p);
      CheckResult r = known != null ? new CheckResult.KnownBad(p, known) : attempt(p, true, true);
      if (r instanceof CheckResult.Activated) {
        brokenPin = null;
        pipeline.metrics().pinBroken(false);
        setBrokenHead(null);
        return r;
      }
      known = failed.get(p);
      if (known == null) {
        return r; // smoke or activate: retried at the next check, the active revision stays
      }
      if (brokenPin == null || !brokenPin.revision().equals(p)) {
        LOG.warn("event=rollout_pin_broken instance={} revision={} stage={} action=follow_branch", instanceId, p,
            known.stage().wireName());
        brokenPin = new LastFailure(p, known, clock.instant());
      }
    } else {
      brokenPin = null;
    }
    pipeline.metrics().pinBroken(brokenPin != null);
    String target;
    try {
      Optional<String> latest = source.latest();
      if (latest.isEmpty()) {
        heartbeat();
        return new CheckResult.Empty();
      }
      target = latest.get();
      latestSeen = target;
    } catch (RolloutException e) {
      pipeline.metrics().failure(Stage.FETCH);
      LOG.warn("event=rollout_stage stage=fetch instance={} outcome=failed message=\"{}\"", instanceId,
          e.failure().message());
      CheckResult r = recordFailure(null, e.failure());
      if (activeRevision() == null) {
        Optional<CheckResult.Activated> fb = fallback(null);
        if (fb.isPresent()) {
          return new CheckResult.FellBack(fb.get().revision(), null, null, e.failure());
        }
      }
      return r;
    }
    String active = activeRevision();
    if (target.equals(active)) {
      setBrokenHead(null);
      heartbeat();
      return new CheckResult.Unchanged(target);
    }
    StageFailure known = failed.get(target);
    CheckResult r = known != null ? new CheckResult.KnownBad(target, known) : attempt(target, false, true);
    if (r instanceof CheckResult.Activated) {
      setBrokenHead(null);
      return r;
    }
    StageFailure f = r instanceof CheckResult.KnownBad k ? k.failure() : ((CheckResult.Failed) r).failure();
    if (!failed.containsKey(target)) {
      return r; // smoke or activate: retried at the next check
    }
    if (brokenHead == null || !brokenHead.revision().equals(target)) {
      setBrokenHead(new LastFailure(target, f, clock.instant()));
    }
    Optional<CheckResult.Activated> fb = fallback(target);
    if (fb.isPresent()) {
      lastFailure = brokenHead; // the fallback's own failed candidates are in the history, not the status
      heartbeat();
      return new CheckResult.FellBack(fb.get().revision(), fb.get().previous(), target, f);
    }
    return r;
  }

  private void setBrokenHead(LastFailure f) {
    brokenHead = f;
    pipeline.metrics().headBroken(f != null);
  }

  private String activeRevision() {
    return live.activeRevision().orElse(null);
  }

  /**
   * Builds and activates {@code target}. A failure at checkout, compile, test or impact is remembered
   * (not rebuilt until {@link #retryFailed()}); with {@code report} it also becomes the last failure
   * and a history entry.
   */
  private CheckResult attempt(String target, boolean pinned, boolean report) {
    String active = activeRevision();
    try {
      RolloutPipeline.Built built = good.get(target);
      if (built == null) {
        built = pipeline.build(source, target, live);
      } else {
        LOG.info("event=rollout_reuse revision={} instance={} why=previously_good", target, instanceId);
      }
      pipeline.activate(live, built);
      activatedAt = clock.instant();
      good.put(target, built);
      pipeline.metrics().success();
      if (source instanceof GitPolicySource g) {
        g.retain(target);
      }
      state.append(new RolloutState.HistoryEvent(0, clock.instant(), instanceId, target, RolloutState.Outcome.ACTIVATED,
          "", active == null ? "first activation" : "replaced " + active));
      LOG.info("event=rollout_activated instance={} revision={} previous={} pinned={}", instanceId, target, active,
          pinned);
      heartbeat();
      return new CheckResult.Activated(target, active);
    } catch (RolloutException e) {
      // checkout, compile, test and impact are deterministic for a revision; smoke and activate can fail
      // for lack of resources (an evaluation timeout on a loaded host), so those are retried at the next check
      Stage st = e.failure().stage();
      if (st != Stage.SMOKE && st != Stage.ACTIVATE) {
        failed.put(target, e.failure());
      }
      if (failed.size() > 100) {
        failed.remove(failed.keySet().iterator().next());
      }
      return report ? recordFailure(target, e.failure()) : new CheckResult.Failed(target, e.failure());
    }
  }

  /**
   * The newest good revision instead of the broken {@code target} (null: the fetch failed): the
   * newest commit on the branch before {@code target} and after the active revision that passes the
   * pipeline; with nothing active, the newest revision the shared history records as activated
   * (those on the branch first). Empty when the active revision is the newest good one, or none builds.
   */
  private Optional<CheckResult.Activated> fallback(String target) {
    String active = activeRevision();
    List<String> candidates = new ArrayList<>();
    List<String> ancestors = target == null ? List.of() : source.ancestors(target, MAX_FALLBACK_WALK);
    if (active != null) {
      for (String a : ancestors) {
        if (a.equals(active)) {
          break;
        }
        candidates.add(a);
      }
      if (!ancestors.contains(active)) {
        return Optional.empty(); // the active revision is not on the branch (pinned after a force-push): keep it
      }
    } else {
      List<String> activated = state.history(10_000).stream()
          .filter(e -> e.outcome() == RolloutState.Outcome.ACTIVATED).map(RolloutState.HistoryEvent::revision)
          .filter(r -> !r.isEmpty()).distinct().toList();
      ancestors.stream().filter(activated::contains).forEach(candidates::add);
      activated.stream().filter(r -> !candidates.contains(r)).forEach(candidates::add);
    }
    int builds = 0;
    for (String c : candidates) {
      if (failed.containsKey(c)) {
        continue;
      }
      if (!good.containsKey(c) && ++builds > MAX_FALLBACK_BUILDS) {
        break;
      }
      CheckResult r = attempt(c, false, false);
      if (r instanceof CheckResult.Activated a) {
        LOG.warn("event=rollout_fallback instance={} revision={} broken={} why={}", instanceId, c, target,
            target == null ? "fetch_failed" : "target_broken");
        return Optional.of(a);
      }
      CheckResult.Failed f = (CheckResult.Failed) r;
      state.append(new RolloutState.HistoryEvent(0, clock.instant(), instanceId, c, RolloutState.Outcome.FAILED,
          f.failure().stage().wireName(), "fallback candidate: " + f.failure().render()));
    }
    return Optional.empty();
  }

  private CheckResult recordFailure(String revision, StageFailure f) {
    lastFailure = new LastFailure(revision, f, clock.instant());
    state.append(new RolloutState.HistoryEvent(0, clock.instant(), instanceId, revision, RolloutState.Outcome.FAILED,
        f.stage().wireName(), f.render()));
    LOG.warn("event=rollout_failed instance={} revision={} stage={} active={} failure=\"{}\"", instanceId, revision,
        f.stage().wireName(), live.activeRevision().orElse(null), f.render().replace("\n", " | "));
    heartbeat();
    return new CheckResult.Failed(revision, f);
  }

  private void heartbeat() {
    LastFailure lf = lastFailure;
    state.heartbeat(new RolloutState.InstanceReport(instanceId, source.describe(), live.activeRevision().orElse(null),
        lf == null ? null : lf.revision(), lf == null ? null : lf.failure().stage().wireName(),
        lf == null ? null : lf.failure().render(), clock.instant(), activatedAt));
  }

  /**
   * Every instance sharing the state, as each last reported: the revision it applied and when (the
   * per-instance view of {@link #status()}, without the rest of it).
   */
  public List<RolloutState.InstanceReport> instances() {
    return state.instances();
  }

  /** Forgets failed revisions so the next check tries them again. */
  public synchronized void retryFailed() {
    failed.clear();
  }

  /**
   * Pins {@code revision} for every instance sharing the state, after it was built and activated
   * here. A revision that is malformed, unknown to the source or fails a stage is refused with a
   * {@link PinRefusedException} and nothing is stored: the previous pin (or the branch) stays in force.
   */
  public CheckResult pin(String revision, String by, String reason) {
    RolloutOperations.validRevision(revision);
    CheckResult r;
    synchronized (this) {
      if (source instanceof GitPolicySource && !GitPolicySource.isCommitId(revision)) {
        throw refused(revision, StageFailure.of(Stage.CHECKOUT, "revision `"
            + GitPolicySource.printable(revision) + "` is not a full commit id (40 lower-case hex digits)"));
      }
      if (source instanceof GitPolicySource g && !g.contains(revision)) {
        try {
          latestSeen = g.latest().orElse(latestSeen); // pushed since the last check
        } catch (RolloutException e) {
          LOG.warn("event=policy_pin_fetch_failed instance={} message=\"{}\"", instanceId, e.failure().message());
        }
      }
      if (revision.equals(activeRevision())) {
        r = new CheckResult.Unchanged(revision);
      } else {
        StageFailure known = failed.get(revision);
        r = known != null ? new CheckResult.KnownBad(revision, known) : attempt(revision, true, false);
      }
      if (r instanceof CheckResult.Failed f) {
        throw refused(revision, f.failure());
      }
      if (r instanceof CheckResult.KnownBad k) {
        throw refused(revision, k.failure());
      }
      RolloutOperations.pin(state, revision, by, reason, clock);
      brokenPin = null;
      pipeline.metrics().pinBroken(false);
      heartbeat();
    }
    return r;
  }

  private PinRefusedException refused(String revision, StageFailure f) {
    LOG.warn("event=policy_pin_refused instance={} revision={} stage={} message=\"{}\"", instanceId,
        GitPolicySource.printable(revision), f.stage().wireName(), f.message());
    return new PinRefusedException(revision, f);
  }

  /** Follows the source again, then checks. */
  public CheckResult unpin(String by) {
    RolloutOperations.unpin(state, by, clock);
    return checkNow();
  }

  /** The Rego tree a revision compiles from ({@link #prepare}) and its path inside the repository ("" for the root). */
  public record PreparedTree(String revision, Path dir, String root) {}

  /**
   * Checks {@code revision} out of the source again and writes the Rego tree it compiles from
   * (DSL compiled to Rego, data files beside it) under {@code into}, for an explanation of a
   * decision; empty when the source delivers prebuilt bundles, which hold no Rego. Changes nothing:
   * no stage is recorded, the active revision stays.
   */
  public Optional<PreparedTree> prepare(String revision, Path into) throws RolloutException {
    Candidate c = source.checkout(revision, into.resolve("tree"));
    if (!(c instanceof Candidate.Tree t)) {
      return Optional.empty();
    }
    Path prepared = into.resolve("prepared");
    pipeline.prepare(t, prepared);
    return Optional.of(new PreparedTree(revision, prepared, t.root()));
  }

  /** Pins the last good revision before the active one, then checks. */
  public CheckResult rollback(String by, String reason) {
    RolloutOperations.rollback(state, live.activeRevision().orElse(null), by, reason, clock);
    return checkNow();
  }

  public Status status() {
    return new Status(instanceId, source.describe(), live.activeRevision().orElse(null), state.pin(), latestSeen,
        lastCheck, Optional.ofNullable(lastFailure), state.instances(), state.history(20), pipeline.metrics().snapshot(),
        Optional.ofNullable(brokenHead), Optional.ofNullable(brokenPin));
  }

  @Override
  public void close() {
    ScheduledExecutorService s = scheduler;
    if (s != null) {
      s.shutdownNow();
      try {
        if (!s.awaitTermination(30, TimeUnit.SECONDS)) {
          LOG.warn("event=rollout_stop_timeout instance={}", instanceId);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
