package io.vectorgate.proxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectorgate.proxy.testing.MilvusLite;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The `http` listener kind and the chroma/qdrant/pinecone connection kinds in the gateway config. */
class HttpListenerConfigTest {
  @TempDir
  Path dir;

  private static final String TAIL = """
      identity: {issuer: "http://127.0.0.1:8080/vectorgate", audiences: [vectorgate]}
      policy: {rego_dirs: [rego], data_file: data.json}
      masking: {hmac_key: {file: mask.key}}
      """;

  @BeforeEach
  void files() throws IOException {
    Files.createDirectories(dir.resolve("rego"));
    Files.writeString(dir.resolve("data.json"), "{}");
    Files.writeString(dir.resolve("mask.key"), "0123456789abcdef0123456789abcdef\n");
  }

  private GatewayConfig parse(String listener, String connection) {
    return ConfigLoader.parse("listeners:\n  - " + listener + "\nconnections:\n  - " + connection + "\n" + TAIL, dir,
        "gateway.yaml");
  }

  private ConfigException fails(String listener, String connection) {
    return assertThrows(ConfigException.class, () -> parse(listener, connection));
  }

  private static final String CHROMA = "{name: c, kind: chroma, upstream: 127.0.0.1:8001, credential: {env: T}}";

  @Test
  void httpListenerWithDefaults() {
    GatewayConfig c = parse("{name: h, kind: http, address: 127.0.0.1:0, connection: c}", CHROMA);
    assertEquals("http", c.listeners().get(0).kind());
    assertNull(c.listeners().get(0).http());
    assertEquals(64, GatewayConfig.HttpSettings.DEFAULTS.maxJsonDepth());
    GatewayConfig withSettings = parse("{name: h, kind: http, address: 127.0.0.1:0, connection: c, "
        + "http: {max_json_depth: 10, max_header_bytes: 4096, max_concurrent_streams: 8, idle_timeout_seconds: 5}}",
        CHROMA);
    assertEquals(10, withSettings.listeners().get(0).http().maxJsonDepth());
    for (String kind : new String[] {"qdrant", "pinecone"}) {
      parse("{name: h, kind: http, address: 127.0.0.1:0, connection: c}",
          "{name: c, kind: " + kind + ", upstream: 127.0.0.1:6333, credential: {env: T}}");
    }
  }

  @Test
  void listenerAndConnectionKindsMustMatch() {
    ConfigException e = fails("{name: h, kind: http, address: 127.0.0.1:0, connection: c}",
        "{name: c, kind: milvus, upstream: 127.0.0.1:19530, credential: {env: T}}");
    assertTrue(e.getMessage().contains("listeners[0].connection"), e.getMessage());
    ConfigException g = fails("{name: g, kind: milvus-grpc, address: 127.0.0.1:0, connection: c}", CHROMA);
    assertTrue(g.getMessage().contains("use kind `http`"), g.getMessage());
  }

  @Test
  void badHttpSettingsAreNamed() {
    ConfigException depth = fails("{name: h, kind: http, address: 127.0.0.1:0, connection: c, http: {max_json_depth: 1}}",
        CHROMA);
    assertTrue(depth.getMessage().contains("http.max_json_depth"), depth.getMessage());
    ConfigException unknown = fails("{name: h, kind: http, address: 127.0.0.1:0, connection: c, http: {depth: 3}}",
        CHROMA);
    assertTrue(unknown.getMessage().contains("depth"), unknown.getMessage());
    ConfigException onGrpc = fails("{name: g, kind: milvus-grpc, address: 127.0.0.1:0, connection: c, "
        + "http: {max_json_depth: 8}}", "{name: c, kind: milvus, upstream: 127.0.0.1:19530, credential: {env: T}}");
    assertTrue(onGrpc.getMessage().contains("only `http` listeners"), onGrpc.getMessage());
  }

  @Test
  void theChromaDemoConfigLoads() {
    GatewayConfig c = ConfigLoader.load(MilvusLite.root().resolve("samples/chroma-demo/gateway.yaml"));
    assertEquals("chroma", c.connections().get(0).kind());
    assertEquals(64, c.listeners().get(0).http().maxJsonDepth());
  }
}
