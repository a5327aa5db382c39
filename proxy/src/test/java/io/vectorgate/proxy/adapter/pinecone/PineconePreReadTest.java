package io.vectorgate.proxy.adapter.pinecone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorgate.model.FilterOp;
import io.vectorgate.model.Obligations;
import io.vectorgate.model.RowFilter;
import io.vectorgate.proxy.adapter.http.HttpRequestView;
import io.vectorgate.proxy.adapter.qdrant.HttpViews;
import io.vectorgate.proxy.enforce.JsonRowFilters;
import io.vectorgate.proxy.enforce.JsonRowFilters.UpstreamReader;
import io.vectorgate.proxy.enforce.ObligationException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The pre-read of row-filtered upserts: the records an upsert replaces must be the caller's. The
 * reader answers {@code GET /vectors/fetch} from an in-memory table in the spec's shape (the
 * end-to-end test runs the same path through the SDK and {@code PineconeFake}).
 */
class PineconePreReadTest {
  static final Obligations UNDER_ACME = new Obligations(List.of(), false,
      List.of(new RowFilter("tenant_id", FilterOp.EQ, "acme")), null, null, null);

  static UpstreamReader table(Map<String, JsonNode> records, List<Map<String, List<String>>> asked) {
    return (method, segments, query, body) -> {
      assertEquals("GET", method);
      assertEquals(List.of("vectors", "fetch"), segments);
      asked.add(query);
      ObjectNode out = HttpViews.JSON.createObjectNode();
      ObjectNode vectors = out.putObject("vectors");
      for (String id : query.get("ids")) {
        if (records.containsKey(id)) {
          vectors.putObject(id).put("id", id).set("metadata", records.get(id));
        }
      }
      out.put("namespace", query.get("namespace").get(0));
      return new UpstreamReader.Reply(200, out);
    };
  }

  static HttpRequestView upsert(int n, String... extra) {
    StringBuilder sb = new StringBuilder("{\"namespace\":\"ns\",\"vectors\":[");
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add("n" + i);
    }
    ids.addAll(List.of(extra));
    for (int i = 0; i < ids.size(); i++) {
      sb.append(i == 0 ? "" : ",").append("{\"id\":\"").append(ids.get(i))
          .append("\",\"values\":[1],\"metadata\":{\"tenant_id\":\"acme\"}}");
    }
    return HttpViews.view("POST", "/vectors/upsert", sb.append("]}").toString());
  }

  @Test
  void anotherTenantsRecordIsFoundAcrossBatches() {
    List<Map<String, List<String>>> asked = new ArrayList<>();
    PineconeAdapter a = new PineconeAdapter("docs", HttpViews.masker(), table(Map.of(
        "theirs", HttpViews.json("{\"tenant_id\":\"globex\",\"email\":\"x@globex\"}"),
        "mine", HttpViews.json("{\"tenant_id\":\"acme\"}")), asked), 1000);
    HttpRequestView r = upsert(250, "mine", "theirs");
    ObligationException e = assertThrows(ObligationException.class,
        () -> a.applyRequestObligations(r, a.decode(r), UNDER_ACME));
    assertEquals(ObligationException.ROW_FILTER_VIOLATION, e.code());
    assertTrue(e.getMessage().contains("index `docs` namespace `ns`") && e.getMessage().contains("1 existing"),
        e.getMessage());
    assertFalse(e.getMessage().contains("globex"), e.getMessage());
    assertEquals(3, asked.size());
    asked.forEach(q -> {
      assertTrue(q.get("ids").size() <= PineconeAdapter.FETCH_BATCH);
      assertEquals(List.of("ns"), q.get("namespace"));
    });
  }

  @Test
  void ownAndNewRecordsPass() {
    PineconeAdapter a = new PineconeAdapter("docs", HttpViews.masker(), table(Map.of(
        "mine", HttpViews.json("{\"tenant_id\":\"acme\"}")), new ArrayList<>()), 1000);
    HttpRequestView r = upsert(3, "mine");
    assertEquals(4, a.applyRequestObligations(r, a.decode(r), UNDER_ACME).body().get("vectors").size());
  }

  @Test
  void recordsWithoutMetadataAreOutside() {
    PineconeAdapter a = new PineconeAdapter("docs", HttpViews.masker(), table(Map.of(
        "bare", HttpViews.JSON.nullNode()), new ArrayList<>()), 1000);
    HttpRequestView r = upsert(0, "bare");
    assertEquals(ObligationException.ROW_FILTER_VIOLATION, assertThrows(ObligationException.class,
        () -> a.applyRequestObligations(r, a.decode(r), UNDER_ACME)).code());
  }

  @Test
  void failingOrOddFetchesAndTooManyIdsFailClosed() {
    Map<String, UpstreamReader> broken = new LinkedHashMap<>();
    broken.put("io", (m, s, q, b) -> {
      throw new IOException("upstream `docs` is unavailable");
    });
    broken.put("404", (m, s, q, b) -> new UpstreamReader.Reply(404, HttpViews.json("{\"code\":5}")));
    broken.put("no vectors", (m, s, q, b) -> new UpstreamReader.Reply(200, HttpViews.json("{\"namespace\":\"ns\"}")));
    broken.put("vectors array", (m, s, q, b) -> new UpstreamReader.Reply(200, HttpViews.json("{\"vectors\":[]}")));
    broken.put("unasked", (m, s, q, b) -> new UpstreamReader.Reply(200,
        HttpViews.json("{\"vectors\":{\"zzz\":{\"metadata\":{\"tenant_id\":\"acme\"}}}}")));
    broken.put("none", UpstreamReader.NONE);
    broken.forEach((name, reader) -> {
      PineconeAdapter a = new PineconeAdapter("docs", HttpViews.masker(), reader, 1000);
      HttpRequestView r = upsert(2);
      ObligationException e = assertThrows(ObligationException.class,
          () -> a.applyRequestObligations(r, a.decode(r), UNDER_ACME), name);
      assertEquals(ObligationException.ROW_FILTER_UNVERIFIABLE, e.code(), name);
      assertTrue(e.getMessage().contains("index `docs`"), e.getMessage());
      if (name.equals("io")) {
        assertNotNull(e.getCause());
      }
    });
    PineconeAdapter capped = new PineconeAdapter("docs", HttpViews.masker(), (m, s, q, b) -> {
      throw new AssertionError("over the cap: nothing is fetched");
    }, 5);
    HttpRequestView r = upsert(6);
    ObligationException e = assertThrows(ObligationException.class,
        () -> capped.applyRequestObligations(r, capped.decode(r), UNDER_ACME));
    assertEquals(ObligationException.ROW_FILTER_UNVERIFIABLE, e.code());
    assertTrue(e.getMessage().contains("6 ids") && e.getMessage().contains("at most 5"), e.getMessage());
  }

  @Test
  void noRowFilterNoFetch() {
    PineconeAdapter a = new PineconeAdapter("docs", HttpViews.masker(), (m, s, q, b) -> {
      throw new AssertionError("no pre-read without a row filter");
    }, 1);
    HttpRequestView r = upsert(3);
    assertEquals(3, a.applyRequestObligations(r, a.decode(r), Obligations.NONE).body().get("vectors").size());
  }

  static HttpRequestView updateById(String id, String setMetadata) {
    return HttpViews.view("POST", "/vectors/update", "{\"id\":\"" + id + "\",\"namespace\":\"ns\",\"values\":[1]"
        + (setMetadata == null ? "" : ",\"setMetadata\":" + setMetadata) + "}");
  }

  @Test
  void updateByIdOfAnotherTenantsRecordIsRefused() {
    List<Map<String, List<String>>> asked = new ArrayList<>();
    PineconeAdapter a = new PineconeAdapter("docs", HttpViews.masker(), table(Map.of(
        "theirs", HttpViews.json("{\"tenant_id\":\"globex\"}")), asked), 1000);
    HttpRequestView r = updateById("theirs", "{\"title\":\"x\"}");
    ObligationException e = assertThrows(ObligationException.class,
        () -> a.applyRequestObligations(r, a.decode(r), UNDER_ACME));
    assertEquals(ObligationException.ROW_FILTER_VIOLATION, e.code());
    assertTrue(e.getMessage().contains("update in index `docs` namespace `ns`") && e.getMessage().contains("1 existing"),
        e.getMessage());
    assertFalse(e.getMessage().contains("globex"), e.getMessage());
    assertEquals(List.of(Map.of("ids", List.of("theirs"), "namespace", List.of("ns"))), asked);
  }

  @Test
  void updateByIdOfOwnOrMissingRecordIsForwardedUnchanged() {
    List<Map<String, List<String>>> asked = new ArrayList<>();
    PineconeAdapter a = new PineconeAdapter("docs", HttpViews.masker(), table(Map.of(
        "mine", HttpViews.json("{\"tenant_id\":\"acme\"}")), asked), 1000);
    for (String id : List.of("mine", "missing")) {
      HttpRequestView r = updateById(id, "{\"title\":\"x\"}");
      JsonNode out = a.applyRequestObligations(r, a.decode(r), UNDER_ACME).body();
      assertEquals(id, out.get("id").textValue());
      assertFalse(out.has("filter"), "an update by id carries no filter: " + out);
      assertEquals("ns", out.get("namespace").textValue());
      assertEquals("x", out.at("/setMetadata/title").textValue());
    }
    assertEquals(2, asked.size());
  }

  @Test
  void updateByIdCannotMoveOwnRecordToAnotherTenant() {
    PineconeAdapter a = new PineconeAdapter("docs", HttpViews.masker(), (m, s, q, b) -> {
      throw new AssertionError("written values are checked before the pre-read");
    }, 1000);
    HttpRequestView r = updateById("mine", "{\"tenant_id\":\"globex\"}");
    ObligationException e = assertThrows(ObligationException.class,
        () -> a.applyRequestObligations(r, a.decode(r), UNDER_ACME));
    assertEquals(ObligationException.ROW_FILTER_VIOLATION, e.code());
    assertTrue(e.getMessage().contains("setMetadata") && e.getMessage().contains("tenant_id"), e.getMessage());
  }

  @Test
  void updateByIdFailsClosedWhenThePreReadCannotAnswer() {
    for (UpstreamReader reader : List.of(UpstreamReader.NONE,
        (UpstreamReader) (m, s, q, b) -> new UpstreamReader.Reply(500, HttpViews.json("{\"code\":13}")))) {
      PineconeAdapter a = new PineconeAdapter("docs", HttpViews.masker(), reader, 1000);
      HttpRequestView r = updateById("mine", null);
      ObligationException e = assertThrows(ObligationException.class,
          () -> a.applyRequestObligations(r, a.decode(r), UNDER_ACME));
      assertEquals(ObligationException.ROW_FILTER_UNVERIFIABLE, e.code());
      assertTrue(e.getMessage().contains("update in index `docs`") && e.getMessage().contains("changes"), e.getMessage());
    }
  }

  @Test
  void updateWithANonStringIdIsMalformed() {
    PineconeAdapter a = new PineconeAdapter("docs", HttpViews.masker(), UpstreamReader.NONE, 1000);
    HttpRequestView r = HttpViews.view("POST", "/vectors/update", "{\"id\":7,\"values\":[1]}");
    io.vectorgate.proxy.adapter.AdapterException e = assertThrows(io.vectorgate.proxy.adapter.AdapterException.class,
        () -> a.decode(r));
    assertEquals(io.vectorgate.proxy.adapter.AdapterException.MALFORMED_REQUEST, e.code());
    assertEquals("id", e.field());
  }
}
