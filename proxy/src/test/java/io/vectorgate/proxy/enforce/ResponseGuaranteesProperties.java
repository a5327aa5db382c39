package io.vectorgate.proxy.enforce;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorgate.model.FieldMask;
import io.vectorgate.model.FilterOp;
import io.vectorgate.model.LimitCap;
import io.vectorgate.model.MaskMethod;
import io.vectorgate.model.Obligations;
import io.vectorgate.model.RowFilter;
import io.vectorgate.proxy.adapter.http.HttpApiAdapter;
import io.vectorgate.proxy.adapter.http.HttpRequestView;
import io.vectorgate.proxy.adapter.qdrant.HttpViews;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * For random responses of every HTTP adapter's read routes, whatever the request asked and whatever
 * the upstream sent back, the rewritten response carries no vector when the decision strips them,
 * no original value of a masked field, no more rows per result list than the cap, and no row whose
 * row-filter field is outside the filter.
 */
class ResponseGuaranteesProperties {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CHROMA = "/api/v2/tenants/default_tenant/databases/default_database/collections/"
      + ObligationCorpusTest.CHROMA_ID;

  /** One generated row: its metadata / payload and its vector. */
  record Row(String id, String tenant, boolean tenantArray, String email, int age, List<Double> vector) {
    ObjectNode meta() {
      ObjectNode m = JSON.createObjectNode();
      if (tenant != null) {
        if (tenantArray) {
          m.putArray("tenant").add(tenant).add("zzz");
        } else {
          m.put("tenant", tenant);
        }
      }
      m.put("email", email).put("age", age).put("note", "n");
      return m;
    }

    ArrayNode vec() {
      ArrayNode a = JSON.createArrayNode();
      vector.forEach(a::add);
      return a;
    }
  }

  /** A decision's obligations for the response side (clamp caps: deny refusals are the corpus' job). */
  record Decision(boolean strip, List<FieldMask> masks, LimitCap cap, List<RowFilter> rf) {
    Obligations obligations() {
      return new Obligations(masks, strip, rf, cap, null, null);
    }
  }

  @Provide
  Arbitrary<List<Row>> rows() {
    Arbitrary<Row> row = Combinators.combine(
        Arbitraries.of("acme", "globex", "initech").injectNull(0.2),
        Arbitraries.of(true, false),
        Arbitraries.integers().between(0, 1_000_000),
        Arbitraries.doubles().between(0.01, 1).list().ofMinSize(1).ofMaxSize(4))
        .as((t, arr, n, v) -> new Row("r" + n, t, arr, "secret-" + n + "@example.com", 1000 + n, v));
    return row.list().ofMaxSize(8).uniqueElements(Row::id);
  }

  @Provide
  Arbitrary<Decision> decisions() {
    Arbitrary<FieldMask> mask = Combinators.combine(Arbitraries.of("email", "age"),
        Arbitraries.of(MaskMethod.class)).as((f, m) -> new FieldMask(f, List.of(), m));
    return Combinators.combine(Arbitraries.of(true, false), mask.list().ofMaxSize(2),
        Arbitraries.longs().between(0, 6).map(n -> new LimitCap(n, LimitCap.CapMode.CLAMP)).injectNull(0.3),
        Arbitraries.<List<RowFilter>>of(List.of(), List.of(new RowFilter("tenant", FilterOp.EQ, "acme")),
            List.of(new RowFilter("tenant", FilterOp.IN, List.of("acme", "initech")))))
        .as((s, m, c, r) -> new Decision(s, m, c, r));
  }

  private static JsonNode run(HttpApiAdapter adapter, HttpRequestView req, Decision d, JsonNode upstream) {
    var op = adapter.decode(req);
    HttpRequestView fwd = adapter.applyRequestObligations(req, op, d.obligations());
    return adapter.rewriteResponse(fwd, op, 200, upstream, d.obligations(), new ResponseTally());
  }

  /** The checks shared by every adapter, on one result list's metadata objects. */
  private static void checkRows(List<Row> sent, List<JsonNode> metas, Decision d, boolean fullMetadata) {
    if (d.cap() != null) {
      assertTrue(metas.size() <= d.cap().max(), metas.size() + " rows for a cap of " + d.cap().max());
    }
    RowFilterMatcher rf = RowFilterMatcher.of(d.rf());
    for (JsonNode m : metas) {
      if (!rf.isEmpty() && m != null && !m.isNull()) {
        assertFalse(fullMetadata ? !rf.matchesJson(m) : rf.violatedByJson(m), "row outside the filter: " + m);
      }
      for (FieldMask fm : d.masks()) {
        JsonNode v = m == null ? null : m.get(fm.field());
        for (Row r : sent) {
          Object original = fm.field().equals("email") ? r.email() : (Object) r.age();
          if (v != null) {
            assertNotEquals(String.valueOf(original), v.asText(), "unmasked " + fm + " in " + m);
          }
        }
        if (fm.method() == MaskMethod.DROP) {
          assertTrue(v == null, "dropped " + fm.field() + " present in " + m);
        }
      }
    }
  }

  private static void noSecret(JsonNode out, Decision d, List<Row> sent) {
    String text = out.toString();
    for (FieldMask fm : d.masks()) {
      if (fm.field().equals("email")) {
        for (Row r : sent) {
          assertFalse(text.contains(r.email()), "unmasked e-mail survived: " + r.email());
        }
      }
    }
  }

  @Property(tries = 300)
  void chroma(@ForAll("rows") List<Row> rows, @ForAll("decisions") Decision d, @ForAll boolean query,
      @ForAll boolean askEmbeddings) throws Exception {
    HttpApiAdapter chroma = ObligationCorpusTest.targets().get(0) instanceof ObligationCorpusTest.HttpTarget t
        ? t.adapter() : null;
    String include = askEmbeddings ? "[\"embeddings\",\"metadatas\",\"documents\"]" : "[\"metadatas\"]";
    HttpRequestView req = query
        ? HttpViews.view("POST", CHROMA + "/query", "{\"query_embeddings\":[[1.0]],\"n_results\":3,\"include\":" + include + "}")
        : HttpViews.view("POST", CHROMA + "/get", "{\"include\":" + include + "}");
    ObjectNode body = JSON.createObjectNode();
    ArrayNode ids = JSON.createArrayNode();
    ArrayNode metas = JSON.createArrayNode();
    ArrayNode embs = JSON.createArrayNode();
    ArrayNode docs = JSON.createArrayNode();
    for (Row r : rows) {
      ids.add(r.id());
      metas.add(r.meta());
      embs.add(r.vec());
      docs.add("doc of " + r.email());
    }
    body.set("ids", query ? JSON.createArrayNode().add(ids) : ids);
    body.set("metadatas", query ? JSON.createArrayNode().add(metas) : metas);
    body.set("embeddings", query ? JSON.createArrayNode().add(embs) : embs); // the upstream sends them regardless
    body.set("documents", query ? JSON.createArrayNode().add(docs) : docs);
    JsonNode out = run(chroma, req, d, body);
    if (d.strip()) {
      assertTrue(out.get("embeddings").isNull(), "embeddings survived: " + out.get("embeddings"));
    }
    JsonNode outMetas = query ? out.get("metadatas").get(0) : out.get("metadatas");
    List<JsonNode> ms = new ArrayList<>();
    outMetas.forEach(ms::add);
    JsonNode outIds = query ? out.get("ids").get(0) : out.get("ids");
    assertTrue(outIds.size() == ms.size(), "ids and metadatas disagree: " + out);
    checkRows(rows, ms, d, true);
    noSecret(JSON.createObjectNode().set("m", outMetas), d, rows);
  }

  @Property(tries = 300)
  void qdrant(@ForAll("rows") List<Row> rows, @ForAll("decisions") Decision d, @ForAll boolean named,
      @ForAll boolean askVectors, @ForAll boolean scroll) throws Exception {
    HttpApiAdapter qdrant = ((ObligationCorpusTest.HttpTarget) ObligationCorpusTest.targets().get(1)).adapter();
    String withVector = ",\"with_vector\":" + askVectors + ",\"with_payload\":true";
    HttpRequestView req = scroll
        ? HttpViews.view("POST", "/collections/docs/points/scroll", "{\"limit\":3" + withVector + "}")
        : HttpViews.view("POST", "/collections/docs/points/query", "{\"query\":[0.5],\"limit\":3" + withVector + "}");
    ArrayNode points = JSON.createArrayNode();
    for (Row r : rows) {
      ObjectNode p = points.addObject().put("id", r.id()).put("score", 0.5);
      p.set("payload", r.meta());
      if (named) {
        ObjectNode v = p.putObject("vector");
        v.set("dense", r.vec());
        ObjectNode sparse = v.putObject("sparse");
        sparse.putArray("indices").add(1);
        sparse.set("values", r.vec());
      } else {
        p.set("vector", r.vec());
      }
    }
    ObjectNode body = JSON.createObjectNode().put("status", "ok").put("time", 0);
    body.putObject("result").set("points", points);
    JsonNode out = run(qdrant, req, d, body);
    List<JsonNode> ms = new ArrayList<>();
    for (JsonNode p : out.get("result").get("points")) {
      ms.add(p.get("payload"));
      if (d.strip()) {
        assertFalse(p.has("vector") || p.has("vectors"), "vector survived: " + p);
      }
    }
    checkRows(rows, ms, d, false);
    noSecret(out, d, rows);
  }

  @Property(tries = 300)
  void pinecone(@ForAll("rows") List<Row> rows, @ForAll("decisions") Decision d, @ForAll boolean fetch,
      @ForAll boolean sparse) throws Exception {
    HttpApiAdapter pinecone = ((ObligationCorpusTest.HttpTarget) ObligationCorpusTest.targets().get(2)).adapter();
    ObjectNode body = JSON.createObjectNode().put("namespace", "acme");
    HttpRequestView req;
    if (fetch) {
      StringBuilder q = new StringBuilder("/vectors/fetch?namespace=acme");
      rows.forEach(r -> q.append("&ids=").append(r.id()));
      req = HttpViews.view("GET", rows.isEmpty() ? q + "&ids=none" : q.toString(), null);
      ObjectNode vectors = body.putObject("vectors");
      rows.forEach(r -> record(vectors.putObject(r.id()), r, sparse));
    } else {
      req = HttpViews.view("POST", "/query", "{\"vector\":[0.5],\"topK\":3,\"includeValues\":true,"
          + "\"includeMetadata\":true,\"namespace\":\"acme\"}");
      ArrayNode matches = body.putArray("matches");
      rows.forEach(r -> record(matches.addObject(), r, sparse).put("score", 0.5));
    }
    JsonNode out = run(pinecone, req, d, body);
    List<JsonNode> recs = new ArrayList<>();
    (fetch ? out.get("vectors") : out.get("matches")).forEach(recs::add);
    List<JsonNode> ms = new ArrayList<>();
    for (JsonNode r : recs) {
      ms.add(r.get("metadata"));
      if (d.strip()) {
        for (JsonNode x : r.path("values")) {
          assertTrue(x.asDouble() == 0.0, "vector value survived: " + r);
        }
        for (JsonNode x : r.path("sparseValues").path("values")) {
          assertTrue(x.asDouble() == 0.0, "sparse value survived: " + r);
        }
      }
    }
    checkRows(rows, ms, d, true);
    noSecret(out, d, rows);
  }

  private static ObjectNode record(ObjectNode rec, Row r, boolean sparse) {
    rec.put("id", r.id());
    rec.set("values", sparse ? JSON.createArrayNode() : r.vec());
    if (sparse) {
      ObjectNode s = rec.putObject("sparseValues");
      s.putArray("indices").add(0);
      s.set("values", r.vec());
    }
    rec.set("metadata", r.meta());
    return rec;
  }

}
