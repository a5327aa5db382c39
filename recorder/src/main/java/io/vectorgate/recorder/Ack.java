package io.vectorgate.recorder;

/**
 * The outcome of an append. {@code WRITTEN_DURABLE}: written and fsynced (every-record policy);
 * {@code WRITTEN}: handed to the OS, fsynced within the configured interval; {@code DROPPED}:
 * not recorded because the operator chose {@link OverflowPolicy#DROP} and recording was
 * impossible (counted in {@link RecorderStats#dropped()}). A refused append completes the future
 * exceptionally with {@link RecorderUnavailableException} instead.
 */
public record Ack(Status status, long seq, String recordId) {
  public enum Status { WRITTEN_DURABLE, WRITTEN, DROPPED }

  public static final Ack DROPPED = new Ack(Status.DROPPED, -1, null);

  public boolean written() {
    return status != Status.DROPPED;
  }
}
