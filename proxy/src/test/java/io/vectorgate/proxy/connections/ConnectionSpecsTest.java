package io.vectorgate.proxy.connections;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vectorgate.proxy.config.ConfigException;
import io.vectorgate.proxy.config.ConfigLoader;
import io.vectorgate.proxy.config.ConnectionsApiConfig;
import io.vectorgate.proxy.config.GatewayConfig.ConnectionConfig;
import io.vectorgate.proxy.config.GatewayConfig.SecretRef;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A connection written through the admin API is parsed and validated by the YAML's code
 * (ConfigLoader), with field-named errors, plus the API's own rules: literal secrets refused and
 * never echoed, references limited to what the operator may use, ids that fit a URL path.
 */
class ConnectionSpecsTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final ConnectionConfig YAML_ONE = new ConnectionConfig("main", "milvus", "127.0.0.1:19530",
      new SecretRef("VG_MILVUS_TOKEN", null), false, 30L, "template");

  @TempDir
  Path dir;

  private ConnectionSpecs specs(List<Path> dirs) {
    return new ConnectionSpecs(new ConnectionsApiConfig(null, null, null, dirs), List.of(YAML_ONE));
  }

  private ConfigException refused(String id, String body) throws Exception {
    JsonNode n = JSON.readTree(body);
    return assertThrows(ConfigException.class, () -> specs(List.of()).parse(id, n));
  }

  @Test
  void aValidBodyParsesToTheYamlRecordWithDefaultsAndRendersItsReferenceOnly() throws Exception {
    ConnectionConfig c = specs(List.of()).parse("vectors", JSON.readTree(
        "{\"kind\": \"qdrant\", \"upstream\": \"db.internal:6333\", \"credential\": {\"env\": \"VECTORGATE_UPSTREAM_Q\"}}"));
    assertEquals(new ConnectionConfig("vectors", "qdrant", "db.internal:6333", new SecretRef("VECTORGATE_UPSTREAM_Q", null),
        false, 60L, "template", ConnectionConfig.DEFAULT_MAX_PRE_READ_IDS), c);
    assertEquals("{\"env\":\"VECTORGATE_UPSTREAM_Q\"}", ConnectionSpecs.toJson(c).get("credential").toString());
    // the stored form reads back to the same connection
    assertEquals(c, ConnectionSpecs.fromSpec("vectors", ConnectionSpecs.toSpec(c)));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      // a literal secret, in every shape
      "{\"kind\":\"milvus\",\"upstream\":\"h:1\",\"credential\":\"Sup3rSecretValue\"}|connection.credential",
      "{\"kind\":\"milvus\",\"upstream\":\"h:1\",\"credential\":{\"value\":\"Sup3rSecretValue\"}}|connection.credential",
      "{\"kind\":\"milvus\",\"upstream\":\"h:1\",\"credential\":[\"Sup3rSecretValue\"]}|connection.credential",
      "{\"kind\":\"milvus\",\"upstream\":\"h:1\",\"credential\":{\"env\":\"VECTORGATE_UPSTREAM_X\",\"token\":\"Sup3rSecretValue\"}}|connection.credential",
      "{\"kind\":\"milvus\",\"upstream\":\"h:1\",\"credential\":{\"env\":12}}|connection.credential.env",
      "{\"kind\":\"milvus\",\"upstream\":\"h:1\",\"credential\":{}}|connection.credential",
      "{\"kind\":\"milvus\",\"upstream\":\"h:1\",\"credential\":{\"env\":\"VECTORGATE_UPSTREAM_X\",\"file\":\"/x\"}}|connection.credential",
      "{\"kind\":\"milvus\",\"upstream\":\"h:1\"}|connection.credential",
      // references the API may not use: another secret of the gateway, any file
      "{\"kind\":\"milvus\",\"upstream\":\"h:1\",\"credential\":{\"env\":\"VG_MASK_KEY\"}}|connection.credential.env",
      "{\"kind\":\"milvus\",\"upstream\":\"h:1\",\"credential\":{\"file\":\"/etc/shadow\"}}|connection.credential.file",
      "{\"kind\":\"milvus\",\"upstream\":\"h:1\",\"credential\":{\"file\":\"relative/key\"}}|connection.credential.file",
      // upstream addresses
      "{\"kind\":\"milvus\",\"upstream\":\"http://h:1\",\"credential\":{\"env\":\"VG_MILVUS_TOKEN\"}}|connection.upstream",
      "{\"kind\":\"milvus\",\"upstream\":\"h\",\"credential\":{\"env\":\"VG_MILVUS_TOKEN\"}}|connection.upstream",
      "{\"kind\":\"milvus\",\"upstream\":\"h:99999\",\"credential\":{\"env\":\"VG_MILVUS_TOKEN\"}}|connection.upstream",
      "{\"kind\":\"milvus\",\"upstream\":\"h:-1\",\"credential\":{\"env\":\"VG_MILVUS_TOKEN\"}}|connection.upstream",
      "{\"kind\":\"milvus\",\"upstream\":\"\",\"credential\":{\"env\":\"VG_MILVUS_TOKEN\"}}|connection.upstream",
      "{\"kind\":\"milvus\",\"upstream\":7,\"credential\":{\"env\":\"VG_MILVUS_TOKEN\"}}|connection.upstream",
      // the rest of the YAML's rules
      "{\"kind\":\"redis\",\"upstream\":\"h:1\",\"credential\":{\"env\":\"VG_MILVUS_TOKEN\"}}|connection.kind",
      "{\"upstream\":\"h:1\",\"credential\":{\"env\":\"VG_MILVUS_TOKEN\"}}|connection.kind",
      "{\"kind\":\"milvus\",\"upstream\":\"h:1\",\"credential\":{\"env\":\"VG_MILVUS_TOKEN\"},\"timeout_seconds\":0}|connection.timeout_seconds",
      "{\"kind\":\"milvus\",\"upstream\":\"h:1\",\"credential\":{\"env\":\"VG_MILVUS_TOKEN\"},\"timeout_seconds\":\"soon\"}|connection.timeout_seconds",
      "{\"kind\":\"milvus\",\"upstream\":\"h:1\",\"credential\":{\"env\":\"VG_MILVUS_TOKEN\"},\"max_pre_read_ids\":1.5}|connection.max_pre_read_ids",
      "{\"kind\":\"milvus\",\"upstream\":\"h:1\",\"credential\":{\"env\":\"VG_MILVUS_TOKEN\"},\"max_pre_read_ids\":20000}|connection.max_pre_read_ids",
      "{\"kind\":\"milvus\",\"upstream\":\"h:1\",\"credential\":{\"env\":\"VG_MILVUS_TOKEN\"},\"row_filter_binding\":\"x\"}|connection.row_filter_binding",
      "{\"kind\":\"milvus\",\"upstream\":\"h:1\",\"credential\":{\"env\":\"VG_MILVUS_TOKEN\"},\"upstream_tls\":\"yes\"}|connection.upstream_tls",
      "{\"kind\":\"milvus\",\"upstrem\":\"h:1\",\"credential\":{\"env\":\"VG_MILVUS_TOKEN\"}}|connection.upstrem",
      "{\"name\":\"other\",\"kind\":\"milvus\",\"upstream\":\"h:1\",\"credential\":{\"env\":\"VG_MILVUS_TOKEN\"}}|connection.name",
  })
  void hostileBodiesAreRefusedNamingTheField(String body, String field) throws Exception {
    ConfigException e = refused("vectors", body);
    assertEquals(field, e.keyPath(), e.getMessage());
    assertFalse(e.getMessage().contains("Sup3rSecretValue"), "a literal secret was echoed: " + e.getMessage());
  }

  @Test
  void anUnknownKeyGetsADidYouMeanAndALiteralSecretIsNamedAsSuch() throws Exception {
    assertTrue(refused("v", "{\"kind\":\"milvus\",\"upstrem\":\"h:1\",\"credential\":{\"env\":\"VG_MILVUS_TOKEN\"}}")
        .getMessage().contains("did you mean `upstream`?"));
    assertTrue(refused("v", "{\"kind\":\"milvus\",\"upstream\":\"h:1\",\"credential\":\"hunter2-secret\"}")
        .getMessage().contains("a literal secret is not accepted"));
  }

  @ParameterizedTest
  @CsvSource({"../etc", "a/b", "-x", "'x y'", "%2e%2e", "''", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"})
  void idsOutsideTheUrlSafeSetAreRefused(String id) throws Exception {
    assertEquals("connection.name", refused(id,
        "{\"kind\":\"milvus\",\"upstream\":\"h:1\",\"credential\":{\"env\":\"VG_MILVUS_TOKEN\"}}").keyPath());
  }

  @Test
  void theApiMayReuseTheYamlsReferencesAndFilesInsideSecretDirs() throws Exception {
    Path secrets = Files.createDirectories(dir.resolve("secrets"));
    ConnectionSpecs s = specs(List.of(secrets));
    assertEquals("VG_MILVUS_TOKEN", s.parse("m2", JSON.readTree(
        "{\"kind\":\"milvus\",\"upstream\":\"h:1\",\"credential\":{\"env\":\"VG_MILVUS_TOKEN\"}}")).credential().env());
    String inside = secrets.resolve("qdrant.key").toString();
    assertEquals(Path.of(inside), s.parse("q", JSON.readTree("{\"kind\":\"qdrant\",\"upstream\":\"h:1\","
        + "\"credential\":{\"file\":\"" + inside + "\"}}")).credential().file());
    for (String escape : List.of(secrets + "/../outside.key", secrets.toString(), dir.resolve("secrets2/x").toString())) {
      ConfigException e = assertThrows(ConfigException.class, () -> s.parse("q", JSON.readTree(
          "{\"kind\":\"qdrant\",\"upstream\":\"h:1\",\"credential\":{\"file\":\"" + escape + "\"}}")), escape);
      assertEquals("connection.credential.file", e.keyPath(), escape);
    }
  }

  @Test
  void theYamlAndTheApiGiveTheSameErrorForTheSameMistake() throws Exception {
    Path f = dir.resolve("g.yaml");
    Files.writeString(f, """
        listeners: [{name: l, kind: milvus-grpc, address: "127.0.0.1:0", connection: vectors}]
        connections: [{name: vectors, kind: milvus, upstream: "h:1", credential: {env: VG_MILVUS_TOKEN}, timeout_seconds: 0}]
        """);
    ConfigException yaml = assertThrows(ConfigException.class, () -> ConfigLoader.load(f));
    ConfigException api = refused("vectors",
        "{\"kind\":\"milvus\",\"upstream\":\"h:1\",\"credential\":{\"env\":\"VG_MILVUS_TOKEN\"},\"timeout_seconds\":0}");
    assertEquals(f + ": connections[0].timeout_seconds", yaml.keyPath());
    assertEquals(yaml.getMessage().substring(yaml.keyPath().length()), api.getMessage().substring(api.keyPath().length()));
  }

  /** Whatever the literal secret, the refusal never contains it. */
  @Property(tries = 300)
  void aLiteralSecretIsNeverEchoed(@ForAll @AlphaChars @StringLength(min = 8, max = 64) String secret,
      @ForAll("shapes") String shape) throws Exception {
    String value = "S3c" + secret;
    JsonNode body = JSON.readTree(shape.replace("$", value));
    ConfigException e = assertThrows(ConfigException.class, () -> specs(List.of()).parse("v", body));
    assertTrue(e.keyPath().startsWith("connection.credential"), e.keyPath());
    assertFalse(e.getMessage().contains(value), e.getMessage());
  }

  @net.jqwik.api.Provide
  net.jqwik.api.Arbitrary<String> shapes() {
    return net.jqwik.api.Arbitraries.of(
        "{\"kind\":\"milvus\",\"upstream\":\"h:1\",\"credential\":\"$\"}",
        "{\"kind\":\"milvus\",\"upstream\":\"h:1\",\"credential\":{\"secret\":\"$\"}}",
        "{\"kind\":\"milvus\",\"upstream\":\"h:1\",\"credential\":{\"env\":\"X\",\"$\":\"$\"}}",
        "{\"kind\":\"milvus\",\"upstream\":\"h:1\",\"credential\":[\"$\"]}",
        "{\"kind\":\"milvus\",\"upstream\":\"h:1\",\"credential\":{\"env\":[\"$\"]}}");
  }
}
