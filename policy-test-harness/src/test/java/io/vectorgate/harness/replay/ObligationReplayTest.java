package io.vectorgate.harness.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.milvus.grpc.CollectionSchema;
import io.milvus.grpc.DataType;
import io.milvus.grpc.FieldSchema;
import io.vectorgate.harness.GatewaySim;
import io.vectorgate.model.Connection;
import io.vectorgate.model.DatabaseKind;
import io.vectorgate.model.Decision;
import io.vectorgate.model.Obligations;
import io.vectorgate.proxy.enforce.ValueMasker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Replays the proxy's obligation corpus ({@code proxy/src/test/resources/obligation-corpus}) as
 * recorded traffic: each case's request is the recorded request and its upstream response the
 * recorded response; {@link InputRebuilder#enforce} must give exactly the corpus's expected upstream
 * request, client response and tally, for all four database kinds, through the registry's adapters
 * (the same key as the corpus, so masked values match).
 */
class ObligationReplayTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path CORPUS = GatewaySim.ROOT.resolve("proxy/src/test/resources/obligation-corpus");
  private static final String CHROMA_ID = "a7df534d-1983-41a1-9e0d-79c59d3eae86";
  private static final String CHROMA_COLLECTIONS = "/api/v2/tenants/default_tenant/databases/default_database/collections";
  static final ValueMasker CORPUS_MASKER =
      new ValueMasker("0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8));

  /** The corpus's Milvus collection {@code docs} (id, tenant, title, vector, dynamic fields). */
  static CollectionSchema docsSchema() {
    return CollectionSchema.newBuilder().setName("docs").setEnableDynamicField(true)
        .addFields(FieldSchema.newBuilder().setName("id").setDataType(DataType.Int64).setIsPrimaryKey(true))
        .addFields(FieldSchema.newBuilder().setName("tenant").setDataType(DataType.VarChar))
        .addFields(FieldSchema.newBuilder().setName("title").setDataType(DataType.VarChar))
        .addFields(FieldSchema.newBuilder().setName("vector").setDataType(DataType.FloatVector))
        .addFields(FieldSchema.newBuilder().setName("$meta").setDataType(DataType.JSON).setIsDynamic(true))
        .build();
  }

  static Connection connection(String kind) {
    return switch (kind) {
      case "milvus" -> new Connection("milvus-main", DatabaseKind.MILVUS);
      case "chroma" -> new Connection("chroma-main", DatabaseKind.CHROMA);
      case "qdrant" -> new Connection("qdrant-main", DatabaseKind.QDRANT);
      case "pinecone" -> new Connection("docs", DatabaseKind.PINECONE); // a Pinecone connection is one index
      default -> throw new AssertionError(kind);
    };
  }

  /** A recorded request as the gateway stores it: Milvus {rpc, message}, HTTP {method, path, body}. */
  static RecordedRequest record(String id, String kind, JsonNode request, JsonNode upstream) {
    ObjectNode req = JSON.createObjectNode();
    if (kind.equals("milvus")) {
      req.put("rpc", request.get("rpc").asText());
      req.set("message", request.get("body"));
    } else {
      req.put("method", request.get("method").asText());
      req.put("path", request.get("path").asText());
      if (request.hasNonNull("body")) {
        req.set("body", request.get("body"));
      }
    }
    String status = upstream == null ? null
        : kind.equals("milvus") ? (upstream.get("status").asInt() == 0 ? "OK" : upstream.get("status").asText())
        : upstream.get("status").asText();
    return new RecordedRequest(id, "corpus " + id, Instant.parse("2025-03-04T10:00:00Z"), "r-" + id, "127.0.0.1:1",
        GatewaySim.user("alice", "analysts"), connection(kind), null, Decision.deny("x", "y"), req,
        upstream == null ? null : upstream.get("body"), null, status);
  }

  static RecordedState corpusState() {
    RecordedState state = new RecordedState();
    state.addMilvusSchema("default", "docs", docsSchema());
    // the Chroma collection id is learnt from a recorded answer carrying the collection, as in a real recording
    state.learn(new RecordedRequest("rec-col", "corpus", Instant.parse("2025-03-04T09:00:00Z"), null, null,
        GatewaySim.user("alice"), connection("chroma"), null, null,
        JSON.createObjectNode().put("method", "GET").put("path", CHROMA_COLLECTIONS + "/docs"),
        JSON.createObjectNode().put("id", CHROMA_ID).put("name", "docs"), null, "200"));
    return state;
  }

  @TestFactory
  Stream<DynamicTest> everyCorpusCaseReplaysToItsExpectedUpstreamRequestAndClientResponse() throws IOException {
    InputRebuilder rebuilder = new InputRebuilder(corpusState(), CORPUS_MASKER);
    List<DynamicTest> tests = new ArrayList<>();
    for (String kind : List.of("milvus", "chroma", "qdrant", "pinecone")) {
      JsonNode cases = JSON.readTree(Files.readAllBytes(CORPUS.resolve(kind + ".json")));
      assertTrue(cases.size() >= 5, kind + " corpus has " + cases.size() + " cases");
      for (int i = 0; i < cases.size(); i++) {
        JsonNode c = cases.get(i);
        String at = kind + ".json[" + i + "] " + c.path("name").asText();
        tests.add(DynamicTest.dynamicTest(kind + ": " + c.path("name").asText(), () -> replayCase(rebuilder, kind, c, at)));
      }
    }
    return tests.stream();
  }

  private static void replayCase(InputRebuilder rebuilder, String kind, JsonNode c, String at) throws IOException {
    Obligations ob = c.has("obligations") ? JSON.treeToValue(c.get("obligations"), Obligations.class) : Obligations.NONE;
    RecordedRequest r = record("rec-" + kind, kind, c.get("request"), c.get("upstream_response"));
    InputRebuilder.Rebuilt rb = rebuilder.rebuild(r);
    if (c.has("expect_error") && !rb.ok()) {
      assertEquals(c.get("expect_error").asText(), rb.error().code(), at + ": refused while decoding");
      return;
    }
    assertTrue(rb.ok(), at + ": not rebuilt: " + rb.error());
    Enforced e = rebuilder.enforce(rb, ob);
    if (c.has("expect_error")) {
      assertNotNull(e.refused(), at + ": expected a refusal, forwarded " + e.forwarded());
      assertEquals(c.get("expect_error").asText(), e.refused().code(), at);
      return;
    }
    assertNull(e.refused(), at + ": refused unexpectedly");
    JsonNode sent = kind.equals("milvus") ? e.forwarded().get("message") : e.forwarded().get("body");
    if (c.has("expect_upstream")) {
      assertEquals(c.get("expect_upstream"), JSON.readTree(sent.toString()), at + ": upstream request");
    }
    if (c.has("expect_client")) {
      assertNull(e.responseNotReplayed(), at + ": response not replayed");
      assertEquals(c.get("expect_client"), JSON.readTree(e.client().toString()), at + ": client response");
    }
    JsonNode t = c.get("expect_tally");
    if (t != null) {
      assertEquals(t.path("rows_cut").asLong(), e.tally().rowsCut(), at + ": rows cut");
      assertEquals(t.path("row_filter_dropped").asLong(), e.tally().rowFilterDropped(), at + ": row filter drops");
      assertEquals(t.path("vectors_stripped").asLong(), e.tally().vectorsStripped(), at + ": vectors stripped");
    }
  }

  @Test
  void aResponseThatWasNotRecordedIsSaidSoPerRecordAndTheRequestSideStillReplays() throws IOException {
    JsonNode c = JSON.readTree(Files.readAllBytes(CORPUS.resolve("chroma.json"))).get(1); // get by ids under a cap
    InputRebuilder rebuilder = new InputRebuilder(corpusState(), CORPUS_MASKER);
    RecordedRequest r = record("rec-noresp", "chroma", c.get("request"), null);
    Enforced e = rebuilder.enforce(rebuilder.rebuild(r), JSON.treeToValue(c.get("obligations"), Obligations.class));
    assertEquals(c.get("expect_upstream"), JSON.readTree(e.forwarded().get("body").toString()));
    assertEquals(List.of("/body/limit"), e.requestChanges());
    assertEquals(2L, e.forwardedOperation().limit());
    assertNull(e.client());
    assertEquals("payload_not_recorded", e.responseNotReplayed().code());
    assertEquals("rec-noresp", e.responseNotReplayed().recordId());
    assertEquals(0, e.tally().rowsCut());
    // an answer without its upstream status is not guessed to be a success
    RecordedRequest noStatus = new RecordedRequest(r.id(), r.location(), r.time(), r.requestId(), r.clientAddress(),
        r.identity(), r.connection(), null, null, r.request(), c.get("upstream_response").get("body"), null, null);
    assertEquals("upstream_status_not_recorded",
        rebuilder.enforce(rebuilder.rebuild(noStatus), Obligations.NONE).responseNotReplayed().code());
  }
}
