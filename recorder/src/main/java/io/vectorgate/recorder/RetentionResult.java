package io.vectorgate.recorder;

import java.util.List;

/** What one retention pass removed: segment file names and the first seq still kept (0 when nothing was removed). */
public record RetentionResult(List<String> removedSegments, long firstKeptSeq, long bytesRemoved) {
  public RetentionResult {
    removedSegments = List.copyOf(removedSegments);
  }

  public static final RetentionResult NONE = new RetentionResult(List.of(), 0, 0);
}
