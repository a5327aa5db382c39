package io.vectorgate.proxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectorgate.proxy.testing.MilvusLite;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** samples/demo/gateway.yaml, the config scripts/demo.sh runs: every part of the product is in it. */
class DemoConfigTest {
  private static final Path ROOT = MilvusLite.root();

  @Test
  void theDemoRunsBothListenersRecordingApprovalsAndTheAdminApi() {
    GatewayConfig c = ConfigLoader.load(ROOT.resolve("samples/demo/gateway.yaml"));
    assertEquals(List.of("milvus-grpc", "http"), c.listeners().stream().map(GatewayConfig.ListenerConfig::kind).toList());
    assertEquals(List.of("milvus", "chroma"), c.connections().stream().map(GatewayConfig.ConnectionConfig::kind).toList());
    assertEquals("hold", c.approvals().mode());
    assertNotNull(c.admin());
    assertEquals("none", c.admin().metrics().auth());
    // relative paths resolve against the config file: the demo's state stays in .demo/ at the root
    assertEquals(ROOT.resolve(".demo/recording").normalize(), c.recording().directory().toAbsolutePath().normalize());
    assertEquals(ROOT.resolve("samples/org/data.json").normalize(), c.policy().dataFile().toAbsolutePath().normalize());
    assertTrue(c.recording().admin().auditorGroups().contains("db-admins"), c.recording().admin().auditorGroups().toString());
  }
}
