package io.vectorgate.proxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  @TempDir
  Path dir;

  private static final String VALID = """
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
        data_file: data.json
      masking:
        hmac_key: {file: mask.key}
      """;

  @BeforeEach
  void files() throws IOException {
    Files.createDirectories(dir.resolve("rego"));
    Files.writeString(dir.resolve("data.json"), "{}");
    Files.writeString(dir.resolve("mask.key"), "0123456789abcdef0123456789abcdef\n");
  }

  private GatewayConfig parse(String yaml) {
    return ConfigLoader.parse(yaml, dir, "gateway.yaml");
  }

  private ConfigException fails(String yaml) {
    return assertThrows(ConfigException.class, () -> parse(yaml));
  }

  @Test
  void validConfigLoadsWithDefaultsAndResolvedPaths() {
    GatewayConfig c = parse(VALID);
    assertEquals(1, c.listeners().size());
    assertEquals(64 * 1024 * 1024, c.listeners().get(0).maxInboundMessageBytes());
    assertEquals(List.of(dir.resolve("rego")), c.policy().regoDirs());
    assertEquals(dir.resolve("data.json"), c.policy().dataFile());
    assertEquals(List.of("RS256", "ES256"), c.identity().algorithms());
    assertEquals(30L, c.identity().clockSkewSeconds());
    assertEquals("groups", c.identity().groupsClaim());
    assertEquals("0123456789abcdef0123456789abcdef",
        ConfigLoader.readSecret(c.masking().hmacKey(), "masking.hmac_key", Map.<String, String>of()::get));
    assertEquals("root:Milvus", ConfigLoader.readSecret(c.connections().get(0).credential(),
        "connections[0].credential", Map.of("MILVUS_TOKEN", "root:Milvus")::get));
  }

  @Test
  void unknownKeyIsNamedWithItsPath() {
    ConfigException e = fails(VALID.replace("  audiences: [vectorgate]", "  audiences: [vectorgate]\n  audience_typo: x"));
    assertTrue(e.keyPath().endsWith("identity.audience_typo"), e.keyPath());
    e = fails(VALID.replace("kind: milvus-grpc", "kind: milvus-grpc\n    tls_cert: x"));
    assertTrue(e.keyPath().endsWith("listeners[0].tls_cert"), e.keyPath());
  }

  @Test
  void wrongTypeIsNamedWithItsPath() {
    ConfigException e = fails(VALID.replace("upstream: 127.0.0.1:19530", "upstream: 127.0.0.1:19530\n    timeout_seconds: soon"));
    assertTrue(e.keyPath().endsWith("connections[0].timeout_seconds"), e.keyPath());
  }

  @Test
  void missingAndInconsistentValuesAreNamed() {
    assertTrue(fails(VALID.replace("  audiences: [vectorgate]\n", "")).keyPath().endsWith("identity.audiences"));
    assertTrue(fails(VALID.replace("connection: lite", "connection: nope")).keyPath().endsWith("listeners[0].connection"));
    assertTrue(fails(VALID.replace("upstream: 127.0.0.1:19530", "upstream: nohost")).keyPath().endsWith("connections[0].upstream"));
    assertTrue(fails(VALID.replace("credential: {env: MILVUS_TOKEN}", "credential: {env: A, file: b}"))
        .keyPath().endsWith("connections[0].credential"));
    assertTrue(fails(VALID.replace("rego_dirs: [rego]", "rego_dirs: [missing]")).keyPath().endsWith("policy.rego_dirs[0]"));
    assertTrue(fails(VALID.replace("issuer: http://127.0.0.1:8080/vectorgate", "issuer: ftp://x"))
        .keyPath().endsWith("identity.issuer"));
    assertTrue(fails(VALID.replace("kind: milvus-grpc", "kind: chroma-http")).keyPath().endsWith("listeners[0].kind"));
    assertTrue(fails(VALID.replace("masking:\n  hmac_key: {file: mask.key}\n", ""))
        .keyPath().endsWith("masking.hmac_key"));
    assertTrue(fails(VALID.replace("connection: lite", "connection: lite\n    max_inbound_message_bytes: 10"))
        .keyPath().endsWith("listeners[0].max_inbound_message_bytes"));
  }

  @Test
  void maxPreReadIdsDefaultsAndIsBoundedPerConnection() {
    assertEquals(16_384L, parse(VALID).connections().get(0).maxPreReadIds());
    assertEquals(16_384, parse(VALID).connections().get(0).preReadIdCap());
    String chroma = VALID.replace("kind: milvus-grpc", "kind: http").replace("kind: milvus\n", "kind: chroma\n");
    for (String ok : List.of("1", "250", "1000000")) {
      GatewayConfig c = parse(chroma.replace("upstream: 127.0.0.1:19530", "upstream: 127.0.0.1:19530\n    max_pre_read_ids: " + ok));
      assertEquals(Integer.parseInt(ok), c.connections().get(0).preReadIdCap(), ok);
    }
    for (String bad : List.of("0", "-5", "1000001", "99999999999999", "lots", "[1]", "1.5")) {
      ConfigException e = fails(VALID.replace("upstream: 127.0.0.1:19530", "upstream: 127.0.0.1:19530\n    max_pre_read_ids: " + bad));
      assertTrue(e.keyPath().endsWith("connections[0].max_pre_read_ids"), bad + ": " + e.keyPath());
    }
    ConfigException range = fails(VALID.replace("upstream: 127.0.0.1:19530", "upstream: 127.0.0.1:19530\n    max_pre_read_ids: 0"));
    assertTrue(range.getMessage().contains("between 1 and 1000000") && range.getMessage().contains("was 0"), range.getMessage());
    // a Milvus pre-read is one Query (at most 16,384 rows): larger caps are refused for milvus connections
    assertEquals(16_384, parse(VALID.replace("upstream: 127.0.0.1:19530", "upstream: 127.0.0.1:19530\n    max_pre_read_ids: 16384"))
        .connections().get(0).preReadIdCap());
    ConfigException milvus = fails(VALID.replace("upstream: 127.0.0.1:19530", "upstream: 127.0.0.1:19530\n    max_pre_read_ids: 16385"));
    assertTrue(milvus.keyPath().endsWith("connections[0].max_pre_read_ids") && milvus.getMessage().contains("16384"),
        milvus.getMessage());
  }

  @Test
  void algorithmsAreRestricted() {
    ConfigException none = fails(VALID.replace("audiences: [vectorgate]", "audiences: [vectorgate]\n  algorithms: [none]"));
    assertTrue(none.keyPath().endsWith("identity.algorithms[0]"), none.keyPath());
    ConfigException hs = fails(VALID.replace("audiences: [vectorgate]", "audiences: [vectorgate]\n  algorithms: [HS256]"));
    assertTrue(hs.keyPath().endsWith("identity.hmac_secret"), hs.keyPath());
    GatewayConfig ok = parse(VALID.replace("audiences: [vectorgate]",
        "audiences: [vectorgate]\n  algorithms: [RS256, HS256]\n  hmac_secret: {env: HS}"));
    assertEquals(List.of("RS256", "HS256"), ok.identity().algorithms());
  }

  @Test
  void groupsClaimSeparatorIsOptionalAndNeverEmpty() {
    assertEquals(null, parse(VALID).identity().groupsClaimSeparator());
    assertEquals(",", parse(VALID.replace("audiences: [vectorgate]", "audiences: [vectorgate]\n  groups_claim_separator: \",\""))
        .identity().groupsClaimSeparator());
    ConfigException empty = fails(VALID.replace("audiences: [vectorgate]",
        "audiences: [vectorgate]\n  groups_claim_separator: \"\""));
    assertTrue(empty.keyPath().endsWith("identity"), empty.keyPath()); // the record refuses it as a whole
    assertTrue(empty.getMessage().contains("identity.groups_claim_separator must not be empty"), empty.getMessage());
  }

  @Test
  void duplicateKeysAndBrokenYamlAreRefused() {
    ConfigException dup = fails(VALID + "masking:\n  hmac_key: {env: X}\n");
    assertTrue(dup.getMessage().toLowerCase().contains("duplicate"), dup.getMessage());
    assertTrue(fails("listeners: [\n").getMessage().contains("gateway.yaml"));
    assertTrue(fails("").getMessage().contains("empty"));
  }

  @Test
  void secretsMustExist() {
    GatewayConfig c = parse(VALID);
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.readSecret(
        c.connections().get(0).credential(), "connections[0].credential", Map.<String, String>of()::get));
    assertTrue(e.getMessage().contains("MILVUS_TOKEN"), e.getMessage());
  }
}
