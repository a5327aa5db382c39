package io.vectorgate.proxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code health:} section: loopback by default, drain delay and in-flight bounds, errors naming the key. */
class HealthConfigTest {
  @TempDir
  Path dir;

  private GatewayConfig parse(String health) throws Exception {
    return MinimalConfig.parse(dir, health);
  }

  @Test
  void defaults() throws Exception {
    assertNull(parse("").health());
    HealthConfig h = parse("health: {}\n").health();
    assertEquals("127.0.0.1:9191", h.address());
    assertFalse(h.allowNonLoopback());
    assertEquals(5_000L, h.drainDelayMs());
    assertEquals(5_000L, h.inFlightTimeoutMs());
    HealthConfig pod = parse("health: {address: \"0.0.0.0:9191\", allow_non_loopback: true, drain_delay_ms: 0,"
        + " in_flight_timeout_ms: 20000}\n").health();
    assertTrue(pod.allowNonLoopback());
    assertEquals(0L, pod.drainDelayMs());
    assertEquals(20_000L, pod.inFlightTimeoutMs());
  }

  @Test
  void badValuesNameTheirKey() {
    String[][] cases = {
        {"health: {address: \"0.0.0.0:9191\"}", "health.address"},
        {"health: {address: \"no-port\"}", "health.address"},
        {"health: {drain_delay_ms: -1}", "health.drain_delay_ms"},
        {"health: {drain_delay_ms: 300001}", "health.drain_delay_ms"},
        {"health: {in_flight_timeout_ms: -1}", "health.in_flight_timeout_ms"},
        {"health: {in_flight_timeout_ms: 300001}", "health.in_flight_timeout_ms"},
    };
    for (String[] c : cases) {
      ConfigException e = assertThrows(ConfigException.class, () -> parse(c[0] + "\n"), c[0]);
      assertTrue(e.getMessage().contains(c[1]), c[0] + " -> " + e.getMessage());
    }
  }
}
