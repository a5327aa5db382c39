package io.vectorgate.proxy.adapter.milvus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.milvus.grpc.DeleteRequest;
import io.milvus.grpc.DropCollectionRequest;
import io.milvus.grpc.GetCollectionStatisticsRequest;
import io.milvus.grpc.HybridSearchRequest;
import io.milvus.grpc.InsertRequest;
import io.milvus.grpc.KeyValuePair;
import io.milvus.grpc.QueryRequest;
import io.milvus.grpc.SearchRequest;
import io.milvus.grpc.SubSearchRequest;
import io.milvus.grpc.UpsertRequest;
import io.vectorgate.model.FilterOp;
import io.vectorgate.model.LimitCap;
import io.vectorgate.model.Obligations;
import io.vectorgate.model.RowFilter;
import io.vectorgate.proxy.enforce.ObligationException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RequestObligationsTest {
  private final MilvusAdapter adapter = MilvusFixtures.adapter();

  static Obligations rowFilter(RowFilter... filters) {
    return new Obligations(List.of(), false, List.of(filters), null, null, null);
  }

  static Obligations cap(long max, LimitCap.CapMode mode) {
    return new Obligations(List.of(), false, List.of(), new LimitCap(max, mode), null, null);
  }

  static String param(List<KeyValuePair> params, String key) {
    return params.stream().filter(p -> p.getKey().equals(key)).map(KeyValuePair::getValue).findFirst().orElse(null);
  }

  @Test
  void noObligationsReturnsTheSameMessage() {
    SearchRequest r = MilvusFixtures.load("search_basic", SearchRequest.getDefaultInstance());
    assertSame(r, adapter.applyRequestObligations("Search", r, Obligations.NONE));
  }

  @Test
  void searchRowFilterIsAndedAndBoundAsTemplates() {
    SearchRequest r = MilvusFixtures.load("search_basic", SearchRequest.getDefaultInstance());
    SearchRequest out = (SearchRequest) adapter.applyRequestObligations("Search", r,
        rowFilter(new RowFilter("tenant", FilterOp.EQ, "acme"), new RowFilter("region", FilterOp.IN, List.of("eu", "us"))));
    assertEquals("(tenant == \"acme\" and year > 2020) and (tenant == {vg_rf_0} and region in {vg_rf_1})", out.getDsl());
    assertEquals("acme", out.getExprTemplateValuesOrThrow("vg_rf_0").getStringVal());
    assertEquals(List.of("eu", "us"), out.getExprTemplateValuesOrThrow("vg_rf_1").getArrayVal().getStringData().getDataList());
    assertEquals(r.getSearchParamsList(), out.getSearchParamsList());
  }

  @Test
  void emptyOriginalBecomesTheRowFilterAlone() {
    SearchRequest r = MilvusFixtures.load("search_iterator", SearchRequest.getDefaultInstance());
    SearchRequest out = (SearchRequest) adapter.applyRequestObligations("Search", r,
        rowFilter(new RowFilter("tenant_id", FilterOp.EQ, 7)));
    assertEquals("tenant_id == {vg_rf_0}", out.getDsl());
    assertEquals(7L, out.getExprTemplateValuesOrThrow("vg_rf_0").getInt64Val());
  }

  @Test
  void clientTemplatesAreKeptNextToTheGatewaysOwn() {
    SearchRequest r = MilvusFixtures.load("search_templated", SearchRequest.getDefaultInstance());
    SearchRequest out = (SearchRequest) adapter.applyRequestObligations("Search", r,
        rowFilter(new RowFilter("tenant", FilterOp.NE, "x")));
    assertEquals("(year > {min_year}) and (tenant != {vg_rf_0})", out.getDsl());
    assertEquals(2020L, out.getExprTemplateValuesOrThrow("min_year").getInt64Val());
    assertEquals("x", out.getExprTemplateValuesOrThrow("vg_rf_0").getStringVal());
  }

  @Test
  void hybridSearchFiltersEverySubRequestAndCapsEveryLimit() {
    HybridSearchRequest r = MilvusFixtures.load("hybrid_search", HybridSearchRequest.getDefaultInstance());
    Obligations o = new Obligations(List.of(), false, List.of(new RowFilter("tenant", FilterOp.EQ, "acme")),
        new LimitCap(8, LimitCap.CapMode.CLAMP), null, null);
    HybridSearchRequest out = (HybridSearchRequest) adapter.applyRequestObligations("HybridSearch", r, o);
    assertEquals("(tenant == \"acme\") and (tenant == {vg_rf_0})", out.getRequests(0).getDsl());
    assertEquals("tenant == {vg_rf_0}", out.getRequests(1).getDsl());
    assertEquals("7", param(out.getRequests(0).getSearchParamsList(), "topk"));
    assertEquals("8", param(out.getRequests(1).getSearchParamsList(), "topk"));
    assertEquals("8", param(out.getRankParamsList(), "limit"));
  }

  @Test
  void searchSubRequestsAreFilteredToo() {
    SearchRequest r = SearchRequest.newBuilder().setCollectionName("docs").setDsl("a > 1")
        .addSubReqs(SubSearchRequest.newBuilder().setDsl("b < 2")
            .addSearchParams(KeyValuePair.newBuilder().setKey("topk").setValue("500")))
        .build();
    Obligations o = new Obligations(List.of(), false, List.of(new RowFilter("tenant", FilterOp.EQ, "t")),
        new LimitCap(100, LimitCap.CapMode.CLAMP), null, null);
    SearchRequest out = (SearchRequest) adapter.applyRequestObligations("Search", r, o);
    assertEquals("(b < 2) and (tenant == {vg_rf_0})", out.getSubReqs(0).getDsl());
    assertEquals("t", out.getSubReqs(0).getExprTemplateValuesOrThrow("vg_rf_0").getStringVal());
    assertEquals("100", param(out.getSubReqs(0).getSearchParamsList(), "topk"));
  }

  @Test
  void queryAndDeleteFilters() {
    QueryRequest q = MilvusFixtures.load("query_filter", QueryRequest.getDefaultInstance());
    QueryRequest qo = (QueryRequest) adapter.applyRequestObligations("Query", q, rowFilter(new RowFilter("tenant", FilterOp.EQ, "acme")));
    assertEquals("(tenant in [\"a\", \"b\"] and title like \"x%\") and (tenant == {vg_rf_0})", qo.getExpr());
    DeleteRequest d = MilvusFixtures.load("delete_ids", DeleteRequest.getDefaultInstance());
    DeleteRequest dout = (DeleteRequest) adapter.applyRequestObligations("Delete", d,
        rowFilter(new RowFilter("tenant", FilterOp.NOT_IN, List.of("x", "y"))));
    assertEquals("(id in [4,5]) and (tenant not in {vg_rf_0})", dout.getExpr());
  }

  @Test
  void literalBindingForUpstreamsWithoutTemplates() {
    MilvusAdapter literal = MilvusFixtures.adapter(RowFilterBinding.LITERAL);
    QueryRequest q = MilvusFixtures.load("query_filter", QueryRequest.getDefaultInstance());
    QueryRequest out = (QueryRequest) literal.applyRequestObligations("Query", q,
        rowFilter(new RowFilter("tenant", FilterOp.EQ, "a\"b\\c"), new RowFilter("level", FilterOp.IN, List.of(1, 2))));
    assertEquals("(tenant in [\"a\", \"b\"] and title like \"x%\") and (tenant == \"a\\\"b\\\\c\" and level in [1, 2])", out.getExpr());
    assertTrue(out.getExprTemplateValuesMap().isEmpty());
  }

  @Test
  void limitCapClampsOrDenies() {
    SearchRequest s = MilvusFixtures.load("search_basic", SearchRequest.getDefaultInstance());
    SearchRequest clamped = (SearchRequest) adapter.applyRequestObligations("Search", s, cap(3, LimitCap.CapMode.CLAMP));
    assertEquals("3", param(clamped.getSearchParamsList(), "topk"));
    SearchRequest under = (SearchRequest) adapter.applyRequestObligations("Search", s, cap(50, LimitCap.CapMode.DENY));
    assertEquals("10", param(under.getSearchParamsList(), "topk"));
    ObligationException e = assertThrows(ObligationException.class,
        () -> adapter.applyRequestObligations("Search", s, cap(3, LimitCap.CapMode.DENY)));
    assertEquals("limit_exceeded", e.code());

    SearchRequest iter = MilvusFixtures.load("search_iterator", SearchRequest.getDefaultInstance());
    SearchRequest iterOut = (SearchRequest) adapter.applyRequestObligations("Search", iter, cap(20, LimitCap.CapMode.CLAMP));
    assertEquals("20", param(iterOut.getSearchParamsList(), "topk"));
    assertEquals("20", param(iterOut.getSearchParamsList(), "search_iter_batch_size"));

    QueryRequest noLimit = MilvusFixtures.load("query_no_limit", QueryRequest.getDefaultInstance());
    QueryRequest limited = (QueryRequest) adapter.applyRequestObligations("Query", noLimit, cap(25, LimitCap.CapMode.CLAMP));
    assertEquals("25", param(limited.getQueryParamsList(), "limit"), "an unbounded query gets the cap as its limit");
    QueryRequest iterQ = MilvusFixtures.load("query_iterator", QueryRequest.getDefaultInstance());
    QueryRequest iterQOut = (QueryRequest) adapter.applyRequestObligations("Query", iterQ, cap(100, LimitCap.CapMode.CLAMP));
    assertEquals("100", param(iterQOut.getQueryParamsList(), "limit"), "each iterator page honours the cap");
    QueryRequest count = MilvusFixtures.load("query_count", QueryRequest.getDefaultInstance());
    assertEquals(count, adapter.applyRequestObligations("Query", count, cap(1, LimitCap.CapMode.DENY)));
  }

  @Test
  void theCapFollowsTheSharedLimitBehaviour() {
    SearchRequest s = MilvusFixtures.load("search_basic", SearchRequest.getDefaultInstance());
    // a value within the cap stays, written in canonical decimal (Milvus reads `010` as octal 8)
    SearchRequest octal = s.toBuilder().clearSearchParams().addAllSearchParams(
        KvParams.replace(s.getSearchParamsList(), "topk", "010")).build();
    SearchRequest out = (SearchRequest) adapter.applyRequestObligations("Search", octal, cap(50, LimitCap.CapMode.DENY));
    assertEquals("10", param(out.getSearchParamsList(), "topk"));
    // Milvus refuses a search without topk: nothing is added (the request asks for nothing over the cap)
    SearchRequest noTopk = s.toBuilder().clearSearchParams().addAllSearchParams(s.getSearchParamsList().stream()
        .filter(p -> !p.getKey().equals("topk")).toList()).build();
    SearchRequest noTopkOut = (SearchRequest) adapter.applyRequestObligations("Search", noTopk, cap(5, LimitCap.CapMode.CLAMP));
    assertEquals(null, param(noTopkOut.getSearchParamsList(), "topk"));
    // a query without a limit is unbounded: set to the cap in deny mode too
    QueryRequest noLimit = MilvusFixtures.load("query_no_limit", QueryRequest.getDefaultInstance());
    QueryRequest limited = (QueryRequest) adapter.applyRequestObligations("Query", noLimit, cap(7, LimitCap.CapMode.DENY));
    assertEquals("7", param(limited.getQueryParamsList(), "limit"));
    ObligationException e = assertThrows(ObligationException.class, () -> adapter.applyRequestObligations("Query",
        noLimit.toBuilder().addQueryParams(KeyValuePair.newBuilder().setKey("limit").setValue("8")).build(),
        cap(7, LimitCap.CapMode.DENY)));
    assertEquals("limit_exceeded", e.code());
    assertTrue(e.getMessage().contains("query_params.limit"), e.getMessage());
  }

  @Test
  void anArrayValueSatisfiesNoConditionOnWrites() {
    // Milvus's `f == v` / `f in [..]` never select an array, so a written array is outside the filter
    InsertRequest rows = MilvusFixtures.load("insert_rows", InsertRequest.getDefaultInstance()); // 3 rows
    String eu = "{\"region\": \"eu\"}";
    InsertRequest allEu = withMeta(rows, eu, eu, eu);
    assertSame(allEu, adapter.applyRequestObligations("Insert", allEu, rowFilter(new RowFilter("region", FilterOp.EQ, "eu"))));
    InsertRequest withMeta = withMeta(rows, eu, "{\"region\": [\"eu\"]}", eu);
    for (FilterOp op : FilterOp.values()) {
      // conditions rows 0 and 2 ("eu") satisfy; row 1 (["eu"]) satisfies none of them
      Object value = switch (op) {
        case EQ -> "eu";
        case IN -> List.of("eu");
        case NE -> "us";
        case NOT_IN -> List.of("us");
      };
      ObligationException e = assertThrows(ObligationException.class, () -> adapter.applyRequestObligations("Insert",
          withMeta, rowFilter(new RowFilter("region", op, value))));
      assertEquals("row_filter_violation", e.code());
      assertTrue(e.getMessage().contains("row 1"), op + ": " + e.getMessage());
    }
  }

  /** The request with its dynamic column replaced by one holding {@code docs}. */
  private static InsertRequest withMeta(InsertRequest r, String... docs) {
    io.milvus.grpc.JSONArray.Builder j = io.milvus.grpc.JSONArray.newBuilder();
    for (String d : docs) {
      j.addData(com.google.protobuf.ByteString.copyFromUtf8(d));
    }
    io.milvus.grpc.FieldData meta = io.milvus.grpc.FieldData.newBuilder().setFieldName("$meta").setIsDynamic(true)
        .setType(io.milvus.grpc.DataType.JSON).setScalars(io.milvus.grpc.ScalarField.newBuilder().setJsonData(j)).build();
    return r.toBuilder().clearFieldsData().addAllFieldsData(r.getFieldsDataList().stream()
        .filter(fd -> !Columns.isDynamic(fd)).toList()).addFieldsData(meta).build();
  }

  @Test
  void writesMustSatisfyTheRowFilter() {
    InsertRequest mixed = MilvusFixtures.load("insert_rows", InsertRequest.getDefaultInstance()); // acme, acme, globex
    ObligationException e = assertThrows(ObligationException.class, () -> adapter.applyRequestObligations("Insert", mixed,
        rowFilter(new RowFilter("tenant", FilterOp.EQ, "acme"))));
    assertEquals("row_filter_violation", e.code());
    assertTrue(e.getMessage().contains("row 2"), e.getMessage());
    assertSame(mixed, adapter.applyRequestObligations("Insert", mixed,
        rowFilter(new RowFilter("tenant", FilterOp.IN, List.of("acme", "globex")))));

    // upserts: the written rows are checked first; rows that pass then need the pre-read of the
    // rows they address, which an adapter without a row reader cannot do (MilvusUpsertPreReadTest
    // reads them from Milvus Lite)
    UpsertRequest acme = MilvusFixtures.load("upsert_rows", UpsertRequest.getDefaultInstance());
    assertUnverifiable(() -> adapter.applyRequestObligations("Upsert", acme, rowFilter(new RowFilter("tenant", FilterOp.EQ, "acme"))));
    // a dynamic key is checked inside $meta
    assertUnverifiable(() -> adapter.applyRequestObligations("Upsert", acme,
        rowFilter(new RowFilter("color", FilterOp.IN, List.of("c0", "c1")))));
    ObligationException dyn = assertThrows(ObligationException.class, () -> adapter.applyRequestObligations("Upsert", acme,
        rowFilter(new RowFilter("color", FilterOp.EQ, "c0"))));
    assertEquals("row_filter_violation", dyn.code());
    ObligationException missing = assertThrows(ObligationException.class, () -> adapter.applyRequestObligations("Upsert", acme,
        rowFilter(new RowFilter("owner", FilterOp.EQ, "me"))));
    assertEquals("row_filter_violation", missing.code());
    // numbers compare by value across Integer/Long
    assertUnverifiable(() -> adapter.applyRequestObligations("Upsert", acme, rowFilter(new RowFilter("id", FilterOp.IN, List.of(0, 1)))));
    ObligationException num = assertThrows(ObligationException.class, () -> adapter.applyRequestObligations("Upsert", acme,
        rowFilter(new RowFilter("id", FilterOp.IN, List.of(0)))));
    assertEquals("row_filter_violation", num.code());
    // without a row filter an upsert needs no pre-read
    assertSame(acme, adapter.applyRequestObligations("Upsert", acme, Obligations.NONE));
  }

  private static void assertUnverifiable(org.junit.jupiter.api.function.Executable call) {
    ObligationException e = assertThrows(ObligationException.class, call);
    assertEquals("row_filter_unverifiable", e.code());
    assertTrue(e.getMessage().contains("upsert into `docs`") && e.getMessage().contains("no way to read the addressed rows"),
        e.getMessage());
  }

  @Test
  void rowFilterOnAnRpcWithoutAFilterIsUnenforceable() {
    Obligations o = rowFilter(new RowFilter("tenant", FilterOp.EQ, "acme"));
    for (var entry : Map.of(
        "GetCollectionStatistics", (com.google.protobuf.Message) GetCollectionStatisticsRequest.newBuilder().setCollectionName("docs").build(),
        "DropCollection", DropCollectionRequest.newBuilder().setCollectionName("docs").build()).entrySet()) {
      ObligationException e = assertThrows(ObligationException.class,
          () -> adapter.applyRequestObligations(entry.getKey(), entry.getValue(), o));
      assertEquals("row_filter_unenforceable", e.code());
    }
    // a limit cap alone on such an RPC changes nothing
    DropCollectionRequest drop = DropCollectionRequest.newBuilder().setCollectionName("docs").build();
    assertSame(drop, adapter.applyRequestObligations("DropCollection", drop, cap(1, LimitCap.CapMode.DENY)));
  }

  @Test
  void badRowFiltersAreUnenforceable() {
    QueryRequest q = MilvusFixtures.load("query_filter", QueryRequest.getDefaultInstance());
    for (RowFilter bad : List.of(
        new RowFilter("tenant) or (1", FilterOp.EQ, "x"),
        new RowFilter("or", FilterOp.EQ, "x"),
        new RowFilter("tenant", FilterOp.EQ, List.of("a")),
        new RowFilter("tenant", FilterOp.IN, List.of("a", 1)),
        new RowFilter("tenant", FilterOp.EQ, null),
        new RowFilter("tenant", FilterOp.EQ, Map.of("a", 1)))) {
      ObligationException e = assertThrows(ObligationException.class,
          () -> adapter.applyRequestObligations("Query", q, rowFilter(bad)), bad.toString());
      assertEquals("row_filter_unenforceable", e.code());
    }
  }
}
