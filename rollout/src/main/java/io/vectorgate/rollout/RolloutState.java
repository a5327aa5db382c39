package io.vectorgate.rollout;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What gateway instances share about rollout: the pin (a revision every instance must run instead
 * of the branch head), each instance's heartbeat with its active revision and last failure, and
 * the history of activations, failures, pins and rollbacks. {@link InMemoryRolloutState} serves one
 * process; {@link JdbcRolloutState} on SQLite serves the instances of one host and on PostgreSQL
 * all of them.
 */
public interface RolloutState extends AutoCloseable {
  /** A revision pinned by an operator. */
  record Pin(String revision, String by, String reason, Instant at) {
    public Pin {
      Objects.requireNonNull(revision, "revision");
      by = by == null ? "" : by;
      reason = reason == null ? "" : reason;
      Objects.requireNonNull(at, "at");
    }
  }

  /**
   * An instance's last heartbeat ({@code at}): what it runs and since when ({@code activatedAt}, when
   * this instance applied {@code activeRevision}), where it reads from, its last failure (null fields
   * when none).
   */
  record InstanceReport(String instanceId, String source, String activeRevision, String failedRevision,
      String failedStage, String failedMessage, Instant at, Instant activatedAt) {
    public InstanceReport {
      Objects.requireNonNull(instanceId, "instanceId");
      Objects.requireNonNull(at, "at");
    }

    /** Without the activation time (unknown). */
    public InstanceReport(String instanceId, String source, String activeRevision, String failedRevision,
        String failedStage, String failedMessage, Instant at) {
      this(instanceId, source, activeRevision, failedRevision, failedStage, failedMessage, at, null);
    }
  }

  /** One history entry; {@code id} is assigned by the store (0 before). */
  record HistoryEvent(long id, Instant at, String instanceId, String revision, Outcome outcome, String stage,
      String message) {
    public HistoryEvent {
      Objects.requireNonNull(at, "at");
      Objects.requireNonNull(outcome, "outcome");
      instanceId = instanceId == null ? "" : instanceId;
      revision = revision == null ? "" : revision;
      stage = stage == null ? "" : stage;
      message = message == null ? "" : message;
    }
  }

  /** Kinds of history entries. */
  enum Outcome {
    ACTIVATED, FAILED, PINNED, UNPINNED, ROLLED_BACK;

    public String wireName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static Outcome fromWireName(String s) {
      return valueOf(s.toUpperCase(java.util.Locale.ROOT));
    }
  }

  Optional<Pin> pin();

  void setPin(Pin pin);

  void clearPin();

  void heartbeat(InstanceReport report);

  /** Every instance that ever reported, by id. */
  List<InstanceReport> instances();

  void append(HistoryEvent event);

  /** The newest {@code limit} entries, newest first. */
  List<HistoryEvent> history(int limit);

  @Override
  default void close() {}
}
