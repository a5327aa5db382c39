package io.vectorgate.benchmarks;

import java.util.Arrays;

/** Collects latency samples (nanoseconds) of one thread; merged and summarized after the run. */
final class LatencyRecorder {
  private long[] samples = new long[1 << 16];
  private int count;

  void record(long nanos) {
    if (count == samples.length) {
      samples = Arrays.copyOf(samples, samples.length * 2);
    }
    samples[count++] = nanos;
  }

  int count() {
    return count;
  }

  static Summary summarize(LatencyRecorder[] recorders, double seconds) {
    int total = 0;
    for (LatencyRecorder r : recorders) {
      total += r.count;
    }
    long[] all = new long[total];
    int at = 0;
    for (LatencyRecorder r : recorders) {
      System.arraycopy(r.samples, 0, all, at, r.count);
      at += r.count;
    }
    Arrays.sort(all);
    return new Summary(total, total / seconds, percentile(all, 50), percentile(all, 99), percentile(all, 99.9));
  }

  private static long percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      return 0;
    }
    int idx = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, idx))];
  }

  /** Latencies in nanoseconds; throughput in operations per second. */
  record Summary(int samples, double throughput, long p50, long p99, long p999) {
    String toJson(String name, int threads) {
      return String.format(java.util.Locale.ROOT,
          "{\"name\":\"%s\",\"threads\":%d,\"samples\":%d,\"ops_per_s\":%.1f,\"p50_us\":%.2f,\"p99_us\":%.2f,\"p999_us\":%.2f}",
          name, threads, samples, throughput, p50 / 1000.0, p99 / 1000.0, p999 / 1000.0);
    }
  }
}
