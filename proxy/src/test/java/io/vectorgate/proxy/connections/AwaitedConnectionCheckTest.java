package io.vectorgate.proxy.connections;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectorgate.proxy.config.ConfigCheck;
import io.vectorgate.proxy.config.ConfigLoader;
import io.vectorgate.proxy.config.GatewayConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code gateway --check} says about a listener waiting for a connection from the connections
 * API, read from a real SQLite store: a warning naming the listener, the connection and how to
 * put it while the store lacks a usable definition of the listener's kind; nothing once it has
 * one; an error when the store cannot be read.
 */
class AwaitedConnectionCheckTest {
  @TempDir
  Path dir;

  private GatewayConfig config(String store) throws Exception {
    Files.createDirectories(dir.resolve("rego"));
    return ConfigLoader.parse("""
        listeners:
          - {name: api, kind: http, address: "127.0.0.1:0", connection: vectors, connection_source: api, connection_kind: chroma}
        connections: []
        identity: {issuer: "http://127.0.0.1:1/i", audiences: [vectorgate]}
        policy: {rego_dirs: [rego]}
        masking: {hmac_key: {env: K}}
        admin: {operator_groups: [ops], connections: {%s}}
        """.formatted(store), dir, "gw.yaml");
  }

  private static final Map<String, String> ENV = Map.of("VECTORGATE_UPSTREAM_CHROMA", "t");

  private static String spec(String kind) {
    return "{\"name\": \"vectors\", \"kind\": \"" + kind + "\", \"upstream\": \"127.0.0.1:8000\", \"credential\": "
        + "{\"env\": \"VECTORGATE_UPSTREAM_CHROMA\"}}";
  }

  @Test
  void warnsUntilTheStoreHoldsAUsableDefinitionOfTheListenersKind() throws Exception {
    GatewayConfig cfg = config("store: {sqlite: var/connections.db}");
    List<ConfigCheck.Problem> p = LiveConnections.checkAwaited(cfg, ENV::get);
    assertEquals(1, p.size(), p.toString());
    assertFalse(p.get(0).fatal());
    assertEquals("listeners[0].connection", p.get(0).key());
    assertTrue(p.get(0).message().contains("does not exist yet"), p.toString());
    assertFalse(Files.exists(dir.resolve("var/connections.db")), "--check creates no store file");

    Files.createDirectories(dir.resolve("var"));
    try (JdbcConnectionStore store = JdbcConnectionStore.open("jdbc:sqlite:" + dir.resolve("var/connections.db"), null,
        null)) {
      p = LiveConnections.checkAwaited(cfg, ENV::get);
      assertEquals(1, p.size(), p.toString());
      assertTrue(p.get(0).message().startsWith("connection `vectors` is not in the connections store yet; listener `api`"
          + " starts and refuses with connection_unavailable"), p.toString());
      assertTrue(p.get(0).message().contains("vectorgate connections put vectors"), p.toString());

      store.write("vectors", spec("qdrant"), ConnectionStore.Expect.ANY, "otto", Instant.now());
      p = LiveConnections.checkAwaited(cfg, ENV::get);
      assertEquals(1, p.size(), p.toString());
      assertTrue(p.get(0).message().contains("serves `chroma` clients (connection_kind); `vectors` is `qdrant`"),
          p.toString());

      store.write("vectors", spec("chroma"), ConnectionStore.Expect.ANY, "otto", Instant.now());
      assertEquals(List.of(), LiveConnections.checkAwaited(cfg, ENV::get));
      p = LiveConnections.checkAwaited(cfg, Map.<String, String>of()::get);
      assertEquals(1, p.size(), "a secret this instance cannot read: " + p);
      assertTrue(p.get(0).message().contains("VECTORGATE_UPSTREAM_CHROMA"), p.toString());

      store.write("vectors", null, ConnectionStore.Expect.ANY, "otto", Instant.now());
      p = LiveConnections.checkAwaited(cfg, ENV::get);
      assertEquals(1, p.size(), p.toString());
      assertTrue(p.get(0).message().startsWith("connection `vectors` was removed through the admin API (version 3)"),
          p.toString());
    }
  }

  @Test
  void withoutAStoreOnlyThisProcessCanProvideIt() throws Exception {
    List<ConfigCheck.Problem> p = LiveConnections.checkAwaited(config(""), ENV::get);
    assertEquals(1, p.size(), p.toString());
    assertTrue(p.get(0).message().contains("this process's connections API"), p.toString());
  }

  @Test
  void aStoreThatCannotBeReadIsAnError() throws Exception {
    Files.writeString(dir.resolve("broken.db"), "not an SQLite database, just text that is long enough to have a header");
    List<ConfigCheck.Problem> p = LiveConnections.checkAwaited(config("store: {sqlite: broken.db}"), ENV::get);
    assertEquals(1, p.size(), p.toString());
    assertTrue(p.get(0).fatal(), p.toString());
    assertEquals("admin.connections.store", p.get(0).key());
  }
}
