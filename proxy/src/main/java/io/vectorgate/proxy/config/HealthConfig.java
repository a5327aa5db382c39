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
 *       it stops accepting.
 * </ul>
 */
public record HealthConfig(
    @JsonProperty("address") String address,
    @JsonProperty("allow_non_loopback") Boolean allowNonLoopback,
    @JsonProperty("drain_delay_ms") Long drainDelayMs) {

  public HealthConfig {
    address = address == null ? "127.0.0.1:9191" : address;
    allowNonLoopback = allowNonLoopback != null && allowNonLoopback;
    drainDelayMs = drainDelayMs == null ? 5_000L : drainDelayMs;
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
  }
}
