package io.vectorgate.recorder.index;

import java.util.List;

/**
 * Lookup index over recorded entries. It holds where each entry is (recorder, seq, segment) and the
 * fields queries filter on, never the payloads: full records are read from the segments. It is
 * derived data, rebuildable from the segments ({@code RecordingStore.reindex()}).
 * Implementations are thread-safe.
 */
public interface RecordIndex extends AutoCloseable {
  /** Adds entries (idempotent on recorder id + seq) and updates the sessions they belong to. */
  void add(List<IndexedRecord> entries) throws IndexException;

  /** The highest seq indexed for {@code recorderId}, 0 when none. */
  long lastSeq(String recorderId) throws IndexException;

  /** Matching entries, oldest first. */
  Page<IndexedRecord> find(RecordQuery query) throws IndexException;

  /** Sessions that match the identity/time filters and, if record filters are given, have a matching record. */
  Page<SessionSummary> sessions(RecordQuery query) throws IndexException;

  /** One session, or null. */
  SessionSummary session(String sessionId) throws IndexException;

  /** Drops entries of {@code recorderId} with seq below {@code firstKeptSeq} (retention). */
  void deleteBefore(String recorderId, long firstKeptSeq) throws IndexException;

  /** Drops everything of {@code recorderId} (before a reindex). */
  void clear(String recorderId) throws IndexException;

  /** The schema version in the database. */
  int schemaVersion() throws IndexException;

  @Override
  void close() throws IndexException;
}
