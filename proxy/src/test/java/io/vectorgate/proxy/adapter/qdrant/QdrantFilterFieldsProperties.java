package io.vectorgate.proxy.adapter.qdrant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorgate.model.Operation;
import io.vectorgate.proxy.adapter.AdapterException;
import io.vectorgate.proxy.adapter.FilterFields;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** {@code attributes.filter_fields} from Qdrant filters: keys, dotted paths, nested conditions, prefetches, batches. */
class QdrantFilterFieldsProperties {
  static final ObjectMapper JSON = HttpViews.JSON;
  static final QdrantAdapter A = new QdrantAdapter(HttpViews.masker());

  /** A generated filter and the references it makes (the model), relative to its nesting base. */
  record Filter(JsonNode node, TreeSet<FilterFields.Ref> refs) {}

  @Provide
  Arbitrary<List<String>> paths() {
    Arbitrary<String> seg = Arbitraries.oneOf(Arbitraries.of("meta", "email", "tenant_id", "ключ", "名前", "a b", "$x"),
        Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(5));
    return seg.list().ofMinSize(1).ofMaxSize(3);
  }

  /** Renders segments as a Qdrant key, sometimes with an array marker after a segment. */
  static String render(List<String> segs, boolean arrays) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < segs.size(); i++) {
      sb.append(i == 0 ? "" : ".").append(segs.get(i));
      if (arrays && i < segs.size() - 1) {
        sb.append("[]");
      }
    }
    return sb.toString();
  }

  static FilterFields.Ref ref(List<String> base, List<String> segs) {
    List<String> all = new ArrayList<>(base);
    all.addAll(segs);
    return new FilterFields.Ref(all.get(0), all.subList(1, all.size()));
  }

  Arbitrary<Filter> condition(List<String> base, int depth) {
    Arbitrary<Filter> field = Combinators.combine(paths(), Arbitraries.of(true, false), Arbitraries.of("match", "range",
        "is_empty", "is_null")).as((segs, arrays, kind) -> {
          ObjectNode c = JSON.createObjectNode();
          String key = render(segs, arrays);
          switch (kind) {
            case "match" -> c.put("key", key).putObject("match").put("value", "x");
            case "range" -> c.put("key", key).putObject("range").put("gte", 1);
            default -> c.putObject(kind).put("key", key);
          }
          TreeSet<FilterFields.Ref> refs = new TreeSet<>();
          refs.add(ref(base, segs));
          return new Filter(c, refs);
        });
    Arbitrary<Filter> noField = Arbitraries.of("{\"has_id\":[1,2]}", "{\"has_vector\":\"v\"}")
        .map(t -> new Filter(HttpViews.json(t), new TreeSet<>()));
    if (depth >= 3) {
      return Arbitraries.oneOf(field, noField);
    }
    Arbitrary<Filter> nested = paths().flatMap(segs -> {
      List<String> inner = new ArrayList<>(base);
      inner.addAll(segs);
      return filter(inner, depth + 1).map(f -> {
        ObjectNode c = JSON.createObjectNode();
        ObjectNode n = c.putObject("nested");
        n.put("key", render(segs, false));
        n.set("filter", f.node());
        return new Filter(c, f.refs());
      });
    });
    return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(6, field), net.jqwik.api.Tuple.of(1, noField),
        net.jqwik.api.Tuple.of(2, nested), net.jqwik.api.Tuple.of(2, filter(base, depth + 1)));
  }

  Arbitrary<Filter> filter(List<String> base, int depth) {
    return Arbitraries.of("must", "should", "must_not").list().ofMinSize(1).ofMaxSize(3).uniqueElements()
        .flatMap(clauses -> Arbitraries.lazy(() -> condition(base, depth)).list().ofMinSize(1).ofMaxSize(3)
            .list().ofSize(clauses.size()).map(conds -> {
              ObjectNode f = JSON.createObjectNode();
              TreeSet<FilterFields.Ref> refs = new TreeSet<>();
              for (int i = 0; i < clauses.size(); i++) {
                var arr = f.putArray(clauses.get(i));
                for (Filter c : conds.get(i)) {
                  arr.add(c.node());
                  refs.addAll(c.refs());
                }
              }
              return new Filter(f, refs);
            }));
  }

  @Provide
  Arbitrary<Filter> filters() {
    return filter(List.of(), 0);
  }

  static JsonNode expected(TreeSet<FilterFields.Ref> refs) {
    List<Map<String, Object>> out = new ArrayList<>();
    refs.forEach(r -> out.add(Map.of("field", r.field(), "path", r.path())));
    return JSON.valueToTree(out);
  }

  static JsonNode fields(Operation op) {
    return JSON.valueToTree(op.attributes().get(FilterFields.ATTRIBUTE));
  }

  /** The references of the filter, through nested conditions and array markers, on scroll, count and query. */
  @Property(tries = 200)
  void everyKeyIsReportedWithItsPath(@ForAll("filters") Filter f) {
    JsonNode want = f.refs().isEmpty() ? JSON.nullNode() : expected(f.refs());
    String fj = f.node().toString();
    for (String[] r : List.of(new String[] {"/collections/c/points/scroll", "{\"filter\":" + fj + "}"},
        new String[] {"/collections/c/points/count", "{\"filter\":" + fj + "}"},
        new String[] {"/collections/c/points/query", "{\"query\":[1,2],\"filter\":" + fj + "}"})) {
      Operation op = A.decode(HttpViews.view("POST", r[0], r[1]));
      JsonNode got = fields(op);
      assertEquals(want, got.isMissingNode() ? JSON.nullNode() : got, r[0]);
    }
  }

  /** Prefetch filters (nested prefetches too) and every batch search's filter count as well. */
  @Property(tries = 100)
  void prefetchesAndBatchesAreIncluded(@ForAll("filters") Filter a, @ForAll("filters") Filter b) {
    TreeSet<FilterFields.Ref> all = new TreeSet<>(a.refs());
    all.addAll(b.refs());
    JsonNode want = all.isEmpty() ? JSON.nullNode() : expected(all);
    String q = "{\"query\":[1,2],\"prefetch\":[{\"query\":[1,2]},{\"prefetch\":{\"filter\":" + b.node()
        + ",\"query\":[1,2]},\"query\":[1,2]}],\"filter\":" + a.node() + "}";
    JsonNode got = fields(A.decode(HttpViews.view("POST", "/collections/c/points/query", q)));
    assertEquals(want, got.isMissingNode() ? JSON.nullNode() : got);
    String batch = "{\"searches\":[{\"query\":[1,2],\"filter\":" + a.node() + "},{\"query\":[1,2],\"filter\":"
        + b.node() + "}]}";
    got = fields(A.decode(HttpViews.view("POST", "/collections/c/points/query/batch", batch)));
    assertEquals(want, got.isMissingNode() ? JSON.nullNode() : got);
  }

  @Example
  void keySyntax() {
    assertEquals(List.of("a", "b", "c"), QdrantFilters.keyPath("a.b[].c"));
    assertEquals(List.of("a", "b.c"), QdrantFilters.keyPath("a.\"b.c\""));
    assertEquals(List.of("a", "b"), QdrantFilters.keyPath("a[3].b"));
    assertEquals(List.of(""), QdrantFilters.keyPath(""));
    assertEquals(List.of("", ""), QdrantFilters.keyPath("."));
    assertEquals(List.of("a", "b"), QdrantFilters.keyPath("a.\"b"));
    Operation op = A.decode(HttpViews.view("POST", "/collections/c/points/scroll",
        "{\"filter\":{\"must\":[{\"key\":\"meta.email\",\"match\":{\"text\":\"a\"}},"
            + "{\"nested\":{\"key\":\"contacts[]\",\"filter\":{\"must\":[{\"key\":\"email\",\"match\":{\"value\":\"x\"}}]}}},"
            + "{\"key\":\"meta\",\"match\":{\"value\":1}},{\"is_null\":{\"key\":\"meta.email\"}}]}}"));
    assertEquals(HttpViews.json("[{\"field\":\"contacts\",\"path\":[\"email\"]},{\"field\":\"meta\",\"path\":[]},"
        + "{\"field\":\"meta\",\"path\":[\"email\"]}]"), fields(op));
  }

  @Example
  void updateFilterIsAClientFilterAndWritesAloneAreNot() {
    Operation op = A.decode(HttpViews.view("PUT", "/collections/c/points",
        "{\"points\":[{\"id\":1,\"vector\":[1,2],\"payload\":{\"email\":\"x\"}}],"
            + "\"update_filter\":{\"must\":[{\"key\":\"email\",\"match\":{\"value\":\"a\"}}]}}"));
    assertEquals(HttpViews.json("[{\"field\":\"email\",\"path\":[]}]"), fields(op));
    op = A.decode(HttpViews.view("PUT", "/collections/c/points",
        "{\"points\":[{\"id\":1,\"vector\":[1,2],\"payload\":{\"email\":\"x\"}}]}"));
    assertFalse(op.attributes().containsKey(FilterFields.ATTRIBUTE));
  }

  @Example
  void tooManyDistinctKeysAreRefused() {
    StringBuilder sb = new StringBuilder("{\"filter\":{\"should\":[");
    for (int i = 0; i <= FilterFields.MAX_FIELDS; i++) {
      sb.append(i == 0 ? "" : ",").append("{\"key\":\"k").append(i).append("\",\"match\":{\"value\":1}}");
    }
    String body = sb.append("]}}").toString();
    AdapterException e = assertThrows(AdapterException.class,
        () -> A.decode(HttpViews.view("POST", "/collections/c/points/scroll", body)));
    assertEquals(AdapterException.MALFORMED_REQUEST, e.code());
    assertTrue(e.getMessage().contains("more than " + FilterFields.MAX_FIELDS), e.getMessage());
  }
}
