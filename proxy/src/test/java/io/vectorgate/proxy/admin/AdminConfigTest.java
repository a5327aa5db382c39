package io.vectorgate.proxy.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectorgate.proxy.config.AdminConfig;
import io.vectorgate.proxy.config.ConfigException;
import io.vectorgate.proxy.config.ConfigLoader;
import io.vectorgate.proxy.config.GatewayConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code admin:} and {@code decision_log:} sections and how they combine with the older admin keys. */
class AdminConfigTest {
  @TempDir Path dir;

  @BeforeEach
  void rego() throws Exception {
    Files.createDirectories(dir.resolve("rego"));
  }

  private static String base() {
    return """
        listeners: [{name: m, kind: milvus-grpc, address: "127.0.0.1:0", connection: c}]
        connections: [{name: c, kind: milvus, upstream: "127.0.0.1:19530", credential: {env: X}}]
        identity: {issuer: "http://127.0.0.1:1/i", audiences: [vectorgate]}
        masking: {hmac_key: {env: K}}
        policy: {rego_dirs: [rego]}
        """;
  }

  private GatewayConfig parse(String extra) {
    return ConfigLoader.parse(base() + extra, dir, "gw.yaml");
  }

  private void fails(String extra, String key, String fragment) {
    ConfigException e = assertThrows(ConfigException.class, () -> parse(extra), extra);
    assertTrue(e.getMessage().contains(key), e.getMessage());
    assertTrue(e.getMessage().contains(fragment), e.getMessage());
  }

  @Test
  void adminDefaultsAndResolution() {
    GatewayConfig c = parse("""
        admin:
          reader_groups: [sre]
          metrics: {auth: bearer, token: {file: secrets/scrape}}
          policy_webhook_secret: {env: HOOK}
        """);
    AdminConfig a = c.admin();
    assertEquals(AdminConfig.DEFAULT_ADDRESS, a.address());
    assertEquals(List.of("sre"), a.readerGroups());
    assertEquals(List.of(), a.operatorGroups());
    assertEquals("bearer", a.metrics().auth());
    assertEquals(dir.resolve("secrets/scrape"), a.metrics().token().file());
    assertEquals("HOOK", a.policyWebhookSecret().env());
    assertEquals("oidc", parse("admin: {operator_groups: [ops]}\n").admin().metrics().auth());
    assertNull(parse("").admin());
  }

  @Test
  void adminErrorsNameTheKey() {
    fails("admin: {address: \"0.0.0.0:9190\", reader_groups: [sre]}\n", "admin.address", "loopback");
    fails("admin: {address: \"10.1.2.3:9190\", reader_groups: [sre]}\n", "admin.address", "loopback");
    fails("admin: {address: \"127.0.0.1\", reader_groups: [sre]}\n", "admin.address", "host:port");
    fails("admin: {address: \"127.0.0.1:9190\"}\n", "admin.reader_groups", "at least one group");
    fails("admin: {reader_groups: [\"\"]}\n", "admin.reader_groups[0]", "empty group");
    fails("admin: {reader_groups: [sre], metrics: {auth: basic}}\n", "admin.metrics.auth", "basic");
    fails("admin: {reader_groups: [sre], metrics: {auth: bearer}}\n", "admin.metrics.token", "required");
    fails("admin: {reader_groups: [sre], metrics: {auth: none, token: {env: T}}}\n", "admin.metrics.token", "only");
    fails("admin: {reader_groups: [sre], readers: [x]}\n", "admin", "unknown key `readers`");
    fails("admin: {reader_groups: sre}\n", "admin.reader_groups", "");
    // loopback forms are accepted
    for (String a : List.of("127.0.0.1:0", "localhost:9190", "[::1]:9190", "127.9.8.7:1")) {
      assertEquals(a, parse("admin: {address: \"" + a + "\", reader_groups: [sre]}\n").admin().address());
    }
  }

  @Test
  void approvalsAreServedOnTheAdminAddress() {
    String approvals = """
        approvals:
          store: {sqlite: var/approvals.db}
        """;
    GatewayConfig c = parse("admin: {address: \"127.0.0.1:9300\", reader_groups: [sre]}\n" + approvals);
    assertEquals("127.0.0.1:9300", c.approvals().admin().address());
    GatewayConfig d = parse("admin: {reader_groups: [sre]}\n" + approvals + "  admin: {read_all_groups: [auditors]}\n");
    assertEquals(AdminConfig.DEFAULT_ADDRESS, d.approvals().admin().address());
    assertEquals(List.of("auditors"), d.approvals().admin().readAllGroups());
    GatewayConfig same = parse("admin: {address: \"127.0.0.1:9300\", reader_groups: [sre]}\n" + approvals
        + "  admin: {address: \"127.0.0.1:9300\"}\n");
    assertEquals("127.0.0.1:9300", same.approvals().admin().address());
    fails("admin: {address: \"127.0.0.1:9300\", reader_groups: [sre]}\n" + approvals
        + "  admin: {address: \"127.0.0.1:9301\"}\n", "approvals.admin.address", "remove `approvals.admin.address`");
    // the older form alone still needs its address
    fails(approvals, "approvals.admin.address", "required");
    assertEquals("127.0.0.1:9091", parse(approvals + "  admin: {address: \"127.0.0.1:9091\"}\n").approvals().admin().address());
  }

  @Test
  void sessionsAreServedOnTheAdminAddress() {
    String rec = """
        recording:
          directory: rec
          admin: {auditor_groups: [auditors]}
        """;
    // without admin: and approvals: the sessions API needs an address of its own (older form)
    fails(rec, "recording.admin.address", "required");
    GatewayConfig c = parse("admin: {reader_groups: [sre]}\n" + rec);
    assertNull(c.recording().admin().address());
    fails("admin: {reader_groups: [sre]}\nrecording:\n  directory: rec\n  admin: {address: \"127.0.0.1:9400\", auditor_groups: [a]}\n",
        "recording.admin.address", "remove `recording.admin.address`");
  }

  @Test
  void decisionLogSection() {
    GatewayConfig c = parse("decision_log: {path: var/decisions.jsonl, mask: [/input/identity/claims], labels: {gw: a}}\n");
    assertEquals(dir.resolve("var/decisions.jsonl").toString(), c.decisionLog().path());
    assertEquals(List.of("/input/identity/claims"), c.decisionLog().mask());
    assertEquals(10_000, c.decisionLog().queueSize());
    assertTrue(parse("decision_log: {path: stdout}\n").decisionLog().toStdout());
    fails("decision_log: {mask: [/input]}\n", "decision_log.path", "required");
    fails("decision_log: {path: d.jsonl, mask: [/identity]}\n", "decision_log.mask[0]", "/input or /result");
    fails("decision_log: {path: d.jsonl, queue_size: 0}\n", "decision_log.queue_size", "between");
    fails("decision_log: {path: d.jsonl, format: json}\n", "decision_log", "unknown key `format`");
  }
}
