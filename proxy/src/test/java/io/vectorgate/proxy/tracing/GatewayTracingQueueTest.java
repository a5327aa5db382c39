package io.vectorgate.proxy.tracing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.vectorgate.model.Connection;
import io.vectorgate.model.DatabaseKind;
import io.vectorgate.proxy.pipeline.RequestLog;
import java.util.Collection;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@code tracing.queue_size} bounds the spans waiting for the exporter: with an exporter stuck on its
 * first batch, a small queue keeps at most one batch in export plus the queue and drops the rest,
 * while the default queue keeps every span of the same burst. Requests never wait on the exporter.
 */
class GatewayTracingQueueTest {
  /** Blocks every export until released; counts the spans it was given. */
  static final class StuckExporter implements SpanExporter {
    final CountDownLatch release = new CountDownLatch(1);
    final AtomicInteger exported = new AtomicInteger();

    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
      try {
        release.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return CompletableResultCode.ofFailure();
      }
      exported.addAndGet(spans.size());
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode flush() {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
      return CompletableResultCode.ofSuccess();
    }
  }

  /** Ends {@code n} sampled requests (one server span each), then lets the exporter go and flushes. */
  private static int exportedOf(int n, int queueSize) {
    StuckExporter exporter = new StuckExporter();
    GatewayTracing t = queueSize < 0 ? GatewayTracing.withExporter(exporter, "test", 1.0)
        : GatewayTracing.withExporter(exporter, "test", 1.0, queueSize);
    for (int i = 0; i < n; i++) {
      RequestLog log = new RequestLog("l", new Connection("c", DatabaseKind.MILVUS));
      t.tracer().start(log, null).end(log);
    }
    exporter.release.countDown();
    t.close(); // flushes what is queued
    return exporter.exported.get();
  }

  @Test
  void aSmallQueueDropsWhatItCannotHoldAndTheDefaultKeepsTheBurst() {
    int burst = 1000;
    int small = exportedOf(burst, 64);
    assertTrue(small >= 64 && small <= 128, "queue 64, batches of 64: at most one batch in export plus the queue;"
        + " exported " + small + " of " + burst);
    assertEquals(burst, exportedOf(burst, -1), "the default queue (2048) holds the whole burst");
  }
}
