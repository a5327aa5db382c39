package io.vectorgate.proxy.connections;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The connections written through the admin API, shared by every gateway instance. Each write
 * (put or remove) takes the next store revision, which becomes the entry's {@code version}; an
 * instance that has seen revision {@code r} has seen every write up to {@code r}. A removal is
 * kept as an entry without a spec (a tombstone), so it also hides a connection of the YAML file.
 * Specs are JSON text holding secret references only, never secret values.
 * {@link InMemoryConnectionStore} serves one process, {@link JdbcConnectionStore} SQLite (one
 * host) and PostgreSQL (every instance).
 */
public interface ConnectionStore extends AutoCloseable {
  /** One stored connection; {@code spec} is null for a removal. */
  record Entry(String id, String spec, long version, String by, Instant at) {
    public Entry {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(at, "at");
      by = by == null ? "" : by;
    }

    public boolean removed() {
      return spec == null;
    }
  }

  /** Every entry (tombstones included) as of {@code revision}. */
  record Snapshot(long revision, List<Entry> entries) {
    public Snapshot {
      entries = List.copyOf(entries);
    }
  }

  /** The version a write expects to replace; refused with {@link VersionConflict} otherwise. */
  sealed interface Expect {
    /** Write whatever is stored. */
    record Any() implements Expect {}

    /** Only when the store has no entry for the id (a removal counts as an entry). */
    record Absent() implements Expect {}

    /** Only when the stored entry has this version. */
    record Version(long version) implements Expect {}

    Expect ANY = new Any();
  }

  /** A write whose expectation did not hold; {@code current} is the stored version (0: no entry). */
  final class VersionConflict extends Exception {
    private static final long serialVersionUID = 1L;
    private final long current;

    public VersionConflict(String id, long current) {
      super("connection `" + id + "` is at version " + current + (current == 0 ? " (not stored)" : ""), null, false,
          false);
      this.current = current;
    }

    public long current() {
      return current;
    }
  }

  /** The current revision (0 before the first write): what instances poll. */
  long revision();

  Snapshot snapshot();

  /**
   * Stores {@code spec} for {@code id} (or a removal when {@code spec} is null) under the next
   * revision, if {@code expect} holds; appends the write to the audit trail.
   *
   * @return the entry as stored
   */
  Entry write(String id, String spec, Expect expect, String by, Instant at) throws VersionConflict;

  /** The newest {@code limit} writes, newest first (the audit trail; specs as written). */
  List<Entry> history(int limit);

  @Override
  default void close() {}
}
