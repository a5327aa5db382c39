package io.vectorgate.harness.impact;

import io.vectorgate.harness.replay.Drift;
import io.vectorgate.harness.replay.ReplayError;
import java.util.List;
import java.util.Map;

/**
 * The result of an impact analysis.
 *
 * @param requests recorded requests replayed
 * @param decided requests both policies decided
 * @param unchanged decided requests whose decision did not change
 * @param counts changes per kind
 * @param groups changes grouped by kind, action, collection and identity group (largest first)
 * @param changes every change, in recording order
 * @param errors requests the adapter refused where the gateway had not (or payloads not recorded)
 * @param refusedAsRecorded requests the adapter refused exactly as the gateway did (recorded deny with the same code)
 * @param drift per record id, how the rebuilt operation differs from the recorded one
 * @param notObserved intended changes that matched no request (or more than their {@code max})
 * @param unreplayable records the harness could not replay that the expectations tolerate
 *     ({@code unreplayable: count} or {@code ignore}); with {@code fail} they are in {@code errors}
 * @param unreplayableMode the expectations' {@code unreplayable}
 */
public record ImpactReport(
    String baseline,
    String baselineRevision,
    String candidate,
    String candidateRevision,
    String traffic,
    int requests,
    int decided,
    int unchanged,
    Map<ChangeKind, Integer> counts,
    List<ImpactGroup> groups,
    List<Change> changes,
    List<ReplayError> errors,
    int refusedAsRecorded,
    Map<String, List<Drift>> drift,
    List<String> notObserved,
    List<ReplayError> unreplayable,
    io.vectorgate.rollout.ImpactExpectationsFile.Unreplayable unreplayableMode,
    long elapsedNanos) {

  public long unexpectedChanges() {
    return groups.stream().filter(g -> !g.expected()).mapToLong(ImpactGroup::count).sum();
  }

  /** The run passes when every change was intended, every intended change was seen, and no request errored. */
  public boolean passed() {
    return unexpectedChanges() == 0 && notObserved.isEmpty() && errors.isEmpty();
  }
}
