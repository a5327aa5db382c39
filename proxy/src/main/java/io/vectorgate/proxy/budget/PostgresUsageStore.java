package io.vectorgate.proxy.budget;

import io.vectorgate.model.Usage;
import io.vectorgate.proxy.pipeline.UsageWindow;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Usage counters in one PostgreSQL table shared by every instance: {@code vg_usage(subject, kind,
 * bucket, n)}, one row per subject, counter and bucket (epoch second for requests, epoch minute
 * for rows, vectors and pages; see {@link UsageWindow}). Increments are upserts
 * ({@code n = n + delta}), so instances never overwrite each other; a batch is one transaction
 * in a fixed row order (no deadlock between instances flushing the same rows). A small pool of
 * connections serves reads and flushes.
 */
public final class PostgresUsageStore implements AutoCloseable {
  /** The counters, as stored in {@code kind}. */
  public enum Kind {
    REQUESTS, ROWS, VECTORS, PAGES
  }

  /** One increment: {@code delta} units of {@code kind} in {@code bucket} for {@code subject}. */
  public record Delta(String subject, Kind kind, long bucket, long delta) {}

  private static final String DDL = "CREATE TABLE IF NOT EXISTS vg_usage (subject TEXT NOT NULL, kind SMALLINT NOT NULL,"
      + " bucket BIGINT NOT NULL, n BIGINT NOT NULL, PRIMARY KEY (subject, kind, bucket))";
  private static final String UPSERT = "INSERT INTO vg_usage (subject, kind, bucket, n) VALUES (?, ?, ?, ?)"
      + " ON CONFLICT (subject, kind, bucket) DO UPDATE SET n = vg_usage.n + EXCLUDED.n";
  private static final String READ = "SELECT kind, COALESCE(SUM(n), 0) FROM vg_usage WHERE subject = ?"
      + " AND ((kind = 0 AND bucket > ? AND bucket <= ?) OR (kind > 0 AND bucket > ? AND bucket <= ?)) GROUP BY kind";
  private static final String PRUNE = "DELETE FROM vg_usage WHERE (kind = 0 AND bucket < ?) OR (kind > 0 AND bucket < ?)";

  private final BlockingQueue<Connection> pool;
  private final List<Connection> all = new ArrayList<>();
  private final long acquireTimeoutMs;
  private final String jdbcUrl;
  private final Properties props = new Properties();

  /**
   * Opens {@code poolSize} connections and creates the table if needed.
   *
   * @param password null when the URL carries it (or trust authentication)
   */
  public PostgresUsageStore(String jdbcUrl, String user, String password, int poolSize, long acquireTimeoutMs)
      throws SQLException {
    if (!jdbcUrl.startsWith("jdbc:postgresql://")) {
      throw new IllegalArgumentException("usage store needs a jdbc:postgresql:// URL, was `" + jdbcUrl + "`");
    }
    this.acquireTimeoutMs = acquireTimeoutMs;
    this.pool = new ArrayBlockingQueue<>(poolSize);
    this.jdbcUrl = jdbcUrl;
    Properties p = props;
    if (user != null) {
      p.setProperty("user", user);
    }
    if (password != null) {
      p.setProperty("password", password);
    }
    try {
      for (int i = 0; i < poolSize; i++) {
        Connection c = DriverManager.getConnection(jdbcUrl, p);
        all.add(c);
        pool.add(c);
      }
      Connection c = all.get(0);
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        // instances starting together: serialize the CREATE (IF NOT EXISTS races on the catalog otherwise)
        s.execute("SELECT pg_advisory_xact_lock(7316002019)");
        s.execute(DDL);
        c.commit();
      } catch (SQLException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    } catch (SQLException e) {
      close();
      throw e;
    }
  }

  /** Adds the deltas in one transaction: all of them or none. */
  public void add(List<Delta> deltas) throws SQLException {
    if (deltas.isEmpty()) {
      return;
    }
    List<Delta> sorted = new ArrayList<>(deltas);
    sorted.sort(java.util.Comparator.comparing(Delta::subject).thenComparing(Delta::kind)
        .thenComparingLong(Delta::bucket));
    Connection c = acquire();
    boolean ok = false;
    try {
      c.setAutoCommit(false);
      try (PreparedStatement ps = c.prepareStatement(UPSERT)) {
        for (Delta d : sorted) {
          ps.setString(1, d.subject());
          ps.setShort(2, (short) d.kind().ordinal());
          ps.setLong(3, d.bucket());
          ps.setLong(4, d.delta());
          ps.addBatch();
        }
        ps.executeBatch();
        c.commit();
        ok = true;
      } catch (SQLException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    } finally {
      release(c, ok);
    }
  }

  /** The subject's totals over the windows ending at {@code nowMs}, as every instance flushed them. */
  public Usage read(String subject, long nowMs) throws SQLException {
    long sec = UsageWindow.second(nowMs);
    long min = UsageWindow.minute(nowMs);
    long[] n = new long[Kind.values().length];
    Connection c = acquire();
    boolean ok = false;
    try (PreparedStatement ps = c.prepareStatement(READ)) {
      ps.setString(1, subject);
      ps.setLong(2, UsageWindow.oldestExcluded(sec));
      ps.setLong(3, sec);
      ps.setLong(4, UsageWindow.oldestExcluded(min));
      ps.setLong(5, min);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          n[rs.getShort(1)] = rs.getLong(2);
        }
      }
      ok = true;
    } finally {
      release(c, ok);
    }
    return new Usage(n[0], n[1], n[2], n[3]);
  }

  /**
   * Deletes buckets older than two windows before {@code nowMs} (one window of margin for
   * instances whose clocks lag this one's). Returns the rows deleted.
   */
  public int prune(long nowMs) throws SQLException {
    Connection c = acquire();
    boolean ok = false;
    try (PreparedStatement ps = c.prepareStatement(PRUNE)) {
      ps.setLong(1, UsageWindow.oldestExcluded(UsageWindow.second(nowMs)) - UsageWindow.BUCKETS);
      ps.setLong(2, UsageWindow.oldestExcluded(UsageWindow.minute(nowMs)) - UsageWindow.BUCKETS);
      int deleted = ps.executeUpdate();
      ok = true;
      return deleted;
    } finally {
      release(c, ok);
    }
  }

  /** Returns a connection; after a failure, a connection that is no longer valid is replaced. */
  private void release(Connection c, boolean ok) {
    Connection back = c;
    if (!ok) {
      try {
        if (!c.isValid(1)) {
          Connection fresh = DriverManager.getConnection(jdbcUrl, props);
          synchronized (all) {
            all.remove(c);
            all.add(fresh);
          }
          c.close();
          back = fresh;
        }
      } catch (SQLException e) {
        // the database is still unreachable: keep the old connection, the next use fails and retries
        org.slf4j.LoggerFactory.getLogger(PostgresUsageStore.class)
            .warn("event=usage_store_reconnect_failed error={}", e.toString());
      }
    }
    pool.add(back);
  }

  private Connection acquire() throws SQLException {
    Connection c;
    try {
      c = pool.poll(acquireTimeoutMs, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SQLException("interrupted waiting for a usage store connection", e);
    }
    if (c == null) {
      throw new SQLException("no usage store connection free within " + acquireTimeoutMs + " ms");
    }
    return c;
  }

  @Override
  public void close() {
    List<Connection> open;
    synchronized (all) {
      open = new ArrayList<>(all);
    }
    for (Connection c : open) {
      try {
        c.close();
      } catch (SQLException e) {
        org.slf4j.LoggerFactory.getLogger(PostgresUsageStore.class)
            .warn("event=usage_store_close_failed error={}", e.toString());
      }
    }
  }
}
