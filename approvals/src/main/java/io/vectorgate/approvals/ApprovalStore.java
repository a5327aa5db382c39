package io.vectorgate.approvals;

import io.vectorgate.approvals.ApprovalException.Code;
import io.vectorgate.model.Identity;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Durable approval requests over plain JDBC, the same SQL on SQLite and PostgreSQL. The schema is
 * created and migrated on open (a {@code approvals_schema_version} table; migration i brings
 * version i to i + 1). One connection per store, used under a lock; across gateway instances on
 * PostgreSQL an answer first locks the approval's row ({@code UPDATE ... SET version}), so
 * concurrent approve/reject calls are serialized and resolve to one outcome.
 */
public final class ApprovalStore implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ApprovalStore.class);
  private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {};

  private static final List<List<String>> MIGRATIONS = List.of(List.of(
      """
      CREATE TABLE approvals (
        id TEXT PRIMARY KEY,
        status TEXT NOT NULL,
        created_ms BIGINT NOT NULL,
        expires_ms BIGINT NOT NULL,
        requester_subject TEXT NOT NULL,
        requester_json TEXT NOT NULL,
        connection_name TEXT NOT NULL,
        client_address TEXT,
        summary_json TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        reason TEXT,
        approver_groups TEXT NOT NULL,
        min_approvals INTEGER NOT NULL,
        max_uses INTEGER NOT NULL DEFAULT 1,
        uses INTEGER NOT NULL DEFAULT 0,
        grant_expires_ms BIGINT,
        resolved_ms BIGINT,
        resolution TEXT,
        decision_id TEXT,
        revision TEXT,
        request_id TEXT,
        version BIGINT NOT NULL DEFAULT 0)""",
      "CREATE INDEX approvals_status ON approvals (status, created_ms)",
      "CREATE INDEX approvals_grant ON approvals (requester_subject, fingerprint, created_ms)",
      """
      CREATE TABLE approval_votes (
        approval_id TEXT NOT NULL REFERENCES approvals (id),
        approver TEXT NOT NULL,
        approve INTEGER NOT NULL,
        groups_json TEXT NOT NULL,
        comment TEXT,
        at_ms BIGINT NOT NULL,
        PRIMARY KEY (approval_id, approver))"""));

  /** The schema version this code writes. */
  public static final int SCHEMA_VERSION = MIGRATIONS.size();

  private static final String COLUMNS = "id, status, created_ms, expires_ms, requester_json, connection_name,"
      + " client_address, summary_json, fingerprint, reason, approver_groups, min_approvals, max_uses, uses,"
      + " grant_expires_ms, resolved_ms, resolution, decision_id, revision, request_id";

  private final StoreConfig config;
  private final ReentrantLock lock = new ReentrantLock();
  private Connection conn;

  private ApprovalStore(StoreConfig config) {
    this.config = config;
  }

  /** Connects, creates or migrates the schema. A newer schema than this code knows is refused. */
  public static ApprovalStore open(StoreConfig config) {
    ApprovalStore s = new ApprovalStore(config);
    s.lock.lock();
    try {
      s.connection();
      s.migrate();
    } catch (SQLException e) {
      s.close();
      throw new ApprovalException(Code.STORE_UNAVAILABLE, "cannot open the approval store " + config + ": " + e.getMessage(), e);
    } finally {
      s.lock.unlock();
    }
    return s;
  }

  private Connection connection() throws SQLException {
    if (conn != null) {
      return conn;
    }
    Properties p = new Properties();
    if (config.user() != null) {
      p.setProperty("user", config.user());
    }
    if (config.password() != null) {
      p.setProperty("password", config.password());
    }
    if (config.isSqlite()) {
      p.setProperty("busy_timeout", "10000");
      p.setProperty("journal_mode", "WAL");
      p.setProperty("foreign_keys", "true");
    }
    conn = DriverManager.getConnection(config.jdbcUrl(), p);
    return conn;
  }

  private void migrate() throws SQLException {
    Connection c = connection();
    try (Statement st = c.createStatement()) {
      st.execute("CREATE TABLE IF NOT EXISTS approvals_schema_version (version INTEGER NOT NULL)");
    }
    c.setAutoCommit(false);
    try {
      int version;
      try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT MAX(version) FROM approvals_schema_version")) {
        rs.next();
        version = rs.getInt(1);
      }
      if (version > SCHEMA_VERSION) {
        throw new SQLException("the approval store has schema version " + version + "; this gateway knows up to "
            + SCHEMA_VERSION);
      }
      for (int v = version; v < SCHEMA_VERSION; v++) {
        try (Statement st = c.createStatement()) {
          for (String sql : MIGRATIONS.get(v)) {
            st.execute(sql);
          }
          st.execute("INSERT INTO approvals_schema_version (version) VALUES (" + (v + 1) + ")");
        }
        LOG.info("event=approval_store_migrated store={} version={}", config, v + 1);
      }
      c.commit();
    } catch (SQLException e) {
      rollback(c, e);
      // two instances migrating one PostgreSQL at once: the loser sees the tables already there
      if (!config.isSqlite() && currentVersion() == SCHEMA_VERSION) {
        return;
      }
      throw e;
    } finally {
      c.setAutoCommit(true);
    }
  }

  private int currentVersion() {
    try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("SELECT MAX(version) FROM approvals_schema_version")) {
      rs.next();
      return rs.getInt(1);
    } catch (SQLException e) {
      LOG.warn("event=approval_store_version_unreadable error={}", e.toString(), e);
      return -1;
    }
  }

  /** Stores a new pending approval. */
  public void insert(Approval a) {
    run(c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO approvals (id, status, created_ms, expires_ms,"
          + " requester_subject, requester_json, connection_name, client_address, summary_json, fingerprint, reason,"
          + " approver_groups, min_approvals, max_uses, uses, decision_id, revision, request_id)"
          + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
        ps.setString(1, a.id());
        ps.setString(2, a.status().wire());
        ps.setLong(3, a.createdAt().toEpochMilli());
        ps.setLong(4, a.expiresAt().toEpochMilli());
        ps.setString(5, a.requester().subject());
        ps.setString(6, json(a.requester()));
        ps.setString(7, a.connection());
        ps.setString(8, a.clientAddress());
        ps.setString(9, json(a.summary()));
        ps.setString(10, a.fingerprint());
        ps.setString(11, a.reason());
        ps.setString(12, json(a.approverGroups()));
        ps.setInt(13, a.minApprovals());
        ps.setInt(14, a.maxUses());
        ps.setInt(15, a.uses());
        ps.setString(16, a.decisionId());
        ps.setString(17, a.revision());
        ps.setString(18, a.requestId());
        ps.executeUpdate();
      }
      return null;
    });
  }

  /** The approval {@code id}, with its votes. */
  public Optional<Approval> find(String id) {
    return run(c -> Optional.ofNullable(load(c, id)));
  }

  /**
   * The newest approval of {@code subject} for the request with {@code fingerprint} on
   * {@code connection} that is still pending or whose grant is still usable at {@code now}.
   */
  public Optional<Approval> findReusable(String subject, String connection, String fingerprint, Instant now) {
    return run(c -> {
      List<String> ids = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT id FROM approvals WHERE requester_subject = ?"
          + " AND connection_name = ? AND fingerprint = ? AND ((status = 'pending' AND expires_ms > ?)"
          + " OR (status = 'approved' AND uses < max_uses AND grant_expires_ms > ?)) ORDER BY created_ms DESC")) {
        ps.setString(1, subject);
        ps.setString(2, connection);
        ps.setString(3, fingerprint);
        ps.setLong(4, now.toEpochMilli());
        ps.setLong(5, now.toEpochMilli());
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            ids.add(rs.getString(1));
          }
        }
      }
      // an approved grant first, else the newest pending request
      Approval pending = null;
      for (String id : ids) {
        Approval a = load(c, id);
        if (a.status() == ApprovalStatus.APPROVED) {
          return Optional.of(a);
        }
        if (pending == null) {
          pending = a;
        }
      }
      return Optional.ofNullable(pending);
    });
  }

  /** Approvals, newest first: all when {@code status} is null; at most {@code limit}. */
  public List<Approval> list(ApprovalStatus status, int limit) {
    return run(c -> {
      List<String> ids = new ArrayList<>();
      String sql = "SELECT id FROM approvals" + (status == null ? "" : " WHERE status = ?")
          + " ORDER BY created_ms DESC, id LIMIT ?";
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        int i = 1;
        if (status != null) {
          ps.setString(i++, status.wire());
        }
        ps.setInt(i, limit);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            ids.add(rs.getString(1));
          }
        }
      }
      List<Approval> out = new ArrayList<>();
      for (String id : ids) {
        out.add(load(c, id));
      }
      return out;
    });
  }

  /**
   * Records {@code approver}'s answer atomically: locks the row, checks {@link ApprovalRules}
   * against the current state (an expired request is marked expired first), writes the vote and
   * resolves the request when this answer decides it. Returns the state after the answer and
   * whether this answer changed the status.
   */
  public Answer answer(String id, Approver approver, boolean approve, String comment, Instant now, int maxUses,
      Duration grantTtl) {
    return run(c -> {
      c.setAutoCommit(false);
      try {
        try (PreparedStatement ps = c.prepareStatement("UPDATE approvals SET version = version + 1 WHERE id = ?")) {
          ps.setString(1, id);
          if (ps.executeUpdate() == 0) {
            throw new ApprovalException(Code.NOT_FOUND, "no approval `" + id + "`");
          }
        }
        Approval a = load(c, id);
        boolean expiredNow = false;
        if (a.status() == ApprovalStatus.PENDING && a.statusAt(now) == ApprovalStatus.EXPIRED) {
          expiredNow = markExpired(c, id, now) > 0;
          c.commit();
          throw new ExpiredDuringAnswer(load(c, id), expiredNow);
        }
        ApprovalRules.checkMayAnswer(a, approver, now);
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO approval_votes (approval_id, approver, approve,"
            + " groups_json, comment, at_ms) VALUES (?, ?, ?, ?, ?, ?)")) {
          ps.setString(1, id);
          ps.setString(2, approver.subject());
          ps.setInt(3, approve ? 1 : 0);
          ps.setString(4, json(approver.groups()));
          ps.setString(5, comment);
          ps.setLong(6, now.toEpochMilli());
          ps.executeUpdate();
        }
        ApprovalStatus next = ApprovalStatus.PENDING;
        if (!approve) {
          next = ApprovalStatus.REJECTED;
          try (PreparedStatement ps = c.prepareStatement("UPDATE approvals SET status = 'rejected', resolved_ms = ?,"
              + " resolution = ? WHERE id = ? AND status = 'pending'")) {
            ps.setLong(1, now.toEpochMilli());
            ps.setString(2, "rejected by " + approver.subject() + ": " + comment);
            ps.setString(3, id);
            ps.executeUpdate();
          }
        } else if (a.approvals().size() + 1 >= a.minApprovals()) {
          next = ApprovalStatus.APPROVED;
          Instant grantEnd = now.plus(grantTtl);
          try (PreparedStatement ps = c.prepareStatement("UPDATE approvals SET status = 'approved', resolved_ms = ?,"
              + " resolution = ?, max_uses = ?, grant_expires_ms = ? WHERE id = ? AND status = 'pending'")) {
            ps.setLong(1, now.toEpochMilli());
            ps.setString(2, "approved by " + (a.approvals().size() + 1) + " of " + a.minApprovals() + " required");
            ps.setInt(3, maxUses);
            ps.setLong(4, grantEnd.toEpochMilli());
            ps.setString(5, id);
            ps.executeUpdate();
          }
        }
        c.commit();
        return new Answer(load(c, id), next != ApprovalStatus.PENDING);
      } catch (SQLException | RuntimeException e) {
        if (!(e instanceof ExpiredDuringAnswer)) {
          rollback(c, e);
        }
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    });
  }

  /** The result of {@link #answer}: the approval after the answer, and whether it resolved it. */
  public record Answer(Approval approval, boolean resolved) {}

  /** Thrown by {@link #answer} when the request had expired; carries whether this call marked it. */
  public static final class ExpiredDuringAnswer extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient Approval approval;
    private final boolean markedNow;

    ExpiredDuringAnswer(Approval approval, boolean markedNow) {
      super("approval " + approval.id() + " expired at " + approval.expiresAt());
      this.approval = approval;
      this.markedNow = markedNow;
    }

    public Approval approval() {
      return approval;
    }

    public boolean markedNow() {
      return markedNow;
    }
  }

  /**
   * Takes one use of approval {@code id}'s grant for {@code subject}'s request with
   * {@code fingerprint}; false when the grant is not approved, used up, expired, or for another
   * request or requester. Atomic across instances.
   */
  public boolean use(String id, String subject, String fingerprint, Instant now) {
    return run(c -> {
      try (PreparedStatement ps = c.prepareStatement("UPDATE approvals SET uses = uses + 1, version = version + 1"
          + " WHERE id = ? AND requester_subject = ? AND fingerprint = ? AND status = 'approved' AND uses < max_uses"
          + " AND grant_expires_ms > ?")) {
        ps.setString(1, id);
        ps.setString(2, subject);
        ps.setString(3, fingerprint);
        ps.setLong(4, now.toEpochMilli());
        return ps.executeUpdate() == 1;
      }
    });
  }

  /** Marks every pending approval past its expiry as expired; returns the ones this call marked. */
  public List<Approval> expireDue(Instant now) {
    return run(c -> {
      List<String> due = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT id FROM approvals WHERE status = 'pending' AND expires_ms <= ?")) {
        ps.setLong(1, now.toEpochMilli());
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            due.add(rs.getString(1));
          }
        }
      }
      List<Approval> marked = new ArrayList<>();
      for (String id : due) {
        if (markExpired(c, id, now) > 0) {
          marked.add(load(c, id));
        }
      }
      return marked;
    });
  }

  private static int markExpired(Connection c, String id, Instant now) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("UPDATE approvals SET status = 'expired', resolved_ms = ?,"
        + " resolution = 'expired without enough approvals', version = version + 1"
        + " WHERE id = ? AND status = 'pending' AND expires_ms <= ?")) {
      ps.setLong(1, now.toEpochMilli());
      ps.setString(2, id);
      ps.setLong(3, now.toEpochMilli());
      return ps.executeUpdate();
    }
  }

  private Approval load(Connection c, String id) throws SQLException {
    Approval base;
    try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM approvals WHERE id = ?")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return null;
        }
        base = new Approval(rs.getString(1), ApprovalStatus.parse(rs.getString(2)), ms(rs, 3), ms(rs, 4),
            read(rs.getString(5), Identity.class), rs.getString(6), rs.getString(7),
            read(rs.getString(8), ApprovalSummary.class), rs.getString(9), rs.getString(10),
            readStrings(rs.getString(11)), rs.getInt(12), rs.getInt(13), rs.getInt(14), ms(rs, 15), ms(rs, 16),
            rs.getString(17), rs.getString(18), rs.getString(19), rs.getString(20), List.of());
      }
    }
    List<Vote> votes = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT approver, approve, groups_json, comment, at_ms"
        + " FROM approval_votes WHERE approval_id = ? ORDER BY at_ms, approver")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          votes.add(new Vote(rs.getString(1), rs.getInt(2) == 1, readStrings(rs.getString(3)), rs.getString(4),
              Instant.ofEpochMilli(rs.getLong(5))));
        }
      }
    }
    return new Approval(base.id(), base.status(), base.createdAt(), base.expiresAt(), base.requester(),
        base.connection(), base.clientAddress(), base.summary(), base.fingerprint(), base.reason(),
        base.approverGroups(), base.minApprovals(), base.maxUses(), base.uses(), base.grantExpiresAt(),
        base.resolvedAt(), base.resolution(), base.decisionId(), base.revision(), base.requestId(), votes);
  }

  private static Instant ms(ResultSet rs, int col) throws SQLException {
    long v = rs.getLong(col);
    return rs.wasNull() ? null : Instant.ofEpochMilli(v);
  }

  private static String json(Object o) {
    try {
      return ApprovalJson.mapper().writeValueAsString(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize " + o.getClass().getSimpleName(), e);
    }
  }

  private static <T> T read(String s, Class<T> type) throws SQLException {
    try {
      return ApprovalJson.mapper().readValue(s, type);
    } catch (JsonProcessingException e) {
      throw new SQLException("corrupt " + type.getSimpleName() + " column in the approval store: " + e.getOriginalMessage(), e);
    }
  }

  private static List<String> readStrings(String s) throws SQLException {
    try {
      return ApprovalJson.mapper().readValue(s, STRINGS);
    } catch (JsonProcessingException e) {
      throw new SQLException("corrupt group list in the approval store: " + e.getOriginalMessage(), e);
    }
  }

  @FunctionalInterface
  private interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  /** Runs {@code w} under the lock; a broken connection is dropped so the next call reconnects. */
  private <T> T run(Work<T> w) {
    lock.lock();
    try {
      return w.run(connection());
    } catch (SQLException e) {
      dropBrokenConnection();
      throw new ApprovalException(Code.STORE_UNAVAILABLE, "approval store " + config + " failed: " + e.getMessage(), e);
    } finally {
      lock.unlock();
    }
  }

  private void dropBrokenConnection() {
    if (conn == null) {
      return;
    }
    try {
      if (!conn.isValid(2)) {
        conn.close();
        conn = null;
      }
    } catch (SQLException e) {
      LOG.warn("event=approval_store_reconnect store={} error={}", config, e.toString(), e);
      conn = null;
    }
  }

  private static void rollback(Connection c, Exception cause) {
    try {
      c.rollback();
    } catch (SQLException e) {
      cause.addSuppressed(e);
    }
  }

  @Override
  public void close() {
    lock.lock();
    try {
      if (conn != null) {
        conn.close();
        conn = null;
      }
    } catch (SQLException e) {
      LOG.warn("event=approval_store_close_failed store={} error={}", config, e.toString(), e);
    } finally {
      lock.unlock();
    }
  }
}
