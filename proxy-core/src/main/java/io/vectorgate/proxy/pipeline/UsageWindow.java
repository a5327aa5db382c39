package io.vectorgate.proxy.pipeline;

/**
 * The window arithmetic every usage tracker shares: requests are counted in 1-second buckets and
 * summed over the last 60 (the current second included); rows, vectors and pages in 1-minute
 * buckets summed over the last 60. A bucket is in the window of {@code now} when
 * {@code now - 60 < bucket <= now}; buckets from the future (another instance's clock ahead of
 * this one) are not counted until their time comes.
 */
public final class UsageWindow {
  /** Buckets per window. */
  public static final int BUCKETS = 60;

  private UsageWindow() {}

  /** The request bucket (epoch second) of a time in epoch milliseconds. */
  public static long second(long epochMillis) {
    return Math.floorDiv(epochMillis, 1000L);
  }

  /** The result bucket (epoch minute) of a time in epoch milliseconds. */
  public static long minute(long epochMillis) {
    return Math.floorDiv(epochMillis, 60_000L);
  }

  /** Whether {@code bucket} counts in the window ending at bucket {@code now}. */
  public static boolean inWindow(long bucket, long now) {
    return bucket <= now && now - bucket < BUCKETS;
  }

  /** The exclusive lower bound of the window ending at {@code now}: buckets {@code > oldest}. */
  public static long oldestExcluded(long now) {
    return now - BUCKETS;
  }
}
