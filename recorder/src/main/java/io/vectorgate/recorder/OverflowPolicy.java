package io.vectorgate.recorder;

/**
 * What happens when a record cannot be recorded (queue full, disk failing).
 * {@link #FAIL_CLOSED} (default): the append is refused and {@link Recorder#checkWritable()}
 * throws, so the gateway refuses the request. {@link #DROP}: the record is dropped and counted,
 * the request goes on.
 */
public enum OverflowPolicy { FAIL_CLOSED, DROP }
