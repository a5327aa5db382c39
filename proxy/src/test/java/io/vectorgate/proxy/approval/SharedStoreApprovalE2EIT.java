package io.vectorgate.proxy.approval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vectorgate.proxy.Gateway;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several gateway instances on one real PostgreSQL (scripts/postgres.sh, Debian's package, loopback;
 * fails, never skips, if it cannot start): an approval on one instance releases a call held on
 * another; grant mode for short deadlines survives a restart; held calls end retriably at shutdown.
 */
class SharedStoreApprovalE2EIT {
  @TempDir
  static Path work;
  static ApprovalGatewayEnv env;
  static Path cluster;
  static String url;
  static int db;

  @BeforeAll
  static void start() throws Exception {
    Path root = Path.of(System.getProperty("vectorgate.root", ".."));
    cluster = Files.createTempDirectory("vg-proxy-pg-");
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    List<String> out = run(List.of(root.resolve("scripts/postgres.sh").toString(), "start", cluster.toString(),
        Integer.toString(port)));
    url = out.get(out.size() - 1).trim();
    assertTrue(url.startsWith("jdbc:postgresql://127.0.0.1:" + port + "/"), "postgres.sh printed " + out);
    env = new ApprovalGatewayEnv(work);
  }

  @AfterAll
  static void stop() throws Exception {
    if (env != null) {
      env.close();
    }
    if (cluster != null) {
      run(List.of(Path.of(System.getProperty("vectorgate.root", "..")).resolve("scripts/postgres.sh").toString(), "stop",
          cluster.toString()));
      try (var walk = Files.walk(cluster)) {
        for (Path p : (Iterable<Path>) walk.sorted(java.util.Comparator.reverseOrder())::iterator) {
          Files.delete(p);
        }
      }
    }
  }

  private static List<String> run(List<String> cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).start();
    byte[] stdout = p.getInputStream().readAllBytes();
    byte[] stderr = p.getErrorStream().readAllBytes();
    assertTrue(p.waitFor(5, TimeUnit.MINUTES), "timeout: " + cmd);
    assertEquals(0, p.exitValue(), () -> cmd + " failed: " + new String(stderr, StandardCharsets.UTF_8));
    return List.of(new String(stdout, StandardCharsets.UTF_8).split("\n"));
  }

  /** A fresh database for one test, as the {@code store:} YAML of the approvals section. */
  private static String freshStore() throws Exception {
    String name = "vg_gw_apr_" + (++db);
    try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    }
    return "postgres: \"" + url.replace("/postgres?", "/" + name + "?") + "\"";
  }

  private static List<Long> ids(Gateway g) throws Exception {
    JsonNode r = env.client(g, "alice", "ids", "--collection", "docs");
    assertTrue(r.get("ok").asBoolean(), r.toString());
    return java.util.stream.StreamSupport.stream(r.get("value").spliterator(), false).map(JsonNode::asLong).toList();
  }

  @Test
  void anApprovalOnOneInstanceReleasesTheCallHeldOnAnother() throws Exception {
    String store = freshStore();
    Gateway a = env.startGateway("a1", store, "hold");
    Gateway b = env.startGateway("b1", store, "hold");
    assertOk(env.client(a, "alice", "load"));
    Process p = env.clientAsync(a, "carol", "shared-hold", "delete", "--collection", "docs", "--filter", "id >= 9");
    String id = env.awaitPending(b, "erin", "carol", "id >= 9").get("id").asText();
    assertTrue(p.isAlive());
    env.admin(b, "erin").approve(id, "from instance b", 1);
    JsonNode r = env.result(p, "shared-hold");
    assertTrue(r.get("ok").asBoolean(), r.toString());
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L), ids(b));
  }

  @Test
  void grantModeForShortDeadlinesSurvivesARestartAndIsUsedOnce() throws Exception {
    String store = freshStore();
    Gateway a = env.startGateway("a2", store, "hold");
    Gateway b = env.startGateway("b2", store, "hold");
    assertOk(env.client(a, "alice", "load"));
    // a 3 s deadline is below grant_below_deadline_seconds (5): the call fails at once
    JsonNode first = env.client(a, "carol", "delete", "--raw", "--collection", "docs", "--filter", "id <= 4", "--timeout", "3");
    assertFalse(first.get("ok").asBoolean(), first.toString());
    assertEquals("1401", first.get("code").asText(), first.toString()); // in band: Milvus's "privilege not permitted"
    Matcher m = Pattern.compile("approval pending: (apr-[a-z2-7]{20})").matcher(first.get("error").asText());
    assertTrue(m.find(), first.toString());
    String id = m.group(1);

    a.close();
    env.gateways.remove(a);
    Gateway a2 = env.startGateway("a2-restarted", store, "hold");
    assertEquals("pending", env.admin(a2, "erin").show(id).get("status").asText(), "the pending approval was lost");
    env.admin(b, "erin").approve(id, "grant", 1);

    JsonNode granted = env.client(a2, "carol", "delete", "--raw", "--collection", "docs", "--filter", "id <= 4", "--timeout", "3");
    assertTrue(granted.get("ok").asBoolean(), granted.toString());
    assertEquals(List.of(1L, 3L, 5L, 6L, 7L, 8L, 9L, 10L), ids(a2));
    JsonNode again = env.client(a2, "carol", "delete", "--raw", "--collection", "docs", "--filter", "id <= 4", "--timeout", "3");
    assertFalse(again.get("ok").asBoolean(), "a one-use grant released the request twice: " + again);
    assertTrue(again.get("error").asText().contains("approval pending: apr-") && !again.get("error").asText().contains(id),
        again.toString());
    JsonNode other = env.client(a2, "carol", "delete", "--raw", "--collection", "docs", "--filter", "id <= 5", "--timeout", "3");
    assertFalse(other.get("ok").asBoolean(), "the grant released a different request: " + other);
  }

  @Test
  void aHeldCallEndsWithARetriableErrorAtShutdownAndTheApprovalStaysPending() throws Exception {
    String store = freshStore();
    Gateway a = env.startGateway("a3", store, "hold");
    Gateway b = env.startGateway("b3", store, "hold");
    assertOk(env.client(a, "alice", "load"));
    Process p = env.clientAsync(b, "carol", "shutdown-hold", "delete", "--raw", "--collection", "docs", "--filter",
        "id > 7", "--timeout", "60");
    String id = env.awaitPending(a, "erin", "carol", "id > 7").get("id").asText();
    b.close();
    env.gateways.remove(b);
    JsonNode r = env.result(p, "shutdown-hold");
    assertFalse(r.get("ok").asBoolean(), r.toString());
    assertEquals("UNAVAILABLE", r.get("code").asText(), r.toString());
    assertTrue(r.get("error").asText().contains("approval_interrupted") && r.get("error").asText().contains(id), r.toString());
    assertEquals("pending", env.admin(a, "erin").show(id).get("status").asText());
    assertEquals(10, ids(a).size());
  }

  private static void assertOk(JsonNode r) {
    assertTrue(r.get("ok").asBoolean(), r.toString());
  }
}
