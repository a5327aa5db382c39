package io.vectorgate.proxy.adapter.chroma;

import static io.vectorgate.proxy.adapter.chroma.ChromaAdapterTest.ID;
import static io.vectorgate.proxy.adapter.chroma.ChromaAdapterTest.JSON;
import static io.vectorgate.proxy.adapter.chroma.ChromaAdapterTest.P;
import static io.vectorgate.proxy.adapter.chroma.ChromaAdapterTest.req;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorgate.model.Operation;
import io.vectorgate.proxy.adapter.AdapterException;
import io.vectorgate.proxy.adapter.http.HttpRequestView;
import io.vectorgate.proxy.adapter.FilterFields;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Example;

/** {@code attributes.filter_fields} from Chroma {@code where}, {@code where_document} and search filters. */
class ChromaFilterFieldsProperties {
  final ChromaAdapter adapter = ChromaAdapterTest.newAdapter();

  /** A generated where clause and the keys it references (the model). */
  record Where(JsonNode node, TreeSet<String> keys) {}

  @Provide
  Arbitrary<String> keys() {
    return Arbitraries.oneOf(Arbitraries.of("tenant_id", "email", "a", "", "$foo", "$eq", "a.b", "ключ", "名前", "😀",
        "#id", " "), Arbitraries.strings().ofMinLength(0).ofMaxLength(6))
        .filter(k -> !k.equals("$and") && !k.equals("$or") && !ChromaAdapter.DOCUMENT_FIELDS.contains(k));
  }

  @Provide
  Arbitrary<Where> wheres() {
    return Arbitraries.recursive(this::leaf, inner -> Arbitraries.oneOf(leaf(),
        Arbitraries.of("$and", "$or").flatMap(op -> inner.list().ofMinSize(1).ofMaxSize(3).map(ws -> {
          ObjectNode o = JSON.createObjectNode();
          var arr = o.putArray(op);
          TreeSet<String> ks = new TreeSet<>();
          ws.forEach(w -> {
            arr.add(w.node());
            ks.addAll(w.keys());
          });
          return new Where(o, ks);
        }))), 0, 5);
  }

  Arbitrary<Where> leaf() {
    return keys().list().ofMinSize(1).ofMaxSize(3).flatMap(ks -> Arbitraries.of("plain", "$eq", "$in", "$gt").map(op -> {
      ObjectNode o = JSON.createObjectNode();
      for (String k : ks) {
        switch (op) {
          case "plain" -> o.put(k, "v");
          case "$in" -> o.putObject(k).putArray("$in").add(1).add(2);
          default -> o.putObject(k).put(op, 3);
        }
      }
      return new Where(o, new TreeSet<>(ks));
    }));
  }

  static List<Map<String, Object>> expected(TreeSet<String> keys) {
    List<Map<String, Object>> out = new ArrayList<>();
    keys.forEach(k -> out.add(Map.of("field", k, "path", List.of())));
    return out;
  }

  static Object fields(Operation op) {
    return op.attributes().get(FilterFields.ATTRIBUTE);
  }

  HttpRequestView get(JsonNode where) {
    ObjectNode b = JSON.createObjectNode();
    b.set("where", where);
    return new HttpRequestView("POST", P + "/" + ID + "/get", req("POST", P + "/" + ID + "/get", null).segments(),
        Map.of(), Map.of(), b);
  }

  /** Every key of the where, through any $and/$or nesting, once, sorted; nothing else. */
  @Property(tries = 300)
  void everyWhereKeyIsReportedOnceSorted(@ForAll("wheres") Where w) {
    Operation op = adapter.decode(get(w.node()));
    assertEquals(JSON.valueToTree(expected(w.keys())), JSON.valueToTree(fields(op)));
  }

  /** The same where in get, query, delete and a single search gives the same fields. */
  @Property(tries = 100)
  void everyRouteWithAFilterReportsIt(@ForAll("wheres") Where w) {
    Object want = JSON.valueToTree(expected(w.keys()));
    ObjectNode q = JSON.createObjectNode();
    q.set("where", w.node());
    q.putArray("query_embeddings").addArray().add(1);
    ObjectNode d = JSON.createObjectNode();
    d.set("where", w.node());
    ObjectNode s = JSON.createObjectNode();
    s.putArray("searches").addObject().set("filter", w.node());
    for (var e : Map.of("query", q, "delete", d, "search", s).entrySet()) {
      HttpRequestView r = req("POST", P + "/" + ID + "/" + e.getKey(), e.getValue().toString());
      assertEquals(want, JSON.valueToTree(fields(adapter.decode(r))), e.getKey());
    }
  }

  @Example
  void noFilterNoAttributeAndDocumentsAreFieldDocument() {
    assertFalse(adapter.decode(req("POST", P + "/" + ID + "/get", "{\"ids\":[\"1\"]}")).attributes()
        .containsKey(FilterFields.ATTRIBUTE));
    Operation op = adapter.decode(req("POST", P + "/" + ID + "/get",
        "{\"where\":{\"$or\":[{\"#document\":{\"$contains\":\"x\"}},{\"email\":\"a\"}]},"
            + "\"where_document\":{\"$contains\":\"secret\"}}"));
    assertEquals(JSON.valueToTree(List.of(Map.of("field", "document", "path", List.of()),
        Map.of("field", "email", "path", List.of()))), JSON.valueToTree(fields(op)));
  }

  @Example
  void hostileWheresAreBoundedAndNamed() {
    // deep nesting: refused, naming where
    String deep = "{\"a\":1}";
    for (int i = 0; i < ChromaAdapter.MAX_WHERE_DEPTH + 2; i++) {
      deep = "{\"$and\":[" + deep + "]}";
    }
    String d = deep;
    AdapterException e = assertThrows(AdapterException.class,
        () -> adapter.decode(req("POST", P + "/" + ID + "/get", "{\"where\":" + d + "}")));
    assertEquals(AdapterException.MALFORMED_REQUEST, e.code());
    assertTrue(e.getMessage().contains("where.$and[0]"), e.getMessage());
    // huge key counts: more than the cap of distinct keys is refused; duplicates count once
    StringBuilder many = new StringBuilder("{\"$or\":[");
    for (int i = 0; i <= FilterFields.MAX_FIELDS; i++) {
      many.append(i == 0 ? "" : ",").append("{\"k").append(i).append("\":1}");
    }
    String m = many.append("]}").toString();
    AdapterException tooMany = assertThrows(AdapterException.class,
        () -> adapter.decode(req("POST", P + "/" + ID + "/get", "{\"where\":" + m + "}")));
    assertTrue(tooMany.getMessage().contains("more than " + FilterFields.MAX_FIELDS), tooMany.getMessage());
    StringBuilder dup = new StringBuilder("{\"$or\":[");
    for (int i = 0; i < 5000; i++) {
      dup.append(i == 0 ? "" : ",").append("{\"email\":").append(i).append("}");
    }
    Operation op = adapter.decode(req("POST", P + "/" + ID + "/get", "{\"where\":" + dup.append("]}") + "}"));
    assertEquals(JSON.valueToTree(List.of(Map.of("field", "email", "path", List.of()))), JSON.valueToTree(fields(op)));
    // `$`-prefixed keys that are not $and/$or are reported as fields (fail closed)
    op = adapter.decode(req("POST", P + "/" + ID + "/get", "{\"where\":{\"$email\":\"x\",\"$not\":{\"email\":1}}}"));
    assertEquals(JSON.valueToTree(List.of(Map.of("field", "$email", "path", List.of()),
        Map.of("field", "$not", "path", List.of()))), JSON.valueToTree(fields(op)));
  }
}
