package io.vectorgate.proxy.adapter.pinecone;

import static io.vectorgate.proxy.adapter.qdrant.HttpViews.json;
import static io.vectorgate.proxy.adapter.qdrant.HttpViews.view;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vectorgate.model.Action;
import io.vectorgate.model.Decision;
import io.vectorgate.model.FieldMask;
import io.vectorgate.model.FilterOp;
import io.vectorgate.model.LimitCap;
import io.vectorgate.model.MaskMethod;
import io.vectorgate.model.Obligations;
import io.vectorgate.model.Operation;
import io.vectorgate.model.Reason;
import io.vectorgate.model.RowFilter;
import io.vectorgate.proxy.adapter.AdapterException;
import io.vectorgate.proxy.adapter.http.HttpApiAdapter.ErrorResponse;
import io.vectorgate.proxy.adapter.http.HttpRequestView;
import io.vectorgate.proxy.adapter.qdrant.HttpViews;
import io.vectorgate.proxy.enforce.ObligationException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Pinecone adapter: routes, decoding, namespace pinning, row filters, caps, response rewriting, errors. */
class PineconeAdapterTest {
  static final PineconeAdapter A = new PineconeAdapter("docs", HttpViews.masker());
  static final List<RowFilter> TENANT = List.of(new RowFilter("tenant_id", FilterOp.EQ, "acme"));

  static Obligations rf(List<RowFilter> rf) {
    return new Obligations(List.of(), false, rf, null, null, null);
  }

  static void same(String expected, JsonNode actual) {
    assertEquals(json(expected).toString(), actual.toString());
  }

  @ParameterizedTest(name = "{0} {1} -> {3}")
  @CsvSource(delimiter = '|', value = {
      "POST | /query | {\"topK\":5,\"vector\":[0.1],\"namespace\":\"acme\"} | search | acme",
      "POST | /vectors/upsert | {\"vectors\":[{\"id\":\"a\",\"values\":[0.1]}]} | upsert | ''",
      "GET | /vectors/fetch?ids=a&ids=b&namespace=acme | | get | acme",
      "POST | /vectors/fetch_by_metadata | {\"filter\":{\"k\":\"v\"},\"namespace\":\"acme\"} | query | acme",
      "POST | /vectors/delete | {\"ids\":[\"a\"],\"namespace\":\"acme\"} | delete | acme",
      "POST | /vectors/delete | {\"deleteAll\":true,\"namespace\":\"acme\"} | delete_all | acme",
      "POST | /vectors/delete | {\"filter\":{\"k\":{\"$eq\":1}}} | delete | ''",
      "POST | /vectors/update | {\"id\":\"a\",\"setMetadata\":{\"k\":\"v\"},\"namespace\":\"acme\"} | update | acme",
      "GET | /vectors/list?namespace=acme&prefix=doc | | query | acme",
      "POST | /describe_index_stats | {} | count | ",
      "GET | /namespaces | | list | ",
      "POST | /namespaces | {\"name\":\"acme\"} | alter_collection | acme",
      "GET | /namespaces/acme | | describe | acme",
      "DELETE | /namespaces/acme | | delete_all | acme",
      "POST | /bulk/imports | {\"uri\":\"s3://b/p\"} | import | ",
  })
  void routes(String method, String target, String body, String action, String namespace) {
    Operation op = A.decode(view(method, target, body == null || body.isBlank() ? null : body));
    assertEquals(action, op.action().wireName());
    assertEquals("docs", op.resource().collection(), "the index name comes from configuration");
    assertEquals(namespace, op.resource().namespace());
  }

  @ParameterizedTest(name = "{0} {1} refused")
  @CsvSource({
      "POST, /records/namespaces/acme/upsert", "POST, /records/namespaces/acme/search",
      "POST, /namespaces/acme/documents/search", "GET, /query", "POST, /vectors/fetch", "GET, /describe_index_stats",
      "POST, /namespace_aliases", "GET, /indexes",
  })
  void unknownRoutesAreRefused(String method, String path) {
    assertEquals("unknown_route", assertThrows(AdapterException.class, () -> A.decode(view(method, path, "{}"))).code());
  }

  @Test
  void badBodiesAndParamsAreRefused() {
    record Case(String method, String target, String body, String code, String field) {}
    for (Case c : List.of(
        new Case("POST", "/query", "{\"topK\":5,\"queries\":[{}]}", AdapterException.UNKNOWN_FIELD, "queries"),
        new Case("POST", "/query", "{\"vector\":[0.1]}", AdapterException.MALFORMED_REQUEST, "topK"),
        new Case("POST", "/query", "{\"topK\":5,\"filter\":{\"$where\":\"1\"}}", AdapterException.UNKNOWN_FIELD, "filter.$where"),
        new Case("POST", "/query", "{\"topK\":5,\"filter\":{\"k\":{\"$regex\":\"a\"}}}", AdapterException.UNKNOWN_FIELD, "filter.k.$regex"),
        new Case("POST", "/query", "{\"topK\":5,\"filter\":{\"$or\":[]}}", AdapterException.MALFORMED_REQUEST, "filter.$or"),
        new Case("POST", "/query", "{\"topK\":5,\"namespace\":7}", AdapterException.MALFORMED_REQUEST, "namespace"),
        new Case("POST", "/vectors/delete", "{\"ids\":[\"a\"],\"deleteAll\":true}", AdapterException.MALFORMED_REQUEST, ""),
        new Case("POST", "/vectors/delete", "{\"filter\":{}}", AdapterException.MALFORMED_REQUEST, "filter"),
        new Case("POST", "/vectors/update", "{\"id\":\"a\",\"filter\":{\"k\":1}}", AdapterException.MALFORMED_REQUEST, ""),
        new Case("GET", "/vectors/fetch?ids=a&namespace=x&namespace=y", null, AdapterException.MALFORMED_REQUEST, "query.namespace"),
        new Case("GET", "/vectors/fetch?ids=a&skip=1", null, AdapterException.UNKNOWN_FIELD, "query.skip"),
        new Case("GET", "/vectors/fetch", null, AdapterException.MALFORMED_REQUEST, "query.ids"))) {
      AdapterException e = assertThrows(AdapterException.class, () -> A.decode(view(c.method(), c.target(), c.body())), c.toString());
      assertEquals(c.code(), e.code(), c.toString());
      assertEquals(c.field(), e.field(), c.toString());
    }
  }

  @Test
  void queryFacts() {
    Operation op = A.decode(view("POST", "/query",
        "{\"topK\":50,\"vector\":[0.1],\"namespace\":\"acme\",\"includeValues\":true,\"includeMetadata\":true,\"filter\":{\"genre\":\"x\"}}"));
    assertEquals(Action.SEARCH, op.action());
    assertEquals(50L, op.limit());
    assertTrue(op.vectorsRequested());
    assertEquals(List.of("*"), op.outputFields());
    assertEquals(Map.of("genre", "x"), op.filter());
    Operation up = A.decode(view("POST", "/vectors/upsert",
        "{\"namespace\":\"acme\",\"vectors\":[{\"id\":\"a\",\"values\":[0.1],\"metadata\":{\"tenant_id\":\"acme\",\"tags\":[\"x\"]}}]}"));
    assertEquals(1, up.counts().rows());
    assertEquals(Map.of("tenant_id", List.of("acme"), "tags", List.of("x")), up.attributes().get("written_values"));
  }

  @Test
  void theNamespaceIsPinnedOnEveryBodyRoute() {
    for (String[] c : new String[][] {{"/query", "{\"topK\":5,\"vector\":[0.1]}"}, {"/vectors/upsert", "{\"vectors\":[]}"},
        {"/vectors/delete", "{\"ids\":[\"a\"]}"}, {"/vectors/update", "{\"id\":\"a\",\"values\":[0.1]}"},
        {"/vectors/fetch_by_metadata", "{\"filter\":{\"k\":\"v\"}}"}}) {
      HttpRequestView r = view("POST", c[0], c[1]);
      Operation op = A.decode(r);
      assertEquals("", op.resource().namespace());
      assertEquals("", A.applyRequestObligations(r, op, Obligations.NONE).body().get("namespace").asText(), c[0]);
    }
  }

  @Test
  void rowFiltersAreWrappedWithAnd() {
    HttpRequestView r = view("POST", "/query",
        "{\"topK\":5,\"vector\":[0.1],\"namespace\":\"acme\",\"filter\":{\"$or\":[{\"tenant_id\":\"evil\"},{\"genre\":\"x\"}]}}");
    JsonNode out = A.applyRequestObligations(r, A.decode(r), rf(TENANT)).body();
    same("{\"$and\":[{\"$or\":[{\"tenant_id\":\"evil\"},{\"genre\":\"x\"}]},{\"tenant_id\":{\"$eq\":\"acme\"}}]}", out.get("filter"));
    HttpRequestView noFilter = view("POST", "/vectors/fetch_by_metadata", "{\"filter\":{}}");
    same("{\"tenant_id\":{\"$eq\":\"acme\"}}", A.applyRequestObligations(noFilter, A.decode(noFilter), rf(TENANT)).body().get("filter"));
    HttpRequestView ops = view("POST", "/describe_index_stats", "{}");
    same("{\"$and\":[{\"a\":{\"$exists\":true}},{\"a\":{\"$ne\":\"x\"}},{\"b\":{\"$in\":[1,2]}},{\"c\":{\"$exists\":true}},{\"c\":{\"$nin\":[\"p\"]}}]}",
        A.applyRequestObligations(ops, A.decode(ops), rf(List.of(new RowFilter("a", FilterOp.NE, "x"),
            new RowFilter("b", FilterOp.IN, List.of(1L, 2L)), new RowFilter("c", FilterOp.NOT_IN, List.of("p"))))).body().get("filter"));
  }

  @Test
  void whatARowFilterCannotConfineIsRefused() {
    for (String[] c : new String[][] {{"POST", "/query", "{\"topK\":5,\"id\":\"other-tenant-doc\"}"},
        {"POST", "/vectors/delete", "{\"ids\":[\"a\"]}"}, {"POST", "/vectors/delete", "{\"deleteAll\":true}"},
        {"GET", "/vectors/list?namespace=x", null},
        {"DELETE", "/namespaces/x", null}}) {
      HttpRequestView r = view(c[0], c[1], c[2]);
      ObligationException e = assertThrows(ObligationException.class, () -> A.applyRequestObligations(r, A.decode(r), rf(TENANT)), c[1]);
      assertEquals(ObligationException.ROW_FILTER_UNENFORCEABLE, e.code());
    }
    HttpRequestView up = view("POST", "/vectors/upsert", "{\"vectors\":[{\"id\":\"a\",\"values\":[0.1],\"metadata\":{\"tenant_id\":\"other\"}}]}");
    assertEquals(ObligationException.ROW_FILTER_VIOLATION,
        assertThrows(ObligationException.class, () -> A.applyRequestObligations(up, A.decode(up), rf(TENANT))).code());
    HttpRequestView upd = view("POST", "/vectors/update", "{\"filter\":{\"k\":1},\"setMetadata\":{\"tenant_id\":\"other\"}}");
    assertEquals(ObligationException.ROW_FILTER_VIOLATION,
        assertThrows(ObligationException.class, () -> A.applyRequestObligations(upd, A.decode(upd), rf(TENANT))).code());
    HttpRequestView okUpd = view("POST", "/vectors/update", "{\"filter\":{\"k\":1},\"setMetadata\":{\"status\":\"x\"}}");
    same("{\"$and\":[{\"k\":1},{\"tenant_id\":{\"$eq\":\"acme\"}}]}",
        A.applyRequestObligations(okUpd, A.decode(okUpd), rf(TENANT)).body().get("filter"));
  }

  @Test
  void capsClampTopKAndLimits() {
    Obligations clamp = new Obligations(List.of(), false, List.of(), new LimitCap(10, LimitCap.CapMode.CLAMP), null, null);
    Obligations deny = new Obligations(List.of(), false, List.of(), new LimitCap(10, LimitCap.CapMode.DENY), null, null);
    HttpRequestView q = view("POST", "/query", "{\"topK\":500,\"vector\":[0.1]}");
    assertEquals(10, A.applyRequestObligations(q, A.decode(q), clamp).body().get("topK").asInt());
    assertEquals(ObligationException.LIMIT_EXCEEDED,
        assertThrows(ObligationException.class, () -> A.applyRequestObligations(q, A.decode(q), deny)).code());
    HttpRequestView f = view("POST", "/vectors/fetch_by_metadata", "{\"filter\":{\"k\":1}}");
    assertEquals(10, A.applyRequestObligations(f, A.decode(f), deny).body().get("limit").asInt(), "missing limit defaults to 100: clamped");
    HttpRequestView list = view("GET", "/vectors/list?limit=50", null);
    JsonNode listed = A.rewriteResponse(list, A.decode(list), 200,
        json("{\"vectors\":[" + "{\"id\":\"x\"},".repeat(20) + "{\"id\":\"y\"}],\"pagination\":{\"next\":\"t\"}}"), clamp);
    assertEquals(10, listed.get("vectors").size());
    assertThrows(ObligationException.class, () -> A.applyRequestObligations(list, A.decode(list), deny));
    HttpRequestView fetch = view("GET", "/vectors/fetch?ids=a&ids=b&ids=c", null);
    Obligations two = new Obligations(List.of(), false, List.of(), new LimitCap(2, LimitCap.CapMode.CLAMP), null, null);
    assertEquals(2, A.rewriteResponse(fetch, A.decode(fetch), 200, json("{\"vectors\":{\"a\":{\"id\":\"a\"},\"b\":{\"id\":\"b\"},\"c\":{\"id\":\"c\"}}}"), two)
        .get("vectors").size());
  }

  @Test
  void responsesAreFilteredMaskedAndStripped() {
    Obligations o = new Obligations(List.of(new FieldMask("email", List.of(), MaskMethod.PARTIAL),
        new FieldMask("ssn", List.of(), MaskMethod.DROP)), true, TENANT, null, null, null);
    HttpRequestView fetch = view("GET", "/vectors/fetch?ids=a&ids=b&ids=c&namespace=acme", null);
    JsonNode out = A.rewriteResponse(fetch, A.decode(fetch), 200, json("{\"namespace\":\"acme\",\"vectors\":{"
        + "\"a\":{\"id\":\"a\",\"values\":[0.1],\"sparseValues\":{\"indices\":[1],\"values\":[0.5]},\"metadata\":{\"tenant_id\":\"acme\",\"email\":\"alice@example.com\",\"ssn\":\"1\"}},"
        + "\"b\":{\"id\":\"b\",\"values\":[0.2],\"metadata\":{\"tenant_id\":\"evil\"}},"
        + "\"c\":{\"id\":\"c\",\"values\":[0.3]}},\"usage\":{\"readUnits\":1}}"), o);
    same("{\"namespace\":\"acme\",\"vectors\":{\"a\":{\"id\":\"a\",\"values\":[0.0],\"metadata\":{\"tenant_id\":\"acme\",\"email\":\"a***@example.com\"}}},"
        + "\"usage\":{\"readUnits\":1}}", out);
    HttpRequestView q = view("POST", "/query", "{\"topK\":3,\"vector\":[0.1],\"includeMetadata\":true,\"includeValues\":true}");
    JsonNode qo = A.rewriteResponse(q, A.decode(q), 200, json("{\"matches\":[{\"id\":\"a\",\"score\":0.9,\"values\":[0.1],"
        + "\"metadata\":{\"tenant_id\":\"acme\",\"ssn\":\"1\"}},{\"id\":\"b\",\"score\":0.8,\"metadata\":{\"tenant_id\":\"evil\"}}],\"namespace\":\"\"}"), o);
    same("{\"matches\":[{\"id\":\"a\",\"score\":0.9,\"values\":[],\"metadata\":{\"tenant_id\":\"acme\"}}],\"namespace\":\"\"}", qo);
    assertFalse(A.applyRequestObligations(q, A.decode(q), new Obligations(List.of(), true, List.of(), null, null, null))
        .body().get("includeValues").asBoolean());
    JsonNode err = json("{\"code\":5,\"message\":\"not found\"}");
    assertEquals(err, A.rewriteResponse(q, A.decode(q), 404, err, o));
  }

  @Test
  void errorsLookLikeRpcStatus() {
    Decision d = new Decision(false, List.of(new Reason("tenant_namespace_mismatch", "namespace x is not acme")), Obligations.NONE,
        "dec-9", "r");
    ErrorResponse e = A.denial(d, "denied by policy (decision dec-9): tenant_namespace_mismatch: namespace x is not acme");
    assertEquals(403, e.status());
    assertEquals(7, e.body().get("code").asInt());
    assertTrue(e.body().get("message").asText().contains("dec-9"));
    assertEquals("tenant_namespace_mismatch", e.body().at("/details/0/reason").asText());
    assertEquals("dec-9", e.body().at("/details/0/metadata/decision_id").asText());
    ErrorResponse rej = A.rejection(400, "unknown_field", "`queries` is unknown");
    assertEquals(3, rej.body().get("code").asInt());
    assertNull(rej.body().get("status"));
  }

  @Test
  void resultCountsChargeRowsAndTheVectorsStillCarried() {
    Operation q = A.decode(view("POST", "/query", "{\"topK\":3,\"vector\":[1,0],\"includeValues\":true}"));
    var matches = A.resultCounts(q, json("{\"matches\":[{\"id\":\"a\",\"values\":[1,0]},{\"id\":\"b\",\"values\":[]},"
        + "{\"id\":\"c\",\"sparseValues\":{\"indices\":[1],\"values\":[0.5]}}],\"namespace\":\"\"}"));
    assertEquals(3, matches.rows());
    assertEquals(2, matches.vectors(), "b's values were stripped to []");
    Operation f = A.decode(view("GET", "/vectors/fetch?ids=a&ids=b", null));
    var fetched = A.resultCounts(f, json("{\"vectors\":{\"a\":{\"id\":\"a\",\"values\":[1,0]},"
        + "\"b\":{\"id\":\"b\",\"values\":[]}},\"namespace\":\"\"}"));
    assertEquals(2, fetched.rows());
    assertEquals(1, fetched.vectors());
    Operation l = A.decode(view("GET", "/vectors/list", null));
    var listed = A.resultCounts(l, json("{\"vectors\":[{\"id\":\"a\"},{\"id\":\"b\"}],\"namespace\":\"\"}"));
    assertEquals(2, listed.rows());
    assertEquals(0, listed.vectors());
  }
}
