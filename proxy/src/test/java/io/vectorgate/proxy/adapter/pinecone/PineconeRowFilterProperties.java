package io.vectorgate.proxy.adapter.pinecone;

import static io.vectorgate.proxy.adapter.qdrant.HttpViews.view;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorgate.model.FilterOp;
import io.vectorgate.model.Obligations;
import io.vectorgate.model.RowFilter;
import io.vectorgate.proxy.adapter.http.HttpRequestView;
import io.vectorgate.proxy.adapter.qdrant.HttpViews;
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
 * The Pinecone row filter cannot be escaped: for any client filter ({@code $or} at the top level,
 * nested {@code $and}/{@code $or}, implicit equality, every field operator) the {@code $and}-wrapped
 * filter selects only metadata that satisfies the row filter, and keeps the client's meaning
 * inside it. Checked with a reference evaluator of Pinecone's metadata filter semantics.
 */
class PineconeRowFilterProperties {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final PineconeAdapter A = new PineconeAdapter("docs", HttpViews.masker());
  private static final List<String> KEYS = List.of("tenant_id", "genre", "year");

  private Arbitrary<JsonNode> scalar() {
    return Arbitraries.oneOf(Arbitraries.of("acme", "evil", "doc").map(F::textNode), Arbitraries.of(2019L, 2020L).map(F::numberNode));
  }

  private Arbitrary<JsonNode> field() {
    Arbitrary<JsonNode> op = Arbitraries.oneOf(
        scalar(),
        Combinators.combine(Arbitraries.of("$eq", "$ne", "$gt", "$gte", "$lt", "$lte"), scalar())
            .as((o, v) -> (JsonNode) F.objectNode().set(o, v)),
        Combinators.combine(Arbitraries.of("$in", "$nin"), scalar().list().ofMinSize(1).ofMaxSize(3))
            .as((o, l) -> {
              ArrayNode a = F.arrayNode();
              l.forEach(a::add);
              return (JsonNode) F.objectNode().set(o, a);
            }),
        Arbitraries.of(true, false).map(b -> (JsonNode) F.objectNode().put("$exists", b)));
    return Combinators.combine(Arbitraries.of(KEYS), op).as((k, v) -> (JsonNode) F.objectNode().set(k, v));
  }

  @Provide
  Arbitrary<JsonNode> filters() {
    return filter(3);
  }

  private Arbitrary<JsonNode> filter(int depth) {
    if (depth == 0) {
      return field();
    }
    Arbitrary<JsonNode> logical = Combinators.combine(Arbitraries.of("$and", "$or"),
        Arbitraries.lazy(() -> filter(depth - 1)).list().ofMinSize(1).ofMaxSize(3)).as((op, l) -> {
          ArrayNode a = F.arrayNode();
          l.forEach(a::add);
          return (JsonNode) F.objectNode().set(op, a);
        });
    return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(2, field()), net.jqwik.api.Tuple.of(2, logical),
        net.jqwik.api.Tuple.of(1, Arbitraries.just(F.objectNode())));
  }

  @Provide
  Arbitrary<List<JsonNode>> metadata() {
    Arbitrary<JsonNode> v = Arbitraries.oneOf(scalar(), Arbitraries.of("acme", "evil").list().ofMaxSize(2).map(l -> {
      ArrayNode a = F.arrayNode();
      l.forEach(a::add);
      return (JsonNode) a;
    }));
    return Arbitraries.maps(Arbitraries.of(KEYS), v).ofMaxSize(3).map(m -> {
      ObjectNode o = F.objectNode();
      m.forEach(o::set);
      return (JsonNode) o;
    }).list().ofMinSize(1).ofMaxSize(20);
  }

  @Provide
  Arbitrary<List<RowFilter>> rowFilters() {
    return Arbitraries.of(
        List.of(new RowFilter("tenant_id", FilterOp.EQ, "acme")),
        List.of(new RowFilter("tenant_id", FilterOp.IN, List.of("acme", "doc"))),
        List.of(new RowFilter("tenant_id", FilterOp.NE, "evil")),
        List.of(new RowFilter("tenant_id", FilterOp.EQ, "acme"), new RowFilter("year", FilterOp.NOT_IN, List.of(2020L))));
  }

  @Property(tries = 500)
  void noClientFilterEscapesTheRowFilter(@ForAll("filters") JsonNode client, @ForAll("metadata") List<JsonNode> records,
      @ForAll("rowFilters") List<RowFilter> rf) {
    Obligations o = new Obligations(List.of(), false, rf, null, null, null);
    for (Map.Entry<String, String> route : Map.of(
        "/query", "{\"topK\":5,\"vector\":[0.1],\"namespace\":\"acme\",\"filter\":F}",
        "/vectors/fetch_by_metadata", "{\"namespace\":\"acme\",\"filter\":F}",
        "/vectors/delete", "{\"namespace\":\"acme\",\"filter\":F}",
        "/vectors/update", "{\"namespace\":\"acme\",\"filter\":F,\"setMetadata\":{\"genre\":\"doc\"}}",
        "/describe_index_stats", "{\"filter\":F}").entrySet()) {
      if (client.isEmpty() && (route.getKey().equals("/vectors/delete"))) {
        continue; // an empty delete filter is refused at decode
      }
      HttpRequestView r = view("POST", route.getKey(), route.getValue().replace("F", client.toString()));
      JsonNode wrapped = A.applyRequestObligations(r, A.decode(r), o).body().get("filter");
      for (JsonNode m : records) {
        boolean selected = eval(wrapped, m);
        if (selected) {
          assertTrue(io.vectorgate.proxy.enforce.RowFilterMatcher.of(rf).matchesJson(m), route.getKey() + ": " + wrapped + " selects " + m);
        }
        assertEquals(eval(client, m) && io.vectorgate.proxy.enforce.RowFilterMatcher.of(rf).matchesJson(m), selected, route.getKey() + " " + wrapped + " on " + m);
      }
    }
  }

  // --- reference evaluator ------------------------------------------------------------------

  static boolean eval(JsonNode f, JsonNode m) {
    for (Iterator<Map.Entry<String, JsonNode>> it = f.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      boolean ok = switch (e.getKey()) {
        case "$and" -> all(e.getValue(), m);
        case "$or" -> any(e.getValue(), m);
        default -> field(m.get(e.getKey()), e.getValue());
      };
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private static boolean all(JsonNode arr, JsonNode m) {
    for (JsonNode f : arr) {
      if (!eval(f, m)) {
        return false;
      }
    }
    return true;
  }

  private static boolean any(JsonNode arr, JsonNode m) {
    for (JsonNode f : arr) {
      if (eval(f, m)) {
        return true;
      }
    }
    return false;
  }

  /** Lists match element-wise for positive operators; $ne/$nin hold when no element matches. */
  private static boolean field(JsonNode v, JsonNode cond) {
    if (!cond.isObject()) {
      return field(v, F.objectNode().set("$eq", cond));
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = cond.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> op = it.next();
      JsonNode arg = op.getValue();
      List<JsonNode> vs = values(v);
      boolean ok = switch (op.getKey()) {
        case "$exists" -> arg.booleanValue() == !vs.isEmpty();
        case "$eq" -> vs.stream().anyMatch(x -> same(x, arg));
        case "$ne" -> vs.stream().noneMatch(x -> same(x, arg));
        case "$in" -> vs.stream().anyMatch(x -> contains(arg, x));
        case "$nin" -> vs.stream().noneMatch(x -> contains(arg, x));
        case "$gt", "$gte", "$lt", "$lte" -> vs.stream().anyMatch(x -> compare(x, arg, op.getKey()));
        default -> throw new IllegalStateException(op.getKey());
      };
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private static List<JsonNode> values(JsonNode v) {
    java.util.ArrayList<JsonNode> out = new java.util.ArrayList<>();
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

  private static boolean compare(JsonNode x, JsonNode arg, String op) {
    if (!x.isNumber() || !arg.isNumber()) {
      return false;
    }
    int c = x.decimalValue().compareTo(arg.decimalValue());
    return switch (op) {
      case "$gt" -> c > 0;
      case "$gte" -> c >= 0;
      case "$lt" -> c < 0;
      default -> c <= 0;
    };
  }

  private static boolean contains(JsonNode arr, JsonNode x) {
    for (JsonNode a : arr) {
      if (same(a, x)) {
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
}
