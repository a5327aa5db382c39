package io.vectorgate.recorder;

import java.nio.file.Path;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the writer thread publishes to the API threads: its counters, whether it is writing now,
 * the last error and the last seq it completed.
 */
final class WriterStatus {
  final LongAdder written = new LongAdder();
  final LongAdder dropped = new LongAdder();
  final LongAdder refused = new LongAdder();
  final LongAdder failures = new LongAdder();
  final LongAdder indexFailures = new LongAdder();
  final LongAdder fsyncs = new LongAdder();
  final LongAdder indexCommits = new LongAdder();
  volatile boolean healthy = true;
  volatile Throwable lastError;
  volatile long headSeq;
  private final Path dir;

  WriterStatus(Path dir) {
    this.dir = dir;
  }

  /** The fail-closed refusal while the disk is failing. */
  RecorderUnavailableException unavailableDisk() {
    Throwable cause = lastError;
    return new RecorderUnavailableException("recorder_disk_failure",
        "recording to " + dir + " failed" + (cause == null ? "" : ": " + cause.getMessage()) + "; request refused", cause);
  }
}
