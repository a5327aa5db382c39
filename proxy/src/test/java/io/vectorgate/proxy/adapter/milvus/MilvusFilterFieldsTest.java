package io.vectorgate.proxy.adapter.milvus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.milvus.grpc.DeleteRequest;
import io.milvus.grpc.HybridSearchRequest;
import io.milvus.grpc.QueryRequest;
import io.milvus.grpc.SearchRequest;
import io.milvus.grpc.SubSearchRequest;
import io.vectorgate.model.FilterOp;
import io.vectorgate.model.Obligations;
import io.vectorgate.model.Operation;
import io.vectorgate.model.RowFilter;
import io.vectorgate.proxy.adapter.AdapterException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code attributes.filter_fields}: the fields a client's Milvus filter references. */
class MilvusFilterFieldsTest {
  private final MilvusAdapter adapter = MilvusFixtures.adapter();

  private static Map<String, Object> f(String field, String... path) {
    return Map.of("field", field, "path", List.of(path));
  }

  private Object fieldsOfQuery(String expr) {
    Operation op = adapter.decode("Query", QueryRequest.newBuilder().setCollectionName("docs").setExpr(expr).build(), null);
    return op.attributes().get("filter_fields");
  }

  @Test
  void plainFieldsJsonKeysAndDynamicKeys() {
    assertEquals(List.of(f("email"), f("tenant")), fieldsOfQuery("tenant == \"acme\" and email like \"a%\""));
    assertEquals(List.of(f("meta", "a", "b")), fieldsOfQuery("meta[\"a\"][\"b\"] > 3"));
    assertEquals(List.of(f("color"), f("x", "y")), fieldsOfQuery("$meta[\"x\"][\"y\"] == 1 or color == \"red\""));
    // a bare non-schema name is a dynamic key, named as the mask obligations name it
    assertEquals(List.of(f("color")), fieldsOfQuery("color in [\"red\", \"blue\"]"));
    assertEquals(List.of(f("$meta")), fieldsOfQuery("json_contains($meta, 1)"));
  }

  @Test
  void functionsTemplatesKeywordsAndLiteralsAreNotFields() {
    assertEquals(List.of(f("meta", "tags")), fieldsOfQuery("json_contains(meta[\"tags\"], \"x\")"));
    assertEquals(List.of(f("tags")), fieldsOfQuery("ARRAY_LENGTH(tags) > 2 AND tags IS NOT NULL"));
    assertEquals(List.of(f("year")), fieldsOfQuery("year > {min_year} and not (year in {years})"));
    assertEquals(List.of(f("title")), fieldsOfQuery("title == \"email and ssn\" || title like 'phone%'"));
    assertEquals(List.of(f("title")), fieldsOfQuery("text_match(title, \"email\")"));
    assertEquals(List.of(f("ts")), fieldsOfQuery("ts > ISO '2025-01-01T00:00:00Z' + INTERVAL 'P1D'"));
    assertEquals(List.of(f("t")), fieldsOfQuery("EXISTS t"));
  }

  @Test
  void pathsStopWhereAKeyIsNotAStringLiteral() {
    assertEquals(List.of(f("meta", "tags")), fieldsOfQuery("meta[\"tags\"][0] == \"x\""));
    assertEquals(List.of(f("arr")), fieldsOfQuery("arr[1] > 0"));
    // a key that is itself a field reference: both the outer field (whole) and the inner one
    assertEquals(List.of(f("k"), f("meta")), fieldsOfQuery("meta[k] == 1"));
    assertEquals(List.of(f("meta")), fieldsOfQuery("meta[{key}] == 1"));
  }

  @Test
  void deduplicatedAndSortedByFieldThenPath() {
    assertEquals(List.of(f("a"), f("a", "b"), f("a", "b", "c"), f("a", "c"), f("b")),
        fieldsOfQuery("b > 1 and a[\"c\"] > 1 and a[\"b\"][\"c\"] > 1 and a > 1 and a[\"b\"] > 1 and b < 9 and a > 2"));
  }

  @Test
  void unicodeAndOddKeysKeepTheirText() {
    assertEquals(List.of(f("meta", "e-mail ✉", "\"q\"", "")),
        fieldsOfQuery("meta[\"e-mail ✉\"][\"\\\"q\\\"\"][\"\"] == 1"));
    assertEquals(List.of(f("$weird key")), fieldsOfQuery("$meta[\"$weird key\"] == 1"));
  }

  @Test
  void noFilterNoFilterFields() {
    assertFalse(adapter.decode("Query", QueryRequest.newBuilder().setCollectionName("docs").setExpr("  ").build(), null)
        .attributes().containsKey("filter_fields"));
    assertFalse(adapter.decode("Search", SearchRequest.newBuilder().setCollectionName("docs").build(), null)
        .attributes().containsKey("filter_fields"));
  }

  @Test
  void searchSubRequestsHybridAndDeleteReportTheirFilters() {
    SearchRequest s = SearchRequest.newBuilder().setCollectionName("docs").setDsl("tenant == \"a\"")
        .addSubReqs(SubSearchRequest.newBuilder().setDsl("email like \"x%\"")).build();
    assertEquals(List.of(f("email"), f("tenant")), adapter.decode("Search", s, null).attributes().get("filter_fields"));
    HybridSearchRequest h = HybridSearchRequest.newBuilder().setCollectionName("docs")
        .addRequests(SearchRequest.newBuilder().setDsl("ssn == \"1\""))
        .addRequests(SearchRequest.newBuilder().setDsl(""))
        .addRequests(SearchRequest.newBuilder().setDsl("meta[\"p\"] == 1")).build();
    assertEquals(List.of(f("meta", "p"), f("ssn")), adapter.decode("HybridSearch", h, null).attributes().get("filter_fields"));
    DeleteRequest d = DeleteRequest.newBuilder().setCollectionName("docs").setExpr("email == \"a@b\"").build();
    assertEquals(List.of(f("email")), adapter.decode("Delete", d, null).attributes().get("filter_fields"));
    QueryRequest count = QueryRequest.newBuilder().setCollectionName("docs").setExpr("phone like \"+44%\"")
        .addOutputFields("count(*)").build();
    assertEquals(List.of(f("phone")), adapter.decode("Query", count, null).attributes().get("filter_fields"));
  }

  @Test
  void theInjectedRowFilterIsNeverReported() {
    QueryRequest q = QueryRequest.newBuilder().setCollectionName("docs").setExpr("title == \"x\"").build();
    Operation op = adapter.decode("Query", q, null);
    assertEquals(List.of(f("title")), op.attributes().get("filter_fields"));
    QueryRequest rewritten = (QueryRequest) adapter.applyRequestObligations("Query", q,
        new Obligations(List.of(), false, List.of(new RowFilter("tenant", FilterOp.EQ, "acme")), null, null, null));
    assertTrue(rewritten.getExpr().contains("tenant"), rewritten.getExpr());
    assertEquals(List.of(f("title")), op.attributes().get("filter_fields"));
  }

  @Test
  void tooManyDistinctFieldsAreRefused() {
    StringBuilder b = new StringBuilder("f0 == 1");
    for (int i = 1; i <= MilvusAdapter.MAX_FILTER_FIELDS; i++) {
      b.append(" or f").append(i).append(" == 1");
    }
    AdapterException e = assertThrows(AdapterException.class, () -> fieldsOfQuery(b.toString()));
    assertEquals("malformed_request", e.code());
    assertTrue(e.getMessage().contains("reference more than " + MilvusAdapter.MAX_FILTER_FIELDS + " distinct fields"), e.getMessage());
    assertEquals("expr", e.field());
    // many references to few fields are fine
    String many = String.join(" or ", java.util.Collections.nCopies(5000, "email == \"a\""));
    assertEquals(List.of(f("email")), fieldsOfQuery(many));
  }

  @Test
  void deeplyNestedFiltersStillReportEveryField() {
    String deep = "(".repeat(MilvusExpr.MAX_NESTING) + "email == 1" + ")".repeat(MilvusExpr.MAX_NESTING);
    assertEquals(List.of(f("email")), fieldsOfQuery(deep));
    // outside the parsed subset (unknown operator use), the token walk still finds the fields
    assertEquals(List.of(f("a"), f("b")), fieldsOfQuery("a ** b ~ 3 =~ 4"));
  }
}
