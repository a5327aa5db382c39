package io.vectorgate.approvals;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The workflow on the embedded default: a real SQLite file (several connections share it). */
class SqliteApprovalServiceTest extends ApprovalServiceContract {
  @TempDir
  Path dir;
  private int n;

  @Override
  StoreConfig freshStore() {
    return StoreConfig.sqlite(dir.resolve("approvals-" + (++n) + ".db"));
  }

  @Test
  void aNewerSchemaIsRefusedNamingBothVersions() throws Exception {
    StoreConfig cfg = freshStore();
    store(cfg).close();
    try (Connection c = DriverManager.getConnection(cfg.jdbcUrl()); Statement s = c.createStatement()) {
      s.execute("INSERT INTO approvals_schema_version (version) VALUES (99)");
    }
    ApprovalException e = assertThrows(ApprovalException.class, () -> ApprovalStore.open(cfg));
    assertEquals(ApprovalException.Code.STORE_UNAVAILABLE, e.code());
    assertTrue(e.getMessage().contains("schema version 99") && e.getMessage().contains("up to " + ApprovalStore.SCHEMA_VERSION),
        e.getMessage());
  }

  @Test
  void reopeningDoesNotMigrateTwice() {
    StoreConfig cfg = freshStore();
    store(cfg).close();
    ApprovalStore again = store(cfg);
    assertEquals(0, again.list(null, 10).size());
  }
}
