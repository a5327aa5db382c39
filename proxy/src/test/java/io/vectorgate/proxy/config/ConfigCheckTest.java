package io.vectorgate.proxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectorgate.proxy.testing.MilvusLite;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code --check} finds beyond the YAML: secrets, ports in use, a policy that does not compile, a down upstream. */
class ConfigCheckTest {
  private static final Path ROOT = MilvusLite.root();
  @TempDir
  Path dir;

  private GatewayConfig config(String listen, String upstream, String regoDir) throws IOException {
    Files.writeString(dir.resolve("mask.key"), "0123456789abcdef0123456789abcdef\n");
    return ConfigLoader.parse("""
        listeners:
          - {name: milvus, kind: milvus-grpc, address: "%s", connection: lite}
        connections:
          - {name: lite, kind: milvus, upstream: "%s", credential: {env: VG_CHECK_TOKEN}}
        identity: {issuer: "http://127.0.0.1:1/vectorgate", audiences: [vectorgate]}
        policy: {rego_dirs: ["%s"]}
        masking: {hmac_key: {file: mask.key}}
        """.formatted(listen, upstream, regoDir), dir, "gateway.yaml");
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Test
  void aMissingEnvironmentVariableIsNamedWithItsKey() throws IOException {
    GatewayConfig c = config("127.0.0.1:0", "127.0.0.1:1", dir.toString());
    List<ConfigCheck.Problem> p = ConfigCheck.startProblems(c, Map.<String, String>of()::get);
    assertEquals(List.of("connections[0].credential.env: environment variable `VG_CHECK_TOKEN` is not set"),
        p.stream().map(Object::toString).toList());
    assertTrue(p.get(0).fatal());
    assertEquals(List.of(), ConfigCheck.startProblems(c, Map.of("VG_CHECK_TOKEN", "t")::get));
  }

  @Test
  void aPortInUseIsOneLineNamingTheListener() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      GatewayConfig c = config("127.0.0.1:" + taken.getLocalPort(), "127.0.0.1:1", dir.toString());
      List<ConfigCheck.Problem> p = ConfigCheck.startProblems(c, Map.of("VG_CHECK_TOKEN", "t")::get);
      assertEquals(1, p.size(), p.toString());
      assertEquals("listeners[0].address: cannot listen on 127.0.0.1:" + taken.getLocalPort()
          + ": the address is already in use (another gateway or demo running?)", p.get(0).toString());
    }
  }

  @Test
  void aRegoSyntaxErrorIsReportedWithFileAndLine() throws IOException {
    Path rego = Files.createDirectories(dir.resolve("rego"));
    Files.writeString(rego.resolve("broken.rego"), "package vectorgate\n\nimport rego.v1\n\nallow contains x if {\n");
    GatewayConfig c = config("127.0.0.1:0", "127.0.0.1:1", rego.toString());
    List<ConfigCheck.Problem> p = ConfigCheck.policyProblems(c.policy());
    assertFalse(p.isEmpty());
    assertTrue(p.stream().allMatch(ConfigCheck.Problem::fatal));
    assertTrue(p.stream().anyMatch(x -> x.toString().startsWith("policy: does not compile: ") && x.toString().contains("broken.rego:")),
        p.toString());
  }

  @Test
  void theShippedLibraryCompiles() throws IOException {
    GatewayConfig c = config("127.0.0.1:0", "127.0.0.1:1", ROOT.resolve("rego-policies/src/main/rego").toString());
    assertEquals(List.of(), ConfigCheck.policyProblems(c.policy()));
  }

  @Test
  void anUnreachableUpstreamIsAWarning() throws IOException {
    int closed = freePort();
    GatewayConfig c = config("127.0.0.1:0", "127.0.0.1:" + closed, dir.toString());
    List<ConfigCheck.Problem> p = ConfigCheck.unreachableUpstreams(c, 1000);
    assertEquals(1, p.size(), p.toString());
    assertFalse(p.get(0).fatal());
    assertTrue(p.get(0).toString().startsWith("connections[0].upstream: upstream `127.0.0.1:" + closed
        + "` of connection `lite` is not reachable now ("), p.get(0).toString());
    try (ServerSocket up = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      GatewayConfig reachable = config("127.0.0.1:0", "127.0.0.1:" + up.getLocalPort(), dir.toString());
      assertEquals(List.of(), ConfigCheck.unreachableUpstreams(reachable, 1000));
    }
  }
}
