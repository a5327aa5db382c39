package io.vectorgate.recorder;

/**
 * Counters of one recorder: entries written, records dropped (DROP policy), appends refused
 * (FAIL_CLOSED), write failures (I/O errors seen by the writer), index failures, the queue depth
 * now, the last assigned seq, whether it accepts records now, and the last error (nullable).
 */
public record RecorderStats(
    long written,
    long dropped,
    long refused,
    long failures,
    long indexFailures,
    int queueDepth,
    long headSeq,
    boolean healthy,
    String lastError) {}
