package io.vectorgate.proxy.pipeline;

/**
 * The pipeline's record step: the session recording, when one is configured. Fail closed: a
 * request that cannot be recorded is not forwarded, and an answer whose record failed is replaced
 * by the failure.
 */
public interface RequestRecorder {
  /** No recording. */
  RequestRecorder OFF = new RequestRecorder() {
    @Override
    public boolean enabled() {
      return false;
    }

    @Override
    public Failure writable() {
      return null;
    }

    @Override
    public Failure record(RequestLog log, Transport<?, ?> wire, boolean mayWait) {
      return null;
    }
  };

  boolean enabled();

  /** Before forwarding: null when a record can be written now, else why not. */
  Failure writable();

  /**
   * Appends the record of the finished request {@code log} (its payloads from {@code wire}); null
   * when recorded, else the failure the client is answered with instead. {@code mayWait} false:
   * never wait for the disk (on a transport thread).
   */
  Failure record(RequestLog log, Transport<?, ?> wire, boolean mayWait);

  /** Why a record cannot be written: a reason code and the client-facing text. */
  record Failure(String code, String message) {}
}
