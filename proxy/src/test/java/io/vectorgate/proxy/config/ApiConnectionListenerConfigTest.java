package io.vectorgate.proxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectorgate.proxy.config.GatewayConfig.ListenerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Listeners whose connection the connections API provides ({@code connection_source: api}): the
 * keys' defaults, and every mistake named by its key with a message that says what to do.
 */
class ApiConnectionListenerConfigTest {
  @TempDir
  Path dir;

  private static final String ADMIN = "admin: {operator_groups: [ops], connections: {store: {sqlite: c.db}}}\n";

  private GatewayConfig parse(String listeners, String connections, String admin) throws Exception {
    Files.createDirectories(dir.resolve("rego"));
    return ConfigLoader.parse("listeners:\n" + listeners + "connections: " + connections + "\n" + """
        identity: {issuer: "http://127.0.0.1:1/i", audiences: [vectorgate]}
        policy: {rego_dirs: [rego]}
        masking: {hmac_key: {env: K}}
        """ + admin, dir, "gw.yaml");
  }

  @Test
  void aListenerMayNameAConnectionOnlyTheApiProvides() throws Exception {
    GatewayConfig c = parse("""
          - {name: h, kind: http, address: "127.0.0.1:0", connection: tenant-vectors, connection_source: api, connection_kind: chroma}
          - {name: m, kind: milvus-grpc, address: "127.0.0.1:0", connection: lite, connection_source: api}
        """, "[]", ADMIN);
    ListenerConfig h = c.listeners().get(0);
    assertTrue(h.connectionFromApi());
    assertEquals("chroma", h.connectionKind());
    assertEquals("milvus", c.listeners().get(1).connectionKind(), "a milvus-grpc listener serves milvus clients");
    assertEquals(List.of(), c.connections());
    GatewayConfig yaml = parse("  - {name: m, kind: milvus-grpc, address: \"127.0.0.1:0\", connection: c}\n",
        "[{name: c, kind: milvus, upstream: \"127.0.0.1:1\", credential: {env: X}}]", "");
    assertEquals("yaml", yaml.listeners().get(0).connectionSource());
    assertEquals(null, yaml.listeners().get(0).connectionKind());
  }

  @Test
  void mistakesNameTheirKey() {
    String yamlConnection = "[{name: c, kind: milvus, upstream: \"127.0.0.1:1\", credential: {env: X}}]";
    String[][] cases = {
        // listener, connections, admin, key, part of the message
        {"{name: h, kind: http, address: \"127.0.0.1:0\", connection: v, connection_source: store}", yamlConnection,
            ADMIN,
            "gw.yaml: listeners[0].connection_source", "must be `yaml`"},
        {"{name: h, kind: http, address: \"127.0.0.1:0\", connection: v, connection_source: api, connection_kind: chroma}",
            "[]", "", "gw.yaml: listeners[0].connection_source", "needs the connections API (`admin.connections`"},
        {"{name: m, kind: milvus-grpc, address: \"127.0.0.1:0\", connection: c, connection_source: api}", yamlConnection,
            ADMIN, "gw.yaml: listeners[0].connection_source", "`c` is defined in connections:"},
        {"{name: h, kind: http, address: \"127.0.0.1:0\", connection: v, connection_source: api}", "[]", ADMIN,
            "gw.yaml: listeners[0].connection_kind", "required with `connection_source: api` on an `http` listener"},
        {"{name: h, kind: http, address: \"127.0.0.1:0\", connection: v, connection_source: api, connection_kind: mongo}",
            "[]", ADMIN, "gw.yaml: listeners[0].connection_kind", "unknown kind `mongo`"},
        {"{name: h, kind: http, address: \"127.0.0.1:0\", connection: v, connection_source: api, connection_kind: milvus}",
            "[]", ADMIN, "gw.yaml: listeners[0].connection", "an `http` listener fronts"},
        {"{name: m, kind: milvus-grpc, address: \"127.0.0.1:0\", connection: v, connection_source: api, connection_kind: qdrant}",
            "[]", ADMIN, "gw.yaml: listeners[0].connection", "a `milvus-grpc` listener fronts `milvus` connections"},
        {"{name: m, kind: milvus-grpc, address: \"127.0.0.1:0\", connection: \"a/b\", connection_source: api}", "[]", ADMIN,
            "gw.yaml: listeners[0].connection", "a connection id is 1 to 64"},
        {"{name: m, kind: milvus-grpc, address: \"127.0.0.1:0\", connection: c, connection_kind: milvus}", yamlConnection,
            ADMIN, "gw.yaml: listeners[0].connection_kind", "only with `connection_source: api`"},
        {"{name: m, kind: milvus-grpc, address: \"127.0.0.1:0\", connection: v}", yamlConnection, ADMIN,
            "gw.yaml: listeners[0].connection", "add `connection_source: api`"},
        {"{name: m, kind: milvus-grpc, address: \"127.0.0.1:0\", connection: v}", "[]", ADMIN, "gw.yaml: connections",
            "at least one connection is required"},
    };
    for (String[] c : cases) {
      ConfigException e = assertThrows(ConfigException.class, () -> parse("  - " + c[0] + "\n", c[1], c[2]), c[0]);
      assertEquals(c[3], e.keyPath(), c[0] + " -> " + e.getMessage());
      assertTrue(e.getMessage().contains(c[4]), c[0] + " -> " + e.getMessage());
    }
  }
}
