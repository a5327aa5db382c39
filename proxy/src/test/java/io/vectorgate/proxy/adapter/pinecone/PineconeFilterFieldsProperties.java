package io.vectorgate.proxy.adapter.pinecone;

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
import io.vectorgate.proxy.adapter.qdrant.HttpViews;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** {@code attributes.filter_fields} from Pinecone metadata filters. */
class PineconeFilterFieldsProperties {
  static final ObjectMapper JSON = HttpViews.JSON;
  static final PineconeAdapter A = new PineconeAdapter("docs", HttpViews.masker());

  record Filter(JsonNode node, TreeSet<String> keys) {}

  @Provide
  Arbitrary<Filter> filters() {
    return Arbitraries.recursive(this::leaf, inner -> Arbitraries.oneOf(leaf(),
        Arbitraries.of("$and", "$or").flatMap(op -> inner.list().ofMinSize(1).ofMaxSize(3).map(fs -> {
          ObjectNode o = JSON.createObjectNode();
          var arr = o.putArray(op);
          TreeSet<String> ks = new TreeSet<>();
          fs.forEach(f -> {
            arr.add(f.node());
            ks.addAll(f.keys());
          });
          return new Filter(o, ks);
        }))), 0, 5);
  }

  Arbitrary<Filter> leaf() {
    Arbitrary<String> key = Arbitraries.oneOf(Arbitraries.of("tenant_id", "email", "a.b", "", " ", "ключ", "😀", "a$"),
        Arbitraries.strings().ofMinLength(1).ofMaxLength(6)).filter(k -> !k.startsWith("$"));
    return key.list().ofMinSize(1).ofMaxSize(3).flatMap(ks -> Arbitraries.of("$eq", "$ne", "$in", "$exists").map(op -> {
      ObjectNode o = JSON.createObjectNode();
      for (String k : ks) {
        switch (op) {
          case "$in" -> o.putObject(k).putArray("$in").add("x");
          case "$exists" -> o.putObject(k).put("$exists", true);
          default -> o.putObject(k).put(op, 1);
        }
      }
      return new Filter(o, new TreeSet<>(ks));
    }));
  }

  static JsonNode expected(TreeSet<String> keys) {
    List<Map<String, Object>> out = new ArrayList<>();
    keys.forEach(k -> out.add(Map.of("field", k, "path", List.of())));
    return JSON.valueToTree(out);
  }

  static JsonNode fields(Operation op) {
    return JSON.valueToTree(op.attributes().get(FilterFields.ATTRIBUTE));
  }

  /** Query, fetch_by_metadata, delete, update and stats report exactly the filter's keys, sorted. */
  @Property(tries = 200)
  void everyFilterKeyOnEveryRoute(@ForAll("filters") Filter f) {
    JsonNode want = expected(f.keys());
    String fj = f.node().toString();
    Map<String, String> routes = Map.of(
        "/query", "{\"topK\":3,\"vector\":[1],\"filter\":" + fj + "}",
        "/vectors/fetch_by_metadata", "{\"filter\":" + fj + "}",
        "/vectors/delete", "{\"filter\":" + fj + "}",
        "/vectors/update", "{\"filter\":" + fj + ",\"setMetadata\":{\"x\":1}}",
        "/describe_index_stats", "{\"filter\":" + fj + "}");
    routes.forEach((path, body) -> assertEquals(want, fields(A.decode(HttpViews.view("POST", path, body))), path));
  }

  @Example
  void noFilterNoAttribute() {
    Operation op = A.decode(HttpViews.view("POST", "/query", "{\"topK\":3,\"vector\":[1]}"));
    assertFalse(op.attributes().containsKey(FilterFields.ATTRIBUTE));
    op = A.decode(HttpViews.view("POST", "/vectors/upsert",
        "{\"vectors\":[{\"id\":\"1\",\"values\":[1],\"metadata\":{\"email\":\"x\"}}]}"));
    assertFalse(op.attributes().containsKey(FilterFields.ATTRIBUTE), "written metadata is not a filter");
  }

  @Example
  void hostileFiltersAreBounded() {
    StringBuilder many = new StringBuilder("{\"$or\":[");
    for (int i = 0; i <= FilterFields.MAX_FIELDS; i++) {
      many.append(i == 0 ? "" : ",").append("{\"k").append(i).append("\":{\"$eq\":1}}");
    }
    String m = many.append("]}").toString();
    AdapterException e = assertThrows(AdapterException.class,
        () -> A.decode(HttpViews.view("POST", "/query", "{\"topK\":1,\"vector\":[1],\"filter\":" + m + "}")));
    assertTrue(e.getMessage().contains("more than " + FilterFields.MAX_FIELDS), e.getMessage());
    String deep = "{\"email\":{\"$eq\":1}}";
    for (int i = 0; i < PineconeFilters.MAX_DEPTH + 3; i++) {
      deep = "{\"$and\":[" + deep + "]}";
    }
    String d = deep;
    AdapterException de = assertThrows(AdapterException.class,
        () -> A.decode(HttpViews.view("POST", "/query", "{\"topK\":1,\"vector\":[1],\"filter\":" + d + "}")));
    assertEquals(AdapterException.MALFORMED_REQUEST, de.code());
    // a `$`-prefixed key that is not $and/$or is refused by validation, before any field is reported
    assertThrows(AdapterException.class, () -> A.decode(HttpViews.view("POST", "/query",
        "{\"topK\":1,\"vector\":[1],\"filter\":{\"$email\":{\"$eq\":1}}}")));
  }
}
