package io.vectorgate.proxy.enforce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vectorgate.model.FilterOp;
import io.vectorgate.model.RowFilter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class RowFilterMatcherTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static boolean holds(Object value, FilterOp op, Object filterValue) {
    return RowFilterMatcher.holds(RowValue.of(value), new RowFilter("f", op, filterValue));
  }

  @Test
  void scalarsCompareStringsExactlyAndNumbersByValue() {
    assertTrue(holds("acme", FilterOp.EQ, "acme"));
    assertFalse(holds("Acme", FilterOp.EQ, "acme"));
    assertTrue(holds(1L, FilterOp.EQ, 1.0));
    assertTrue(holds(new java.math.BigDecimal("2.50"), FilterOp.IN, List.of(1, 2.5)));
    assertFalse(holds("1", FilterOp.EQ, 1));
    assertFalse(holds(true, FilterOp.EQ, "true"));
    assertTrue(holds("globex", FilterOp.NE, "acme"));
    assertTrue(holds("globex", FilterOp.NOT_IN, List.of("acme", "initech")));
    assertFalse(holds("acme", FilterOp.NOT_IN, List.of("acme", "initech")));
  }

  @Test
  void anAbsentValueSatisfiesNoConditionNotEvenANegation() {
    for (FilterOp op : FilterOp.values()) {
      Object v = op == FilterOp.IN || op == FilterOp.NOT_IN ? List.of("acme") : "acme";
      assertFalse(holds(null, op, v), op.name());
      assertFalse(holds(List.of(), op, v), op.name());
      assertFalse(RowFilterMatcher.holds(RowValue.ofJson(JSON.createObjectNode()), new RowFilter("f", op, v)));
      assertFalse(RowFilterMatcher.holds(RowValue.ofJson(null), new RowFilter("f", op, v)));
    }
    assertFalse(holds(Double.NaN, FilterOp.NE, 1));
  }

  @Test
  void anArrayMatchesOnAnyElement() {
    assertTrue(holds(List.of("globex", "acme"), FilterOp.EQ, "acme"));
    assertFalse(holds(List.of("globex", "acme"), FilterOp.NE, "acme"));
    assertTrue(holds(List.of("globex", "initech"), FilterOp.NE, "acme"));
    assertTrue(RowFilterMatcher.holds(RowValue.ofJson(JSON.valueToTree(List.of(1, "acme"))),
        new RowFilter("f", FilterOp.IN, List.of("acme"))));
  }

  @Test
  void scalarOnlyRowsNeverSelectArrays() {
    RowFilter eq = new RowFilter("f", FilterOp.EQ, "acme");
    assertFalse(RowFilterMatcher.holds(RowValue.scalarOnly(List.of("acme")), eq));
    assertFalse(RowFilterMatcher.holds(RowValue.scalarOnlyJson(JSON.valueToTree(List.of("acme"))), eq));
    assertTrue(RowFilterMatcher.holds(RowValue.scalarOnly("acme"), eq));
  }

  @Test
  void matchesNeedsEveryConditionViolatedByOnlyJudgesFieldsTheRowCarries() throws Exception {
    RowFilterMatcher m = RowFilterMatcher.of(List.of(new RowFilter("tenant", FilterOp.EQ, "acme"),
        new RowFilter("level", FilterOp.IN, List.of(1, 2))));
    JsonNode both = JSON.readTree("{\"tenant\":\"acme\",\"level\":2}");
    JsonNode wrongLevel = JSON.readTree("{\"tenant\":\"acme\",\"level\":3}");
    JsonNode onlyTenant = JSON.readTree("{\"tenant\":\"acme\"}");
    JsonNode otherTenant = JSON.readTree("{\"tenant\":\"globex\",\"text\":\"x\"}");
    assertTrue(m.matchesJson(both));
    assertFalse(m.matchesJson(wrongLevel));
    assertFalse(m.matchesJson(onlyTenant));
    assertFalse(m.violatedByJson(onlyTenant));
    assertTrue(m.violatedByJson(wrongLevel));
    assertTrue(m.violatedByJson(otherTenant));
    assertFalse(m.violatedByJson(JSON.readTree("{\"text\":\"x\"}")));
    assertFalse(m.violatedByJson(JSON.readTree("[1]")));
    assertTrue(RowFilterMatcher.of(List.of()).matchesJson(null));
    assertTrue(m.matches(Map.of("tenant", RowValue.of("acme"), "level", RowValue.of(1))::get));
  }

  /** The matcher agrees with a direct model of the semantics on random rows and filters. */
  @Property(tries = 400)
  void agreesWithTheModel(@ForAll("values") Object value, @ForAll("ops") FilterOp op, @ForAll("filterValues") List<Object> allowed) {
    Object fv = op == FilterOp.IN || op == FilterOp.NOT_IN ? allowed : allowed.get(0);
    List<Object> elements = value instanceof List<?> l ? new ArrayList<>(l) : value == null ? List.of() : List.of(value);
    boolean member = false;
    for (Object e : elements) {
      for (Object a : allowed.subList(0, fv instanceof List<?> ? allowed.size() : 1)) {
        member |= e instanceof String s ? s.equals(a)
            : a instanceof Number n && e instanceof Number x && Double.compare(n.doubleValue(), x.doubleValue()) == 0;
      }
    }
    boolean expected = !elements.isEmpty() && (op == FilterOp.EQ || op == FilterOp.IN ? member : !member);
    assertEquals(expected, holds(value, op, fv), value + " " + op + " " + fv);
    assertEquals(expected, RowFilterMatcher.holds(RowValue.ofJson(JSON.valueToTree(value)), new RowFilter("f", op, fv)));
  }

  @Provide
  Arbitrary<Object> values() {
    Arbitrary<Object> scalar = Arbitraries.oneOf(Arbitraries.of("acme", "globex", "x").map(s -> (Object) s),
        Arbitraries.integers().between(0, 3).map(i -> (Object) i));
    return Arbitraries.oneOf(scalar, scalar.list().ofMaxSize(3).map(l -> (Object) l), Arbitraries.just(null));
  }

  @Provide
  Arbitrary<FilterOp> ops() {
    return Arbitraries.of(FilterOp.class);
  }

  @Provide
  Arbitrary<List<Object>> filterValues() {
    return Arbitraries.oneOf(Arbitraries.of("acme", "globex").map(s -> (Object) s),
        Arbitraries.integers().between(0, 3).map(i -> (Object) i)).list().ofMinSize(1).ofMaxSize(3);
  }
}
