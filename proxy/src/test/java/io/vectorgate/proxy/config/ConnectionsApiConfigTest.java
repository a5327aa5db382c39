package io.vectorgate.proxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code admin.connections} section: defaults, paths resolved against the file, errors naming the key. */
class ConnectionsApiConfigTest {
  @TempDir
  Path dir;

  private GatewayConfig parse(String admin) throws Exception {
    return MinimalConfig.parse(dir, admin);
  }

  @Test
  void defaultsAndResolvedPaths() throws Exception {
    assertNull(parse("admin: {operator_groups: [ops]}\n").admin().connections());
    ConnectionsApiConfig d = parse("admin: {operator_groups: [ops], connections: {}}\n").admin().connections();
    assertNull(d.store());
    assertEquals(1000L, d.pollIntervalMillis());
    assertEquals(List.of("VECTORGATE_UPSTREAM_"), d.secretEnvPrefixes());
    assertEquals(List.of(), d.secretDirs());
    Files.createDirectories(dir.resolve("secrets"));
    ConnectionsApiConfig c = parse("""
        admin:
          operator_groups: [ops]
          connections:
            store: {sqlite: var/connections.db}
            poll_interval_millis: 250
            secret_env_prefixes: [UPSTREAM_, VG_DB_]
            secret_dirs: [secrets]
        """).admin().connections();
    assertEquals(dir.resolve("var/connections.db"), c.store().sqlite());
    assertEquals(250L, c.pollIntervalMillis());
    assertEquals(List.of(dir.resolve("secrets")), c.secretDirs());
    assertEquals("jdbc:postgresql://db/vg", parse("admin: {operator_groups: [ops], connections: {store: {postgres: "
        + "\"jdbc:postgresql://db/vg\", user: gw, password: {env: PG}}}}\n").admin().connections().store().postgres());
  }

  @Test
  void badValuesNameTheirKey() {
    String[][] cases = {
        {"admin: {reader_groups: [sre], connections: {}}", "gw.yaml: admin.operator_groups"},
        {"admin: {operator_groups: [ops], connections: {poll_interval_millis: 10}}",
            "gw.yaml: admin.connections.poll_interval_millis"},
        {"admin: {operator_groups: [ops], connections: {secret_env_prefixes: [\"A-B\"]}}",
            "gw.yaml: admin.connections.secret_env_prefixes[0]"},
        {"admin: {operator_groups: [ops], connections: {secret_env_prefixes: [\"\"]}}",
            "gw.yaml: admin.connections.secret_env_prefixes[0]"},
        {"admin: {operator_groups: [ops], connections: {secret_dirs: [nope]}}", "gw.yaml: admin.connections.secret_dirs[0]"},
        {"admin: {operator_groups: [ops], connections: {store: {}}}", "gw.yaml: admin.connections.store"},
        {"admin: {operator_groups: [ops], connections: {store: {postgres: \"jdbc:mysql://x\"}}}",
            "gw.yaml: admin.connections.store.postgres"},
        {"admin: {operator_groups: [ops], connections: {store: {sqlite: x.db, user: u}}}", "gw.yaml: admin.connections.store"},
        {"admin: {operator_groups: [ops], connections: {stor: {}}}", "gw.yaml:6:47: admin.connections.stor"},
    };
    for (String[] c : cases) {
      ConfigException e = assertThrows(ConfigException.class, () -> parse(c[0] + "\n"), c[0]);
      assertEquals(c[1], e.keyPath(), c[0] + " -> " + e.getMessage());
    }
    assertTrue(assertThrows(ConfigException.class, () -> parse("admin: {operator_groups: [ops], connections: {stor: {}}}\n"))
        .getMessage().contains("did you mean `store`?"));
  }
}
