package io.vectorgate.recorder;

import java.io.IOException;

/** A segment is damaged somewhere other than a torn last line: the recorder refuses to extend the chain. */
public final class RecordingCorruptException extends IOException {
  private static final long serialVersionUID = 1L;

  public RecordingCorruptException(String message, Throwable cause) {
    super(message, cause);
  }
}
