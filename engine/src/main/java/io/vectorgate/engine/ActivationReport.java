package io.vectorgate.engine;

import java.util.Map;
import java.util.Objects;

/**
 * What {@link PolicyEngine#activate} did: the revision now active, the revision it replaced (null
 * for the first), the instances built, the entrypoint ids resolved, how long it took (warm-up
 * included), the warm-up: evaluations run over all instances, how many of them failed (each
 * failing input is dropped from that instance's warm-up), and how long it took; and the engine that
 * decides for the revision ({@link EngineInUse}: the configured one, or Wasm after a plan fallback).
 */
public record ActivationReport(String revision, String previousRevision, int instances,
    Map<String, Integer> entrypoints, long buildMillis, int warmupEvaluations, int warmupFailures,
    long warmupMillis, EngineInUse engine) {
  public ActivationReport {
    entrypoints = Map.copyOf(entrypoints);
    Objects.requireNonNull(engine, "engine");
  }
}
