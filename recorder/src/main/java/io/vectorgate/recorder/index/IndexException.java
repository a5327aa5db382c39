package io.vectorgate.recorder.index;

/** The index could not be opened, migrated, written or queried; the message says which and where. */
public final class IndexException extends Exception {
  private static final long serialVersionUID = 1L;

  public IndexException(String message, Throwable cause) {
    super(message, cause);
  }
}
