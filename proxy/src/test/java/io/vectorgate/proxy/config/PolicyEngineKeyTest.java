package io.vectorgate.proxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectorgate.engine.EngineConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code policy.engine} (wasm|plan; without it plan, falling back to Wasm for a bundle the plan engine
 * cannot load; named explicitly, plan refuses such a bundle) and {@code policy.shadow_rate} (0..1,
 * default 0).
 */
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
  void defaultIsPlanWithWasmFallbackWithoutShadow() {
    GatewayConfig c = parse("");
    // the process may name an engine (-Dvectorgate.engine / VECTORGATE_ENGINE); unnamed, plan is the default
    EngineConfig.Engine expected = EngineConfig.Engine.explicitChoice().orElse(EngineConfig.Engine.PLAN);
    assertEquals(expected, c.policy().engineKind());
    EngineConfig built = c.policy().applyTo(EngineConfig.builder()).build();
    assertEquals(expected, built.engine());
    assertEquals(EngineConfig.Engine.explicitChoice().isEmpty(), built.planFallback(),
        "without an explicit choice a bundle the plan engine cannot load falls back to Wasm");
    assertEquals(0.0, built.shadowRate());
  }

  @Test
  void planAndShadowRateSurvivePathResolution() {
    GatewayConfig c = parse("  engine: plan\n  shadow_rate: 0.01\n");
    assertEquals(EngineConfig.Engine.PLAN, c.policy().engineKind());
    assertEquals(0.01, c.policy().shadowRateOrZero());
    assertTrue(c.policy().regoDirs().get(0).isAbsolute(), "paths are still resolved");
    EngineConfig built = c.policy().applyTo(EngineConfig.builder()).build();
    assertEquals(EngineConfig.Engine.PLAN, built.engine());
    assertFalse(built.planFallback(), "an explicit `engine: plan` refuses what the plan engine cannot load");
    assertEquals(0.01, built.shadowRate());
  }

  @Test
  void wasmIsSelectable() {
    EngineConfig built = parse("  engine: wasm\n").policy().applyTo(EngineConfig.builder()).build();
    assertEquals(EngineConfig.Engine.WASM, built.engine());
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
