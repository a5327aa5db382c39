package io.vectorgate.proxy.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.vectorgate.proxy.config.GatewayConfig.SecretRef;
import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The {@code tracing:} section: OpenTelemetry spans for the request pipeline, exported over
 * OTLP/HTTP (protobuf). Absent: tracing is off (no SDK, no exporter thread, no {@code traceparent}
 * sent upstream). docs/operations.md, "Tracing".
 *
 * <ul>
 *   <li>{@code otlp_endpoint} (required): the full OTLP/HTTP traces URL, {@code http://} or
 *       {@code https://}, e.g. {@code http://127.0.0.1:4318/v1/traces};
 *   <li>{@code service_name} (default {@code vectorgate}): the {@code service.name} resource attribute;
 *   <li>{@code sample_ratio} (default 1.0, 0..1): the share of new traces sampled; a request whose
 *       client sent a valid {@code traceparent} follows the client's sampled flag (parent-based);
 *   <li>{@code headers}: header name → secret reference ({@code env} or {@code file}) sent with each
 *       export (a collector's API key); values are never literal and never logged;
 *   <li>{@code queue_size} (default {@value #DEFAULT_QUEUE_SIZE}, the SDK's; {@value #MIN_QUEUE_SIZE}..{@value
 *       #MAX_QUEUE_SIZE}): spans waiting for the exporter; beyond it spans are dropped (never requests).
 * </ul>
 */
public record TracingConfig(
    @JsonProperty("otlp_endpoint") String otlpEndpoint,
    @JsonProperty("service_name") String serviceName,
    @JsonProperty("sample_ratio") Double sampleRatio,
    @JsonProperty("headers") Map<String, SecretRef> headers,
    @JsonProperty("queue_size")
    @com.fasterxml.jackson.databind.annotation.JsonDeserialize(using = GatewayConfig.WholeNumber.class) Long queueSize) {

  /** The OpenTelemetry SDK's default batch queue. */
  public static final long DEFAULT_QUEUE_SIZE = 2048;
  public static final long MIN_QUEUE_SIZE = 64;
  /** About 1 GiB of queued spans at ~1 KiB each: a bound, not a target. */
  public static final long MAX_QUEUE_SIZE = 1_048_576;

  private static final Pattern HEADER_NAME = Pattern.compile("[A-Za-z0-9!#$%&'*+.^_`|~-]+");

  public TracingConfig {
    serviceName = serviceName == null ? "vectorgate" : serviceName;
    sampleRatio = sampleRatio == null ? 1.0 : sampleRatio;
    headers = headers == null ? Map.of() : Map.copyOf(headers);
    queueSize = queueSize == null ? DEFAULT_QUEUE_SIZE : queueSize;
  }

  /** Without {@code queue_size} (the default). */
  public TracingConfig(String otlpEndpoint, String serviceName, Double sampleRatio, Map<String, SecretRef> headers) {
    this(otlpEndpoint, serviceName, sampleRatio, headers, null);
  }

  TracingConfig resolve(Path base) {
    if (base == null || headers.isEmpty()) {
      return this;
    }
    Map<String, SecretRef> out = new LinkedHashMap<>();
    headers.forEach((k, v) -> out.put(k, v == null || v.file() == null ? v
        : new SecretRef(v.env(), base.resolve(v.file()).normalize())));
    return new TracingConfig(otlpEndpoint, serviceName, sampleRatio, out, queueSize);
  }

  void validate(String at) {
    if (otlpEndpoint == null || otlpEndpoint.isBlank()) {
      throw new ConfigException(at + ".otlp_endpoint", "required: the OTLP/HTTP traces URL, e.g."
          + " http://127.0.0.1:4318/v1/traces (remove the `tracing:` section to turn tracing off)");
    }
    URI uri;
    try {
      uri = new URI(otlpEndpoint);
    } catch (java.net.URISyntaxException e) {
      throw new ConfigException(at + ".otlp_endpoint", "not a URL: " + e.getMessage(), e);
    }
    if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
      throw new ConfigException(at + ".otlp_endpoint", "must be an http:// or https:// URL with a host, was `"
          + otlpEndpoint + "`");
    }
    if (uri.getUserInfo() != null) {
      throw new ConfigException(at + ".otlp_endpoint", "must not carry credentials in the URL; use `headers` with"
          + " secret references");
    }
    if (serviceName.isBlank()) {
      throw new ConfigException(at + ".service_name", "must not be empty");
    }
    if (sampleRatio.isNaN() || sampleRatio < 0 || sampleRatio > 1) {
      throw new ConfigException(at + ".sample_ratio", "must be between 0 and 1, was " + sampleRatio);
    }
    if (queueSize < MIN_QUEUE_SIZE || queueSize > MAX_QUEUE_SIZE) {
      throw new ConfigException(at + ".queue_size", "must be between " + MIN_QUEUE_SIZE + " and " + MAX_QUEUE_SIZE
          + " spans, was " + queueSize);
    }
    for (Map.Entry<String, SecretRef> h : headers.entrySet()) {
      if (!HEADER_NAME.matcher(h.getKey()).matches()) {
        throw new ConfigException(at + ".headers", "not an HTTP header name: `" + ConfigLoader.printable(h.getKey())
            + "`");
      }
      SecretRef ref = h.getValue();
      if (ref == null || (ref.env() == null) == (ref.file() == null)) {
        throw new ConfigException(at + ".headers." + h.getKey(), "must be a secret reference with exactly one of"
            + " `env` or `file` (literal values are not accepted)");
      }
    }
  }
}
