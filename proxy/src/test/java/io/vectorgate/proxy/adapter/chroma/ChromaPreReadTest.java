package io.vectorgate.proxy.adapter.chroma;

import static io.vectorgate.proxy.adapter.chroma.ChromaAdapterTest.ID;
import static io.vectorgate.proxy.adapter.chroma.ChromaAdapterTest.JSON;
import static io.vectorgate.proxy.adapter.chroma.ChromaAdapterTest.P;
import static io.vectorgate.proxy.adapter.chroma.ChromaAdapterTest.req;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorgate.model.FilterOp;
import io.vectorgate.model.Obligations;
import io.vectorgate.model.Operation;
import io.vectorgate.model.RowFilter;
import io.vectorgate.proxy.adapter.http.HttpRequestView;
import io.vectorgate.proxy.enforce.JsonRowFilters;
import io.vectorgate.proxy.enforce.JsonRowFilters.UpstreamReader;
import io.vectorgate.proxy.enforce.ObligationException;
import io.vectorgate.proxy.enforce.ValueMasker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The pre-read of row-filtered upserts and updates: the rows an upsert or update replaces by id
 * must be the caller's; the reader here answers Chroma's {@code get} from an in-memory table in
 * the shape chroma 1.5.9 answers (the end-to-end test runs the same path against real Chroma).
 */
class ChromaPreReadTest {
  static final RowFilter ACME = new RowFilter("tenant_id", FilterOp.EQ, "acme");
  static final Obligations UNDER_ACME = new Obligations(List.of(), false, List.of(ACME), null, null, null);

  /** A reader answering {@code POST …/get {ids, include}} from {@code table} (id → metadata). */
  static UpstreamReader rows(Map<String, JsonNode> table) {
    return (method, segments, query, body) -> {
      assertEquals("POST", method);
      assertEquals("get", segments.get(segments.size() - 1));
      assertEquals(JSON.readTree("[\"metadatas\"]"), body.get("include"));
      ObjectNode out = JSON.createObjectNode();
      var ids = out.putArray("ids");
      var metas = out.putArray("metadatas");
      for (JsonNode id : body.get("ids")) {
        if (table.containsKey(id.textValue())) {
          ids.add(id);
          metas.add(table.get(id.textValue()));
        }
      }
      out.putNull("documents");
      out.putArray("include").add("metadatas");
      return new UpstreamReader.Reply(200, out);
    };
  }

  static ChromaAdapter adapter(UpstreamReader reader, int max) {
    ChromaAdapter a = new ChromaAdapter(new ValueMasker("k".repeat(16).getBytes(StandardCharsets.UTF_8)),
        new CollectionNames(16), (t, d, id) -> Optional.empty(), reader, max);
    a.names().learn("default_tenant", "default_database", ID, "docs");
    return a;
  }

  static HttpRequestView upsert(String kind, String... ids) {
    StringBuilder b = new StringBuilder("{\"ids\":[");
    StringBuilder e = new StringBuilder("[");
    StringBuilder m = new StringBuilder("[");
    for (int i = 0; i < ids.length; i++) {
      String sep = i == 0 ? "" : ",";
      b.append(sep).append('"').append(ids[i]).append('"');
      e.append(sep).append("[1]");
      m.append(sep).append("{\"tenant_id\":\"acme\"}");
    }
    return req("POST", P + "/" + ID + "/" + kind, b + "],\"embeddings\":" + e + "],\"metadatas\":" + m + "]}");
  }

  static JsonNode meta(String tenant) {
    return JSON.createObjectNode().put("tenant_id", tenant).put("email", "secret@" + tenant + ".example");
  }

  @Test
  void overwritingAnotherTenantsRowIsDeniedWithoutRevealingIt() {
    Map<String, JsonNode> table = Map.of("mine", meta("acme"), "theirs", meta("globex"), "bare", JSON.nullNode(),
        "listed", JSON.createObjectNode().set("tenant_id", JSON.createArrayNode().add("acme").add("globex")));
    ChromaAdapter a = adapter(rows(table), 100);
    for (String kind : List.of("upsert", "update")) {
      HttpRequestView r = upsert(kind, "new", "mine", "theirs", "bare", "listed");
      ObligationException e = assertThrows(ObligationException.class,
          () -> a.applyRequestObligations(r, a.decode(r), UNDER_ACME));
      assertEquals(ObligationException.ROW_FILTER_VIOLATION, e.code());
      assertTrue(e.getMessage().contains("collection `docs`"), e.getMessage());
      assertTrue(e.getMessage().contains("3 existing row(s)"), e.getMessage());
      assertFalse(e.getMessage().contains("globex"), e.getMessage());
      assertFalse(e.getMessage().contains("secret"), e.getMessage());
    }
  }

  @Test
  void ownRowsAndNewIdsPassAndTheBodyIsUnchanged() {
    ChromaAdapter a = adapter(rows(Map.of("mine", meta("acme"))), 100);
    HttpRequestView r = upsert("upsert", "new", "mine", "mine");
    HttpRequestView fwd = a.applyRequestObligations(r, a.decode(r), UNDER_ACME);
    assertEquals(r.body(), fwd.body());
  }

  @Test
  void noRowFilterMeansNoPreRead() {
    ChromaAdapter a = adapter((m, s, q, b) -> {
      throw new AssertionError("no pre-read without a row filter");
    }, 1);
    HttpRequestView r = upsert("upsert", "x", "y");
    assertEquals(r.body(), a.applyRequestObligations(r, a.decode(r), Obligations.NONE).body());
  }

  @Test
  void addDoesNotReplaceRowsSoItIsNotPreRead() {
    ChromaAdapter a = adapter((m, s, q, b) -> {
      throw new AssertionError("add never replaces a row");
    }, 1);
    HttpRequestView r = upsert("add", "x", "y");
    assertEquals(r.body(), a.applyRequestObligations(r, a.decode(r), UNDER_ACME).body());
  }

  @Test
  void thePreReadAsksForExactlyTheDistinctIdsAndTheSameCollection() {
    List<JsonNode> asked = new ArrayList<>();
    List<List<String>> paths = new ArrayList<>();
    UpstreamReader inner = rows(Map.of());
    ChromaAdapter a = adapter((m, s, q, b) -> {
      asked.add(b);
      paths.add(s);
      return inner.read(m, s, q, b);
    }, 100);
    HttpRequestView r = upsert("upsert", "a", "b", "a");
    a.applyRequestObligations(r, a.decode(r), UNDER_ACME);
    assertEquals(1, asked.size());
    assertEquals(JSON.valueToTree(List.of("a", "b")), asked.get(0).get("ids"));
    List<String> expected = new ArrayList<>(r.segments());
    expected.set(expected.size() - 1, "get");
    assertEquals(expected, paths.get(0));
  }

  @Test
  void aPreReadThatFailsOrAnswersOddlyFailsClosed() {
    Map<String, UpstreamReader> broken = new LinkedHashMap<>();
    broken.put("io error", (m, s, q, b) -> {
      throw new IOException("connection refused");
    });
    broken.put("500", (m, s, q, b) -> new UpstreamReader.Reply(500, JSON.createObjectNode().put("error", "x")));
    broken.put("no body", (m, s, q, b) -> new UpstreamReader.Reply(200, null));
    broken.put("no metadatas", (m, s, q, b) -> new UpstreamReader.Reply(200,
        JSON.createObjectNode().set("ids", JSON.createArrayNode().add("a"))));
    broken.put("length mismatch", (m, s, q, b) -> new UpstreamReader.Reply(200, JSON.createObjectNode()
        .<ObjectNode>set("ids", JSON.createArrayNode().add("a")).set("metadatas", JSON.createArrayNode())));
    broken.put("unasked id", (m, s, q, b) -> new UpstreamReader.Reply(200, JSON.createObjectNode()
        .<ObjectNode>set("ids", JSON.createArrayNode().add("zzz"))
        .set("metadatas", JSON.createArrayNode().add(meta("acme")))));
    broken.put("no upstream", UpstreamReader.NONE);
    broken.forEach((name, reader) -> {
      ChromaAdapter a = adapter(reader, 100);
      HttpRequestView r = upsert("upsert", "a");
      ObligationException e = assertThrows(ObligationException.class,
          () -> a.applyRequestObligations(r, a.decode(r), UNDER_ACME), name);
      assertEquals(ObligationException.ROW_FILTER_UNVERIFIABLE, e.code(), name);
      assertTrue(e.getMessage().contains("collection `docs`"), e.getMessage());
    });
    ObligationException io = assertThrows(ObligationException.class, () -> {
      ChromaAdapter a = adapter(broken.get("io error"), 100);
      HttpRequestView r = upsert("upsert", "a");
      a.applyRequestObligations(r, a.decode(r), UNDER_ACME);
    });
    assertNotNull(io.getCause());
    assertSame(IOException.class, io.getCause().getClass());
  }

  @Test
  void tooManyIdsAreRefusedBeforeAnyRead() {
    ChromaAdapter a = adapter((m, s, q, b) -> {
      throw new AssertionError("over the cap: nothing is read");
    }, 2);
    HttpRequestView r = upsert("upsert", "a", "b", "c");
    ObligationException e = assertThrows(ObligationException.class,
        () -> a.applyRequestObligations(r, a.decode(r), UNDER_ACME));
    assertEquals(ObligationException.ROW_FILTER_UNVERIFIABLE, e.code());
    assertTrue(e.getMessage().contains("3 ids") && e.getMessage().contains("at most 2"), e.getMessage());
    HttpRequestView ok = upsert("upsert", "a", "b", "a");
    ChromaAdapter b = adapter(rows(Map.of()), 2);
    Operation op = b.decode(ok);
    assertEquals(ok.body(), b.applyRequestObligations(ok, op, UNDER_ACME).body());
    assertThrows(IllegalArgumentException.class, () -> adapter(rows(Map.of()), 0));
  }
}
