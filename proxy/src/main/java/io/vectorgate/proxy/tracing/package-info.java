/**
 * OpenTelemetry SDK wiring for the pipeline's tracing seam ({@code tracing:} section): an OTLP/HTTP
 * exporter over the JDK's HttpClient, a batch span processor, flushed and shut down on gateway
 * close. The spans themselves are made in proxy-core ({@code OtelPipelineTracer}).
 */
package io.vectorgate.proxy.tracing;
