package io.vectorgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `vectorgate gateway --check` validates a real config from the distribution's class path. */
class GatewayCommandTest {
  private static final Path ROOT = Path.of(System.getProperty("vectorgate.root", ".."));

  static {
    // logback prints its own start-up status (two logback.xml on the test class path) to stdout: before the capture
    org.slf4j.LoggerFactory.getLogger(GatewayCommandTest.class);
  }

  record Run(int code, String out, String err) {}

  private static Run run(String... args) {
    PrintStream savedOut = System.out;
    PrintStream savedErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      System.setOut(o);
      System.setErr(e);
      code = VectorgateCli.run(args);
    } finally {
      System.setOut(savedOut);
      System.setErr(savedErr);
    }
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private static Path config(Path dir, String listen, String rego) throws Exception {
    Files.writeString(dir.resolve("token"), "root:Milvus\n");
    Files.writeString(dir.resolve("mask.key"), "0123456789abcdef0123456789abcdef\n");
    Path cfg = dir.resolve("gateway.yaml");
    int down;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      down = s.getLocalPort();
    }
    Files.writeString(cfg, """
        listeners:
          - {name: milvus, kind: milvus-grpc, address: "%s", connection: lite}
        connections:
          - {name: lite, kind: milvus, upstream: "127.0.0.1:%d", credential: {file: token}}
        identity: {issuer: "http://127.0.0.1:1/vectorgate", audiences: [vectorgate]}
        policy: {rego_dirs: ["%s"], data_file: "%s"}
        masking: {hmac_key: {file: mask.key}}
        """.formatted(listen, down, rego, ROOT.resolve("samples/org/data.json")));
    return cfg;
  }

  @Test
  void aGoodConfigIsOkWithTheDownUpstreamAsAWarning(@TempDir Path dir) throws Exception {
    Path cfg = config(dir, "127.0.0.1:0", ROOT.resolve("rego-policies/src/main/rego").toString());
    Run r = run("gateway", "--config", cfg.toString(), "--check");
    assertEquals(0, r.code(), r.err());
    assertEquals("config ok: " + cfg + " (1 warning)\n", r.out());
    assertTrue(r.err().startsWith("warning: " + cfg + ": connections[0].upstream: upstream `127.0.0.1:"), r.err());
  }

  @Test
  void aListenerWaitingForAnApiConnectionIsAWarningNamingIt(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("mask.key"), "0123456789abcdef0123456789abcdef\n");
    Path cfg = dir.resolve("gateway.yaml");
    Files.writeString(cfg, """
        listeners:
          - {name: docs, kind: http, address: "127.0.0.1:0", connection: tenant-docs, connection_source: api, connection_kind: chroma}
        connections: []
        identity: {issuer: "http://127.0.0.1:1/vectorgate", audiences: [vectorgate]}
        policy: {rego_dirs: ["%s"], data_file: "%s"}
        masking: {hmac_key: {file: mask.key}}
        admin: {address: "127.0.0.1:0", operator_groups: [platform], connections: {store: {sqlite: connections.db}}}
        """.formatted(ROOT.resolve("rego-policies/src/main/rego"), ROOT.resolve("samples/org/data.json")));
    Run r = run("gateway", "--config", cfg.toString(), "--check");
    assertEquals(0, r.code(), r.err());
    assertEquals("config ok: " + cfg + " (1 warning)\n", r.out());
    assertTrue(r.err().startsWith("warning: " + cfg + ": listeners[0].connection: connection `tenant-docs` is not in the"
        + " connections store: `" + dir.resolve("connections.db") + "` does not exist yet (it is created at start);"
        + " listener `docs` starts and refuses with connection_unavailable"), r.err());
    assertFalse(Files.exists(dir.resolve("connections.db")), "--check creates no store");
  }

  @Test
  void checkFindsWhatWouldFailAtStart(@TempDir Path dir) throws Exception {
    Path rego = Files.createDirectories(dir.resolve("rego"));
    Files.writeString(rego.resolve("broken.rego"), "package vectorgate\n\nimport rego.v1\n\nallow contains x if {\n");
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      Path cfg = config(dir, "127.0.0.1:" + taken.getLocalPort(), rego.toString());
      Run r = run("gateway", "--config", cfg.toString(), "--check");
      assertEquals(2, r.code(), r.out() + r.err());
      assertEquals("", r.out());
      assertTrue(r.err().contains("error: " + cfg + ": listeners[0].address: cannot listen on 127.0.0.1:"
          + taken.getLocalPort() + ": the address is already in use"), r.err());
      assertTrue(r.err().contains("error: " + cfg + ": policy: does not compile: "), r.err());
      assertTrue(r.err().contains("broken.rego:"), r.err());
      assertTrue(r.err().endsWith("vectorgate: 2 errors in " + cfg + "\n") || r.err().contains(" errors in " + cfg), r.err());

      // started for real, the port in use is one line, before anything else starts
      Run start = run("gateway", "--config", cfg.toString());
      assertEquals(2, start.code(), start.err());
      assertEquals("vectorgate: cannot start: " + cfg + ": listeners[0].address: cannot listen on 127.0.0.1:"
          + taken.getLocalPort() + ": the address is already in use (another gateway or demo running?)\n", start.err());
    }
  }

  @Test
  void aMissingEnvironmentVariableIsAnError() {
    // the demo configs read their secrets from variables scripts/demo.sh sets; the test JVM has none of them
    Run r = run("gateway", "--config", ROOT.resolve("samples/milvus-demo/gateway.yaml").toString(), "--check");
    assertEquals(2, r.code(), r.out() + r.err());
    assertTrue(r.err().contains("connections[0].credential.env: environment variable `VECTORGATE_MILVUS_CREDENTIAL` is not set"),
        r.err());
    assertFalse(r.out().contains("config ok"), r.out());
  }
}
