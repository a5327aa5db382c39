package io.vectorgate.recorder.index;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Which index backs a recording: {@link #sqlite(Path)} (embedded, the default: a file beside the
 * segments), {@link #postgres(String, String, String)} (shared by several gateways), or
 * {@link #none()} (segments only; list/show/export then scan the segments).
 */
public record IndexConfig(Kind kind, Path sqliteFile, String jdbcUrl, String user, String password) {
  public enum Kind { SQLITE, POSTGRES, NONE }

  public IndexConfig {
    Objects.requireNonNull(kind, "kind");
    if (kind == Kind.SQLITE && sqliteFile == null) {
      throw new IllegalArgumentException("sqlite index: file is required");
    }
    if (kind == Kind.POSTGRES && (jdbcUrl == null || !jdbcUrl.startsWith("jdbc:postgresql:"))) {
      throw new IllegalArgumentException("postgres index: jdbc url must start with `jdbc:postgresql:`, was `" + jdbcUrl + "`");
    }
  }

  public static IndexConfig sqlite(Path file) {
    return new IndexConfig(Kind.SQLITE, file, null, null, null);
  }

  public static IndexConfig postgres(String jdbcUrl, String user, String password) {
    return new IndexConfig(Kind.POSTGRES, null, jdbcUrl, user, password);
  }

  public static IndexConfig none() {
    return new IndexConfig(Kind.NONE, null, null, null, null);
  }

  /** Opens the configured index (creating/migrating its schema), or returns null for {@link Kind#NONE}. */
  public RecordIndex open() throws IndexException {
    return switch (kind) {
      case SQLITE -> JdbcRecordIndex.openSqlite(sqliteFile);
      case POSTGRES -> JdbcRecordIndex.openPostgres(jdbcUrl, user, password);
      case NONE -> null;
    };
  }

  @Override
  public String toString() {
    return "IndexConfig[" + kind + (sqliteFile != null ? " " + sqliteFile : "") + (jdbcUrl != null ? " " + jdbcUrl : "") + "]";
  }
}
