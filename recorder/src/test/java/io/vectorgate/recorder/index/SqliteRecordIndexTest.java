package io.vectorgate.recorder.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteRecordIndexTest extends RecordIndexContract {
  @TempDir Path dir;
  private final AtomicInteger n = new AtomicInteger();

  @Override
  RecordIndex index() throws Exception {
    return IndexConfig.sqlite(dir.resolve("index-" + n.incrementAndGet() + ".sqlite")).open();
  }

  @Test
  void reopeningKeepsDataAndDoesNotRemigrate() throws Exception {
    Path f = dir.resolve("keep.sqlite");
    try (RecordIndex idx = IndexConfig.sqlite(f).open()) {
      idx.add(List.of(rec("rA", 1, "request", "s", "alice", "docs", "search", true, 0)));
    }
    try (RecordIndex idx = IndexConfig.sqlite(f).open()) {
      assertEquals(1, idx.lastSeq("rA"));
      assertEquals(JdbcRecordIndex.SCHEMA_VERSION, idx.schemaVersion());
    }
  }

  @Test
  void refusesASchemaNewerThanTheCode() throws Exception {
    Path f = dir.resolve("future.sqlite");
    IndexConfig.sqlite(f).open().close();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + f); Statement s = c.createStatement()) {
      s.execute("UPDATE schema_version SET version = 99");
    }
    IndexException e = assertThrows(IndexException.class, () -> IndexConfig.sqlite(f).open());
    assertTrue(e.getMessage().contains("schema version 99 is newer"), e.getMessage());
  }

  @Test
  void postgresConfigRejectsNonPostgresUrls() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> IndexConfig.postgres("jdbc:mysql://x", null, null));
    assertTrue(e.getMessage().contains("jdbc:postgresql:"), e.getMessage());
  }
}
