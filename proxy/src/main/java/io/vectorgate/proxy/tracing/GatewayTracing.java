package io.vectorgate.proxy.tracing;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporterBuilder;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.vectorgate.proxy.config.ConfigLoader;
import io.vectorgate.proxy.config.TracingConfig;
import io.vectorgate.proxy.pipeline.OtelPipelineTracer;
import io.vectorgate.proxy.pipeline.PipelineTracer;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's tracing: {@link #OFF} without a {@code tracing:} section (no SDK, no exporter
 * thread), else an SDK exporting over OTLP/HTTP (protobuf). {@link #close} flushes the spans still
 * queued and shuts the exporter down (the gateway closes it after its listeners).
 */
public final class GatewayTracing implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GatewayTracing.class);
  /** Tracing off. */
  public static final GatewayTracing OFF = new GatewayTracing(PipelineTracer.OFF, null);

  private final PipelineTracer tracer;
  private final OpenTelemetrySdk sdk;

  private GatewayTracing(PipelineTracer tracer, OpenTelemetrySdk sdk) {
    this.tracer = tracer;
    this.sdk = sdk;
  }

  /** Tracing as {@code cfg} (validated) says; {@link #OFF} when it is null. Header secrets are read here. */
  public static GatewayTracing open(TracingConfig cfg, Function<String, String> env) {
    if (cfg == null) {
      return OFF;
    }
    OtlpHttpSpanExporterBuilder b = OtlpHttpSpanExporter.builder().setEndpoint(cfg.otlpEndpoint());
    for (Map.Entry<String, io.vectorgate.proxy.config.GatewayConfig.SecretRef> h : cfg.headers().entrySet()) {
      b.addHeader(h.getKey(), ConfigLoader.readSecret(h.getValue(), "tracing.headers." + h.getKey(), env));
    }
    GatewayTracing t = withExporter(b.build(), cfg.serviceName(), cfg.sampleRatio(), Math.toIntExact(cfg.queueSize()));
    LOG.info("event=tracing_started endpoint={} service_name={} sample_ratio={} queue_size={}", cfg.otlpEndpoint(),
        cfg.serviceName(), cfg.sampleRatio(), cfg.queueSize());
    return t;
  }

  /** An SDK over {@code exporter} with a batch processor of the default queue (also for tests and the benchmark). */
  public static GatewayTracing withExporter(SpanExporter exporter, String serviceName, double sampleRatio) {
    return withExporter(exporter, serviceName, sampleRatio, Math.toIntExact(TracingConfig.DEFAULT_QUEUE_SIZE));
  }

  /**
   * An SDK over {@code exporter} with a batch processor holding at most {@code queueSize} spans
   * ({@code tracing.queue_size}); batches of at most 512 (the SDK's default), never more than the queue.
   */
  public static GatewayTracing withExporter(SpanExporter exporter, String serviceName, double sampleRatio,
      int queueSize) {
    SdkTracerProvider provider = SdkTracerProvider.builder()
        .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(
            io.opentelemetry.api.common.AttributeKey.stringKey("service.name"), serviceName))))
        .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(sampleRatio)))
        .addSpanProcessor(BatchSpanProcessor.builder(exporter).setMaxQueueSize(queueSize)
            .setMaxExportBatchSize(Math.min(512, queueSize)).build())
        .build();
    OpenTelemetrySdk sdk = OpenTelemetrySdk.builder().setTracerProvider(provider).build();
    return new GatewayTracing(new OtelPipelineTracer(sdk), sdk);
  }

  public PipelineTracer tracer() {
    return tracer;
  }

  public boolean enabled() {
    return sdk != null;
  }

  /** Flushes queued spans and shuts the exporter down (bounded: 10 s). */
  @Override
  public void close() {
    if (sdk == null) {
      return;
    }
    var result = sdk.getSdkTracerProvider().shutdown().join(10, TimeUnit.SECONDS);
    if (!result.isSuccess()) {
      LOG.warn("event=tracing_shutdown_incomplete (spans may be lost: the collector did not take them in time)");
    }
  }
}
