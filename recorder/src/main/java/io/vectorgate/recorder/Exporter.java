package io.vectorgate.recorder;

import io.vectorgate.recorder.index.IndexedRecord;
import io.vectorgate.recorder.index.RecordQuery;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;

/**
 * Writes the entries matching a query as JSONL, each line exactly as stored (so every exported
 * entry keeps its hash and can be checked on its own). The query's page size and cursor are ignored:
 * export writes all matches.
 */
public final class Exporter {
  private Exporter() {}

  /** Exports matching entries of the recording in {@code dir}; returns how many were written. */
  public static long export(Path dir, RecordQuery query, OutputStream out) throws IOException {
    String recorderId = RecordingStore.readRecorderId(dir);
    long[] n = {0};
    new RecordingReader(dir).forEach(e -> {
      IndexedRecord r = IndexedRecord.fromEntry(recorderId, e.segment().firstSeq(), e.entry());
      if (query.matches(r)) {
        out.write(e.raw());
        out.write('\n');
        n[0]++;
      }
      return true;
    });
    out.flush();
    return n[0];
  }
}
