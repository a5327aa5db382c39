package io.vectorgate.recorder.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The index contract against a real PostgreSQL started by {@code scripts/postgres.sh} (installed
 * from Debian's package if missing). Fails, never skips, when PostgreSQL cannot be started.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PostgresRecordIndexTest extends RecordIndexContract {
  private Path clusterDir;
  private String url;
  private int db;

  @BeforeAll
  void startPostgres() throws Exception {
    Path root = Path.of(System.getProperty("vectorgate.root", "."));
    Path script = root.resolve("scripts/postgres.sh");
    assertTrue(Files.isExecutable(script), "missing " + script);
    clusterDir = Files.createTempDirectory("vg-pg-");
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    List<String> out = run(List.of(script.toString(), "start", clusterDir.toString(), Integer.toString(port)));
    url = out.get(out.size() - 1).trim();
    assertTrue(url.startsWith("jdbc:postgresql://127.0.0.1:" + port + "/"), "script printed " + out);
  }

  @AfterAll
  void stopPostgres() throws Exception {
    if (clusterDir != null) {
      run(List.of(System.getProperty("vectorgate.root", ".") + "/scripts/postgres.sh", "stop", clusterDir.toString()));
      try (var walk = Files.walk(clusterDir)) {
        for (Path p : (Iterable<Path>) walk.sorted(java.util.Comparator.reverseOrder())::iterator) {
          Files.delete(p);
        }
      }
    }
  }

  private static List<String> run(List<String> cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
    byte[] stdout = p.getInputStream().readAllBytes();
    byte[] stderr = p.getErrorStream().readAllBytes();
    assertTrue(p.waitFor(5, TimeUnit.MINUTES), "timeout: " + cmd);
    assertEquals(0, p.exitValue(), () -> cmd + " failed: " + new String(stderr, StandardCharsets.UTF_8));
    return List.of(new String(stdout, StandardCharsets.UTF_8).split("\n"));
  }

  /** Each test gets its own database so the contract's "fresh index" holds. */
  @Override
  RecordIndex index() throws Exception {
    String name = "vg_idx_" + (++db);
    try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    }
    return IndexConfig.postgres(url.replace("/postgres?", "/" + name + "?"), null, null).open();
  }

  @Test
  void twoRecordersShareOneDatabase() throws Exception {
    try (RecordIndex a = index()) {
      String shared = ((JdbcRecordIndex) a).toString();
      assertTrue(shared != null);
      a.add(List.of(rec("gw1", 1, "request", "s1", "alice", "docs", "search", true, 0)));
      a.add(List.of(rec("gw2", 1, "request", "s2", "bob", "docs", "search", false, 1)));
      assertEquals(2, a.find(RecordQuery.builder().collection("docs").build()).items().size());
      assertEquals(1, a.lastSeq("gw1"));
      assertEquals(1, a.lastSeq("gw2"));
    }
  }
}
