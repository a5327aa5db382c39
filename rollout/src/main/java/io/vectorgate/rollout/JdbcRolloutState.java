package io.vectorgate.rollout;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The shared state in SQL: SQLite (a file, for the instances of one host and the CLI) or PostgreSQL
 * (every instance). Tables {@code vg_rollout_pin}, {@code vg_rollout_instances} and
 * {@code vg_rollout_history} are created when missing. Every operation opens its own connection,
 * so the store is safe to use from several threads and processes.
 */
public final class JdbcRolloutState implements RolloutState {
  private final String url;
  private final boolean postgres;

  private JdbcRolloutState(String url) {
    this.url = url;
    this.postgres = url.startsWith("jdbc:postgresql:");
  }

  /**
   * Opens (and migrates) the store at {@code location}: a {@code jdbc:postgresql:} or
   * {@code jdbc:sqlite:} URL, or a file path (SQLite).
   */
  public static JdbcRolloutState open(String location) {
    if (location == null || location.isBlank()) {
      throw new IllegalArgumentException("rollout state: empty location (a jdbc:postgresql: URL or a SQLite file path)");
    }
    String url;
    if (location.startsWith("jdbc:postgresql:")) {
      url = location;
    } else if (location.startsWith("jdbc:sqlite:")) {
      url = location;
    } else if (location.startsWith("jdbc:")) {
      throw new IllegalArgumentException("rollout state: unsupported JDBC URL (only postgresql and sqlite): "
          + location.replaceAll("password=[^&]*", "password=***"));
    } else {
      url = "jdbc:sqlite:" + location + "?busy_timeout=10000";
    }
    JdbcRolloutState s = new JdbcRolloutState(url);
    s.migrate();
    return s;
  }

  /** Where the store is, without a password. */
  public String describe() {
    return url.replaceAll("password=[^&]*", "password=***");
  }

  private Connection connect() throws SQLException {
    return DriverManager.getConnection(url);
  }

  private void migrate() {
    String serial = postgres ? "BIGSERIAL PRIMARY KEY" : "INTEGER PRIMARY KEY AUTOINCREMENT";
    try (Connection c = connect(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE IF NOT EXISTS vg_rollout_pin (id INTEGER PRIMARY KEY, revision TEXT NOT NULL, "
          + "pinned_by TEXT NOT NULL, reason TEXT NOT NULL, at_ms BIGINT NOT NULL)");
      s.execute("CREATE TABLE IF NOT EXISTS vg_rollout_instances (instance_id TEXT PRIMARY KEY, source TEXT, "
          + "active_revision TEXT, failed_revision TEXT, failed_stage TEXT, failed_message TEXT, at_ms BIGINT NOT NULL)");
      s.execute("CREATE TABLE IF NOT EXISTS vg_rollout_history (id " + serial + ", at_ms BIGINT NOT NULL, "
          + "instance_id TEXT NOT NULL, revision TEXT NOT NULL, outcome TEXT NOT NULL, stage TEXT NOT NULL, "
          + "message TEXT NOT NULL)");
    } catch (SQLException e) {
      throw new IllegalStateException("rollout state " + describe() + ": cannot create tables: " + e.getMessage(), e);
    }
    addActivatedAt();
  }

  /** The column {@code activated_at_ms} (when an instance applied its revision), added to tables of older builds. */
  private void addActivatedAt() {
    try (Connection c = connect(); Statement s = c.createStatement()) {
      if (postgres) {
        s.execute("ALTER TABLE vg_rollout_instances ADD COLUMN IF NOT EXISTS activated_at_ms BIGINT");
        return;
      }
      try (ResultSet rs = s.executeQuery("SELECT 1 FROM pragma_table_info('vg_rollout_instances') "
          + "WHERE name = 'activated_at_ms'")) {
        if (rs.next()) {
          return;
        }
      }
      s.execute("ALTER TABLE vg_rollout_instances ADD COLUMN activated_at_ms BIGINT");
    } catch (SQLException e) {
      throw new IllegalStateException("rollout state " + describe() + ": cannot add column activated_at_ms: "
          + e.getMessage(), e);
    }
  }

  @Override
  public Optional<Pin> pin() {
    try (Connection c = connect();
        PreparedStatement ps = c.prepareStatement("SELECT revision, pinned_by, reason, at_ms FROM vg_rollout_pin WHERE id = 1");
        ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) {
        return Optional.empty();
      }
      return Optional.of(new Pin(rs.getString(1), rs.getString(2), rs.getString(3), Instant.ofEpochMilli(rs.getLong(4))));
    } catch (SQLException e) {
      throw failure("read the pin", e);
    }
  }

  @Override
  public void setPin(Pin p) {
    update("INSERT INTO vg_rollout_pin (id, revision, pinned_by, reason, at_ms) VALUES (1, ?, ?, ?, ?) "
        + "ON CONFLICT (id) DO UPDATE SET revision = excluded.revision, pinned_by = excluded.pinned_by, "
        + "reason = excluded.reason, at_ms = excluded.at_ms", "set the pin",
        p.revision(), p.by(), p.reason(), p.at().toEpochMilli());
  }

  @Override
  public void clearPin() {
    update("DELETE FROM vg_rollout_pin WHERE id = 1", "clear the pin");
  }

  @Override
  public void heartbeat(InstanceReport r) {
    update("INSERT INTO vg_rollout_instances (instance_id, source, active_revision, failed_revision, failed_stage, "
        + "failed_message, at_ms, activated_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (instance_id) DO UPDATE SET "
        + "source = excluded.source, active_revision = excluded.active_revision, failed_revision = excluded.failed_revision, "
        + "failed_stage = excluded.failed_stage, failed_message = excluded.failed_message, at_ms = excluded.at_ms, "
        + "activated_at_ms = excluded.activated_at_ms",
        "record a heartbeat", r.instanceId(), r.source(), r.activeRevision(), r.failedRevision(), r.failedStage(),
        r.failedMessage(), r.at().toEpochMilli(), r.activatedAt() == null ? NULL_BIGINT : (Object) r.activatedAt().toEpochMilli());
  }

  @Override
  public List<InstanceReport> instances() {
    List<InstanceReport> out = new ArrayList<>();
    try (Connection c = connect();
        PreparedStatement ps = c.prepareStatement("SELECT instance_id, source, active_revision, failed_revision, "
            + "failed_stage, failed_message, at_ms, activated_at_ms FROM vg_rollout_instances ORDER BY instance_id");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        long activated = rs.getLong(8);
        Instant activatedAt = rs.wasNull() ? null : Instant.ofEpochMilli(activated);
        out.add(new InstanceReport(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
            rs.getString(6), Instant.ofEpochMilli(rs.getLong(7)), activatedAt));
      }
      return out;
    } catch (SQLException e) {
      throw failure("read the instances", e);
    }
  }

  @Override
  public void append(HistoryEvent e) {
    update("INSERT INTO vg_rollout_history (at_ms, instance_id, revision, outcome, stage, message) VALUES (?, ?, ?, ?, ?, ?)",
        "append to the history", e.at().toEpochMilli(), e.instanceId(), e.revision(), e.outcome().wireName(), e.stage(),
        e.message().length() > 4000 ? e.message().substring(0, 4000) : e.message());
  }

  @Override
  public List<HistoryEvent> history(int limit) {
    List<HistoryEvent> out = new ArrayList<>();
    try (Connection c = connect();
        PreparedStatement ps = c.prepareStatement("SELECT id, at_ms, instance_id, revision, outcome, stage, message "
            + "FROM vg_rollout_history ORDER BY id DESC LIMIT ?")) {
      ps.setInt(1, Math.max(0, limit));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new HistoryEvent(rs.getLong(1), Instant.ofEpochMilli(rs.getLong(2)), rs.getString(3), rs.getString(4),
              Outcome.fromWireName(rs.getString(5)), rs.getString(6), rs.getString(7)));
        }
      }
      return out;
    } catch (SQLException e) {
      throw failure("read the history", e);
    }
  }

  /** A null for a BIGINT column in {@link #update} (a plain null binds as VARCHAR, which PostgreSQL refuses there). */
  private static final Object NULL_BIGINT = new Object();

  private void update(String sql, String what, Object... args) {
    try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        if (args[i] == NULL_BIGINT) {
          ps.setNull(i + 1, java.sql.Types.BIGINT);
        } else if (args[i] == null) {
          ps.setNull(i + 1, java.sql.Types.VARCHAR);
        } else if (args[i] instanceof Long l) {
          ps.setLong(i + 1, l);
        } else {
          ps.setString(i + 1, args[i].toString());
        }
      }
      ps.executeUpdate();
    } catch (SQLException e) {
      throw failure(what, e);
    }
  }

  private IllegalStateException failure(String what, SQLException e) {
    return new IllegalStateException("rollout state " + describe() + ": cannot " + what + ": " + e.getMessage(), e);
  }
}
