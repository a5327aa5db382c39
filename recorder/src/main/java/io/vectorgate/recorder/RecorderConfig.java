package io.vectorgate.recorder;

import io.vectorgate.recorder.index.IndexConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * Load-time configuration of a {@link Recorder}. Defaults: 64 MiB / 1 h segments, a queue of 8192,
 * every-record fsync, fail closed, no retention, SQLite index beside the segments, payloads recorded
 * unless a decision's audit hints say otherwise, vectors stripped (arrays of 8+ numbers).
 *
 * @param retentionMaxAge remove sealed segments older than this (null = keep)
 * @param retentionMaxBytes remove the oldest sealed segments while all segments exceed this (0 = no limit)
 * @param retryInterval how often a failed writer tries to reopen its segment
 */
public record RecorderConfig(
    Path directory,
    long segmentMaxBytes,
    Duration segmentMaxAge,
    int queueCapacity,
    FsyncPolicy fsync,
    Duration fsyncInterval,
    OverflowPolicy overflow,
    Duration retentionMaxAge,
    long retentionMaxBytes,
    IndexConfig index,
    boolean recordPayloadsByDefault,
    VectorStripper vectorStripper,
    Duration retryInterval,
    ChannelFactory channelFactory,
    Clock clock) {

  public RecorderConfig {
    Objects.requireNonNull(directory, "recorder directory");
    if (segmentMaxBytes < 4096) {
      throw new IllegalArgumentException("recorder segment_max_bytes must be >= 4096, was " + segmentMaxBytes);
    }
    requirePositive(segmentMaxAge, "segment_max_age");
    if (queueCapacity < 1) {
      throw new IllegalArgumentException("recorder queue_capacity must be >= 1, was " + queueCapacity);
    }
    Objects.requireNonNull(fsync, "fsync");
    requirePositive(fsyncInterval, "fsync_interval");
    Objects.requireNonNull(overflow, "overflow");
    if (retentionMaxAge != null) {
      requirePositive(retentionMaxAge, "retention_max_age");
    }
    if (retentionMaxBytes < 0) {
      throw new IllegalArgumentException("recorder retention_max_bytes must be >= 0, was " + retentionMaxBytes);
    }
    index = index == null ? IndexConfig.sqlite(directory.resolve("index.sqlite")) : index;
    vectorStripper = vectorStripper == null ? VectorStripper.defaults() : vectorStripper;
    requirePositive(retryInterval, "retry_interval");
    channelFactory = channelFactory == null ? ChannelFactory.DEFAULT : channelFactory;
    clock = clock == null ? Clock.systemUTC() : clock;
  }

  private static void requirePositive(Duration d, String name) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException("recorder " + name + " must be a positive duration, was " + d);
    }
  }

  public static Builder builder(Path directory) {
    return new Builder(directory);
  }

  /** Builder with the documented defaults. */
  public static final class Builder {
    private final Path directory;
    private long segmentMaxBytes = 64L * 1024 * 1024;
    private Duration segmentMaxAge = Duration.ofHours(1);
    private int queueCapacity = 8192;
    private FsyncPolicy fsync = FsyncPolicy.EVERY_RECORD;
    private Duration fsyncInterval = Duration.ofMillis(100);
    private OverflowPolicy overflow = OverflowPolicy.FAIL_CLOSED;
    private Duration retentionMaxAge;
    private long retentionMaxBytes;
    private IndexConfig index;
    private boolean recordPayloadsByDefault = true;
    private VectorStripper vectorStripper;
    private Duration retryInterval = Duration.ofSeconds(5);
    private ChannelFactory channelFactory;
    private Clock clock;

    private Builder(Path directory) {
      this.directory = directory;
    }

    public Builder segmentMaxBytes(long v) { this.segmentMaxBytes = v; return this; }
    public Builder segmentMaxAge(Duration v) { this.segmentMaxAge = v; return this; }
    public Builder queueCapacity(int v) { this.queueCapacity = v; return this; }
    public Builder fsync(FsyncPolicy v) { this.fsync = v; return this; }
    public Builder fsyncInterval(Duration v) { this.fsyncInterval = v; return this; }
    public Builder overflow(OverflowPolicy v) { this.overflow = v; return this; }
    public Builder retentionMaxAge(Duration v) { this.retentionMaxAge = v; return this; }
    public Builder retentionMaxBytes(long v) { this.retentionMaxBytes = v; return this; }
    public Builder index(IndexConfig v) { this.index = v; return this; }
    public Builder recordPayloadsByDefault(boolean v) { this.recordPayloadsByDefault = v; return this; }
    public Builder vectorStripper(VectorStripper v) { this.vectorStripper = v; return this; }
    public Builder retryInterval(Duration v) { this.retryInterval = v; return this; }
    public Builder channelFactory(ChannelFactory v) { this.channelFactory = v; return this; }
    public Builder clock(Clock v) { this.clock = v; return this; }

    public RecorderConfig build() {
      return new RecorderConfig(directory, segmentMaxBytes, segmentMaxAge, queueCapacity, fsync, fsyncInterval,
          overflow, retentionMaxAge, retentionMaxBytes, index, recordPayloadsByDefault, vectorStripper,
          retryInterval, channelFactory, clock);
    }
  }
}
