package io.vectorgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vectorgate.proxy.Gateway;
import io.vectorgate.proxy.config.ConfigLoader;
import io.vectorgate.proxy.testing.OidcProvider;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code vectorgate connections list|get|put|delete} against a real gateway's admin API (real
 * OIDC tokens, the in-memory connections store): what each prints, conditional writes, refusals
 * with the field named, and no way to pass a secret's value.
 */
class ConnectionsCommandTest {
  private record Run(int code, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = new CommandLine(new VectorgateCli());
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return new Run(cl.execute(args), out.toString(), err.toString());
  }

  @Test
  void listGetPutDeleteThroughTheAdminApi(@TempDir Path tmp) throws Exception {
    try (OidcProvider oidc = OidcProvider.start(0)) {
      Files.createDirectories(tmp.resolve("rego"));
      Files.writeString(tmp.resolve("rego/open.rego"), "package vectorgate\n\nimport rego.v1\n\nallow contains "
          + "{\"code\": \"c\", \"message\": \"m\"} if input.identity.subject != \"\"\n");
      Path cfg = tmp.resolve("gw.yaml");
      Files.writeString(cfg, """
          listeners: [{name: m, kind: milvus-grpc, address: "127.0.0.1:0", connection: main}]
          connections: [{name: main, kind: milvus, upstream: "127.0.0.1:1", credential: {env: X}}]
          identity: {issuer: "%s", audiences: [vectorgate], algorithms: [RS256]}
          masking: {hmac_key: {env: K}}
          policy: {rego_dirs: [%s, rego]}
          admin: {address: "127.0.0.1:0", reader_groups: [sre], operator_groups: [platform], connections: {}}
          """.formatted(oidc.issuer(), io.vectorgate.proxy.testing.MilvusLite.root().resolve("rego-policies/src/main/rego")));
      Map<String, String> env = Map.of("X", "root:Milvus", "K", "test-mask-key-0123456789abcdef",
          "VECTORGATE_UPSTREAM_M2", "m2-secret-value-4c1d9a");
      try (Gateway gw = Gateway.fromConfig(ConfigLoader.load(cfg), env::get, Clock.systemUTC())) {
        String url = "http://127.0.0.1:" + gw.adminPort();
        String ops = oidc.token("otto", List.of("platform"), null, 600);
        String reader = oidc.token("rita", List.of("sre"), null, 600);

        Run list = run("connections", "list", "--gateway", url, "--token", ops);
        assertEquals(0, list.code(), list.err());
        assertTrue(list.out().contains("main  yaml v0  milvus 127.0.0.1:1  credential env:X  listeners m"), list.out());

        Run put = run("connections", "put", "main", "--kind", "milvus", "--upstream", "127.0.0.1:2",
            "--credential-env", "VECTORGATE_UPSTREAM_M2", "--timeout-seconds", "5", "--if-match", "0",
            "--gateway", url, "--token", ops);
        assertEquals(0, put.code(), put.err());
        assertEquals("put main: version 1 (applied on this gateway; the others follow at their next poll)\n", put.out());

        Run get = run("connections", "get", "main", "--gateway", url, "--token", ops);
        assertEquals(0, get.code(), get.err());
        var json = new ObjectMapper().readTree(get.out());
        assertEquals("127.0.0.1:2", json.at("/connection/upstream").asText());
        assertEquals("{\"env\":\"VECTORGATE_UPSTREAM_M2\"}", json.at("/connection/credential").toString());
        assertEquals(5, json.at("/connection/timeout_seconds").asLong());
        assertFalse(get.out().contains("m2-secret-value"), get.out());

        Run stale = run("connections", "put", "main", "--kind", "milvus", "--upstream", "127.0.0.1:3",
            "--credential-env", "X", "--if-match", "0", "--gateway", url, "--token", ops);
        assertEquals(1, stale.code(), stale.out());
        assertTrue(stale.err().contains("HTTP 412, version_mismatch"), stale.err());

        Path file = tmp.resolve("conn.json");
        Files.writeString(file, "{\"kind\": \"milvus\", \"upstream\": \"https://db:19530\", \"credential\": {\"env\": \"X\"}}");
        Run invalid = run("connections", "put", "other", "-f", file.toString(), "--gateway", url, "--token", ops);
        assertEquals(1, invalid.code(), invalid.out());
        assertTrue(invalid.err().contains("HTTP 400, invalid_connection): connection.upstream:"), invalid.err());

        Run noSecretOption = run("connections", "put", "x", "--kind", "milvus", "--upstream", "h:1", "--credential",
            "hunter2", "--gateway", url, "--token", ops);
        assertEquals(2, noSecretOption.code(), "a secret value cannot be passed: " + noSecretOption.out());

        Run forbidden = run("connections", "delete", "main", "--gateway", url, "--token", reader);
        assertEquals(1, forbidden.code());
        assertTrue(forbidden.err().contains("HTTP 403"), forbidden.err());

        Run del = run("connections", "delete", "main", "--if-match", "1", "--gateway", url, "--token", ops);
        assertEquals(0, del.code(), del.err());
        Run after = run("connections", "list", "--gateway", url, "--token", ops);
        assertTrue(after.out().contains("main  api v2  REMOVED  listeners m"), after.out());

        // a removed connection counts as absent; an existing one does not
        Path back = tmp.resolve("back.json");
        Files.writeString(back, "{\"kind\": \"milvus\", \"upstream\": \"127.0.0.1:4\", \"credential\": {\"env\": \"X\"}}");
        Run absent = run("connections", "put", "main", "-f", back.toString(), "--if-absent", "--gateway", url, "--token", ops);
        assertEquals(0, absent.code(), absent.err());
        Run present = run("connections", "put", "main", "-f", back.toString(), "--if-absent", "--gateway", url, "--token", ops);
        assertEquals(1, present.code(), present.out());
        assertTrue(present.err().contains("HTTP 412"), present.err());

        Run badId = run("connections", "get", "../admin", "--gateway", url, "--token", ops);
        assertEquals(2, badId.code());
        assertTrue(badId.err().contains("a connection id is"), badId.err());
      }
    }
  }
}
