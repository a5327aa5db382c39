package io.vectorgate.proxy.testing;

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
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A throwaway PostgreSQL cluster on loopback via {@code scripts/postgres.sh} (Debian's package);
 * fails, never skips, when it cannot start. {@link #freshDatabase} gives each test its own
 * database.
 */
public final class PostgresFixture implements AutoCloseable {
  private static final AtomicInteger DBS = new AtomicInteger();
  private final Path dir;
  private final String url;

  private PostgresFixture(Path dir, String url) {
    this.dir = dir;
    this.url = url;
  }

  /** Starts a cluster on a free loopback port. */
  public static PostgresFixture start() throws Exception {
    Path dir = Files.createTempDirectory("vg-proxy-pg-");
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    List<String> out = run(List.of(script().toString(), "start", dir.toString(), Integer.toString(port)));
    String url = out.get(out.size() - 1).trim();
    assertTrue(url.startsWith("jdbc:postgresql://127.0.0.1:" + port + "/"), "postgres.sh printed " + out);
    return new PostgresFixture(dir, url);
  }

  /** A new, empty database; its JDBC URL (user in the URL, trust authentication). */
  public String freshDatabase(String prefix) throws Exception {
    String name = prefix + "_" + ProcessHandle.current().pid() + "_" + DBS.incrementAndGet();
    try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    }
    return url.replace("/postgres?", "/" + name + "?");
  }

  @Override
  public void close() throws Exception {
    run(List.of(script().toString(), "stop", dir.toString()));
    try (var walk = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) walk.sorted(java.util.Comparator.reverseOrder())::iterator) {
        Files.delete(p);
      }
    }
  }

  private static Path script() {
    return Path.of(System.getProperty("vectorgate.root", "..")).resolve("scripts/postgres.sh");
  }

  private static List<String> run(List<String> cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).start();
    byte[] stdout = p.getInputStream().readAllBytes();
    byte[] stderr = p.getErrorStream().readAllBytes();
    assertTrue(p.waitFor(5, TimeUnit.MINUTES), "timeout: " + cmd);
    assertEquals(0, p.exitValue(), () -> cmd + " failed: " + new String(stderr, StandardCharsets.UTF_8));
    return List.of(new String(stdout, StandardCharsets.UTF_8).split("\n"));
  }
}
