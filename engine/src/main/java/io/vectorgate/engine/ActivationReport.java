package io.vectorgate.engine;

import java.util.Map;

/**
 * What {@link PolicyEngine#activate} did: the revision now active, the revision it replaced (null
 * for the first), the instances built, the entrypoint ids resolved, and how long it took.
 */
public record ActivationReport(String revision, String previousRevision, int instances,
    Map<String, Integer> entrypoints, long buildMillis) {
  public ActivationReport {
    entrypoints = Map.copyOf(entrypoints);
  }
}
