package io.vectorgate.recorder;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** One stored entry as read back: its segment, 1-based line number, the parsed entry and the raw line. */
public record StoredEntry(SegmentRef segment, long line, ObjectNode entry, byte[] raw) {
  public long seq() {
    return entry.path(RecordFormat.F_SEQ).asLong();
  }

  public String kind() {
    return entry.path(RecordFormat.F_KIND).asText();
  }
}
