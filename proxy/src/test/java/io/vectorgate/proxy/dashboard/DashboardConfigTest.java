package io.vectorgate.proxy.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectorgate.proxy.config.ConfigException;
import io.vectorgate.proxy.config.ConfigLoader;
import io.vectorgate.proxy.config.GatewayConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code admin.dashboard:} as loaded from YAML: defaults, and bad values refused naming the key. */
class DashboardConfigTest {
  @TempDir Path dir;

  @BeforeEach
  void rego() throws Exception {
    Files.createDirectories(dir.resolve("rego"));
  }

  private GatewayConfig parse(String dashboard) {
    return ConfigLoader.parse("""
        listeners: [{name: m, kind: milvus-grpc, address: "127.0.0.1:0", connection: c}]
        connections: [{name: c, kind: milvus, upstream: "127.0.0.1:19530", credential: {env: X}}]
        identity: {issuer: "http://127.0.0.1:1/i", audiences: [vectorgate]}
        masking: {hmac_key: {env: K}}
        policy: {rego_dirs: [rego]}
        admin:
          reader_groups: [sre]
        """ + dashboard, dir, "gw.yaml");
  }

  private void fails(String dashboard, String key, String fragment) {
    ConfigException e = assertThrows(ConfigException.class, () -> parse(dashboard), dashboard);
    assertTrue(e.getMessage().contains(key), e.getMessage());
    assertTrue(e.getMessage().contains(fragment), e.getMessage());
  }

  @Test
  void defaultsAndValues() {
    assertNull(parse("").admin().dashboard());
    DashboardConfig d = parse("  dashboard: {client_id: vg-dash, approver_groups: [db-admins]}\n").admin().dashboard();
    assertEquals("vg-dash", d.clientId());
    assertEquals(List.of("db-admins"), d.approverGroups());
    assertEquals(List.of(), d.auditorGroups());
    assertEquals(30, d.sessionMinutes());
    assertFalse(d.secure());
    DashboardConfig tls = parse("  dashboard: {client_id: x, public_url: \"https://vg.example/\"}\n").admin().dashboard();
    assertEquals("https://vg.example", tls.publicUrl());
    assertTrue(tls.secure(), "a dashboard behind TLS marks its cookies Secure");
  }

  @Test
  void badValuesAreRefusedNamingTheKey() {
    fails("  dashboard: {approver_groups: [db-admins]}\n", "admin.dashboard.client_id", "required");
    fails("  dashboard: {client_id: x, approver_groups: [\"\"]}\n", "admin.dashboard.approver_groups[0]", "empty");
    fails("  dashboard: {client_id: x, session_minutes: 0}\n", "admin.dashboard.session_minutes", "1..720");
    fails("  dashboard: {client_id: x, public_url: \"ftp://vg.example\"}\n", "admin.dashboard.public_url", "http(s)");
    fails("  dashboard: {client_id: x, public_url: \"https://vg.example/?a=b\"}\n", "admin.dashboard.public_url",
        "without query");
    fails("  dashboard: {client_id: x, cookie_name: y}\n", "cookie_name", "");
  }
}
