package io.vectorgate.engine;

import java.util.Map;

/**
 * What {@link PolicyEngine#activate} did: the revision now active, the revision it replaced (null
 * for the first), the instances built, the entrypoint ids resolved, how long it took (warm-up
 * included), and the warm-up: evaluations run over all instances, how many of them failed (each
 * failing input is dropped from that instance's warm-up), and how long it took.
 */
public record ActivationReport(String revision, String previousRevision, int instances,
    Map<String, Integer> entrypoints, long buildMillis, int warmupEvaluations, int warmupFailures,
    long warmupMillis) {
  public ActivationReport {
    entrypoints = Map.copyOf(entrypoints);
  }

  /** A report without warm-up. */
  public ActivationReport(String revision, String previousRevision, int instances,
      Map<String, Integer> entrypoints, long buildMillis) {
    this(revision, previousRevision, instances, entrypoints, buildMillis, 0, 0, 0);
  }
}
