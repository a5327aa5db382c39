package io.vectorgate.proxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * deploy/config/gateway.yaml (the image's config for Compose and Kubernetes) passes the gateway's
 * own validation, with the image paths of the Rego library and the organisation data mapped to
 * this checkout's.
 */
class DeployConfigTest {
  @Test
  void theDeployConfigIsAValidGatewayConfig() throws Exception {
    Path root = Path.of(System.getProperty("vectorgate.root", "..")).toAbsolutePath().normalize();
    String yaml = Files.readString(root.resolve("deploy/config/gateway.yaml"))
        .replace("/opt/vectorgate/rego", root.resolve("rego-policies/src/main/rego").toString())
        .replace("/opt/vectorgate/data/data.json", root.resolve("samples/org/data.json").toString());
    GatewayConfig cfg = ConfigLoader.parse(yaml, root.resolve("deploy/config"), "deploy/config/gateway.yaml");
    assertTrue(cfg.budgets().shared());
    assertEquals("0.0.0.0:9191", cfg.health().address());
    assertEquals(10_000L, cfg.health().drainDelayMs());
    assertEquals("milvus:19530", cfg.connections().get(0).upstream());
  }
}
