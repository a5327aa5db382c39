package io.vectorgate.recorder.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The same behaviour for every {@link RecordIndex} implementation. */
abstract class RecordIndexContract {
  /** A fresh, empty index. */
  abstract RecordIndex index() throws Exception;

  static final Instant T0 = Instant.parse("2025-03-01T10:00:00.000000001Z");

  static IndexedRecord rec(String recorder, long seq, String kind, String session, String subject, String collection,
      String action, Boolean allow, int secondsAfterT0) {
    return new IndexedRecord(recorder, seq, recorder + "-" + seq, kind, T0.plusSeconds(secondsAfterT0), session, subject,
        "https://idp", subject == null ? List.of() : List.of("g_" + subject, "all%_"), "127.0.0.1:1", "c1", "grpc",
        "milvus-main", collection, action, allow, allow == null ? null : "d" + seq, "r1",
        allow == null ? List.of() : List.of(allow ? "ok" : "no"), allow == null ? null : (allow ? "forwarded" : "denied"),
        allow == null ? null : "OK", 1, 0, 0, 0);
  }

  private List<IndexedRecord> sample() {
    List<IndexedRecord> l = new ArrayList<>();
    l.add(rec("rA", 1, "session_start", "sA", "alice", null, null, null, 0));
    for (int i = 0; i < 10; i++) {
      l.add(rec("rA", 2 + i, "request", "sA", "alice", i % 2 == 0 ? "docs" : "hr", i < 5 ? "search" : "query", i != 3, 1 + i));
    }
    l.add(rec("rA", 12, "session_end", "sA", "alice", null, null, null, 20));
    l.add(rec("rB", 1, "session_start", "sB", "bob", null, null, null, 5));
    l.add(rec("rB", 2, "request", "sB", "bob", "docs", "delete", false, 6));
    return l;
  }

  @Test
  void schemaIsCreatedAndVersioned() throws Exception {
    try (RecordIndex idx = index()) {
      assertEquals(JdbcRecordIndex.SCHEMA_VERSION, idx.schemaVersion());
      assertEquals(0, idx.lastSeq("rA"));
    }
  }

  @Test
  void filtersByIdentityCollectionActionDecisionTimeAndSession() throws Exception {
    try (RecordIndex idx = index()) {
      idx.add(sample());
      assertEquals(12, idx.lastSeq("rA"));
      assertEquals(2, idx.lastSeq("rB"));
      assertEquals(11, idx.find(RecordQuery.builder().build()).items().size());
      assertEquals(10, idx.find(RecordQuery.builder().subject("alice").build()).items().size());
      assertEquals(1, idx.find(RecordQuery.builder().group("g_bob").build()).items().size());
      assertEquals(11, idx.find(RecordQuery.builder().group("all%_").build()).items().size());
      assertEquals(0, idx.find(RecordQuery.builder().group("all").build()).items().size(), "LIKE wildcards escaped");
      assertEquals(6, idx.find(RecordQuery.builder().collection("docs").build()).items().size());
      assertEquals(5, idx.find(RecordQuery.builder().action("query").build()).items().size());
      List<IndexedRecord> denied = idx.find(RecordQuery.builder().allow(false).build()).items();
      assertEquals(2, denied.size());
      assertEquals(List.of("no"), denied.get(0).reasonCodes());
      assertEquals(9, idx.find(RecordQuery.builder().allow(true).build()).items().size());
      assertEquals(3, idx.find(RecordQuery.builder().from(T0.plusSeconds(2)).to(T0.plusSeconds(5)).build()).items().size());
      assertEquals(12, idx.find(RecordQuery.builder().sessionId("sA").kind("*").build()).items().size());
      IndexedRecord r = idx.find(RecordQuery.builder().subject("bob").build()).items().get(0);
      assertEquals(T0.plusSeconds(6), r.time(), "nanosecond time survives");
      assertEquals(List.of("g_bob", "all%_"), r.groups());
      assertEquals("delete", r.action());
    }
  }

  @Test
  void pagesWithCursorsInTimeOrder() throws Exception {
    try (RecordIndex idx = index()) {
      idx.add(sample());
      List<IndexedRecord> seen = new ArrayList<>();
      RecordQuery q = RecordQuery.builder().kind("*").limit(4).build();
      int pages = 0;
      while (true) {
        Page<IndexedRecord> p = idx.find(q);
        pages++;
        seen.addAll(p.items());
        if (p.nextCursor() == null) {
          break;
        }
        q = q.withCursor(p.nextCursor());
      }
      assertEquals(14, seen.size());
      assertEquals(4, pages);
      List<IndexedRecord> sorted = new ArrayList<>(seen);
      sorted.sort(java.util.Comparator.comparing(IndexedRecord::time).thenComparing(IndexedRecord::recorderId)
          .thenComparingLong(IndexedRecord::seq));
      assertEquals(sorted, seen);
      assertEquals(14, seen.stream().map(i -> i.recorderId() + i.seq()).distinct().count());
      assertThrows(IllegalArgumentException.class, () -> idx.find(RecordQuery.builder().cursor("%%%").build()));
    }
  }

  @Test
  void sessionsCarryCountersAndRecordFilters() throws Exception {
    try (RecordIndex idx = index()) {
      idx.add(sample());
      idx.add(sample()); // idempotent: counters do not double
      SessionSummary a = idx.session("sA");
      assertNotNull(a);
      assertEquals("alice", a.subject());
      assertEquals(10, a.requests());
      assertEquals(9, a.allowed());
      assertEquals(1, a.denied());
      assertEquals(T0, a.started());
      assertEquals(T0.plusSeconds(20), a.ended());
      SessionSummary b = idx.session("sB");
      assertNull(b.ended());
      assertEquals(2, idx.sessions(RecordQuery.builder().build()).items().size());
      assertEquals(List.of("sB"), idx.sessions(RecordQuery.builder().action("delete").build()).items().stream()
          .map(SessionSummary::sessionId).toList());
      assertEquals(List.of("sA"), idx.sessions(RecordQuery.builder().subject("alice").build()).items().stream()
          .map(SessionSummary::sessionId).toList());
      Page<SessionSummary> p1 = idx.sessions(RecordQuery.builder().limit(1).build());
      assertEquals("sA", p1.items().get(0).sessionId());
      Page<SessionSummary> p2 = idx.sessions(RecordQuery.builder().limit(1).cursor(p1.nextCursor()).build());
      assertEquals("sB", p2.items().get(0).sessionId());
      assertNull(p2.nextCursor());
    }
  }

  @Test
  void retentionDeleteAndClearArePerRecorder() throws Exception {
    try (RecordIndex idx = index()) {
      idx.add(sample());
      idx.deleteBefore("rA", 6);
      assertEquals(6, idx.find(RecordQuery.builder().subject("alice").build()).items().size());
      assertEquals(1, idx.find(RecordQuery.builder().subject("bob").build()).items().size());
      idx.clear("rA");
      assertEquals(0, idx.lastSeq("rA"));
      assertNull(idx.session("sA"));
      assertEquals(2, idx.lastSeq("rB"));
    }
  }

  @Test
  void hostileFilterValuesAreDataNotSql() throws Exception {
    try (RecordIndex idx = index()) {
      idx.add(sample());
      assertEquals(0, idx.find(RecordQuery.builder().subject("x' OR '1'='1").build()).items().size());
      assertEquals(0, idx.find(RecordQuery.builder().collection("docs'; DROP TABLE records; --").build()).items().size());
      assertEquals(11, idx.find(RecordQuery.builder().build()).items().size());
    }
  }
}
