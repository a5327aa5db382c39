package io.vectorgate.recorder;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes the oldest compressed segments over the age/size limits, never the newest segment.
 * Order: a {@code retention} entry goes into the chain (fsynced), then {@code anchor.json} is
 * replaced, then the files are deleted and the index trimmed. Writer thread only.
 */
final class Retention {
  private static final Logger LOG = LoggerFactory.getLogger(Retention.class);

  /** Appends one entry to the chain, writes and forces it and completes what was buffered before it. */
  @FunctionalInterface
  interface ForcedAppend {
    /** Returns the seq the entry got. */
    long append(ObjectNode entry) throws IOException;
  }

  private final RecorderConfig config;
  private final Path dir;
  private final SegmentWriter segments;
  private final IndexFeeder index;

  Retention(RecorderConfig config, SegmentWriter segments, IndexFeeder index) {
    this.config = config;
    this.dir = config.directory();
    this.segments = segments;
    this.index = index;
  }

  boolean configured() {
    return config.retentionMaxAge() != null || config.retentionMaxBytes() > 0;
  }

  RetentionResult run(ForcedAppend chain) throws IOException {
    if (!configured()) {
      return RetentionResult.NONE;
    }
    // the compressor may replace a plain segment by its .gz while we look: list again when a file vanished
    List<SegmentRef> segs = null;
    Map<Path, BasicFileAttributes> attrs = new HashMap<>();
    for (int attempt = 0; attempt < 5 && segs == null; attempt++) {
      segs = SegmentRef.list(dir);
      attrs.clear();
      for (SegmentRef s : segs) {
        try {
          attrs.put(s.path(), Files.readAttributes(s.path(), BasicFileAttributes.class));
        } catch (NoSuchFileException e) {
          segs = null;
          break;
        }
      }
    }
    if (segs == null) {
      throw new IOException("retention: segment files kept changing while listing " + dir);
    }
    if (segs.size() < 2) {
      return RetentionResult.NONE;
    }
    long total = 0;
    for (SegmentRef s : segs) {
      total += attrs.get(s.path()).size();
    }
    Instant now = config.clock().instant();
    List<SegmentRef> remove = new ArrayList<>();
    long removedBytes = 0;
    for (int i = 0; i < segs.size() - 1; i++) {
      SegmentRef s = segs.get(i);
      if (!s.compressed() || (segments.isOpen() && s.firstSeq() == segments.segmentFirstSeq())) {
        break;
      }
      long size = attrs.get(s.path()).size();
      boolean old = config.retentionMaxAge() != null
          && attrs.get(s.path()).lastModifiedTime().toInstant().isBefore(now.minus(config.retentionMaxAge()));
      boolean over = config.retentionMaxBytes() > 0 && total > config.retentionMaxBytes();
      if (!old && !over) {
        break;
      }
      remove.add(s);
      total -= size;
      removedBytes += size;
    }
    if (remove.isEmpty()) {
      return RetentionResult.NONE;
    }
    SegmentRef kept = segs.get(remove.size());
    ObjectNode firstKept = Recovery.firstEntry(kept);
    long firstKeptSeq = firstKept.get(RecordFormat.F_SEQ).longValue();
    String keptPrev = firstKept.path(RecordFormat.F_PREV_HASH).asText();
    ObjectNode r = EntryWriter.newEntry(RecordFormat.KIND_RETENTION, now);
    r.put("first_kept_seq", firstKeptSeq);
    r.put("first_kept_prev_hash", keptPrev);
    ArrayNode names = r.putArray("removed_segments");
    for (SegmentRef s : remove) {
      names.add(s.fileName());
    }
    long retentionSeq = chain.append(r);
    new Anchor(firstKeptSeq, keptPrev, retentionSeq, now).write(dir);
    List<String> removedNames = new ArrayList<>();
    for (SegmentRef s : remove) {
      Files.deleteIfExists(s.path());
      Files.deleteIfExists(dir.resolve(RecordFormat.segmentName(s.firstSeq())));
      removedNames.add(s.fileName());
    }
    SegmentWriter.fsyncDir(dir);
    if (index.enabled()) {
      index.deleteBefore(firstKeptSeq);
    }
    LOG.info("event=recorder_retention removed={} bytes={} first_kept_seq={}", removedNames.size(), removedBytes,
        firstKeptSeq);
    return new RetentionResult(removedNames, firstKeptSeq, removedBytes);
  }
}
