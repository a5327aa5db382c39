package io.vectorgate.proxy.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The {@code health:} section: an unauthenticated listener for load balancer and Kubernetes
 * probes ({@code GET /livez}, {@code GET /readyz}; docs/operations.md, "Health and drain").
 *
 * <ul>
 *   <li>{@code address}: {@code host:port}, loopback by default ({@code 127.0.0.1:9191}); any
 *       other host needs {@code allow_non_loopback: true} (a pod's probes come from the kubelet);
 *       the endpoints reveal only whether the instance is alive and ready;
 *   <li>{@code drain_delay_ms} (default 5000, 0..300,000): at shutdown, how long the instance
 *       keeps serving while reporting not ready, so load balancers take it out of rotation before
 *       it stops accepting;
 *   <li>{@code in_flight_timeout_ms} (default {@value #DEFAULT_IN_FLIGHT_TIMEOUT_MS}, 0..300,000): once the listeners
 *       stop accepting, how long each waits for the calls in flight to finish before it closes
 *       them (gRPC: CANCELLED; HTTP: the connection is closed). Also the bound without a
 *       {@code health:} section.
 * </ul>
 */
public record HealthConfig(
    @JsonProperty("address") String address,
    @JsonProperty("allow_non_loopback") Boolean allowNonLoopback,
    @JsonProperty("drain_delay_ms") Long drainDelayMs,
    @JsonProperty("in_flight_timeout_ms") Long inFlightTimeoutMs) {

  /** The in-flight bound at shutdown when {@code health:} does not set one (or is absent). */
  public static final long DEFAULT_IN_FLIGHT_TIMEOUT_MS = 5_000L;

  public HealthConfig {
    address = address == null ? "127.0.0.1:9191" : address;
    allowNonLoopback = allowNonLoopback != null && allowNonLoopback;
    drainDelayMs = drainDelayMs == null ? 5_000L : drainDelayMs;
    inFlightTimeoutMs = inFlightTimeoutMs == null ? DEFAULT_IN_FLIGHT_TIMEOUT_MS : inFlightTimeoutMs;
  }

  void validate(String at) {
    ConfigLoader.requireHostPort(address, at + ".address");
    if (!allowNonLoopback && !ConfigLoader.isLoopback(ConfigLoader.hostPort(address).host())) {
      throw new ConfigException(at + ".address", "must be a loopback host:port unless `allow_non_loopback: true`, was `"
          + address + "`");
    }
    if (drainDelayMs < 0 || drainDelayMs > 300_000) {
      throw new ConfigException(at + ".drain_delay_ms", "must be between 0 and 300000, was " + drainDelayMs);
    }
    if (inFlightTimeoutMs < 0 || inFlightTimeoutMs > 300_000) {
      throw new ConfigException(at + ".in_flight_timeout_ms", "must be between 0 and 300000, was " + inFlightTimeoutMs);
    }
  }
}
