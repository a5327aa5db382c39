package io.vectorgate.recorder;

/**
 * Counters of one recorder: entries written, records dropped (DROP policy), appends refused
 * (FAIL_CLOSED), write failures (I/O errors seen by the writer), index failures, the queue depth
 * now, the last assigned seq, whether it accepts records now, the last error (nullable), and the
 * fsyncs of segment files and the index transactions so far (what group commit saves shows there).
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
    String lastError,
    long fsyncs,
    long indexCommits) {}
