package io.vectorgate.proxy.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectorgate.proxy.config.ConfigLoader;
import io.vectorgate.proxy.config.GatewayConfig;
import io.vectorgate.proxy.testing.MilvusLite;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The demo banner's dashboard logins: which sample user opens which page of samples/demo/gateway.yaml's dashboard. */
class DashboardDemoLoginsTest {
  @Test
  void eachSampleUserIsListedWithThePagesTheirGroupsOpenAndTheClaimsToType() {
    GatewayConfig cfg = ConfigLoader.load(MilvusLite.root().resolve("samples/demo/gateway.yaml"));
    assertEquals(List.of("db-admins"), cfg.admin().dashboard().approverGroups());
    String text = DemoMain.dashboardLogins(cfg, "http://127.0.0.1:9190");
    assertTrue(text.contains("http://127.0.0.1:9190/dashboard/"), text);
    List<String> lines = text.lines().toList();
    assertTrue(line(lines, "erin").contains("Overview, Approvals, Sessions, Policy (read-only)"), text);
    assertTrue(line(lines, "erin").contains("claims {\"groups\": [\"db-admins\"]}"), text);
    assertTrue(line(lines, "alice").contains("Overview, Sessions, Policy (pin/rollback)"), text);
    assertTrue(line(lines, "bob").contains("no page (403 everywhere)"), text);
    assertEquals(DemoMain.USERS.size(), lines.stream().filter(l -> l.contains(" claims {")).count(), text);
  }

  private static String line(List<String> lines, String user) {
    return lines.stream().filter(l -> l.startsWith("  " + user + " ")).findFirst()
        .orElseThrow(() -> new AssertionError("no line for " + user + " in " + lines));
  }
}
