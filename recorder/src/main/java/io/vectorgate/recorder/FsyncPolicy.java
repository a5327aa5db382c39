package io.vectorgate.recorder;

/**
 * When segment data is forced to disk. {@link #EVERY_RECORD}: every acknowledgement means the
 * record is on disk (the writer fsyncs once per drained batch before completing its futures —
 * group commit). {@link #INTERVAL}: acknowledged once written to the OS; fsync at most every
 * {@link RecorderConfig#fsyncInterval()}; a power loss may lose that window (a process crash does not).
 * The full table (with and without waiting for the ack): docs/recording.md, "What an acknowledgement
 * guarantees".
 */
public enum FsyncPolicy { EVERY_RECORD, INTERVAL }
