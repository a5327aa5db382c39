package io.vectorgate.proxy.adapter.qdrant;

import static io.vectorgate.proxy.adapter.qdrant.HttpViews.view;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorgate.model.FieldMask;
import io.vectorgate.model.FilterOp;
import io.vectorgate.model.LimitCap;
import io.vectorgate.model.MaskMethod;
import io.vectorgate.model.Obligations;
import io.vectorgate.model.RowFilter;
import io.vectorgate.proxy.adapter.http.HttpRequestView;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Security properties of the Qdrant adapter, checked with a reference evaluator of Qdrant's filter
 * semantics (must = all, should = any of a non-empty list, must_not = none, min_should = at least
 * n; arrays match on any element):
 * <ul>
 *   <li>whatever filter shape the client sends (should, must_not, min_should, nested filters, a
 *       single-object must, prefetch chains), every point the rewritten filters select satisfies
 *       the row filter;
 *   <li>limits are clamped in every request shape;
 *   <li>masking keeps the payload's structure.
 * </ul>
 */
class QdrantRowFilterProperties {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final QdrantAdapter A = new QdrantAdapter(HttpViews.masker());
  private static final List<String> KEYS = List.of("tenant_id", "lang", "n");
  private static final List<Object> VALUES = List.of("acme", "evil", "en", 1L, 2L);

  // --- generators ---------------------------------------------------------------------------

  private Arbitrary<JsonNode> value() {
    return Arbitraries.of(VALUES).map(v -> v instanceof String s ? F.textNode(s) : F.numberNode((Long) v));
  }

  private Arbitrary<JsonNode> fieldCondition() {
    Arbitrary<String> key = Arbitraries.of(KEYS);
    Arbitrary<JsonNode> match = Arbitraries.oneOf(
        value().map(v -> (JsonNode) F.objectNode().set("value", v)),
        Arbitraries.of("acme", "evil", "en").list().ofMinSize(1).ofMaxSize(3)
            .map(l -> (JsonNode) F.objectNode().set("any", strings(l))),
        Arbitraries.of("acme", "evil", "en").list().ofMinSize(1).ofMaxSize(3)
            .map(l -> (JsonNode) F.objectNode().set("except", strings(l))));
    Arbitrary<JsonNode> field = Combinators.combine(key, match).as((k, m) -> {
      ObjectNode c = F.objectNode();
      c.put("key", k);
      c.set("match", m);
      return c;
    });
    Arbitrary<JsonNode> isEmpty = key.map(k -> {
      ObjectNode c = F.objectNode();
      c.putObject("is_empty").put("key", k);
      return c;
    });
    return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(4, field), net.jqwik.api.Tuple.of(1, isEmpty));
  }

  private static ArrayNode strings(List<String> l) {
    ArrayNode a = F.arrayNode();
    l.forEach(a::add);
    return a;
  }

  private Arbitrary<JsonNode> condition(int depth) {
    if (depth <= 0) {
      return fieldCondition();
    }
    return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(3, fieldCondition()),
        net.jqwik.api.Tuple.of(1, Arbitraries.lazy(() -> filter(depth - 1))));
  }

  /** A clause: absent (null), a single condition, or an array (possibly empty). */
  private Arbitrary<JsonNode> clause(int depth) {
    return Arbitraries.oneOf(
        Arbitraries.just((JsonNode) null),
        condition(depth),
        condition(depth).list().ofMaxSize(3).map(l -> {
          ArrayNode a = F.arrayNode();
          l.forEach(a::add);
          return (JsonNode) a;
        }));
  }

  @Provide
  Arbitrary<JsonNode> filters() {
    return filter(2);
  }

  private Arbitrary<JsonNode> filter(int depth) {
    Arbitrary<JsonNode> minShould = Arbitraries.oneOf(Arbitraries.just((JsonNode) null),
        Combinators.combine(condition(depth).list().ofMinSize(1).ofMaxSize(3), Arbitraries.integers().between(0, 3))
            .as((cs, n) -> {
              ObjectNode ms = F.objectNode();
              ArrayNode a = ms.putArray("conditions");
              cs.forEach(a::add);
              ms.put("min_count", n);
              return (JsonNode) ms;
            }));
    return Combinators.combine(clause(depth), clause(depth), clause(depth), minShould).as((must, should, mustNot, ms) -> {
      ObjectNode f = F.objectNode();
      if (must != null) {
        f.set("must", must);
      }
      if (should != null) {
        f.set("should", should);
      }
      if (mustNot != null) {
        f.set("must_not", mustNot);
      }
      if (ms != null) {
        f.set("min_should", ms);
      }
      return f;
    });
  }

  @Provide
  Arbitrary<JsonNode> payloads() {
    Arbitrary<JsonNode> v = Arbitraries.oneOf(value(), value().list().ofMaxSize(3).map(l -> {
      ArrayNode a = F.arrayNode();
      l.forEach(a::add);
      return (JsonNode) a;
    }), Arbitraries.just(F.nullNode()));
    return Combinators.combine(v.optional(), v.optional(), v.optional()).as((a, b, c) -> {
      ObjectNode p = F.objectNode();
      a.ifPresent(x -> p.set("tenant_id", x));
      b.ifPresent(x -> p.set("lang", x));
      c.ifPresent(x -> p.set("n", x));
      return p;
    }).list().ofMinSize(1).ofMaxSize(20).map(l -> {
      ArrayNode a = F.arrayNode();
      l.forEach(a::add);
      return a;
    });
  }

  @Provide
  Arbitrary<List<RowFilter>> rowFilters() {
    return Arbitraries.oneOf(
        Arbitraries.just(List.of(new RowFilter("tenant_id", FilterOp.EQ, "acme"))),
        Arbitraries.just(List.of(new RowFilter("tenant_id", FilterOp.IN, List.of("acme", "en")))),
        Arbitraries.just(List.of(new RowFilter("tenant_id", FilterOp.NE, "evil"))),
        Arbitraries.just(List.of(new RowFilter("tenant_id", FilterOp.EQ, "acme"), new RowFilter("n", FilterOp.NOT_IN, List.of(2L)))));
  }

  // --- properties ---------------------------------------------------------------------------

  @Property(tries = 400)
  void noClientFilterShapeEscapesTheRowFilter(@ForAll("filters") JsonNode client, @ForAll("filters") JsonNode prefetchFilter,
      @ForAll("payloads") ArrayNode payloads, @ForAll("rowFilters") List<RowFilter> rf) {
    ObjectNode body = F.objectNode();
    body.set("filter", client);
    body.putArray("query").add(0.1);
    ObjectNode inner = F.objectNode();
    inner.set("filter", prefetchFilter);
    ObjectNode outer = F.objectNode();
    outer.set("prefetch", inner);
    body.putArray("prefetch").add(outer);
    HttpRequestView r = view("POST", "/collections/docs/points/query", body.toString());
    JsonNode out = A.applyRequestObligations(r, A.decode(r), new Obligations(List.of(), false, rf, null, null, null)).body();
    List<JsonNode> filters = List.of(out.get("filter"), out.at("/prefetch/0/filter"), out.at("/prefetch/0/prefetch/filter"));
    for (JsonNode f : filters) {
      for (JsonNode p : payloads) {
        if (eval(f, p)) {
          assertTrue(io.vectorgate.proxy.enforce.RowFilterMatcher.of(rf).matchesJson(p), "filter " + f + " selects " + p + " outside " + rf);
        }
      }
    }
    // the client's own filter keeps its meaning under the row filter
    for (JsonNode p : payloads) {
      assertEquals(eval(client, p) && io.vectorgate.proxy.enforce.RowFilterMatcher.of(rf).matchesJson(p), eval(out.get("filter"), p), "for " + p);
    }
  }

  @Property(tries = 200)
  void deleteAndCountSelectionsAreConfinedToo(@ForAll("filters") JsonNode client, @ForAll("payloads") ArrayNode payloads,
      @ForAll("rowFilters") List<RowFilter> rf) {
    for (String path : List.of("/points/delete", "/points/count", "/points/scroll", "/facet", "/points/payload/delete",
        "/points/vectors/delete")) {
      ObjectNode body = F.objectNode();
      body.set("filter", client);
      if (path.equals("/facet")) {
        body.put("key", "lang");
      }
      if (path.equals("/points/payload/delete")) {
        body.putArray("keys").add("lang");
      }
      if (path.equals("/points/vectors/delete")) {
        body.putArray("vector").add("image");
      }
      HttpRequestView r = view("POST", "/collections/docs" + path, body.toString());
      JsonNode out = A.applyRequestObligations(r, A.decode(r), new Obligations(List.of(), false, rf, null, null, null)).body();
      for (JsonNode p : payloads) {
        if (eval(out.get("filter"), p)) {
          assertTrue(io.vectorgate.proxy.enforce.RowFilterMatcher.of(rf).matchesJson(p), path + ": " + out.get("filter") + " selects " + p);
        }
      }
    }
  }

  @Property(tries = 200)
  void limitsAreClampedInEveryShape(@ForAll("limits") Long limit, @ForAll("caps") long max) {
    LimitCap cap = new LimitCap(max, LimitCap.CapMode.CLAMP);
    Obligations o = new Obligations(List.of(), false, List.of(), cap, null, null);
    String l = limit == null ? "" : ",\"limit\":" + limit;
    Map<String, String> shapes = Map.of(
        "/points/query", "{\"query\":[0.1]" + l + "}",
        "/points/query/groups", "{\"query\":[0.1],\"group_by\":\"g\"" + l + (limit == null ? "" : ",\"group_size\":" + limit) + "}",
        "/points/scroll", "{\"filter\":{}" + l + "}",
        "/facet", "{\"key\":\"k\"" + l + "}",
        "/points/search/matrix/pairs", "{\"using\":\"v\"" + l + (limit == null ? "" : ",\"sample\":" + limit) + "}",
        "/points/query/batch", "{\"searches\":[{\"query\":[0.1]" + l + "},{\"query\":[0.2],\"limit\":" + (max + 7) + "}]}");
    for (Map.Entry<String, String> e : shapes.entrySet()) {
      HttpRequestView r = view("POST", "/collections/c" + e.getKey(), e.getValue());
      JsonNode out = A.applyRequestObligations(r, A.decode(r), o).body();
      List<JsonNode> queries = new ArrayList<>();
      if (out.has("searches")) {
        out.get("searches").forEach(queries::add);
      } else {
        queries.add(out);
      }
      for (JsonNode q : queries) {
        long defaultLimit = e.getKey().contains("matrix") ? QdrantAdapter.DEFAULT_MATRIX_LIMIT : QdrantAdapter.DEFAULT_LIMIT;
        long effective = q.has("limit") ? q.get("limit").asLong() : defaultLimit;
        assertTrue(effective <= max, e.getKey() + ": limit " + effective + " > " + max + " in " + out);
        for (String other : List.of("group_size", "sample")) {
          if (q.has(other)) {
            assertTrue(q.get(other).asLong() <= max, e.getKey() + ": " + other + " > " + max);
          }
        }
      }
    }
  }

  @Provide
  Arbitrary<Long> limits() {
    return Arbitraries.longs().between(0, 100_000).injectNull(0.2);
  }

  @Provide
  Arbitrary<Long> caps() {
    return Arbitraries.longs().between(0, 200);
  }

  @Property(tries = 200)
  void maskingKeepsStructure(@ForAll("richPayloads") ObjectNode payload, @ForAll("masks") List<FieldMask> masks,
      @ForAll boolean strip) {
    ObjectNode point = F.objectNode();
    point.put("id", 1);
    point.put("score", 0.5);
    point.set("payload", payload);
    point.putArray("vector").add(0.1);
    ObjectNode resp = F.objectNode();
    resp.putObject("result").putArray("points").add(point);
    HttpRequestView r = view("POST", "/collections/c/points/query", "{\"query\":[0.1]}");
    JsonNode out = A.rewriteResponse(r, A.decode(r), 200, resp, new Obligations(masks, strip, List.of(), null, null, null));
    JsonNode p = out.at("/result/points/0/payload");
    for (Iterator<String> it = payload.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      boolean dropped = masks.stream().anyMatch(m -> m.field().equals(k) && m.path().isEmpty() && m.method() == MaskMethod.DROP);
      assertEquals(!dropped, p.has(k), k);
      boolean masked = masks.stream().anyMatch(m -> m.field().equals(k) && m.path().isEmpty());
      if (!dropped && masked) {
        JsonNode before = payload.get(k);
        JsonNode after = p.get(k);
        assertEquals(before.isArray(), after.isArray(), k);
        if (before.isArray()) {
          assertEquals(before.size(), after.size(), k);
        }
        if (before.isTextual() || before.isIntegralNumber()) {
          assertEquals(before.getNodeType(), after.getNodeType(), k);
        }
      }
    }
    assertEquals(!strip, out.at("/result/points/0").has("vector"));
    assertEquals(1, out.at("/result/points/0/id").asInt());
  }

  @Provide
  Arbitrary<ObjectNode> richPayloads() {
    Arbitrary<JsonNode> v = Arbitraries.oneOf(
        Arbitraries.strings().ofMaxLength(12).map(F::textNode),
        Arbitraries.longs().map(F::numberNode),
        Arbitraries.doubles().map(F::numberNode),
        Arbitraries.of(true, false).map(F::booleanNode),
        Arbitraries.strings().ofMaxLength(5).list().ofMaxSize(3).map(l -> (JsonNode) strings(l)),
        Arbitraries.strings().ofMaxLength(5).map(s -> (JsonNode) F.objectNode().put("inner", s)));
    return Arbitraries.maps(Arbitraries.of("email", "ssn", "phone", "title", "profile"), v).ofMaxSize(5).map(m -> {
      ObjectNode o = F.objectNode();
      m.forEach(o::set);
      return o;
    });
  }

  @Provide
  Arbitrary<List<FieldMask>> masks() {
    return Combinators.combine(Arbitraries.of("email", "ssn", "phone", "profile"), Arbitraries.of(MaskMethod.values()))
        .as((f, m) -> new FieldMask(f, List.of(), m)).list().ofMaxSize(3).uniqueElements(FieldMask::field);
  }

  // --- reference evaluator of Qdrant filters --------------------------------------------------

  static boolean eval(JsonNode f, JsonNode p) {
    if (f == null || f.isNull()) {
      return true;
    }
    for (JsonNode c : clauseList(f.get("must"))) {
      if (!cond(c, p)) {
        return false;
      }
    }
    List<JsonNode> should = clauseList(f.get("should"));
    if (!should.isEmpty() && should.stream().noneMatch(c -> cond(c, p))) {
      return false;
    }
    for (JsonNode c : clauseList(f.get("must_not"))) {
      if (cond(c, p)) {
        return false;
      }
    }
    JsonNode ms = f.get("min_should");
    if (ms != null && !ms.isNull()) {
      long n = clauseList(ms.get("conditions")).stream().filter(c -> cond(c, p)).count();
      if (n < ms.get("min_count").asLong()) {
        return false;
      }
    }
    return true;
  }

  private static List<JsonNode> clauseList(JsonNode c) {
    List<JsonNode> out = new ArrayList<>();
    if (c == null || c.isNull()) {
      return out;
    }
    if (c.isArray()) {
      c.forEach(out::add);
    } else {
      out.add(c);
    }
    return out;
  }

  private static boolean cond(JsonNode c, JsonNode p) {
    if (c.has("key")) {
      List<JsonNode> vs = values(p.get(c.get("key").asText()));
      JsonNode m = c.get("match");
      if (m.has("value")) {
        return vs.stream().anyMatch(v -> same(v, m.get("value")));
      }
      if (m.has("any")) {
        return vs.stream().anyMatch(v -> contains(m.get("any"), v));
      }
      if (m.has("except")) {
        return !vs.isEmpty() && vs.stream().noneMatch(v -> contains(m.get("except"), v));
      }
      throw new IllegalStateException("generator made " + c);
    }
    if (c.has("is_empty")) {
      return values(p.get(c.get("is_empty").get("key").asText())).isEmpty();
    }
    return eval(c, p);
  }

  private static List<JsonNode> values(JsonNode v) {
    List<JsonNode> out = new ArrayList<>();
    if (v == null || v.isNull()) {
      return out;
    }
    if (v.isArray()) {
      v.forEach(out::add);
    } else {
      out.add(v);
    }
    return out;
  }

  private static boolean contains(JsonNode arr, JsonNode v) {
    for (JsonNode a : arr) {
      if (same(a, v)) {
        return true;
      }
    }
    return false;
  }

  private static boolean same(JsonNode a, JsonNode b) {
    if (a.isNumber() && b.isNumber()) {
      return a.decimalValue().compareTo(b.decimalValue()) == 0;
    }
    return a.equals(b);
  }

  @Property(tries = 50)
  void evaluatorAgreesWithTheAdaptersRowCheck(@ForAll("payloads") ArrayNode payloads, @ForAll("rowFilters") List<RowFilter> rf) {
    ObjectNode onlyRf = QdrantFilters.withRowFilter(null, QdrantFilters.rowFilterConditions(rf));
    for (JsonNode p : payloads) {
      assertEquals(io.vectorgate.proxy.enforce.RowFilterMatcher.of(rf).matchesJson(p), eval(onlyRf, p), "payload " + p + " rf " + rf);
    }
    assertFalse(QdrantFilters.selectsAll(onlyRf));
  }
}
