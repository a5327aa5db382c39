package io.vectorgate.recorder;

/**
 * Recording is impossible right now (queue full, disk failure, recorder closed); under
 * {@link OverflowPolicy#FAIL_CLOSED} the gateway must refuse the request. {@link #code()} is a
 * stable reason code for the client-facing error and metrics.
 */
public final class RecorderUnavailableException extends Exception {
  private static final long serialVersionUID = 1L;
  private final String code;

  public RecorderUnavailableException(String code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  /** {@code recorder_queue_full}, {@code recorder_disk_failure} or {@code recorder_closed}. */
  public String code() {
    return code;
  }
}
