package io.vectorgate.recorder;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorgate.recorder.index.SessionSummary;
import java.util.List;

/** One session: the index's summary (null without an index) and its entries in seq order. */
public record SessionTranscript(String sessionId, SessionSummary summary, List<ObjectNode> entries) {
  public SessionTranscript {
    entries = List.copyOf(entries);
  }
}
