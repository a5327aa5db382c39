package io.vectorgate.recorder;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorgate.recorder.index.IndexException;
import io.vectorgate.recorder.index.IndexedRecord;
import io.vectorgate.recorder.index.RecordIndex;
import io.vectorgate.recorder.internal.LineReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds the index: one batch per writer drain, a bounded backlog while the index fails (the
 * segments stay the source of truth; {@code reindex} rebuilds it), the catch-up at open and the
 * trim after retention.
 */
final class IndexFeeder {
  private static final Logger LOG = LoggerFactory.getLogger(IndexFeeder.class);
  private static final int MAX_INDEX_BACKLOG = 100_000;

  private final RecordIndex index;
  private final String recorderId;
  private final WriterStatus status;
  private final List<IndexedRecord> backlog = new ArrayList<>();

  IndexFeeder(RecordIndex index, String recorderId, WriterStatus status) {
    this.index = index;
    this.recorderId = recorderId;
    this.status = status;
  }

  boolean enabled() {
    return index != null;
  }

  /** Adds one batch (after the backlog); on failure keeps it for the next batch, up to a bound. Writer thread. */
  void add(List<IndexedRecord> batch) {
    if (!backlog.isEmpty()) {
      backlog.addAll(batch);
      batch = new ArrayList<>(backlog);
      backlog.clear();
    }
    try {
      index.add(batch);
    } catch (IndexException e) {
      status.indexFailures.increment();
      if (batch.size() <= MAX_INDEX_BACKLOG) {
        backlog.addAll(batch);
        LOG.warn("event=recorder_index_failed entries={} backlog={} error=\"{}\"", batch.size(), backlog.size(),
            e.getMessage(), e);
      } else {
        LOG.error("event=recorder_index_backlog_overflow entries={} from_seq={} action=\"run reindex\"",
            batch.size(), batch.get(0).seq(), e);
      }
    }
  }

  /** Drops index rows of entries before {@code firstKeptSeq} (after retention removed their segments). */
  void deleteBefore(long firstKeptSeq) {
    try {
      index.deleteBefore(recorderId, firstKeptSeq);
    } catch (IndexException e) {
      status.indexFailures.increment();
      LOG.warn("event=recorder_index_retention_failed first_kept_seq={} error=\"{}\"", firstKeptSeq, e.getMessage(), e);
    }
  }

  /** Indexes entries the index has not seen (it may lag after a crash or an index failure). At open. */
  void catchUp(Path dir, long headSeq) throws IOException {
    long last;
    try {
      last = index.lastSeq(recorderId);
    } catch (IndexException e) {
      throw new IOException(e.getMessage(), e);
    }
    if (last >= headSeq) {
      return;
    }
    long added = 0;
    List<SegmentRef> segments = SegmentRef.list(dir);
    for (int i = 0; i < segments.size(); i++) {
      SegmentRef s = segments.get(i);
      if (i + 1 < segments.size() && segments.get(i + 1).firstSeq() <= last + 1) {
        continue;
      }
      List<IndexedRecord> batch = new ArrayList<>();
      try (LineReader r = new LineReader(s.open(), RecordFormat.MAX_LINE_BYTES)) {
        LineReader.Line line;
        while ((line = r.next()) != null) {
          if (!line.terminated()) {
            break;
          }
          ObjectNode e = Recovery.parseEntry(line.bytes(), s, line.number());
          if (e.get(RecordFormat.F_SEQ).longValue() > last) {
            batch.add(IndexedRecord.fromEntry(recorderId, s.firstSeq(), e));
            if (batch.size() >= 1000) {
              addOrThrow(batch);
              added += batch.size();
              batch.clear();
            }
          }
        }
      }
      addOrThrow(batch);
      added += batch.size();
    }
    LOG.info("event=recorder_index_caught_up from_seq={} entries={}", last + 1, added);
  }

  private void addOrThrow(List<IndexedRecord> batch) throws IOException {
    try {
      index.add(batch);
    } catch (IndexException e) {
      throw new IOException(e.getMessage(), e);
    }
  }
}
