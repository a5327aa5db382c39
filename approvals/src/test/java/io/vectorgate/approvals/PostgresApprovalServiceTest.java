package io.vectorgate.approvals;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The workflow on a real PostgreSQL started by {@code scripts/postgres.sh} (Debian's package,
 * loopback); several stores on one database stand for several gateway instances. Fails, never
 * skips, when PostgreSQL cannot start.
 */
class PostgresApprovalServiceTest extends ApprovalServiceContract {
  static Path cluster;
  static String url;
  static int db;

  @BeforeAll
  static void startPostgres() throws Exception {
    PostgresCluster pg = PostgresCluster.start();
    cluster = pg.dir();
    url = pg.url();
  }

  @AfterAll
  static void stopPostgres() throws Exception {
    PostgresCluster.stop(cluster);
  }

  @Override
  StoreConfig freshStore() throws Exception {
    String name = "vg_apr_" + ProcessHandle.current().pid() + "_" + (++db);
    try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    }
    return StoreConfig.postgres(url.replace("/postgres?", "/" + name + "?"), null, null);
  }

  /** A throwaway cluster via scripts/postgres.sh. */
  record PostgresCluster(Path dir, String url) {
    static PostgresCluster start() throws Exception {
      Path root = Path.of(System.getProperty("vectorgate.root", ".."));
      Path script = root.resolve("scripts/postgres.sh");
      assertTrue(Files.isExecutable(script), "missing " + script);
      Path dir = Files.createTempDirectory("vg-apr-pg-");
      int port;
      try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
        port = s.getLocalPort();
      }
      List<String> out = run(List.of(script.toString(), "start", dir.toString(), Integer.toString(port)));
      String url = out.get(out.size() - 1).trim();
      assertTrue(url.startsWith("jdbc:postgresql://127.0.0.1:" + port + "/"), "postgres.sh printed " + out);
      return new PostgresCluster(dir, url);
    }

    static void stop(Path dir) throws Exception {
      if (dir == null) {
        return;
      }
      Path root = Path.of(System.getProperty("vectorgate.root", ".."));
      run(List.of(root.resolve("scripts/postgres.sh").toString(), "stop", dir.toString()));
      try (var walk = Files.walk(dir)) {
        for (Path p : (Iterable<Path>) walk.sorted(java.util.Comparator.reverseOrder())::iterator) {
          Files.delete(p);
        }
      }
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
}
