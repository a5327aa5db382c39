package io.vectorgate.rollout;

import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;

/** Counters of rollout outcomes: {@code rollout_success}, {@code rollout_failure.<stage>}, {@code rollout_checks}. */
public final class RolloutMetrics {
  private final LongAdder success = new LongAdder();
  private final LongAdder checks = new LongAdder();
  private final Map<Stage, LongAdder> failures = new EnumMap<>(Stage.class);

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
  }

  void failure(Stage stage) {
    failures.get(stage).increment();
  }

  public long successes() {
    return success.sum();
  }

  public long failures(Stage stage) {
    return failures.get(stage).sum();
  }

  /** Every counter by name (sorted). */
  public Map<String, Long> snapshot() {
    Map<String, Long> out = new TreeMap<>();
    out.put("rollout_checks", checks.sum());
    out.put("rollout_success", success.sum());
    failures.forEach((s, n) -> out.put("rollout_failure." + s.wireName(), n.sum()));
    return out;
  }
}
