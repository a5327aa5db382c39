package io.vectorgate.engine;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** {@link EngineMetrics} on {@link LongAdder}s, readable at any time with {@link #snapshot()}. */
public final class LongAdderEngineMetrics implements EngineMetrics {
  private final LongAdder allowed = new LongAdder();
  private final LongAdder denied = new LongAdder();
  private final LongAdder latencyNanos = new LongAdder();
  private final Map<String, LongAdder> failClosed = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> discarded = new ConcurrentHashMap<>();
  private final LongAdder activations = new LongAdder();
  private final LongAdder activationFailures = new LongAdder();
  private final LongAdder logDropped = new LongAdder();
  private final LongAdder shadowDisagreements = new LongAdder();

  public LongAdderEngineMetrics() {
    for (String code : ReasonCodes.FAIL_CLOSED) {
      failClosed.put(code, new LongAdder());
    }
  }

  @Override
  public void decision(boolean allow, String failClosedReason, long nanos) {
    (allow ? allowed : denied).increment();
    latencyNanos.add(nanos);
    if (failClosedReason != null) {
      failClosed.computeIfAbsent(failClosedReason, k -> new LongAdder()).increment();
    }
  }

  @Override
  public void activation(boolean succeeded, String revision) {
    (succeeded ? activations : activationFailures).increment();
  }

  @Override
  public void instanceDiscarded(String reasonCode) {
    discarded.computeIfAbsent(reasonCode, k -> new LongAdder()).increment();
  }

  @Override
  public void decisionLogDropped() {
    logDropped.increment();
  }

  @Override
  public void shadowDisagreement(String revision) {
    shadowDisagreements.increment();
  }

  /** Shadow-mode decisions where the plan and Wasm engines disagreed. */
  public long shadowDisagreements() {
    return shadowDisagreements.sum();
  }

  public long allowed() {
    return allowed.sum();
  }

  public long denied() {
    return denied.sum();
  }

  /** Decisions denied by the engine itself with {@code reasonCode}. */
  public long failClosed(String reasonCode) {
    LongAdder a = failClosed.get(reasonCode);
    return a == null ? 0 : a.sum();
  }

  public long failClosedTotal() {
    return failClosed.values().stream().mapToLong(LongAdder::sum).sum();
  }

  public long activations() {
    return activations.sum();
  }

  public long activationFailures() {
    return activationFailures.sum();
  }

  public long instancesDiscarded() {
    return discarded.values().stream().mapToLong(LongAdder::sum).sum();
  }

  public long decisionLogDroppedCount() {
    return logDropped.sum();
  }

  /**
   * All counters by metric name: {@code decisions_allowed}, {@code decisions_denied},
   * {@code decision_latency_nanos_sum}, {@code fail_closed.<code>}, {@code instances_discarded.<code>},
   * {@code activations}, {@code activation_failures}, {@code decision_log_dropped},
   * {@code shadow_disagreements}.
   */
  public Map<String, Long> snapshot() {
    Map<String, Long> m = new TreeMap<>();
    m.put("decisions_allowed", allowed.sum());
    m.put("decisions_denied", denied.sum());
    m.put("decision_latency_nanos_sum", latencyNanos.sum());
    failClosed.forEach((k, v) -> m.put("fail_closed." + k, v.sum()));
    discarded.forEach((k, v) -> m.put("instances_discarded." + k, v.sum()));
    m.put("activations", activations.sum());
    m.put("activation_failures", activationFailures.sum());
    m.put("decision_log_dropped", logDropped.sum());
    m.put("shadow_disagreements", shadowDisagreements.sum());
    return m;
  }
}
