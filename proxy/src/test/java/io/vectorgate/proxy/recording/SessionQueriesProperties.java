package io.vectorgate.proxy.recording;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectorgate.recorder.index.RecordQuery;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** The sessions query parameters: hostile input is refused with the parameter named, never anything else. */
class SessionQueriesProperties {

  @Property(tries = 500)
  void anyParameterMapIsAQueryOrARefusalNamingTheProblem(@ForAll("params") Map<String, String> params) {
    try {
      RecordQuery q = SessionQueries.parse(params);
      assertTrue(q.limit() >= 1 && q.limit() <= RecordQuery.MAX_LIMIT);
      params.keySet().forEach(k -> assertTrue(SessionQueries.PARAMETERS.contains(k), k));
    } catch (IllegalArgumentException e) {
      assertTrue(e.getMessage().startsWith("unknown parameter") || e.getMessage().startsWith("parameter `"),
          e.getMessage());
      assertTrue(e.getMessage().chars().allMatch(c -> c >= 0x20 && c < 0x7f), "unprintable echo: " + e.getMessage());
    }
  }

  @Provide
  Arbitrary<Map<String, String>> params() {
    Arbitrary<String> keys = Arbitraries.oneOf(Arbitraries.of(SessionQueries.PARAMETERS.toArray(String[]::new)),
        Arbitraries.strings().ofMaxLength(20));
    Arbitrary<String> values = Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(40),
        Arbitraries.of("allow", "deny", "7", "0", "-1", "10001", "2025-01-02T03:04:05Z", "*"),
        Arbitraries.strings().ofLength(2000));
    return Arbitraries.maps(keys, values).ofMaxSize(6);
  }

  @Test
  void filtersMapToTheQuery() {
    Map<String, String> p = new HashMap<>(Map.of("subject", "bob", "group", "analysts", "collection", "docs",
        "action", "search", "decision", "deny", "from", "2025-01-02T00:00:00Z", "to", "2025-01-03T00:00:00Z",
        "session", "s-1", "connection", "lite", "limit", "25"));
    p.put("kind", "*");
    RecordQuery q = SessionQueries.parse(p);
    assertEquals("bob", q.subject());
    assertEquals("analysts", q.group());
    assertEquals("docs", q.collection());
    assertEquals("search", q.action());
    assertEquals(Boolean.FALSE, q.allow());
    assertEquals(Instant.parse("2025-01-02T00:00:00Z"), q.from());
    assertEquals(Instant.parse("2025-01-03T00:00:00Z"), q.to());
    assertEquals("s-1", q.sessionId());
    assertEquals("lite", q.connection());
    assertEquals("*", q.kind());
    assertEquals(25, q.limit());
    assertEquals("request", SessionQueries.parse(Map.of()).kind());
    assertEquals(100, SessionQueries.parse(Map.of()).limit());
  }

  @Test
  void refusalsNameTheParameter() {
    for (String[] c : new String[][] {{"decision", "maybe"}, {"from", "yesterday"}, {"limit", "ten"}, {"limit", "0"},
        {"to", "2025-13-01T00:00:00Z"}, {"subject", ""}}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SessionQueries.parse(Map.of(c[0], c[1])));
      assertTrue(e.getMessage().contains("`" + c[0] + "`"), e.getMessage());
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SessionQueries.parse(Map.of("sub\u0000ject", "x")));
    assertTrue(e.getMessage().contains("sub?ject"), e.getMessage());
  }
}
