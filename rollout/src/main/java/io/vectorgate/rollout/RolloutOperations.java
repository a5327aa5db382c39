package io.vectorgate.rollout;

import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Pin, unpin and rollback on a {@link RolloutState}, shared by the gateway's controller and the
 * {@code vectorgate policy pin|rollback} command. Every instance applies the pin at its next check.
 */
public final class RolloutOperations {
  static final int MAX_REVISION_CHARS = 200;

  private RolloutOperations() {}

  /** Checks an operator-given revision: printable ASCII without spaces, at most 200 characters. */
  public static String validRevision(String revision) {
    if (revision == null || revision.isEmpty() || revision.length() > MAX_REVISION_CHARS
        || !revision.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      throw new IllegalArgumentException("revision `" + GitPolicySource.printable(revision)
          + "` is not valid (1 to " + MAX_REVISION_CHARS + " printable ASCII characters, no spaces)");
    }
    return revision;
  }

  public static void pin(RolloutState state, String revision, String by, String reason, Clock clock) {
    validRevision(revision);
    state.setPin(new RolloutState.Pin(revision, by, reason, clock.instant()));
    state.append(new RolloutState.HistoryEvent(0, clock.instant(), by, revision, RolloutState.Outcome.PINNED, "",
        reason));
  }

  public static void unpin(RolloutState state, String by, Clock clock) {
    Optional<RolloutState.Pin> was = state.pin();
    state.clearPin();
    state.append(new RolloutState.HistoryEvent(0, clock.instant(), by, was.map(RolloutState.Pin::revision).orElse(""),
        RolloutState.Outcome.UNPINNED, "", ""));
  }

  /**
   * Pins the last good revision before {@code current} (null: the newest activated revision in the
   * history) and records the rollback. Revisions rolled back from before are never chosen again.
   *
   * @return the revision rolled back to
   */
  public static String rollback(RolloutState state, String current, String by, String reason, Clock clock) {
    List<RolloutState.HistoryEvent> history = state.history(10_000);
    String from = current != null ? current : history.stream()
        .filter(e -> e.outcome() == RolloutState.Outcome.ACTIVATED).map(RolloutState.HistoryEvent::revision)
        .findFirst().orElse(null);
    if (from == null) {
      throw new IllegalStateException("nothing to roll back: no revision was ever activated");
    }
    String target = previousGood(history, from)
        .orElseThrow(() -> new IllegalStateException("no earlier good revision than " + from + " to roll back to"));
    state.setPin(new RolloutState.Pin(target, by, reason == null || reason.isEmpty() ? "rollback from " + from : reason,
        clock.instant()));
    state.append(new RolloutState.HistoryEvent(0, clock.instant(), by, from, RolloutState.Outcome.ROLLED_BACK, "",
        "to " + target + (reason == null || reason.isEmpty() ? "" : ": " + reason)));
    return target;
  }

  /** The newest activated revision other than {@code current} that was never rolled back from. */
  static Optional<String> previousGood(List<RolloutState.HistoryEvent> newestFirst, String current) {
    Set<String> rolledBackFrom = new LinkedHashSet<>();
    newestFirst.stream().filter(e -> e.outcome() == RolloutState.Outcome.ROLLED_BACK)
        .forEach(e -> rolledBackFrom.add(e.revision()));
    rolledBackFrom.add(current);
    return newestFirst.stream().filter(e -> e.outcome() == RolloutState.Outcome.ACTIVATED)
        .map(RolloutState.HistoryEvent::revision).filter(r -> !rolledBackFrom.contains(r)).findFirst();
  }
}
