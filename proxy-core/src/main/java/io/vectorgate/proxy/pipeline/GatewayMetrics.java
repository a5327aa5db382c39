package io.vectorgate.proxy.pipeline;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Named counters of request outcomes ({@code allowed}, {@code denied}, {@code unauthenticated}, ...).
 * The admin API's {@code GET /metrics} exposes them as {@code vectorgate_requests_total{outcome}}
 * ({@code recording_*} names as {@code vectorgate_recording_events_total{event}}), see
 * {@code io.vectorgate.proxy.admin.GatewayPrometheus} (proxy module).
 */
public final class GatewayMetrics {
  private final ConcurrentHashMap<String, LongAdder> counters = new ConcurrentHashMap<>();

  /** Adds one to {@code name}. */
  public void count(String name) {
    counters.computeIfAbsent(name, k -> new LongAdder()).increment();
  }

  public long get(String name) {
    LongAdder a = counters.get(name);
    return a == null ? 0 : a.sum();
  }

  /** A sorted copy of all counters. */
  public Map<String, Long> snapshot() {
    Map<String, Long> out = new TreeMap<>();
    counters.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }
}
