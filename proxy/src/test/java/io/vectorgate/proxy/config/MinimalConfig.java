package io.vectorgate.proxy.config;

import java.nio.file.Files;
import java.nio.file.Path;

/** The smallest valid gateway YAML (one Milvus listener and connection), for the tests of one config section. */
final class MinimalConfig {
  static final String YAML = """
      listeners: [{name: m, kind: milvus-grpc, address: "127.0.0.1:0", connection: c}]
      connections: [{name: c, kind: milvus, upstream: "127.0.0.1:19530", credential: {env: X}}]
      identity: {issuer: "http://127.0.0.1:1/i", audiences: [vectorgate]}
      policy: {rego_dirs: [rego]}
      masking: {hmac_key: {env: K}}
      """;

  private MinimalConfig() {}

  /** {@link #YAML} followed by {@code sections}, parsed as {@code dir/gw.yaml} (with an empty {@code rego} folder). */
  static GatewayConfig parse(Path dir, String sections) throws Exception {
    Files.createDirectories(dir.resolve("rego"));
    return ConfigLoader.parse(YAML + sections, dir, "gw.yaml");
  }
}
