package io.vectorgate.proxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code tracing:} section: off when absent, defaults, errors naming the key, header values only by reference. */
class TracingConfigTest {
  @TempDir
  Path dir;

  private GatewayConfig parse(String tracing) throws Exception {
    return MinimalConfig.parse(dir, tracing);
  }

  @Test
  void offWhenAbsentAndDefaults() throws Exception {
    assertNull(parse("").tracing());
    TracingConfig t = parse("tracing: {otlp_endpoint: \"http://127.0.0.1:4318/v1/traces\"}\n").tracing();
    assertEquals("vectorgate", t.serviceName());
    assertEquals(1.0, t.sampleRatio());
    assertTrue(t.headers().isEmpty());
    assertEquals(2048L, t.queueSize(), "the SDK's default batch queue");
    TracingConfig full = parse("""
        tracing:
          otlp_endpoint: "https://collector.example:4318/v1/traces"
          service_name: gw-eu
          sample_ratio: 0.25
          headers: {x-api-key: {file: secrets/otlp-key}}
          queue_size: 65536
        """).tracing();
    assertEquals(65536L, full.queueSize());
    assertEquals("gw-eu", full.serviceName());
    assertEquals(0.25, full.sampleRatio());
    assertEquals(dir.resolve("secrets/otlp-key").normalize(), full.headers().get("x-api-key").file(),
        "a file reference is resolved against the config's directory");
  }

  @Test
  void badValuesNameTheirKey() {
    String[][] cases = {
        {"tracing: {}", "tracing.otlp_endpoint"},
        {"tracing: {otlp_endpoint: \"127.0.0.1:4318\"}", "tracing.otlp_endpoint"},
        {"tracing: {otlp_endpoint: \"grpc://127.0.0.1:4317\"}", "tracing.otlp_endpoint"},
        {"tracing: {otlp_endpoint: \"http://user:pw@127.0.0.1:4318/v1/traces\"}", "tracing.otlp_endpoint"},
        {"tracing: {otlp_endpoint: \"http://127.0.0.1:4318/v1/traces\", sample_ratio: 1.5}", "tracing.sample_ratio"},
        {"tracing: {otlp_endpoint: \"http://127.0.0.1:4318/v1/traces\", sample_ratio: -0.1}", "tracing.sample_ratio"},
        {"tracing: {otlp_endpoint: \"http://127.0.0.1:4318/v1/traces\", service_name: \" \"}", "tracing.service_name"},
        {"tracing: {otlp_endpoint: \"http://127.0.0.1:4318/v1/traces\", headers: {\"bad header\": {env: K}}}",
            "tracing.headers"},
        {"tracing: {otlp_endpoint: \"http://127.0.0.1:4318/v1/traces\", headers: {x-key: {}}}", "tracing.headers.x-key"},
        {"tracing: {otlp_endpoint: \"http://127.0.0.1:4318/v1/traces\", sampel_ratio: 0.5}", "sampel_ratio"},
        {"tracing: {otlp_endpoint: \"http://127.0.0.1:4318/v1/traces\", queue_size: 10}",
            "tracing.queue_size: must be between 64 and 1048576 spans, was 10"},
        {"tracing: {otlp_endpoint: \"http://127.0.0.1:4318/v1/traces\", queue_size: 2000000}", "tracing.queue_size"},
        {"tracing: {otlp_endpoint: \"http://127.0.0.1:4318/v1/traces\", queue_size: 100.5}", "tracing.queue_size"},
        {"tracing: {otlp_endpoint: \"http://127.0.0.1:4318/v1/traces\", queue_size: many}", "tracing.queue_size"},
    };
    for (String[] c : cases) {
      ConfigException e = assertThrows(ConfigException.class, () -> parse(c[0] + "\n"), c[0]);
      assertTrue(e.getMessage().contains(c[1]), c[0] + " -> " + e.getMessage());
    }
  }

  @Test
  void gatewayCheckFindsAnUnsetHeaderSecret() throws Exception {
    GatewayConfig c = parse("tracing: {otlp_endpoint: \"http://127.0.0.1:4318/v1/traces\","
        + " headers: {x-api-key: {env: VG_OTLP_KEY}}}\n");
    java.util.function.Function<String, String> env = java.util.Map.of("X", "x", "K", "k")::get;
    assertTrue(ConfigCheck.startProblems(c, env).stream().anyMatch(p -> p.key().equals("tracing.headers.x-api-key.env")
        && p.fatal()), ConfigCheck.startProblems(c, env).toString());
    java.util.function.Function<String, String> set = java.util.Map.of("X", "x", "K", "k", "VG_OTLP_KEY", "v")::get;
    assertFalse(ConfigCheck.startProblems(c, set).stream().anyMatch(p -> p.key().startsWith("tracing")));
  }

  @Test
  void aLiteralHeaderValueIsRefusedWithoutEchoingIt() {
    ConfigException e = assertThrows(ConfigException.class, () -> parse(
        "tracing: {otlp_endpoint: \"http://127.0.0.1:4318/v1/traces\", headers: {x-key: literal-secret-5521}}\n"));
    assertTrue(e.getMessage().contains("tracing.headers"), e.getMessage());
    assertFalse(e.getMessage().contains("literal-secret-5521"), e.getMessage());
  }
}
