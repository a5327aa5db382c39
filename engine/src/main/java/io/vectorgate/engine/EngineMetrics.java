package io.vectorgate.engine;

/**
 * Where the engine counts what it does. The proxy implements this over its metrics registry (or
 * reads {@link LongAdderEngineMetrics}); every method must be cheap and thread-safe, and must not
 * throw.
 */
public interface EngineMetrics {

  /**
   * One decision finished. {@code failClosedReason} is the {@link ReasonCodes} code when the
   * engine denied on its own (error, timeout, undefined, bad input, ...), else null;
   * {@code allowed} is the decision's allow flag.
   */
  void decision(boolean allowed, String failClosedReason, long latencyNanos);

  /** An activation attempt ended; {@code revision} is the bundle's revision. */
  void activation(boolean succeeded, String revision);

  /** A policy instance was thrown away (after a timeout, abort or error) and is rebuilt. */
  void instanceDiscarded(String reasonCode);

  /** The decision log could not keep up and dropped an event. */
  void decisionLogDropped();

  /**
   * In shadow mode, the plan engine and the Wasm engine gave different results for one decision
   * (see {@link EngineConfig#shadowRate()}). Default: not counted.
   */
  default void shadowDisagreement(String revision) {}

  /** Counts nothing. */
  EngineMetrics NONE = new EngineMetrics() {
    @Override
    public void decision(boolean allowed, String failClosedReason, long latencyNanos) {}

    @Override
    public void activation(boolean succeeded, String revision) {}

    @Override
    public void instanceDiscarded(String reasonCode) {}

    @Override
    public void decisionLogDropped() {}
  };
}
