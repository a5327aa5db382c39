package io.vectorgate.proxy.connections;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * The connections store in SQL: SQLite (a file, the instances of one host) or PostgreSQL (every
 * instance). Tables {@code vg_connections} (one row per id, the spec or null for a removal),
 * {@code vg_connections_revision} (one row: the store revision) and {@code vg_connections_audit}
 * (every write) are created when missing. A write is one transaction that first increments the
 * revision row, which serializes writers on both databases, then checks the expected version and
 * writes. Every operation opens its own connection (writes are rare; polls read one row).
 */
public final class JdbcConnectionStore implements ConnectionStore {
  private final String url;
  private final Properties props = new Properties();

  private JdbcConnectionStore(String url, String user, String password) {
    this.url = url;
    if (user != null) {
      props.setProperty("user", user);
    }
    if (password != null) {
      props.setProperty("password", password);
    }
  }

  /**
   * Opens (and creates the tables of) the store at {@code jdbcUrl}, a {@code jdbc:postgresql:} or
   * {@code jdbc:sqlite:} URL.
   *
   * @param user null when the URL carries it
   * @param password null when the URL carries it (or trust authentication)
   */
  public static JdbcConnectionStore open(String jdbcUrl, String user, String password) throws SQLException {
    if (!jdbcUrl.startsWith("jdbc:postgresql:") && !jdbcUrl.startsWith("jdbc:sqlite:")) {
      throw new IllegalArgumentException("connections store: only jdbc:postgresql: and jdbc:sqlite: URLs, was `"
          + redact(jdbcUrl) + "`");
    }
    JdbcConnectionStore s = new JdbcConnectionStore(jdbcUrl, user, password);
    s.migrate();
    return s;
  }

  private boolean postgres() {
    return url.startsWith("jdbc:postgresql:");
  }

  /** Where the store is, without a password. */
  public String describe() {
    return redact(url);
  }

  private static String redact(String url) {
    return url.replaceAll("password=[^&]*", "password=***");
  }

  private Connection connect() throws SQLException {
    Connection c = DriverManager.getConnection(url, props);
    if (!postgres()) {
      try (Statement s = c.createStatement()) {
        s.execute("PRAGMA busy_timeout = 10000");
      }
    }
    return c;
  }

  private void migrate() throws SQLException {
    String serial = postgres() ? "BIGSERIAL PRIMARY KEY" : "INTEGER PRIMARY KEY AUTOINCREMENT";
    try (Connection c = connect()) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        if (postgres()) {
          // instances starting together: serialize the CREATEs (IF NOT EXISTS races on the catalog otherwise)
          s.execute("SELECT pg_advisory_xact_lock(7316002119)");
        }
        s.execute("CREATE TABLE IF NOT EXISTS vg_connections (id TEXT PRIMARY KEY, spec TEXT, version BIGINT NOT NULL, "
            + "updated_by TEXT NOT NULL, updated_at_ms BIGINT NOT NULL)");
        s.execute("CREATE TABLE IF NOT EXISTS vg_connections_revision (id INTEGER PRIMARY KEY, revision BIGINT NOT NULL)");
        s.execute("CREATE TABLE IF NOT EXISTS vg_connections_audit (seq " + serial + ", revision BIGINT NOT NULL, "
            + "id TEXT NOT NULL, spec TEXT, updated_by TEXT NOT NULL, updated_at_ms BIGINT NOT NULL)");
        s.execute("INSERT INTO vg_connections_revision (id, revision) VALUES (1, 0) ON CONFLICT (id) DO NOTHING");
        c.commit();
      } catch (SQLException e) {
        c.rollback();
        throw e;
      }
    }
  }

  @Override
  public long revision() {
    try (Connection c = connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT revision FROM vg_connections_revision WHERE id = 1")) {
      return rs.next() ? rs.getLong(1) : 0;
    } catch (SQLException e) {
      throw failure("read the revision", e);
    }
  }

  @Override
  public Snapshot snapshot() {
    try (Connection c = connect()) {
      c.setAutoCommit(false);
      if (postgres()) {
        c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ); // the revision and the rows agree
      }
      try (Statement s = c.createStatement()) {
        long revision;
        try (ResultSet rs = s.executeQuery("SELECT revision FROM vg_connections_revision WHERE id = 1")) {
          revision = rs.next() ? rs.getLong(1) : 0;
        }
        List<Entry> out = new ArrayList<>();
        try (ResultSet rs = s.executeQuery("SELECT id, spec, version, updated_by, updated_at_ms FROM vg_connections "
            + "ORDER BY id")) {
          while (rs.next()) {
            out.add(new Entry(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getString(4),
                Instant.ofEpochMilli(rs.getLong(5))));
          }
        }
        c.commit();
        return new Snapshot(revision, out);
      } catch (SQLException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw failure("read the connections", e);
    }
  }

  @Override
  public Entry write(String id, String spec, Expect expect, String by, Instant at) throws VersionConflict {
    try (Connection c = connect()) {
      c.setAutoCommit(false);
      try {
        long revision;
        try (Statement s = c.createStatement()) {
          s.executeUpdate("UPDATE vg_connections_revision SET revision = revision + 1 WHERE id = 1");
          try (ResultSet rs = s.executeQuery("SELECT revision FROM vg_connections_revision WHERE id = 1")) {
            rs.next();
            revision = rs.getLong(1);
          }
        }
        long current = 0;
        try (PreparedStatement ps = c.prepareStatement("SELECT version FROM vg_connections WHERE id = ?")) {
          ps.setString(1, id);
          try (ResultSet rs = ps.executeQuery()) {
            if (rs.next()) {
              current = rs.getLong(1);
            }
          }
        }
        InMemoryConnectionStore.check(id, expect, current);
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO vg_connections (id, spec, version, updated_by, "
            + "updated_at_ms) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET spec = excluded.spec, "
            + "version = excluded.version, updated_by = excluded.updated_by, updated_at_ms = excluded.updated_at_ms")) {
          bind(ps, id, spec, revision, by, at);
          ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO vg_connections_audit (id, spec, revision, "
            + "updated_by, updated_at_ms) VALUES (?, ?, ?, ?, ?)")) {
          bind(ps, id, spec, revision, by, at);
          ps.executeUpdate();
        }
        c.commit();
        return new Entry(id, spec, revision, by, at);
      } catch (SQLException | VersionConflict | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw failure("write connection `" + id + "`", e);
    }
  }

  private static void bind(PreparedStatement ps, String id, String spec, long revision, String by, Instant at)
      throws SQLException {
    ps.setString(1, id);
    if (spec == null) {
      ps.setNull(2, Types.VARCHAR);
    } else {
      ps.setString(2, spec);
    }
    ps.setLong(3, revision);
    ps.setString(4, by == null ? "" : by);
    ps.setLong(5, at.toEpochMilli());
  }

  @Override
  public List<Entry> history(int limit) {
    List<Entry> out = new ArrayList<>();
    try (Connection c = connect(); PreparedStatement ps = c.prepareStatement("SELECT id, spec, revision, updated_by, "
        + "updated_at_ms FROM vg_connections_audit ORDER BY revision DESC LIMIT ?")) {
      ps.setInt(1, Math.max(0, limit));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new Entry(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getString(4),
              Instant.ofEpochMilli(rs.getLong(5))));
        }
      }
      return out;
    } catch (SQLException e) {
      throw failure("read the history", e);
    }
  }

  private IllegalStateException failure(String what, SQLException e) {
    return new IllegalStateException("connections store " + describe() + ": cannot " + what + ": " + e.getMessage(), e);
  }
}
