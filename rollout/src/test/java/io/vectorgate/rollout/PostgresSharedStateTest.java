package io.vectorgate.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * {@link SharedStateContract} on a real PostgreSQL started by {@code scripts/postgres.sh}; the test
 * fails (never skips) when it cannot start.
 */
class PostgresSharedStateTest extends SharedStateContract {
  static Path dir;
  static String url;
  private static int db;

  @BeforeAll
  static void startPostgres() throws Exception {
    Path root = Path.of(System.getProperty("vectorgate.root", ".."));
    Path script = root.resolve("scripts/postgres.sh");
    assertTrue(Files.isExecutable(script), "missing " + script);
    dir = Files.createTempDirectory("vg-rollout-pg-");
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    List<String> out = run(List.of(script.toString(), "start", dir.toString(), Integer.toString(port)));
    url = out.get(out.size() - 1).trim();
    assertTrue(url.startsWith("jdbc:postgresql://127.0.0.1:" + port + "/"), "postgres.sh printed " + out);
  }

  @AfterAll
  static void stopPostgres() throws Exception {
    if (dir == null) {
      return;
    }
    Path root = Path.of(System.getProperty("vectorgate.root", ".."));
    run(List.of(root.resolve("scripts/postgres.sh").toString(), "stop", dir.toString()));
    try (var walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  @Override
  String freshStore() throws Exception {
    String name = "vg_rollout_" + ProcessHandle.current().pid() + "_" + (++db);
    try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    }
    return url.replace("/postgres?", "/" + name + "?");
  }

  static List<String> run(List<String> cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).start();
    byte[] stdout = p.getInputStream().readAllBytes();
    byte[] stderr = p.getErrorStream().readAllBytes();
    assertTrue(p.waitFor(5, TimeUnit.MINUTES), "timeout: " + cmd);
    assertEquals(0, p.exitValue(), () -> cmd + " failed: " + new String(stderr, StandardCharsets.UTF_8));
    return List.of(new String(stdout, StandardCharsets.UTF_8).split("\n"));
  }
}
