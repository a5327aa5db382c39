package io.vectorgate.rollout;

import io.vectorgate.engine.PolicyEngine;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
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
  }

  /** A failure with its revision and time. */
  public record LastFailure(String revision, StageFailure failure, Instant at) {}

  /** Everything the admin API and {@code vectorgate policy status} show. */
  public record Status(String instanceId, String source, String activeRevision, Optional<RolloutState.Pin> pin,
      String latestSeen, Instant lastCheck, Optional<LastFailure> lastFailure, List<RolloutState.InstanceReport> instances,
      List<RolloutState.HistoryEvent> history, Map<String, Long> metrics) {}

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

  /** One check, on the caller's thread. */
  public synchronized CheckResult checkNow() {
    pipeline.metrics().check();
    lastCheck = clock.instant();
    String target;
    Optional<RolloutState.Pin> pin = state.pin();
    if (pin.isPresent()) {
      target = pin.get().revision();
    } else {
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
        return recordFailure(null, e.failure());
      }
    }
    String active = live.activeRevision().orElse(null);
    if (target.equals(active)) {
      heartbeat();
      return new CheckResult.Unchanged(target);
    }
    StageFailure known = failed.get(target);
    if (known != null) {
      heartbeat();
      return new CheckResult.KnownBad(target, known);
    }
    try {
      RolloutPipeline.Built built = good.get(target);
      if (built == null) {
        built = pipeline.build(source, target, live);
      } else {
        LOG.info("event=rollout_reuse revision={} instance={} why=previously_good", target, instanceId);
      }
      pipeline.activate(live, built);
      good.put(target, built);
      pipeline.metrics().success();
      if (source instanceof GitPolicySource g) {
        g.retain(target);
      }
      state.append(new RolloutState.HistoryEvent(0, clock.instant(), instanceId, target, RolloutState.Outcome.ACTIVATED,
          "", active == null ? "first activation" : "replaced " + active));
      LOG.info("event=rollout_activated instance={} revision={} previous={} pinned={}", instanceId, target, active,
          pin.isPresent());
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
      return recordFailure(target, e.failure());
    }
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
        lf == null ? null : lf.failure().render(), clock.instant()));
  }

  /** Forgets failed revisions so the next check tries them again. */
  public synchronized void retryFailed() {
    failed.clear();
  }

  /** Pins {@code revision} for every instance sharing the state, then checks. */
  public CheckResult pin(String revision, String by, String reason) {
    RolloutOperations.pin(state, revision, by, reason, clock);
    return checkNow();
  }

  /** Follows the source again, then checks. */
  public CheckResult unpin(String by) {
    RolloutOperations.unpin(state, by, clock);
    return checkNow();
  }

  /** Pins the last good revision before the active one, then checks. */
  public CheckResult rollback(String by, String reason) {
    RolloutOperations.rollback(state, live.activeRevision().orElse(null), by, reason, clock);
    return checkNow();
  }

  public Status status() {
    return new Status(instanceId, source.describe(), live.activeRevision().orElse(null), state.pin(), latestSeen,
        lastCheck, Optional.ofNullable(lastFailure), state.instances(), state.history(20), pipeline.metrics().snapshot());
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
