package io.vectorgate.proxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectorgate.engine.EngineConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code policy.engine} (wasm|plan, default wasm) and {@code policy.shadow_rate} (0..1, default 0). */
class PolicyEngineKeyTest {
  @TempDir
  Path dir;

  private static final String BASE = """
      listeners:
        - name: milvus
          kind: milvus-grpc
          address: 127.0.0.1:0
          connection: lite
      connections:
        - name: lite
          kind: milvus
          upstream: 127.0.0.1:19530
          credential: {env: MILVUS_TOKEN}
      identity:
        issuer: http://127.0.0.1:8080/vectorgate
        audiences: [vectorgate]
      policy:
        rego_dirs: [rego]
      """;

  @BeforeEach
  void files() throws IOException {
    Files.createDirectories(dir.resolve("rego"));
    Files.writeString(dir.resolve("mask.key"), "0123456789abcdef0123456789abcdef\n");
  }

  private GatewayConfig parse(String extra) {
    return ConfigLoader.parse(BASE + extra + "masking:\n  hmac_key: {file: mask.key}\n", dir, "gateway.yaml");
  }

  @Test
  void defaultIsWasmWithoutShadow() {
    GatewayConfig c = parse("");
    assertEquals(EngineConfig.Engine.WASM, c.policy().engineKind());
    assertEquals(0.0, c.policy().shadowRateOrZero());
  }

  @Test
  void planAndShadowRateSurvivePathResolution() {
    GatewayConfig c = parse("  engine: plan\n  shadow_rate: 0.01\n");
    assertEquals(EngineConfig.Engine.PLAN, c.policy().engineKind());
    assertEquals(0.01, c.policy().shadowRateOrZero());
    assertTrue(c.policy().regoDirs().get(0).isAbsolute(), "paths are still resolved");
  }

  @Test
  void unknownEngineOrRateOutOfRangeNamesTheKey() {
    ConfigException e = assertThrows(ConfigException.class, () -> parse("  engine: topdown\n"));
    assertTrue(e.keyPath().endsWith("policy.engine"), e.keyPath());
    assertTrue(e.getMessage().contains("`wasm` or `plan`"), e.getMessage());
    ConfigException r = assertThrows(ConfigException.class, () -> parse("  shadow_rate: 1.5\n"));
    assertTrue(r.keyPath().endsWith("policy.shadow_rate"), r.keyPath());
  }
}
