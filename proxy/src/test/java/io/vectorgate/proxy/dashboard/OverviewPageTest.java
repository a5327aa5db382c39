package io.vectorgate.proxy.dashboard;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectorgate.recorder.index.IndexedRecord;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/** The overview's counting into time buckets and its escaping of user-controlled labels. */
class OverviewPageTest {
  static final Instant FROM = Instant.parse("2026-01-01T00:00:00Z");
  static final Instant TO = Instant.parse("2026-01-01T04:00:00Z");

  static IndexedRecord record(Instant t, String outcome, Boolean allow, String subject, String collection,
      List<String> reasons) {
    return new IndexedRecord("rec", 1, "id", "request", t, "s", subject, "iss", List.of(), "127.0.0.1", "c", "grpc",
        "lite", collection, "query", allow, "d", "rev", reasons, outcome, "OK", 1, 0, 0, 0);
  }

  @Test
  void recordsFallIntoTheirBucketByOutcomeAndTheWindowIsHalfOpen() {
    List<IndexedRecord> rs = List.of(
        record(FROM, "forwarded", true, "alice", "docs", List.of()),                          // first bucket
        record(FROM.plusSeconds(3599), "denied", false, "bob", "docs", List.of("no_allow_rule")),
        record(FROM.plusSeconds(3600), "held", null, "carol", "customers", List.of()),        // second bucket
        record(TO.minusNanos(1), null, false, "bob", null, List.of("pii", "no_allow_rule")),  // last: denied
        record(TO, "forwarded", true, "alice", "docs", List.of()),                            // outside
        record(FROM.minusNanos(1), "forwarded", true, "alice", "docs", List.of()),            // outside
        record(FROM.plusSeconds(7200), "surprise", true, "alice", "docs", List.of()));        // other
    OverviewPage.Traffic t = OverviewPage.Traffic.count(rs, FROM, TO, 4, 100);
    int fwd = OverviewPage.OUTCOMES.indexOf("forwarded");
    int den = OverviewPage.OUTCOMES.indexOf("denied");
    int held = OverviewPage.OUTCOMES.indexOf("held");
    int other = OverviewPage.OUTCOMES.indexOf("other");
    long[] b0 = new long[OverviewPage.OUTCOMES.size()];
    b0[fwd] = 1;
    b0[den] = 1;
    assertArrayEquals(b0, t.buckets()[0]);
    assertEquals(1, t.buckets()[1][held]);
    assertEquals(1, t.buckets()[2][other]);
    assertEquals(1, t.buckets()[3][den]);
    assertEquals(5, t.counted());
    assertFalse(t.truncated());
    assertEquals(Map.of("no_allow_rule", 2L, "pii", 1L), t.denyReasons());
    assertEquals(Map.of("alice", 2L, "bob", 2L, "carol", 1L), t.users());
    assertEquals(Map.of("docs", 3L, "customers", 1L), t.collections());
  }

  @Test
  void countingStopsAtTheLimitAndSaysSo() {
    List<IndexedRecord> rs = List.of(record(FROM, "forwarded", true, "a", "c", List.of()),
        record(FROM.plusSeconds(1), "forwarded", true, "a", "c", List.of()),
        record(FROM.plusSeconds(2), "forwarded", true, "a", "c", List.of()));
    OverviewPage.Traffic t = OverviewPage.Traffic.count(rs, FROM, TO, 4, 2);
    assertEquals(2, t.counted());
    assertTrue(t.truncated());
  }

  /** However hostile a collection, user or reason name, the table has the same markup as for a plain one. */
  @Property(tries = 300)
  void topTablesEscapeEveryName(@ForAll String name) {
    String plain = OverviewPage.top(Map.of("x", 3L), "collection").markup();
    String hostile = OverviewPage.top(Map.of(name, 3L), "collection").markup();
    assertEquals(plain.chars().filter(c -> c == '<').count(), hostile.chars().filter(c -> c == '<').count(), hostile);
    assertTrue(hostile.contains("<code>" + Html.escape(name) + "</code>"), hostile);
  }

  @Test
  void theChartHasOneTitledRectPerNonEmptyBucketAndOutcome() {
    List<IndexedRecord> rs = List.of(record(FROM, "forwarded", true, "a", "c", List.of()),
        record(FROM.plusSeconds(10), "denied", false, "a", "c", List.of("r")),
        record(FROM.plusSeconds(7300), "forwarded", true, "a", "c", List.of()));
    String svg = OverviewPage.chart(OverviewPage.Traffic.count(rs, FROM, TO, 4, 100), 4).markup();
    assertEquals(3, svg.split("<rect ", -1).length - 1, svg);
    assertTrue(svg.contains("<title>00:00 UTC, 60 min: 1 denied</title>"), svg);
    assertTrue(svg.contains("<title>02:00 UTC, 60 min: 1 forwarded</title>"), svg);
    assertFalse(svg.contains("http"), "no external reference: " + svg);
  }
}
