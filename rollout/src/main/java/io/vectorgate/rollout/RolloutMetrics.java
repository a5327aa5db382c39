package io.vectorgate.rollout;

import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of rollout outcomes ({@code rollout_success}, {@code rollout_failure.<stage>},
 * {@code rollout_checks}), whether the branch head or the pin is broken ({@code rollout_head_broken},
 * {@code rollout_pin_broken}: 1 while another revision serves in its place) and the times of the last successful activation and the last failure.
 */
public final class RolloutMetrics {
  private final LongAdder success = new LongAdder();
  private final LongAdder checks = new LongAdder();
  private final Map<Stage, LongAdder> failures = new EnumMap<>(Stage.class);
  private final AtomicLong lastSuccessMillis = new AtomicLong(-1);
  private final AtomicLong lastFailureMillis = new AtomicLong(-1);
  private volatile boolean headBroken;
  private volatile boolean pinBroken;

  public RolloutMetrics() {
    for (Stage s : Stage.values()) {
      failures.put(s, new LongAdder());
    }
  }

  void check() {
    checks.increment();
  }

  void success() {
    success.increment();
    lastSuccessMillis.set(System.currentTimeMillis());
  }

  void failure(Stage stage) {
    failures.get(stage).increment();
    lastFailureMillis.set(System.currentTimeMillis());
  }

  void headBroken(boolean broken) {
    headBroken = broken;
  }

  void pinBroken(boolean broken) {
    pinBroken = broken;
  }

  /** True while the branch head failed a stage and an earlier revision serves. */
  public boolean headBroken() {
    return headBroken;
  }

  /** True while the stored pin failed a stage and the branch is followed instead. */
  public boolean pinBroken() {
    return pinBroken;
  }

  public long checks() {
    return checks.sum();
  }

  public long successes() {
    return success.sum();
  }

  public long failures(Stage stage) {
    return failures.get(stage).sum();
  }

  /** When a revision was last activated by this instance (empty: never). */
  public Optional<Instant> lastSuccess() {
    long t = lastSuccessMillis.get();
    return t < 0 ? Optional.empty() : Optional.of(Instant.ofEpochMilli(t));
  }

  /** When a check last failed at any stage (empty: never). */
  public Optional<Instant> lastFailure() {
    long t = lastFailureMillis.get();
    return t < 0 ? Optional.empty() : Optional.of(Instant.ofEpochMilli(t));
  }

  /** Every counter by name (sorted). */
  public Map<String, Long> snapshot() {
    Map<String, Long> out = new TreeMap<>();
    out.put("rollout_checks", checks.sum());
    out.put("rollout_success", success.sum());
    failures.forEach((s, n) -> out.put("rollout_failure." + s.wireName(), n.sum()));
    out.put("rollout_head_broken", headBroken ? 1L : 0L);
    out.put("rollout_pin_broken", pinBroken ? 1L : 0L);
    return out;
  }
}
