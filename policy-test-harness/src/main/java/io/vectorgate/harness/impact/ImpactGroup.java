package io.vectorgate.harness.impact;

import java.util.List;

/**
 * Changes of one kind for one (action, collection, identity group), with up to
 * {@link ImpactAnalyzer#EXAMPLES} example requests. {@code expected} is true when an intended change
 * of the expectations file covers every change of the group.
 */
public record ImpactGroup(
    ChangeKind kind,
    String action,
    String collection,
    String group,
    int count,
    List<String> aspects,
    List<Change> examples,
    boolean expected,
    String intendedBy) {}
