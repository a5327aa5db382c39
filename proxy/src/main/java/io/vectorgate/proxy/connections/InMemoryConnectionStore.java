package io.vectorgate.proxy.connections;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A {@link ConnectionStore} for one process (no {@code admin.connections.store}). */
public final class InMemoryConnectionStore implements ConnectionStore {
  private final Map<String, Entry> entries = new LinkedHashMap<>();
  private final List<Entry> history = new ArrayList<>();
  private long revision;

  @Override
  public synchronized long revision() {
    return revision;
  }

  @Override
  public synchronized Snapshot snapshot() {
    return new Snapshot(revision, new ArrayList<>(entries.values()));
  }

  @Override
  public synchronized Entry write(String id, String spec, Expect expect, String by, Instant at) throws VersionConflict {
    Entry old = entries.get(id);
    long current = old == null ? 0 : old.version();
    check(id, expect, current);
    Entry e = new Entry(id, spec, ++revision, by, at);
    entries.put(id, e);
    history.add(e);
    return e;
  }

  /** Throws when {@code expect} does not hold for an entry at version {@code current} (0: none). */
  static void check(String id, Expect expect, long current) throws VersionConflict {
    boolean ok = expect instanceof Expect.Version v ? v.version() == current
        : !(expect instanceof Expect.Absent) || current == 0;
    if (!ok) {
      throw new VersionConflict(id, current);
    }
  }

  @Override
  public synchronized List<Entry> history(int limit) {
    List<Entry> out = new ArrayList<>();
    for (int i = history.size() - 1; i >= 0 && out.size() < limit; i--) {
      out.add(history.get(i));
    }
    return out;
  }
}
