package io.vectorgate.proxy.adapter.qdrant;

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
import io.vectorgate.proxy.enforce.ObligationException;
import io.vectorgate.proxy.enforce.ValueMasker;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Qdrant adapter: route table, decoding, request obligations, response rewriting, error shapes. */
class QdrantAdapterTest {
  static final QdrantAdapter A = new QdrantAdapter(HttpViews.masker());
  static final List<RowFilter> TENANT = List.of(new RowFilter("tenant_id", FilterOp.EQ, "acme"));

  static Obligations rowFilter(List<RowFilter> rf) {
    return new Obligations(List.of(), false, rf, null, null, null);
  }

  static Obligations cap(long max, LimitCap.CapMode mode) {
    return new Obligations(List.of(), false, List.of(), new LimitCap(max, mode), null, null);
  }

  @ParameterizedTest(name = "{0} {1} -> {2}")
  @CsvSource({
      "GET, /collections, list, ",
      "GET, /collections/docs, describe, docs",
      "GET, /collections/docs/exists, describe, docs",
      "PUT, /collections/docs, create_collection, docs",
      "PATCH, /collections/docs, alter_collection, docs",
      "DELETE, /collections/docs, drop_collection, docs",
      "DELETE, /collections/docs/vectors/image, truncate_collection, docs",
      "PUT, /collections/docs/index, create_index, docs",
      "DELETE, /collections/docs/index/lang, drop_index, docs",
      "POST, /collections/aliases, admin, ",
      "GET, /aliases, list, ",
      "GET, /collections/docs/snapshots, snapshot, docs",
      "POST, /collections/docs/snapshots, snapshot, docs",
      "GET, /collections/docs/snapshots/s1.snapshot, snapshot, docs",
      "PUT, /collections/docs/snapshots/recover, import, docs",
      "POST, /collections/docs/snapshots/upload, import, docs",
      "GET, /collections/docs/shards/0/snapshot, snapshot, docs",
      "POST, /snapshots, snapshot, ",
      "GET, /telemetry, admin, ",
      "POST, /cluster/recover, admin, ",
      "GET, /, describe, ",
      "GET, /collections/docs/points/7, get, docs",
  })
  void routesWithoutBodies(String method, String path, String action, String collection) {
    Operation op = A.decode(view(method, path, null));
    assertEquals(action, op.action().wireName());
    assertEquals(collection, op.resource().collection());
    assertEquals("http", op.protocol().protocol());
    assertEquals(path, op.protocol().path());
  }

  @ParameterizedTest(name = "{0} {1} refused")
  @CsvSource({
      "POST, /collections/docs/points/search",
      "POST, /collections/docs/points/search/batch",
      "POST, /collections/docs/points/search/groups",
      "POST, /collections/docs/points/recommend",
      "POST, /collections/docs/points/recommend/batch",
      "POST, /collections/docs/points/discover",
      "POST, /collections/docs/shards/0/points/scroll",
      "GET, /collections/docs/debug",
      "GET, /collections/docs/shards/0/wal",
      "GET, /audit/logs",
      "GET, /stacktrace",
      "PUT, /cluster/metadata/keys/x",
      "TRACE, /collections",
      "POST, /collections/docs/points/query/other",
      "DELETE, /collections/docs/points",
  })
  void unknownRoutesAreRefused(String method, String path) {
    AdapterException e = assertThrows(AdapterException.class, () -> A.decode(view(method, path, "{}")));
    assertEquals("unknown_route", e.code());
  }

  @Test
  void queryFacts() {
    Operation op = A.decode(view("POST", "/collections/docs/points/query",
        "{\"query\":[0.1,0.2],\"filter\":{\"must\":[{\"key\":\"lang\",\"match\":{\"value\":\"en\"}}]},"
            + "\"limit\":25,\"offset\":5,\"with_payload\":[\"title\"],\"with_vector\":true,"
            + "\"prefetch\":{\"query\":[0.3],\"filter\":{\"must_not\":{\"key\":\"x\",\"match\":{\"value\":1}}}}}"));
    assertEquals(Action.SEARCH, op.action());
    assertEquals(25L, op.limit());
    assertEquals(5L, op.offset());
    assertEquals(List.of("title"), op.outputFields());
    assertTrue(op.vectorsRequested());
    assertEquals(Map.of("must", List.of(Map.of("key", "lang", "match", Map.of("value", "en")))), op.filter());
    assertEquals(1, ((List<?>) op.attributes().get("prefetch_filters")).size());
    assertEquals(1, op.counts().queries());
  }

  @Test
  void scrollIsAPagedQueryWithPayloadByDefault() {
    Operation op = A.decode(view("POST", "/collections/kb/points/scroll", "{\"limit\":100,\"offset\":\"5a8c…\"}"));
    assertEquals(Action.QUERY, op.action());
    assertTrue(op.paging());
    assertEquals(100L, op.limit());
    assertNull(op.offset(), "a scroll offset is a point-id cursor, not a numeric offset");
    assertEquals(List.of("*"), op.outputFields());
    assertFalse(op.vectorsRequested());
    assertEquals(true, op.attributes().get("cursor"));
  }

  @Test
  void emptyFilterDeletesEverything() {
    for (String body : List.of("{\"filter\":{}}", "{\"filter\":{\"must\":[]}}", "{\"filter\":{\"must\":[{}],\"should\":[]}}")) {
      assertEquals(Action.DELETE_ALL, A.decode(view("POST", "/collections/docs/points/delete", body)).action(), body);
    }
    Operation byFilter = A.decode(view("POST", "/collections/docs/points/delete",
        "{\"filter\":{\"must\":{\"key\":\"lang\",\"match\":{\"value\":\"en\"}}}}"));
    assertEquals(Action.DELETE, byFilter.action());
    Operation byIds = A.decode(view("POST", "/collections/docs/points/delete", "{\"points\":[1,2,3]}"));
    assertEquals(Action.DELETE, byIds.action());
    assertEquals(3, byIds.counts().ids());
    assertEquals(Action.DELETE_ALL, A.decode(view("POST", "/collections/docs/points/payload/clear", "{\"filter\":{}}")).action());
  }

  @Test
  void upsertReportsWrittenValues() {
    Operation op = A.decode(view("PUT", "/collections/docs/points?wait=true",
        "{\"points\":[{\"id\":1,\"vector\":[0.1],\"payload\":{\"tenant_id\":\"acme\",\"tags\":[\"a\",\"b\"]}},"
            + "{\"id\":\"6f0c5b9e-1111-4a4a-9999-000000000000\",\"vector\":[0.2],\"payload\":{\"tenant_id\":\"acme\"}}]}"));
    assertEquals(Action.UPSERT, op.action());
    assertEquals(2, op.counts().rows());
    @SuppressWarnings("unchecked")
    Map<String, List<Object>> written = (Map<String, List<Object>>) op.attributes().get("written_values");
    assertEquals(List.of("acme"), written.get("tenant_id"));
    assertEquals(List.of("a", "b"), written.get("tags"));
    Operation batch = A.decode(view("PUT", "/collections/docs/points",
        "{\"batch\":{\"ids\":[1,2],\"vectors\":[[0.1],[0.2]],\"payloads\":[{\"tenant_id\":\"acme\"},{\"tenant_id\":\"other\"}]}}"));
    assertEquals(2, batch.counts().rows());
  }

  @ParameterizedTest(name = "{2}")
  @CsvSource(delimiter = '|', value = {
      "/collections/docs/points/query | {\"query\":[0.1],\"with_vectors\":true} | with_vectors",
      "/collections/docs/points/query | {\"query\":[0.1],\"filter\":{\"must\":[{\"key\":\"a\",\"match\":{\"value\":1},\"skip\":1}]}} | filter.must[0].skip",
      "/collections/docs/points/query | {\"query\":[0.1],\"filter\":{\"Must\":[]}} | filter.Must",
      "/collections/docs/points/query | {\"query\":{\"nearest\":[0.1],\"bypass\":true}} | query.bypass",
      "/collections/docs/points/query | {\"prefetch\":[{\"query\":[0.1],\"rls\":false}]} | prefetch[0].rls",
      "/collections/docs/points/scroll | {\"filter\":{},\"consistency\":\"all\"} | consistency",
      "/collections/docs/points/count | {\"filter\":{\"must\":[{\"unknown_cond\":{}}]}} | filter.must[0].unknown_cond",
  })
  void unknownFieldsAreRefusedWithTheirPath(String path, String body, String field) {
    AdapterException e = assertThrows(AdapterException.class, () -> A.decode(view("POST", path, body)));
    assertEquals(AdapterException.UNKNOWN_FIELD, e.code());
    assertEquals(field, e.field());
  }

  @Test
  void malformedBodiesAndParamsAreRefused() {
    assertEquals(AdapterException.MALFORMED_REQUEST, assertThrows(AdapterException.class,
        () -> A.decode(view("POST", "/collections/docs/points/query", "[1,2]"))).code());
    assertEquals(AdapterException.MALFORMED_REQUEST, assertThrows(AdapterException.class,
        () -> A.decode(view("POST", "/collections/docs/points/query", "{\"limit\":-1}"))).code());
    assertEquals(AdapterException.MALFORMED_REQUEST, assertThrows(AdapterException.class,
        () -> A.decode(view("POST", "/collections/docs/points/query", null))).code());
    assertEquals(AdapterException.UNKNOWN_FIELD, assertThrows(AdapterException.class,
        () -> A.decode(view("POST", "/collections/docs/points/query?skip_rls=1", "{}"))).code());
    assertEquals(AdapterException.MALFORMED_REQUEST, assertThrows(AdapterException.class,
        () -> A.decode(view("POST", "/collections/docs/points/query?wait=true&wait=false", "{}"))).code());
    assertEquals(AdapterException.UNSUPPORTED_OPERATION, assertThrows(AdapterException.class,
        () -> A.decode(view("POST", "/collections/docs/points/batch", "{\"operations\":[]}"))).code());
  }

  @Test
  void lookupsIntoOtherCollectionsAreRefusedUnlessAuthorizedSeparately() {
    String body = "{\"query\":42,\"lookup_from\":{\"collection\":\"secrets\"}}";
    AdapterException e = assertThrows(AdapterException.class,
        () -> A.decode(view("POST", "/collections/docs/points/query", body)));
    assertEquals(AdapterException.UNSUPPORTED_OPERATION, e.code());
    assertEquals("lookup_from.collection", e.field());
    String nested = "{\"prefetch\":[{\"prefetch\":{\"query\":7,\"lookup_from\":{\"collection\":\"secrets\"}}}],\"query\":{\"fusion\":\"rrf\"}}";
    assertThrows(AdapterException.class, () -> A.decode(view("POST", "/collections/docs/points/query", nested)));
    // the same collection is fine
    A.decode(view("POST", "/collections/docs/points/query", "{\"query\":42,\"lookup_from\":{\"collection\":\"docs\"}}"));

    QdrantAdapter lenient = new QdrantAdapter(HttpViews.masker(), true);
    HttpRequestView r = view("POST", "/collections/docs/points/query", nested);
    Operation op = lenient.decode(r);
    assertEquals(List.of("secrets"), op.attributes().get("lookup_collections"));
    List<Operation> extra = lenient.lookupOperations(r, op);
    assertEquals(1, extra.size());
    assertEquals(Action.GET, extra.get(0).action());
    assertEquals("secrets", extra.get(0).resource().collection());
    assertEquals(1, extra.get(0).counts().ids());
    assertThrows(AdapterException.class, () -> A.decode(view("POST", "/collections/docs/points/query/groups",
        "{\"query\":[0.1],\"group_by\":\"doc\",\"with_lookup\":\"secrets\"}")));
  }

  @Test
  void rowFilterGoesIntoMustAtTopLevelAndEveryPrefetch() {
    HttpRequestView r = view("POST", "/collections/docs/points/query",
        "{\"query\":{\"fusion\":\"rrf\"},\"filter\":{\"must\":{\"key\":\"lang\",\"match\":{\"value\":\"en\"}},"
            + "\"should\":[{\"key\":\"tenant_id\",\"match\":{\"value\":\"evil\"}}]},"
            + "\"prefetch\":[{\"query\":[0.1],\"prefetch\":{\"query\":[0.2]}},{\"query\":[0.3],\"filter\":{\"must_not\":[]}}]}");
    Operation op = A.decode(r);
    JsonNode out = A.applyRequestObligations(r, op, rowFilter(TENANT)).body();
    JsonNode cond = json("{\"key\":\"tenant_id\",\"match\":{\"value\":\"acme\"}}");
    same(HttpViews.JSON.valueToTree(List.of(json("{\"key\":\"lang\",\"match\":{\"value\":\"en\"}}"), cond)), out.at("/filter/must"));
    same(json("[{\"key\":\"tenant_id\",\"match\":{\"value\":\"evil\"}}]"), out.at("/filter/should"));
    same(HttpViews.JSON.valueToTree(List.of(cond)), out.at("/prefetch/0/filter/must"));
    same(HttpViews.JSON.valueToTree(List.of(cond)), out.at("/prefetch/0/prefetch/filter/must"));
    same(HttpViews.JSON.valueToTree(List.of(cond)), out.at("/prefetch/1/filter/must"));
  }

  @Test
  void rowFilterOperatorsTranslate() {
    HttpRequestView r = view("POST", "/collections/docs/points/count", "{}");
    List<RowFilter> rf = List.of(new RowFilter("a", FilterOp.NE, "x"), new RowFilter("b", FilterOp.IN, List.of(1L, 2L)),
        new RowFilter("c", FilterOp.NOT_IN, List.of("p")), new RowFilter("d", FilterOp.NE, true));
    JsonNode must = A.applyRequestObligations(r, A.decode(r), rowFilter(rf)).body().at("/filter/must");
    same(json("[{\"key\":\"a\",\"match\":{\"except\":[\"x\"]}},{\"key\":\"b\",\"match\":{\"any\":[1,2]}},"
        + "{\"key\":\"c\",\"match\":{\"except\":[\"p\"]}},{\"key\":\"d\",\"match\":{\"value\":false}}]"), must);
    ObligationException e = assertThrows(ObligationException.class, () -> A.applyRequestObligations(r, A.decode(r),
        rowFilter(List.of(new RowFilter("score", FilterOp.EQ, 0.5)))));
    assertEquals(ObligationException.ROW_FILTER_UNENFORCEABLE, e.code());
  }

  @Test
  void idSelectionsBecomeHasIdFiltersUnderARowFilter() {
    HttpRequestView r = view("POST", "/collections/docs/points/delete", "{\"points\":[1,2]}");
    JsonNode out = A.applyRequestObligations(r, A.decode(r), rowFilter(TENANT)).body();
    assertFalse(out.has("points"));
    same(json("{\"must\":[{\"has_id\":[1,2]},{\"key\":\"tenant_id\",\"match\":{\"value\":\"acme\"}}]}"), out.get("filter"));
    HttpRequestView set = view("POST", "/collections/docs/points/payload", "{\"payload\":{\"status\":\"x\"},\"points\":[9]}");
    JsonNode s = A.applyRequestObligations(set, A.decode(set), rowFilter(TENANT)).body();
    same(json("[{\"has_id\":[9]},{\"key\":\"tenant_id\",\"match\":{\"value\":\"acme\"}}]"), s.at("/filter/must"));
  }

  @Test
  void writesAreCheckedAndConfined() {
    HttpRequestView ok = view("PUT", "/collections/docs/points",
        "{\"points\":[{\"id\":1,\"vector\":[0.1],\"payload\":{\"tenant_id\":\"acme\"}}]}");
    JsonNode out = A.applyRequestObligations(ok, A.decode(ok), rowFilter(TENANT)).body();
    same(json("{\"must\":[{\"key\":\"tenant_id\",\"match\":{\"value\":\"acme\"}}]}"), out.get("update_filter"),
        "an existing point of another tenant with the same id is not overwritten");
    for (String payload : List.of("{\"tenant_id\":\"other\"}", "{}", "null")) {
      HttpRequestView bad = view("PUT", "/collections/docs/points",
          "{\"points\":[{\"id\":1,\"vector\":[0.1],\"payload\":{\"tenant_id\":\"acme\"}},{\"id\":2,\"vector\":[0.1],\"payload\":" + payload + "}]}");
      ObligationException e = assertThrows(ObligationException.class,
          () -> A.applyRequestObligations(bad, A.decode(bad), rowFilter(TENANT)));
      assertEquals(ObligationException.ROW_FILTER_VIOLATION, e.code());
    }
    HttpRequestView setOther = view("POST", "/collections/docs/points/payload", "{\"payload\":{\"tenant_id\":\"other\"},\"filter\":{}}");
    assertThrows(ObligationException.class, () -> A.applyRequestObligations(setOther, A.decode(setOther), rowFilter(TENANT)));
    HttpRequestView overwrite = view("PUT", "/collections/docs/points/payload", "{\"payload\":{\"title\":\"t\"},\"points\":[1]}");
    assertThrows(ObligationException.class, () -> A.applyRequestObligations(overwrite, A.decode(overwrite), rowFilter(TENANT)));
    HttpRequestView delKey = view("POST", "/collections/docs/points/payload/delete", "{\"keys\":[\"tenant_id\"],\"points\":[1]}");
    assertThrows(ObligationException.class, () -> A.applyRequestObligations(delKey, A.decode(delKey), rowFilter(TENANT)));
    HttpRequestView clear = view("POST", "/collections/docs/points/payload/clear", "{\"points\":[1]}");
    assertThrows(ObligationException.class, () -> A.applyRequestObligations(clear, A.decode(clear), rowFilter(TENANT)));
    HttpRequestView vectors = view("PUT", "/collections/docs/points/vectors", "{\"points\":[{\"id\":1,\"vector\":[0.5]}]}");
    same(json("{\"must\":[{\"key\":\"tenant_id\",\"match\":{\"value\":\"acme\"}}]}"),
        A.applyRequestObligations(vectors, A.decode(vectors), rowFilter(TENANT)).body().get("update_filter"));
  }

  @Test
  void pointIdQueriesAndRoutesWithoutFiltersAreUnenforceableUnderARowFilter() {
    for (String q : List.of("{\"query\":42}", "{\"query\":{\"recommend\":{\"positive\":[1],\"negative\":[[0.1]]}}}",
        "{\"query\":{\"fusion\":\"rrf\"},\"prefetch\":{\"query\":\"6f0c5b9e-1111-4a4a-9999-000000000000\"}}",
        "{\"query\":{\"discover\":{\"target\":[0.1],\"context\":{\"positive\":3,\"negative\":[0.2]}}}}")) {
      HttpRequestView r = view("POST", "/collections/docs/points/query", q);
      ObligationException e = assertThrows(ObligationException.class,
          () -> A.applyRequestObligations(r, A.decode(r), rowFilter(TENANT)), q);
      assertEquals(ObligationException.ROW_FILTER_UNENFORCEABLE, e.code());
    }
    HttpRequestView get = view("GET", "/collections/docs/points/1", null);
    assertThrows(ObligationException.class, () -> A.applyRequestObligations(get, A.decode(get), rowFilter(TENANT)));
    HttpRequestView snap = view("POST", "/collections/docs/snapshots", null);
    assertThrows(ObligationException.class, () -> A.applyRequestObligations(snap, A.decode(snap), rowFilter(TENANT)));
  }

  @Test
  void limitsAreClampedOrDenied() {
    HttpRequestView q = view("POST", "/collections/docs/points/query", "{\"query\":[0.1],\"limit\":500}");
    assertEquals(100, A.applyRequestObligations(q, A.decode(q), cap(100, LimitCap.CapMode.CLAMP)).body().get("limit").asLong());
    ObligationException e = assertThrows(ObligationException.class,
        () -> A.applyRequestObligations(q, A.decode(q), cap(100, LimitCap.CapMode.DENY)));
    assertEquals(ObligationException.LIMIT_EXCEEDED, e.code());
    HttpRequestView noLimit = view("POST", "/collections/docs/points/scroll", "{}");
    assertEquals(5, A.applyRequestObligations(noLimit, A.decode(noLimit), cap(5, LimitCap.CapMode.DENY)).body().get("limit").asLong(),
        "a missing limit whose default (10) exceeds the cap is clamped, not denied");
    HttpRequestView small = view("POST", "/collections/docs/points/scroll", "{\"limit\":3}");
    assertEquals(3, A.applyRequestObligations(small, A.decode(small), cap(5, LimitCap.CapMode.CLAMP)).body().get("limit").asLong());
    HttpRequestView ids = view("POST", "/collections/docs/points", "{\"ids\":[1,2,3,4]}");
    same(json("[1,2]"), A.applyRequestObligations(ids, A.decode(ids), cap(2, LimitCap.CapMode.CLAMP)).body().get("ids"));
    assertThrows(ObligationException.class, () -> A.applyRequestObligations(ids, A.decode(ids), cap(2, LimitCap.CapMode.DENY)));
  }

  @Test
  void responsesAreMaskedAndVectorsStrippedInEveryShape() {
    Obligations o = new Obligations(List.of(new FieldMask("email", List.of(), MaskMethod.REDACT),
        new FieldMask("ssn", List.of(), MaskMethod.DROP), new FieldMask("profile", List.of("contact", "email"), MaskMethod.REDACT),
        new FieldMask("age", List.of(), MaskMethod.REDACT)), true, List.of(), null, null, null);
    String point = "{\"id\":1,\"version\":3,\"score\":0.9,\"payload\":{\"email\":\"a@b.c\",\"ssn\":\"123\",\"age\":41,"
        + "\"profile\":{\"contact\":{\"email\":\"x@y.z\",\"phone\":\"1\"}},\"title\":\"t\"},\"vector\":[0.1,0.2]}";
    String expected = "{\"id\":1,\"version\":3,\"score\":0.9,\"payload\":{\"email\":\"[REDACTED]\",\"age\":0,"
        + "\"profile\":{\"contact\":{\"email\":\"[REDACTED]\",\"phone\":\"1\"}},\"title\":\"t\"}}";
    Map<String, String[]> shapes = Map.of(
        "/points/query", new String[] {"{\"result\":{\"points\":[P]},\"status\":\"ok\",\"time\":0.1}", "{\"query\":[0.1]}"},
        "/points/scroll", new String[] {"{\"result\":{\"points\":[P],\"next_page_offset\":2},\"status\":\"ok\"}", "{}"},
        "/points", new String[] {"{\"result\":[P],\"status\":\"ok\"}", "{\"ids\":[1]}"},
        "/points/query/batch", new String[] {"{\"result\":[{\"points\":[P]},{\"points\":[P]}],\"status\":\"ok\"}",
            "{\"searches\":[{\"query\":[0.1]},{\"query\":[0.2]}]}"},
        "/points/query/groups", new String[] {"{\"result\":{\"groups\":[{\"id\":\"g\",\"hits\":[P],\"lookup\":P}]},\"status\":\"ok\"}",
            "{\"query\":[0.1],\"group_by\":\"doc\",\"with_lookup\":\"docs\"}"});
    for (Map.Entry<String, String[]> e : shapes.entrySet()) {
      HttpRequestView r = view("POST", "/collections/docs" + e.getKey(), e.getValue()[1]);
      Operation op = A.decode(r);
      JsonNode out = A.rewriteResponse(r, op, 200, json(e.getValue()[0].replace("P", point)), o);
      same(json(e.getValue()[0].replace("P", expected)), out, e.getKey());
    }
    HttpRequestView get = view("GET", "/collections/docs/points/1", null);
    same(json("{\"result\":" + expected + "}"), A.rewriteResponse(get, A.decode(get), 200, json("{\"result\":" + point + "}"), o));
    // errors pass through untouched
    JsonNode err = json("{\"status\":{\"error\":\"Not found\"}}");
    HttpRequestView q = view("POST", "/collections/docs/points/query", "{}");
    assertEquals(err, A.rewriteResponse(q, A.decode(q), 404, err, o));
  }

  @Test
  void keysRevealingMaskedFieldsAreMaskedToo() {
    Obligations o = new Obligations(List.of(new FieldMask("email", List.of(), MaskMethod.HASH),
        new FieldMask("ssn", List.of(), MaskMethod.DROP)), false, List.of(), null, null, null);
    HttpRequestView facet = view("POST", "/collections/c/facet", "{\"key\":\"email\"}");
    JsonNode f = A.rewriteResponse(facet, A.decode(facet), 200, json("{\"result\":{\"hits\":[{\"value\":\"a@b.c\",\"count\":2}]}}"), o);
    assertTrue(f.at("/result/hits/0/value").asText().startsWith(ValueMasker.HASH_PREFIX));
    HttpRequestView dropped = view("POST", "/collections/c/facet", "{\"key\":\"ssn\"}");
    assertEquals(0, A.rewriteResponse(dropped, A.decode(dropped), 200,
        json("{\"result\":{\"hits\":[{\"value\":\"1\",\"count\":2}]}}"), o).at("/result/hits").size());
    HttpRequestView scroll = view("POST", "/collections/c/points/scroll", "{\"order_by\":{\"key\":\"ssn\"}}");
    assertFalse(A.rewriteResponse(scroll, A.decode(scroll), 200,
        json("{\"result\":{\"points\":[{\"id\":1,\"order_value\":5}]}}"), o).at("/result/points/0").has("order_value"));
    HttpRequestView groups = view("POST", "/collections/c/points/query/groups", "{\"query\":[0.1],\"group_by\":\"email\"}");
    JsonNode g = A.rewriteResponse(groups, A.decode(groups), 200, json("{\"result\":{\"groups\":[{\"id\":\"a@b.c\",\"hits\":[]}]}}"), o);
    assertTrue(g.at("/result/groups/0/id").asText().startsWith(ValueMasker.HASH_PREFIX));
    HttpRequestView byDropped = view("POST", "/collections/c/points/query/groups", "{\"query\":[0.1],\"group_by\":\"ssn\"}");
    assertEquals(QdrantAdapter.MASK_UNENFORCEABLE, assertThrows(ObligationException.class,
        () -> A.applyRequestObligations(byDropped, A.decode(byDropped), o)).code());
  }

  @Test
  void retrieveResponsesAreFilteredByTheRowFilter() {
    HttpRequestView r = view("POST", "/collections/docs/points", "{\"ids\":[1,2,3],\"with_payload\":[\"title\"]}");
    Operation op = A.decode(r);
    HttpRequestView fwd = A.applyRequestObligations(r, op, rowFilter(TENANT));
    same(json("true"), fwd.body().get("with_payload"), "the gateway needs the payload to check the rows");
    JsonNode upstream = json("{\"result\":[{\"id\":1,\"payload\":{\"tenant_id\":\"acme\",\"title\":\"a\"}},"
        + "{\"id\":2,\"payload\":{\"tenant_id\":\"other\",\"title\":\"b\"}},{\"id\":3,\"payload\":{\"title\":\"c\"}}],\"status\":\"ok\"}");
    JsonNode out = A.rewriteResponse(r, op, 200, upstream, rowFilter(TENANT));
    same(json("[{\"id\":1,\"payload\":{\"title\":\"a\"}}]"), out.get("result"));
    JsonNode viaForwarded = A.rewriteResponse(fwd, op, 200, upstream, rowFilter(TENANT));
    assertEquals(1, viaForwarded.get("result").size());
    assertEquals(1, viaForwarded.at("/result/0/id").asInt());
  }

  @Test
  void errorsLookLikeQdrantErrors() {
    Decision d = new Decision(false, List.of(new Reason("no_allow_rule", "nothing allows it")), Obligations.NONE, "dec-1", "r1");
    ErrorResponse e = A.denial(d, "denied by policy (decision dec-1): no_allow_rule: nothing allows it");
    assertEquals(403, e.status());
    assertTrue(e.body().at("/status/error").asText().startsWith("Forbidden: denied by policy (decision dec-1)"));
    assertEquals("dec-1", e.body().at("/result/decision_id").asText());
    assertEquals("no_allow_rule", e.body().at("/result/reasons/0/code").asText());
    ErrorResponse rej = A.rejection(400, "unknown_field", "`x` is unknown");
    assertEquals(400, rej.status());
    assertEquals("`x` is unknown", rej.body().at("/status/error").asText());
    assertEquals("unknown_field", rej.body().at("/result/reasons/0/code").asText());
  }

  /** JSON equality that ignores the Java type of numbers (IntNode vs LongNode). */
  static void same(JsonNode expected, JsonNode actual, String... msg) {
    assertEquals(expected.toString(), actual == null ? null : actual.toString(), msg.length > 0 ? msg[0] : null);
  }

  static List<JsonNode> list(JsonNode arr) {
    java.util.ArrayList<JsonNode> out = new java.util.ArrayList<>();
    arr.forEach(out::add);
    return out;
  }

  @Test
  void resultCountsChargeEveryPointOfEveryShape() {
    Operation search = A.decode(HttpViews.view("POST", "/collections/docs/points/query/batch",
        "{\"searches\":[{\"query\":[1,0],\"limit\":2},{\"query\":[0,1],\"limit\":2}]}"));
    var batch = A.resultCounts(search, HttpViews.json("{\"result\":[{\"points\":[{\"id\":1,\"score\":1,\"vector\":[1,0]},"
        + "{\"id\":2,\"score\":0.5}]},{\"points\":[{\"id\":3,\"score\":1}]}],\"status\":\"ok\"}"));
    assertEquals(3, batch.rows());
    assertEquals(1, batch.vectors());
    Operation scroll = A.decode(HttpViews.view("POST", "/collections/docs/points/scroll", "{\"limit\":10}"));
    var page = A.resultCounts(scroll, HttpViews.json("{\"result\":{\"points\":[{\"id\":1,\"vectors\":{\"a\":[1]}},"
        + "{\"id\":2}],\"next_page_offset\":null},\"status\":\"ok\"}"));
    assertEquals(2, page.rows());
    assertEquals(1, page.vectors());
    Operation groups = A.decode(HttpViews.view("POST", "/collections/docs/points/query/groups",
        "{\"query\":[1,0],\"group_by\":\"region\",\"limit\":2}"));
    var grouped = A.resultCounts(groups, HttpViews.json("{\"result\":{\"groups\":[{\"id\":\"eu\",\"hits\":[{\"id\":1},"
        + "{\"id\":2}]},{\"id\":\"us\",\"hits\":[{\"id\":3}]}]},\"status\":\"ok\"}"));
    assertEquals(3, grouped.rows());
    Operation count = A.decode(HttpViews.view("POST", "/collections/docs/points/count", "{}"));
    assertEquals(0, A.resultCounts(count, HttpViews.json("{\"result\":{\"count\":7},\"status\":\"ok\"}")).rows());
  }
}
