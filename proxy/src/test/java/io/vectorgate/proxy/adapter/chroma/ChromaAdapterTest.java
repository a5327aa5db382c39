package io.vectorgate.proxy.adapter.chroma;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vectorgate.model.Action;
import io.vectorgate.model.FieldMask;
import io.vectorgate.model.FilterOp;
import io.vectorgate.model.LimitCap;
import io.vectorgate.model.MaskMethod;
import io.vectorgate.model.Obligations;
import io.vectorgate.model.Operation;
import io.vectorgate.model.RowFilter;
import io.vectorgate.proxy.adapter.AdapterException;
import io.vectorgate.proxy.adapter.http.HttpRequestView;
import io.vectorgate.proxy.enforce.ObligationException;
import io.vectorgate.proxy.enforce.ValueMasker;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** The Chroma adapter on request/response shapes captured from chromadb 1.5.9 against chroma 1.5.9. */
class ChromaAdapterTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String ID = "a7df534d-1983-41a1-9e0d-79c59d3eae86";
  static final String P = "/api/v2/tenants/default_tenant/databases/default_database/collections";
  static final RowFilter ACME = new RowFilter("tenant_id", FilterOp.EQ, "acme");

  final ChromaAdapter adapter = newAdapter();

  static ChromaAdapter newAdapter() {
    ChromaAdapter a = new ChromaAdapter(new ValueMasker("k".repeat(16).getBytes(StandardCharsets.UTF_8)),
        new CollectionNames(16), (t, d, id) -> id.equals("0a1b2c3d-0000-4000-8000-00000000beef")
            ? Optional.of("looked_up") : Optional.empty(), ChromaPreReadTest.rows(Map.of()), 16);
    a.names().learn("default_tenant", "default_database", ID, "docs");
    return a;
  }

  static HttpRequestView req(String method, String path, String body) {
    try {
      List<String> segs = new ArrayList<>(Arrays.asList(path.substring(1).split("/")));
      return new HttpRequestView(method, path, segs, Map.of(), Map.of(), body == null ? null : JSON.readTree(body));
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  static Obligations ob(List<FieldMask> mask, boolean strip, List<RowFilter> rf, LimitCap cap) {
    return new Obligations(mask, strip, rf, cap, null, null);
  }

  @Test
  void getIsGetWithIdsAndQueryOtherwise() {
    Operation byIds = adapter.decode(req("POST", P + "/" + ID + "/get",
        "{\"ids\":[\"1\"],\"where\":null,\"limit\":null,\"offset\":null,\"where_document\":null,\"include\":[\"embeddings\"]}"));
    assertEquals(Action.GET, byIds.action());
    assertEquals("docs", byIds.resource().collection());
    assertTrue(byIds.vectorsRequested());
    assertEquals(1, byIds.counts().ids());
    Operation byWhere = adapter.decode(req("POST", P + "/" + ID + "/get",
        "{\"where\":{\"tenant_id\":\"acme\"},\"limit\":5,\"offset\":10}"));
    assertEquals(Action.QUERY, byWhere.action());
    assertEquals(Map.of("tenant_id", "acme"), byWhere.filter());
    assertEquals(5L, byWhere.limit());
    assertTrue(byWhere.paging());
    assertEquals(List.of("documents", "metadatas"), byWhere.outputFields());
  }

  /** The upstream of the get_or_create tests: collection {@code docs} exists, nothing else does. */
  static final List<String> ASKED = new ArrayList<>();

  static ChromaAdapter withDocs() {
    ASKED.clear();
    return ChromaPreReadTest.adapter((method, segments, query, body) -> {
      ASKED.add(method + " /" + String.join("/", segments));
      String last = segments.get(segments.size() - 1);
      return last.equals("docs")
          ? new io.vectorgate.proxy.enforce.JsonRowFilters.UpstreamReader.Reply(200,
              JSON.readTree("{\"id\":\"" + ID + "\",\"name\":\"docs\"}"))
          : last.equals("elsewhere")
              ? new io.vectorgate.proxy.enforce.JsonRowFilters.UpstreamReader.Reply(200,
                  JSON.readTree("{\"id\":\"" + ID + "\",\"name\":\"docs\"}"))
              : new io.vectorgate.proxy.enforce.JsonRowFilters.UpstreamReader.Reply(404,
                  JSON.readTree("{\"error\":\"NotFoundError\"}"));
    }, 16);
  }

  @Test
  void getOrCreateOfAnExistingCollectionIsDecidedAsDescribeAndForwardedAsAGet() {
    ChromaAdapter a = withDocs();
    HttpRequestView r = req("POST", P, "{\"name\":\"docs\",\"metadata\":null,\"get_or_create\":true}");
    Operation op = a.decode(r);
    assertEquals(Action.DESCRIBE, op.action());
    assertEquals("docs", op.resource().collection());
    assertEquals(true, op.attributes().get("collection_exists"));
    assertEquals(List.of("GET " + P + "/docs"), ASKED);
    HttpRequestView fwd = a.applyRequestObligations(r, op, Obligations.NONE);
    assertEquals("GET", fwd.method());
    assertEquals(P + "/docs", fwd.path());
    assertEquals(null, fwd.body());
  }

  @Test
  void getOrCreateOfAMissingCollectionIsACreateThatCannotTurnIntoAGet() {
    ChromaAdapter a = withDocs();
    HttpRequestView r = req("POST", P, "{\"name\":\"fresh\",\"metadata\":null,\"get_or_create\":true}");
    Operation op = a.decode(r);
    assertEquals(Action.CREATE_COLLECTION, op.action());
    assertEquals("fresh", op.resource().collection());
    assertEquals(null, op.attributes().get("collection_exists"));
    HttpRequestView fwd = a.applyRequestObligations(r, op, Obligations.NONE);
    assertEquals("POST", fwd.method());
    // created between the check and the forward: Chroma answers 409 rather than the collection
    assertEquals(false, fwd.body().get("get_or_create").booleanValue());
    // a plain create is not checked and not changed
    ASKED.clear();
    HttpRequestView plain = req("POST", P, "{\"name\":\"docs\",\"get_or_create\":false}");
    assertEquals(Action.CREATE_COLLECTION, a.decode(plain).action());
    assertEquals(List.of(), ASKED);
  }

  @Test
  void getOrCreateCountsAsExistingOnlyWhenTheUpstreamAnswersWithThatCollection() {
    // an upstream answer naming another collection (e.g. a path that resolved elsewhere) is not existence
    Operation op = withDocs().decode(req("POST", P, "{\"name\":\"elsewhere\",\"get_or_create\":true}"));
    assertEquals(Action.CREATE_COLLECTION, op.action());
    // no upstream to ask: decided as the create it asked for
    ChromaAdapter none = ChromaPreReadTest.adapter(io.vectorgate.proxy.enforce.JsonRowFilters.UpstreamReader.NONE, 16);
    assertEquals(Action.CREATE_COLLECTION, none.decode(req("POST", P, "{\"name\":\"docs\",\"get_or_create\":true}"))
        .action());
  }

  @Test
  void deleteWithoutIdsOrWhereIsDeleteAll() {
    assertEquals(Action.DELETE_ALL, adapter.decode(req("POST", P + "/" + ID + "/delete", "{}")).action());
    assertEquals(Action.DELETE_ALL, adapter.decode(req("POST", P + "/" + ID + "/delete",
        "{\"ids\":[],\"where\":{}}")).action());
    assertEquals(Action.DELETE_ALL, adapter.decode(req("POST", P + "/" + ID + "/delete",
        "{\"where_document\":{\"$contains\":\"a\"}}")).action());
    assertEquals(Action.DELETE, adapter.decode(req("POST", P + "/" + ID + "/delete", "{\"ids\":[\"3\"]}")).action());
    assertEquals(Action.DELETE, adapter.decode(req("POST", P + "/" + ID + "/delete",
        "{\"where\":{\"a\":1}}")).action());
  }

  @Test
  void collectionRoutes() {
    assertEquals(Action.CREATE_COLLECTION, adapter.decode(req("POST", P,
        "{\"name\":\"docs\",\"metadata\":null,\"configuration\":null,\"schema\":null,\"get_or_create\":false}")).action());
    Operation rename = adapter.decode(req("PUT", P + "/" + ID, "{\"new_name\":\"x\",\"new_metadata\":null}"));
    assertEquals(Action.RENAME_COLLECTION, rename.action());
    assertEquals("x", rename.attributes().get("new_name"));
    assertEquals(Action.DROP_COLLECTION, adapter.decode(req("DELETE", P + "/docs", null)).action());
    assertEquals(Action.LIST, adapter.decode(req("GET", P, null)).action());
    assertEquals("looked_up", adapter.decode(req("POST", P + "/0a1b2c3d-0000-4000-8000-00000000beef/get", "{}"))
        .resource().collection());
    AdapterException unknown = assertThrows(AdapterException.class,
        () -> adapter.decode(req("POST", P + "/0a1b2c3d-0000-4000-8000-00000000dead/get", "{}")));
    assertEquals("unknown_collection", unknown.code());
  }

  @Test
  void writesReportWrittenValuesAndCheckEmbeddings() {
    Operation add = adapter.decode(req("POST", P + "/" + ID + "/add", "{\"ids\":[\"1\",\"2\"],\"embeddings\":"
        + "[\"AACAPwAAAEAAAEBAAACAQA==\",[1,2,3,4]],\"metadatas\":[{\"tenant_id\":\"acme\"},{\"tenant_id\":\"globex\"}],"
        + "\"documents\":[\"a\",null],\"uris\":null}"));
    assertEquals(Action.INSERT, add.action());
    assertEquals(Map.of("tenant_id", List.of("acme", "globex")), add.attributes().get("written_values"));
    assertEquals(2, add.counts().rows());
    assertEquals(4, ChromaAdapter.decodeBase64Embedding("AACAPwAAAEAAAEBAAACAQA==").length);
    assertEquals(2.0f, ChromaAdapter.decodeBase64Embedding("AACAPwAAAEAAAEBAAACAQA==")[1]);
    for (String bad : List.of("[\"not base64!\"]", "[\"AAA=\"]", "[[1,\"x\"]]", "[[1,2]]")) {
      String body = "{\"ids\":[\"1\"],\"embeddings\":" + bad + "}";
      if (bad.equals("[[1,2]]")) {
        body = "{\"ids\":[\"1\",\"2\"],\"embeddings\":" + bad + "}";
      }
      String b = body;
      assertThrows(AdapterException.class, () -> adapter.decode(req("POST", P + "/" + ID + "/add", b)), bad);
    }
  }

  @Test
  void unknownFieldsQueryParamsAndIncludeValuesAreRefused() {
    AdapterException f = assertThrows(AdapterException.class,
        () -> adapter.decode(req("POST", P + "/" + ID + "/get", "{\"bogus\":1}")));
    assertEquals(AdapterException.UNKNOWN_FIELD, f.code());
    assertEquals("bogus", f.field());
    AdapterException inc = assertThrows(AdapterException.class,
        () -> adapter.decode(req("POST", P + "/" + ID + "/get", "{\"include\":[\"data\"]}")));
    assertEquals(AdapterException.UNKNOWN_ENUM_VALUE, inc.code());
    AdapterException s = assertThrows(AdapterException.class, () -> adapter.decode(req("POST", P + "/" + ID + "/search",
        "{\"searches\":[{\"filter\":null,\"skip_rls\":true}]}")));
    assertEquals("searches[0].skip_rls", s.field());
  }

  @Test
  void rowFilterWrapsWhereOfGetQueryDeleteAndEverySearch() throws Exception {
    Obligations o = ob(List.of(), false, List.of(ACME), null);
    HttpRequestView q = req("POST", P + "/" + ID + "/query", "{\"query_embeddings\":[[1,2]],\"n_results\":3,"
        + "\"where\":{\"$or\":[{\"tenant_id\":\"globex\"},{\"a\":1}]}}");
    JsonNode w = adapter.applyRequestObligations(q, adapter.decode(q), o).body().get("where");
    assertEquals(JSON.readTree("{\"$and\":[{\"$or\":[{\"tenant_id\":\"globex\"},{\"a\":1}]},"
        + "{\"tenant_id\":{\"$eq\":\"acme\"}}]}"), w);
    HttpRequestView d = req("POST", P + "/" + ID + "/delete", "{\"ids\":[\"1\"]}");
    assertEquals(JSON.readTree("{\"tenant_id\":{\"$eq\":\"acme\"}}"),
        adapter.applyRequestObligations(d, adapter.decode(d), o).body().get("where"));
    HttpRequestView s = req("POST", P + "/" + ID + "/search", "{\"searches\":[{\"filter\":{\"x\":1}},{\"limit\":"
        + "{\"limit\":5}}],\"read_level\":\"index_and_wal\"}");
    JsonNode ss = adapter.applyRequestObligations(s, adapter.decode(s), o).body().get("searches");
    assertEquals(JSON.readTree("{\"$and\":[{\"x\":1},{\"tenant_id\":{\"$eq\":\"acme\"}}]}"), ss.get(0).get("filter"));
    assertEquals(JSON.readTree("{\"tenant_id\":{\"$eq\":\"acme\"}}"), ss.get(1).get("filter"));
  }

  @Test
  void countUnderRowFilterBecomesFilteredGetAndAnswersANumber() {
    HttpRequestView c = req("GET", P + "/" + ID + "/count", null);
    Operation op = adapter.decode(c);
    assertEquals(Action.COUNT, op.action());
    HttpRequestView fwd = adapter.applyRequestObligations(c, op, ob(List.of(), false, List.of(ACME), null));
    assertEquals("POST", fwd.method());
    assertEquals("get", fwd.segments().get(fwd.segments().size() - 1));
    assertEquals(0, fwd.body().get("include").size());
    // the response is rewritten for the route decoded (count) and the decision, not for the route forwarded
    JsonNode n = adapter.rewriteResponse(adapter.route(c), fwd, op, 200, JSON.createObjectNode().set("ids",
        JSON.createArrayNode().add("2").add("4")), ob(List.of(), false, List.of(ACME), null),
        new io.vectorgate.proxy.enforce.ResponseTally());
    assertEquals(2, n.asInt());
  }

  @Test
  void writesMustSatisfyTheRowFilter() {
    Obligations o = ob(List.of(), false, List.of(ACME), null);
    HttpRequestView ok = req("POST", P + "/" + ID + "/upsert", "{\"ids\":[\"1\"],\"embeddings\":[[1]],"
        + "\"metadatas\":[{\"tenant_id\":\"acme\"}]}");
    adapter.applyRequestObligations(ok, adapter.decode(ok), o);
    for (String metas : List.of("[{\"tenant_id\":\"globex\"}]", "[{}]", "[null]", "null")) {
      HttpRequestView bad = req("POST", P + "/" + ID + "/upsert", "{\"ids\":[\"1\"],\"embeddings\":[[1]],"
          + "\"metadatas\":" + metas + "}");
      ObligationException e = assertThrows(ObligationException.class,
          () -> adapter.applyRequestObligations(bad, adapter.decode(bad), o), metas);
      assertEquals(ObligationException.ROW_FILTER_VIOLATION, e.code());
    }
  }

  @Test
  void limitCapsClampOrDeny() {
    HttpRequestView g = req("POST", P + "/" + ID + "/get", "{\"where\":{\"a\":1}}");
    assertEquals(50, adapter.applyRequestObligations(g, adapter.decode(g),
        ob(List.of(), false, List.of(), new LimitCap(50, LimitCap.CapMode.CLAMP))).body().get("limit").asInt());
    HttpRequestView q = req("POST", P + "/" + ID + "/query", "{\"query_embeddings\":[[1]],\"n_results\":500}");
    ObligationException e = assertThrows(ObligationException.class, () -> adapter.applyRequestObligations(q,
        adapter.decode(q), ob(List.of(), false, List.of(), new LimitCap(50, LimitCap.CapMode.DENY))));
    assertEquals(ObligationException.LIMIT_EXCEEDED, e.code());
    HttpRequestView s = req("POST", P + "/" + ID + "/search", "{\"searches\":[{},{\"limit\":{\"limit\":7}}]}");
    JsonNode ss = adapter.applyRequestObligations(s, adapter.decode(s),
        ob(List.of(), false, List.of(), new LimitCap(5, LimitCap.CapMode.CLAMP))).body().get("searches");
    assertEquals(5, ss.get(0).get("limit").get("limit").asInt());
    assertEquals(5, ss.get(1).get("limit").get("limit").asInt());
  }

  @Test
  void responsesAreMaskedAndStrippedInEveryShape() throws Exception {
    Obligations o = ob(List.of(new FieldMask("email", List.of(), MaskMethod.REDACT),
        new FieldMask("ssn", List.of(), MaskMethod.DROP), new FieldMask("document", List.of(), MaskMethod.PARTIAL)),
        true, List.of(), null);
    HttpRequestView q = req("POST", P + "/" + ID + "/query", "{\"query_embeddings\":[[1]],\"include\":[\"embeddings\","
        + "\"metadatas\",\"documents\"]}");
    HttpRequestView fwd = adapter.applyRequestObligations(q, adapter.decode(q), o);
    assertFalse(fwd.body().get("include").toString().contains("embeddings"));
    JsonNode resp = JSON.readTree("{\"ids\":[[\"1\",\"2\"]],\"embeddings\":[[[1.0],[2.0]]],\"documents\":[[\"secret doc\","
        + "null]],\"metadatas\":[[{\"email\":\"a@b.c\",\"ssn\":\"1\"},null]],\"distances\":[[0.1,0.2]],"
        + "\"include\":[\"embeddings\",\"metadatas\",\"documents\"]}");
    JsonNode out = adapter.rewriteResponse(fwd, adapter.decode(q), 200, resp, o);
    assertTrue(out.get("embeddings").isNull());
    assertEquals("[REDACTED]", out.get("metadatas").get(0).get(0).get("email").asText());
    assertFalse(out.get("metadatas").get(0).get(0).has("ssn"));
    assertTrue(out.get("metadatas").get(0).get(1).isNull());
    assertTrue(out.get("documents").get(0).get(0).asText().contains("***"));
    assertFalse(out.get("include").toString().contains("embeddings"));
    HttpRequestView g = req("POST", P + "/" + ID + "/get", "{\"ids\":[\"1\"]}");
    JsonNode got = adapter.rewriteResponse(g, adapter.decode(g), 200, JSON.readTree("{\"ids\":[\"1\"],"
        + "\"metadatas\":[{\"email\":\"a@b.c\"}],\"embeddings\":[[1.0]]}"), o);
    assertEquals("[REDACTED]", got.get("metadatas").get(0).get("email").asText());
    assertTrue(got.get("embeddings").isNull());
  }

  @Test
  void collectionResponsesTeachTheIdMap() throws Exception {
    ChromaAdapter a = newAdapter();
    HttpRequestView list = req("GET", P, null);
    a.rewriteResponse(list, a.decode(list), 200, JSON.readTree("[{\"id\":\"0A1B2C3D-0000-4000-8000-000000000001\","
        + "\"name\":\"kb_one\",\"tenant\":\"default_tenant\",\"database\":\"default_database\"}]"), Obligations.NONE);
    assertEquals("kb_one", a.decode(req("POST", P + "/0a1b2c3d-0000-4000-8000-000000000001/get", "{}"))
        .resource().collection());
    HttpRequestView del = req("DELETE", P + "/kb_one", null);
    a.rewriteResponse(del, a.decode(del), 200, JSON.readTree("{}"), Obligations.NONE);
    assertThrows(AdapterException.class, () -> a.decode(req("POST", P + "/0a1b2c3d-0000-4000-8000-000000000001/get",
        "{}")));
  }

  @Test
  void denialsLookLikeChromaErrors() {
    var d = adapter.denial(io.vectorgate.model.Decision.deny("no_allow_rule", "nothing allowed it")
        .withIdentity("dec-1", "r"), "denied by policy (decision dec-1): no_allow_rule: nothing allowed it");
    assertEquals(403, d.status());
    assertEquals("AuthorizationError", d.body().get("error").asText());
    assertEquals("dec-1", d.body().get("decision_id").asText());
    assertEquals("no_allow_rule", d.body().get("reasons").get(0).get("code").asText());
    assertEquals("AuthError", adapter.rejection(401, "expired_token", "x").body().get("error").asText());
    assertNull(adapter.rejection(400, "c", "m").body().get("reasons"));
  }

  @Provide
  Arbitrary<JsonNode> where() {
    Arbitrary<String> keys = Arbitraries.of("tenant_id", "$and", "$or", "$not", "a", "$eq", "$ne", "$in");
    Arbitrary<Object> leaf = Arbitraries.oneOf(Arbitraries.of("acme", "globex", "x"), Arbitraries.integers().between(-3, 3)
        .map(i -> (Object) i));
    return Arbitraries.recursive(() -> leaf.map(v -> (JsonNode) JSON.valueToTree(v)),
        inner -> Arbitraries.oneOf(
            Arbitraries.maps(keys, inner).ofMinSize(1).ofMaxSize(3).map(m -> (JsonNode) JSON.valueToTree(m)),
            inner.list().ofMinSize(1).ofMaxSize(3).map(l -> (JsonNode) JSON.valueToTree(l))), 1, 4)
        .filter(JsonNode::isObject);
  }

  /** Whatever where the client sends, the forwarded where is an $and whose last member is the row filter. */
  @Property(tries = 300)
  void noWhereEscapesTheRowFilter(@ForAll("where") JsonNode where) {
    var body = JSON.createObjectNode();
    body.set("where", where);
    body.putArray("ids").add("1");
    HttpRequestView g = new HttpRequestView("POST", P + "/" + ID + "/get",
        new ArrayList<>(Arrays.asList((P + "/" + ID + "/get").substring(1).split("/"))), Map.of(), Map.of(), body);
    JsonNode sent = adapter.applyRequestObligations(g, adapter.decode(g), ob(List.of(), false, List.of(ACME), null))
        .body().get("where");
    assertEquals(1, sent.size());
    JsonNode and = sent.get("$and");
    assertEquals(2, and.size(), sent.toString());
    assertEquals(where, and.get(0));
    assertEquals(JSON.valueToTree(Map.of("tenant_id", Map.of("$eq", "acme"))), and.get(1));
  }

  @Test
  void searchGroupByIsRefusedAndRankKeysAreFilterFields() {
    AdapterException e = assertThrows(AdapterException.class, () -> adapter.decode(req("POST", P + "/" + ID + "/search",
        "{\"searches\":[{\"group_by\":{\"keys\":[\"ssn\"]}}]}")));
    assertEquals(io.vectorgate.proxy.adapter.http.RouteFields.UNSUPPORTED_FIELD, e.code());
    assertTrue(e.getMessage().contains("searches[0].group_by"), e.getMessage());
    Operation op = adapter.decode(req("POST", P + "/" + ID + "/search", "{\"searches\":[{\"rank\":{\"$sum\":["
        + "{\"$knn\":{\"query\":[1.0],\"key\":\"#embedding\"}},{\"$knn\":{\"query\":{},\"key\":\"ssn_sparse\"}},"
        + "{\"$knn\":{\"query\":[1.0],\"key\":\"#document\"}}]}}]}"));
    assertEquals(List.of(java.util.Map.of("field", "document", "path", List.of()),
        java.util.Map.of("field", "ssn_sparse", "path", List.of())), op.attributes().get("filter_fields"));
  }
}
