package io.vectorgate.recorder.index;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The index over plain JDBC, for SQLite (embedded) and PostgreSQL (shared). The schema is created
 * and migrated by {@link #migrate()} with a {@code schema_version} table; both databases run the
 * same SQL (upserts with {@code ON CONFLICT}). One connection, used under this object's lock.
 */
public final class JdbcRecordIndex implements RecordIndex {
  private static final Logger LOG = LoggerFactory.getLogger(JdbcRecordIndex.class);

  /** Migrations in order; index i brings the schema from version i to i + 1. */
  private static final List<List<String>> MIGRATIONS = List.of(List.of(
      """
      CREATE TABLE records (
        recorder_id TEXT NOT NULL,
        seq BIGINT NOT NULL,
        record_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        time_ns BIGINT NOT NULL,
        session_id TEXT,
        subject TEXT,
        issuer TEXT,
        groups_list TEXT,
        client_address TEXT,
        connection_name TEXT,
        collection TEXT,
        action TEXT,
        allowed INTEGER,
        decision_id TEXT,
        revision TEXT,
        reason_codes TEXT,
        outcome TEXT,
        upstream_status TEXT,
        segment BIGINT NOT NULL,
        PRIMARY KEY (recorder_id, seq))""",
      "CREATE INDEX records_time ON records (time_ns, recorder_id, seq)",
      "CREATE INDEX records_subject ON records (subject, time_ns)",
      "CREATE INDEX records_collection ON records (collection, time_ns)",
      "CREATE INDEX records_action ON records (action, time_ns)",
      "CREATE INDEX records_session ON records (session_id, time_ns)",
      """
      CREATE TABLE sessions (
        session_id TEXT PRIMARY KEY,
        recorder_id TEXT NOT NULL,
        subject TEXT,
        issuer TEXT,
        client_address TEXT,
        connection_id TEXT,
        transport TEXT,
        started_ns BIGINT,
        ended_ns BIGINT,
        requests BIGINT NOT NULL DEFAULT 0,
        allowed BIGINT NOT NULL DEFAULT 0,
        denied BIGINT NOT NULL DEFAULT 0)""",
      "CREATE INDEX sessions_started ON sessions (started_ns, session_id)",
      "CREATE INDEX sessions_subject ON sessions (subject, started_ns)"));

  public static final int SCHEMA_VERSION = MIGRATIONS.size();

  private static final String INSERT_RECORD = """
      INSERT INTO records (recorder_id, seq, record_id, kind, time_ns, session_id, subject, issuer, groups_list,
        client_address, connection_name, collection, action, allowed, decision_id, revision, reason_codes, outcome,
        upstream_status, segment)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (recorder_id, seq) DO NOTHING""";

  private static final String UPSERT_SESSION_START = """
      INSERT INTO sessions (session_id, recorder_id, subject, issuer, client_address, connection_id, transport, started_ns)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (session_id) DO UPDATE SET subject = excluded.subject, issuer = excluded.issuer,
        client_address = excluded.client_address, connection_id = excluded.connection_id,
        transport = excluded.transport, started_ns = excluded.started_ns""";

  private static final String UPSERT_SESSION_COUNTS = """
      INSERT INTO sessions (session_id, recorder_id, subject, issuer, client_address, started_ns, requests, allowed, denied)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (session_id) DO UPDATE SET requests = sessions.requests + excluded.requests,
        allowed = sessions.allowed + excluded.allowed, denied = sessions.denied + excluded.denied""";

  private static final String UPSERT_SESSION_END = """
      INSERT INTO sessions (session_id, recorder_id, ended_ns) VALUES (?, ?, ?)
      ON CONFLICT (session_id) DO UPDATE SET ended_ns = excluded.ended_ns""";

  private static final String RECORD_COLUMNS = "recorder_id, seq, record_id, kind, time_ns, session_id, subject, "
      + "issuer, groups_list, client_address, connection_name, collection, action, allowed, decision_id, revision, "
      + "reason_codes, outcome, upstream_status, segment";

  private final Connection conn;
  private final String where;
  /** The statements {@link #add} runs, prepared once (the SQL is parsed once, not per batch); null after a failure. */
  private PreparedStatement insertRecord;
  private PreparedStatement upsertStart;
  private PreparedStatement upsertEnd;
  private PreparedStatement upsertCounts;

  private JdbcRecordIndex(Connection conn, String where) {
    this.conn = conn;
    this.where = where;
  }

  /** Opens (creating if needed) an SQLite index file and migrates its schema. */
  public static JdbcRecordIndex openSqlite(Path file) throws IndexException {
    String url = "jdbc:sqlite:" + file.toAbsolutePath();
    try {
      Connection c = DriverManager.getConnection(url);
      try (Statement s = c.createStatement()) {
        s.execute("PRAGMA journal_mode=WAL");
        s.execute("PRAGMA synchronous=NORMAL");
        s.execute("PRAGMA busy_timeout=5000");
      }
      JdbcRecordIndex idx = new JdbcRecordIndex(c, "sqlite index " + file);
      idx.migrate();
      return idx;
    } catch (SQLException e) {
      throw new IndexException("cannot open sqlite index `" + file + "`: " + e.getMessage(), e);
    }
  }

  /** Connects to a PostgreSQL index and migrates its schema. */
  public static JdbcRecordIndex openPostgres(String jdbcUrl, String user, String password) throws IndexException {
    try {
      Properties p = new Properties();
      if (user != null) {
        p.setProperty("user", user);
      }
      if (password != null) {
        p.setProperty("password", password);
      }
      p.setProperty("connectTimeout", "10");
      Connection c = DriverManager.getConnection(jdbcUrl, p);
      JdbcRecordIndex idx = new JdbcRecordIndex(c, "postgres index " + redact(jdbcUrl));
      idx.migrate();
      return idx;
    } catch (SQLException e) {
      throw new IndexException("cannot open postgres index `" + redact(jdbcUrl) + "`: " + e.getMessage(), e);
    }
  }

  private static String redact(String url) {
    return url.replaceAll("(?i)(password=)[^&]*", "$1***");
  }

  /** Creates {@code schema_version} and applies the missing migrations, each in one transaction. */
  synchronized void migrate() throws IndexException {
    try {
      boolean auto = conn.getAutoCommit();
      conn.setAutoCommit(false);
      try (Statement s = conn.createStatement()) {
        s.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
        conn.commit();
        int current = readVersion();
        if (current > SCHEMA_VERSION) {
          throw new IndexException(where + ": schema version " + current + " is newer than this code's "
              + SCHEMA_VERSION + "; refusing to use it", null);
        }
        for (int v = current; v < SCHEMA_VERSION; v++) {
          for (String sql : MIGRATIONS.get(v)) {
            s.execute(sql);
          }
          s.execute("DELETE FROM schema_version");
          s.execute("INSERT INTO schema_version (version) VALUES (" + (v + 1) + ")");
          conn.commit();
          LOG.info("event=index_migrated index=\"{}\" version={}", where, v + 1);
        }
      } catch (SQLException e) {
        conn.rollback();
        throw e;
      } finally {
        conn.setAutoCommit(auto);
      }
    } catch (SQLException e) {
      throw new IndexException(where + ": schema migration failed: " + e.getMessage(), e);
    }
  }

  private int readVersion() throws SQLException {
    try (Statement s = conn.createStatement(); ResultSet rs = s.executeQuery("SELECT MAX(version) FROM schema_version")) {
      return rs.next() ? rs.getInt(1) : 0;
    }
  }

  @Override
  public synchronized int schemaVersion() throws IndexException {
    try {
      return readVersion();
    } catch (SQLException e) {
      throw new IndexException(where + ": cannot read schema version: " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized void add(List<IndexedRecord> entries) throws IndexException {
    if (entries.isEmpty()) {
      return;
    }
    try {
      conn.setAutoCommit(false);
      try {
        prepareAdd();
        for (IndexedRecord r : entries) {
          bindRecord(insertRecord, r);
          insertRecord.addBatch();
        }
        int[] inserted = insertRecord.executeBatch();
        Map<String, long[]> counts = new LinkedHashMap<>();
        Map<String, IndexedRecord> firstOfSession = new LinkedHashMap<>();
        PreparedStatement start = upsertStart;
        PreparedStatement end = upsertEnd;
        boolean starts = false;
        boolean ends = false;
        for (int i = 0; i < entries.size(); i++) {
          IndexedRecord r = entries.get(i);
          boolean fresh = inserted[i] != 0; // 0 = already indexed (conflict)
          if (!fresh || r.sessionId() == null) {
            continue;
          }
          switch (r.kind()) {
            case "session_start" -> {
              start.setString(1, r.sessionId());
              start.setString(2, r.recorderId());
              start.setString(3, r.subject());
              start.setString(4, r.issuer());
              start.setString(5, r.clientAddress());
              start.setString(6, r.connectionId());
              start.setString(7, r.transport());
              start.setLong(8, nanos(r.time()));
              start.addBatch();
              starts = true;
            }
            case "session_end" -> {
              end.setString(1, r.sessionId());
              end.setString(2, r.recorderId());
              end.setLong(3, nanos(r.time()));
              end.addBatch();
              ends = true;
            }
            case "request" -> {
              long[] c = counts.computeIfAbsent(r.sessionId(), k -> new long[3]);
              firstOfSession.putIfAbsent(r.sessionId(), r);
              c[0]++;
              if (Boolean.TRUE.equals(r.allow())) {
                c[1]++;
              } else {
                c[2]++;
              }
            }
            default -> { }
          }
        }
        if (starts) {
          start.executeBatch();
        }
        if (ends) {
          end.executeBatch();
        }
        if (!counts.isEmpty()) {
          PreparedStatement counted = upsertCounts;
          for (Map.Entry<String, long[]> e : counts.entrySet()) {
            IndexedRecord r = firstOfSession.get(e.getKey());
            counted.setString(1, e.getKey());
            counted.setString(2, r.recorderId());
            counted.setString(3, r.subject());
            counted.setString(4, r.issuer());
            counted.setString(5, r.clientAddress());
            counted.setLong(6, nanos(r.time()));
            counted.setLong(7, e.getValue()[0]);
            counted.setLong(8, e.getValue()[1]);
            counted.setLong(9, e.getValue()[2]);
            counted.addBatch();
          }
          counted.executeBatch();
        }
        conn.commit();
      } catch (SQLException e) {
        closeAddStatements();
        conn.rollback();
        throw e;
      } finally {
        conn.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw new IndexException(where + ": cannot add " + entries.size() + " entries starting at seq "
          + entries.get(0).seq() + ": " + e.getMessage(), e);
    }
  }

  private void prepareAdd() throws SQLException {
    if (insertRecord == null) {
      insertRecord = conn.prepareStatement(INSERT_RECORD);
      upsertStart = conn.prepareStatement(UPSERT_SESSION_START);
      upsertEnd = conn.prepareStatement(UPSERT_SESSION_END);
      upsertCounts = conn.prepareStatement(UPSERT_SESSION_COUNTS);
    }
  }

  /** Drops the prepared statements (after a failure, and at close); the next add prepares them again. */
  private void closeAddStatements() {
    for (PreparedStatement ps : new PreparedStatement[] {insertRecord, upsertStart, upsertEnd, upsertCounts}) {
      if (ps != null) {
        try {
          ps.close();
        } catch (SQLException e) {
          LOG.debug("event=index_statement_close_failed index=\"{}\" error=\"{}\"", where, e.getMessage());
        }
      }
    }
    insertRecord = null;
    upsertStart = null;
    upsertEnd = null;
    upsertCounts = null;
  }

  private static void bindRecord(PreparedStatement ps, IndexedRecord r) throws SQLException {
    ps.setString(1, r.recorderId());
    ps.setLong(2, r.seq());
    ps.setString(3, r.recordId());
    ps.setString(4, r.kind());
    ps.setLong(5, nanos(r.time()));
    ps.setString(6, r.sessionId());
    ps.setString(7, r.subject());
    ps.setString(8, r.issuer());
    ps.setString(9, r.groups().isEmpty() ? null : "|" + String.join("|", r.groups()) + "|");
    ps.setString(10, r.clientAddress());
    ps.setString(11, r.connection());
    ps.setString(12, r.collection());
    ps.setString(13, r.action());
    if (r.allow() == null) {
      ps.setNull(14, Types.INTEGER);
    } else {
      ps.setInt(14, r.allow() ? 1 : 0);
    }
    ps.setString(15, r.decisionId());
    ps.setString(16, r.revision());
    ps.setString(17, r.reasonCodes().isEmpty() ? null : String.join(",", r.reasonCodes()));
    ps.setString(18, r.outcome());
    ps.setString(19, r.upstreamStatus());
    ps.setLong(20, r.segment());
  }

  static long nanos(Instant t) {
    return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
  }

  static Instant instant(long ns) {
    return Instant.ofEpochSecond(Math.floorDiv(ns, 1_000_000_000L), Math.floorMod(ns, 1_000_000_000L));
  }

  @Override
  public synchronized long lastSeq(String recorderId) throws IndexException {
    try (PreparedStatement ps = conn.prepareStatement("SELECT MAX(seq) FROM records WHERE recorder_id = ?")) {
      ps.setString(1, recorderId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : 0;
      }
    } catch (SQLException e) {
      throw new IndexException(where + ": cannot read last seq: " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized Page<IndexedRecord> find(RecordQuery q) throws IndexException {
    StringBuilder sql = new StringBuilder("SELECT " + RECORD_COLUMNS + " FROM records r WHERE 1=1");
    List<Object> args = new ArrayList<>();
    recordFilters(q, sql, args, "r.");
    if (q.subject() != null) {
      sql.append(" AND r.subject = ?");
      args.add(q.subject());
    }
    if (q.sessionId() != null) {
      sql.append(" AND r.session_id = ?");
      args.add(q.sessionId());
    }
    timeFilters(q, sql, args, "r.time_ns");
    if (q.cursor() != null) {
      String[] c = decodeCursor(q.cursor(), 3);
      sql.append(" AND (r.time_ns > ? OR (r.time_ns = ? AND (r.recorder_id > ? OR (r.recorder_id = ? AND r.seq > ?))))");
      long t = parseLong(c[0]);
      args.addAll(List.of(t, t, c[1], c[1], parseLong(c[2])));
    }
    sql.append(" ORDER BY r.time_ns, r.recorder_id, r.seq LIMIT ?");
    args.add(q.limit() + 1);
    try (PreparedStatement ps = conn.prepareStatement(sql.toString())) {
      bind(ps, args);
      List<IndexedRecord> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(readRecord(rs));
        }
      }
      String next = null;
      if (out.size() > q.limit()) {
        out.remove(out.size() - 1);
        IndexedRecord last = out.get(out.size() - 1);
        next = encodeCursor(Long.toString(nanos(last.time())), last.recorderId(), Long.toString(last.seq()));
      }
      return new Page<>(out, next);
    } catch (SQLException e) {
      throw new IndexException(where + ": query failed: " + e.getMessage(), e);
    }
  }

  private static void recordFilters(RecordQuery q, StringBuilder sql, List<Object> args, String p) {
    if (!"*".equals(q.kind())) {
      sql.append(" AND ").append(p).append("kind = ?");
      args.add(q.kind());
    }
    if (q.group() != null) {
      sql.append(" AND ").append(p).append("groups_list LIKE ? ESCAPE '\\'");
      args.add("%|" + q.group().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "|%");
    }
    if (q.collection() != null) {
      sql.append(" AND ").append(p).append("collection = ?");
      args.add(q.collection());
    }
    if (q.action() != null) {
      sql.append(" AND ").append(p).append("action = ?");
      args.add(q.action());
    }
    if (q.allow() != null) {
      sql.append(" AND ").append(p).append("allowed = ?");
      args.add(q.allow() ? 1 : 0);
    }
    if (q.connection() != null) {
      sql.append(" AND ").append(p).append("connection_name = ?");
      args.add(q.connection());
    }
  }

  private static void timeFilters(RecordQuery q, StringBuilder sql, List<Object> args, String col) {
    if (q.from() != null) {
      sql.append(" AND ").append(col).append(" >= ?");
      args.add(nanos(q.from()));
    }
    if (q.to() != null) {
      sql.append(" AND ").append(col).append(" < ?");
      args.add(nanos(q.to()));
    }
  }

  @Override
  public synchronized Page<SessionSummary> sessions(RecordQuery q) throws IndexException {
    StringBuilder sql = new StringBuilder("SELECT session_id, recorder_id, subject, issuer, client_address, "
        + "connection_id, transport, started_ns, ended_ns, requests, allowed, denied FROM sessions s WHERE 1=1");
    List<Object> args = new ArrayList<>();
    if (q.subject() != null) {
      sql.append(" AND s.subject = ?");
      args.add(q.subject());
    }
    if (q.sessionId() != null) {
      sql.append(" AND s.session_id = ?");
      args.add(q.sessionId());
    }
    timeFilters(q, sql, args, "s.started_ns");
    if (q.hasRecordFilters()) {
      sql.append(" AND EXISTS (SELECT 1 FROM records r WHERE r.session_id = s.session_id");
      recordFilters(q, sql, args, "r.");
      sql.append(")");
    }
    if (q.cursor() != null) {
      String[] c = decodeCursor(q.cursor(), 2);
      long t = parseLong(c[0]);
      sql.append(" AND (s.started_ns > ? OR (s.started_ns = ? AND s.session_id > ?))");
      args.addAll(List.of(t, t, c[1]));
    }
    sql.append(" ORDER BY s.started_ns, s.session_id LIMIT ?");
    args.add(q.limit() + 1);
    try (PreparedStatement ps = conn.prepareStatement(sql.toString())) {
      bind(ps, args);
      List<SessionSummary> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(readSession(rs));
        }
      }
      String next = null;
      if (out.size() > q.limit()) {
        out.remove(out.size() - 1);
        SessionSummary last = out.get(out.size() - 1);
        next = encodeCursor(Long.toString(last.started() == null ? 0 : nanos(last.started())), last.sessionId());
      }
      return new Page<>(out, next);
    } catch (SQLException e) {
      throw new IndexException(where + ": session query failed: " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized SessionSummary session(String sessionId) throws IndexException {
    try (PreparedStatement ps = conn.prepareStatement("SELECT session_id, recorder_id, subject, issuer, "
        + "client_address, connection_id, transport, started_ns, ended_ns, requests, allowed, denied "
        + "FROM sessions WHERE session_id = ?")) {
      ps.setString(1, sessionId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? readSession(rs) : null;
      }
    } catch (SQLException e) {
      throw new IndexException(where + ": session lookup failed: " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized void deleteBefore(String recorderId, long firstKeptSeq) throws IndexException {
    try (PreparedStatement ps = conn.prepareStatement("DELETE FROM records WHERE recorder_id = ? AND seq < ?")) {
      ps.setString(1, recorderId);
      ps.setLong(2, firstKeptSeq);
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new IndexException(where + ": retention delete failed: " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized void clear(String recorderId) throws IndexException {
    try (PreparedStatement a = conn.prepareStatement("DELETE FROM records WHERE recorder_id = ?");
         PreparedStatement b = conn.prepareStatement("DELETE FROM sessions WHERE recorder_id = ?")) {
      a.setString(1, recorderId);
      a.executeUpdate();
      b.setString(1, recorderId);
      b.executeUpdate();
    } catch (SQLException e) {
      throw new IndexException(where + ": clear failed: " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized void close() throws IndexException {
    closeAddStatements();
    try {
      conn.close();
    } catch (SQLException e) {
      throw new IndexException(where + ": close failed: " + e.getMessage(), e);
    }
  }

  private static void bind(PreparedStatement ps, List<Object> args) throws SQLException {
    for (int i = 0; i < args.size(); i++) {
      Object a = args.get(i);
      if (a instanceof Long l) {
        ps.setLong(i + 1, l);
      } else if (a instanceof Integer n) {
        ps.setInt(i + 1, n);
      } else {
        ps.setString(i + 1, (String) a);
      }
    }
  }

  private static IndexedRecord readRecord(ResultSet rs) throws SQLException {
    String groups = rs.getString(9);
    String reasons = rs.getString(17);
    int allowed = rs.getInt(14);
    Boolean allow = rs.wasNull() ? null : allowed != 0;
    return new IndexedRecord(rs.getString(1), rs.getLong(2), rs.getString(3), rs.getString(4),
        instant(rs.getLong(5)), rs.getString(6), rs.getString(7), rs.getString(8),
        groups == null ? List.of() : Arrays.asList(groups.substring(1, groups.length() - 1).split("\\|")),
        rs.getString(10), null, null, rs.getString(11), rs.getString(12), rs.getString(13), allow,
        rs.getString(15), rs.getString(16), reasons == null ? List.of() : Arrays.asList(reasons.split(",")),
        rs.getString(18), rs.getString(19), rs.getLong(20), 0, 0, 0);
  }

  private static SessionSummary readSession(ResultSet rs) throws SQLException {
    long started = rs.getLong(8);
    boolean noStart = rs.wasNull();
    long ended = rs.getLong(9);
    boolean noEnd = rs.wasNull();
    return new SessionSummary(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
        rs.getString(6), rs.getString(7), noStart ? null : instant(started), noEnd ? null : instant(ended),
        rs.getLong(10), rs.getLong(11), rs.getLong(12));
  }

  private static String encodeCursor(String... parts) {
    return Base64.getUrlEncoder().withoutPadding()
        .encodeToString(String.join("\n", parts).getBytes(StandardCharsets.UTF_8));
  }

  private static String[] decodeCursor(String cursor, int parts) {
    String[] p;
    try {
      p = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).split("\n", -1);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("invalid page cursor `" + cursor + "`: not base64url", e);
    }
    if (p.length != parts) {
      throw new IllegalArgumentException("invalid page cursor `" + cursor + "`: expected " + parts + " parts");
    }
    return p;
  }

  private static long parseLong(String s) {
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("invalid page cursor: `" + s + "` is not a number", e);
    }
  }
}
