package io.vectorgate.proxy.connections;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectorgate.proxy.testing.PostgresFixture;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One contract for every connections store: in memory, SQLite, PostgreSQL (a real cluster from
 * scripts/postgres.sh). Revisions, versions, conditional writes, removals and the audit trail;
 * on SQL, two stores on one database see each other's writes and concurrent conditional writers
 * cannot both win.
 */
class ConnectionStoreTest {
  static PostgresFixture pg;
  @TempDir
  static Path dir;
  static final Instant T = Instant.parse("2026-12-01T10:00:00Z");

  @BeforeAll
  static void start() throws Exception {
    pg = PostgresFixture.start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (pg != null) {
      pg.close();
    }
  }

  @Test
  void inMemory() throws Exception {
    contract(new InMemoryConnectionStore());
  }

  @Test
  void sqlite() throws Exception {
    String url = "jdbc:sqlite:" + dir.resolve("c.db");
    try (JdbcConnectionStore s = JdbcConnectionStore.open(url, null, null)) {
      contract(s);
    }
    try (JdbcConnectionStore again = JdbcConnectionStore.open(url, null, null)) {
      assertEquals(4, again.revision(), "reopened: the writes are kept");
    }
  }

  @Test
  void postgres() throws Exception {
    String url = pg.freshDatabase("vg_conn");
    try (JdbcConnectionStore s = JdbcConnectionStore.open(url, null, null);
        JdbcConnectionStore other = JdbcConnectionStore.open(url, null, null)) {
      contract(s);
      assertEquals(4, other.revision(), "another instance sees every write");
      assertEquals(s.snapshot(), other.snapshot());
      concurrentConditionalWritersCannotBothWin(s, other);
    }
  }

  static void contract(ConnectionStore s) throws Exception {
    assertEquals(0, s.revision());
    assertEquals(List.of(), s.snapshot().entries());
    ConnectionStore.Entry a = s.write("a", "{\"n\":1}", new ConnectionStore.Expect.Absent(), "otto", T);
    assertEquals(1, a.version());
    assertThrows(ConnectionStore.VersionConflict.class,
        () -> s.write("a", "{\"n\":2}", new ConnectionStore.Expect.Absent(), "otto", T));
    ConnectionStore.VersionConflict stale = assertThrows(ConnectionStore.VersionConflict.class,
        () -> s.write("a", "{\"n\":2}", new ConnectionStore.Expect.Version(7), "otto", T));
    assertEquals(1, stale.current());
    assertEquals(1, s.revision(), "a refused write takes no revision");
    ConnectionStore.Entry a2 = s.write("a", "{\"n\":2}", new ConnectionStore.Expect.Version(1), "otto", T.plusSeconds(1));
    assertEquals(2, a2.version());
    s.write("b", "{\"n\":3}", ConnectionStore.Expect.ANY, "rita", T.plusSeconds(2));
    ConnectionStore.Entry removed = s.write("a", null, new ConnectionStore.Expect.Version(2), "rita", T.plusSeconds(3));
    assertTrue(removed.removed());
    ConnectionStore.Snapshot snap = s.snapshot();
    assertEquals(4, snap.revision());
    assertEquals(List.of(new ConnectionStore.Entry("a", null, 4, "rita", T.plusSeconds(3)),
        new ConnectionStore.Entry("b", "{\"n\":3}", 3, "rita", T.plusSeconds(2))), sorted(snap.entries()));
    List<ConnectionStore.Entry> h = s.history(10);
    assertEquals(List.of(4L, 3L, 2L, 1L), h.stream().map(ConnectionStore.Entry::version).toList());
    assertNull(h.get(0).spec());
    assertEquals("{\"n\":1}", h.get(3).spec());
    assertEquals(2, s.history(2).size());
  }

  static List<ConnectionStore.Entry> sorted(List<ConnectionStore.Entry> l) {
    List<ConnectionStore.Entry> out = new ArrayList<>(l);
    out.sort(java.util.Comparator.comparing(ConnectionStore.Entry::id));
    return out;
  }

  /** Many rounds of two instances writing with the same expected version: exactly one wins each round. */
  static void concurrentConditionalWritersCannotBothWin(ConnectionStore x, ConnectionStore y) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      for (int round = 0; round < 20; round++) {
        long v = x.snapshot().entries().stream().filter(e -> e.id().equals("b")).findFirst().orElseThrow().version();
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Boolean>> fs = new ArrayList<>();
        for (ConnectionStore s : List.of(x, y)) {
          fs.add(pool.submit(() -> {
            go.await();
            try {
              s.write("b", "{\"round\":1}", new ConnectionStore.Expect.Version(v), "w", T);
              return true;
            } catch (ConnectionStore.VersionConflict e) {
              return false;
            }
          }));
        }
        go.countDown();
        int wins = 0;
        for (Future<Boolean> f : fs) {
          wins += f.get(30, TimeUnit.SECONDS) ? 1 : 0;
        }
        assertEquals(1, wins, "round " + round);
      }
    } finally {
      pool.shutdown();
    }
  }
}
