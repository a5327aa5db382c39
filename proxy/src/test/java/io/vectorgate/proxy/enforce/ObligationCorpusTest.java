package io.vectorgate.proxy.enforce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.milvus.grpc.CollectionSchema;
import io.milvus.grpc.DataType;
import io.milvus.grpc.FieldSchema;
import io.vectorgate.model.Obligations;
import io.vectorgate.model.Operation;
import io.vectorgate.proxy.adapter.AdapterException;
import io.vectorgate.proxy.adapter.chroma.ChromaAdapter;
import io.vectorgate.proxy.adapter.chroma.CollectionNames;
import io.vectorgate.proxy.adapter.http.HttpApiAdapter;
import io.vectorgate.proxy.adapter.http.HttpRequestView;
import io.vectorgate.proxy.adapter.milvus.CollectionSchemaCache;
import io.vectorgate.proxy.adapter.milvus.MilvusAdapter;
import io.vectorgate.proxy.adapter.milvus.MilvusRpcs;
import io.vectorgate.proxy.adapter.milvus.ResponseRewrite;
import io.vectorgate.proxy.adapter.pinecone.PineconeAdapter;
import io.vectorgate.proxy.adapter.qdrant.HttpViews;
import io.vectorgate.proxy.adapter.qdrant.QdrantAdapter;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs the obligation corpus ({@code src/test/resources/obligation-corpus/<kind>.json}, see its
 * README) against every adapter: request, decision, expected upstream request, upstream response,
 * expected client response. A database joins by adding its file and a {@link CorpusTarget}.
 */
class ObligationCorpusTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String CHROMA_ID = "a7df534d-1983-41a1-9e0d-79c59d3eae86";

  /** What running one case through an adapter produced. */
  record Outcome(String error, JsonNode upstreamBody, JsonNode clientBody, ResponseTally tally) {}

  /**
   * One adapter under the corpus. The HTTP adapters share {@link HttpTarget}; the Milvus adapter
   * is {@link MilvusTarget}, which parses {@code request.body} / {@code upstream_response.body} as
   * the proto messages' JSON form and prints the rewritten messages back to JSON.
   */
  interface CorpusTarget {
    String kind();

    /** Runs the request side; a refusal returns an outcome with {@code error} set. */
    Outcome run(JsonNode request, Obligations obligations, JsonNode upstreamResponse);
  }

  /** The HTTP adapters: decode → apply request obligations → (upstream) → rewrite response. */
  record HttpTarget(String kind, HttpApiAdapter adapter) implements CorpusTarget {
    @Override
    public Outcome run(JsonNode request, Obligations obligations, JsonNode upstream) {
      String body = request.hasNonNull("body") ? request.get("body").toString() : null;
      HttpRequestView view = HttpViews.view(request.get("method").asText(), request.get("path").asText(), body);
      Operation op;
      HttpRequestView forward;
      try {
        op = adapter.decode(view);
        forward = adapter.applyRequestObligations(view, op, obligations);
      } catch (ObligationException e) {
        return new Outcome(e.code(), null, null, null);
      } catch (AdapterException e) {
        return new Outcome(e.code(), null, null, null);
      }
      if (upstream == null) {
        return new Outcome(null, forward.body(), null, null);
      }
      ResponseTally tally = new ResponseTally();
      JsonNode client = adapter.rewriteResponse(forward, op, upstream.get("status").asInt(), upstream.get("body"),
          obligations, tally);
      return new Outcome(null, forward.body(), client, tally);
    }
  }

  /**
   * The Milvus adapter over protobuf: {@code request} is {@code {rpc, body}} with the body in the
   * request message's proto3 JSON form (proto field names; 64-bit integers as JSON strings, as
   * proto3 JSON prints them), {@code upstream_response.body} the response message's, and the
   * rewritten messages are printed back the same way. Collection {@code docs} has the schema of
   * {@code MilvusFixtures.docsSchema()} (id, tenant, title, vector, dynamic fields); row filters
   * bind as template values (the default).
   */
  record MilvusTarget(MilvusAdapter adapter) implements CorpusTarget {
    private static final JsonFormat.Printer PRINTER = JsonFormat.printer().preservingProtoFieldNames()
        .omittingInsignificantWhitespace();

    @Override
    public String kind() {
      return "milvus";
    }

    @Override
    public Outcome run(JsonNode request, Obligations obligations, JsonNode upstream) {
      String rpcName = request.get("rpc").asText();
      MilvusRpcs.Rpc rpc = MilvusRpcs.find(rpcName).orElseThrow(() -> new AssertionError("unknown rpc " + rpcName));
      Message forward;
      Operation op;
      try {
        Message req = parse(rpc.requestPrototype(), request.get("body"));
        op = adapter.decode(rpcName, req, null);
        forward = adapter.applyRequestObligations(rpcName, req, obligations);
      } catch (ObligationException e) {
        return new Outcome(e.code(), null, null, null);
      } catch (AdapterException e) {
        return new Outcome(e.code(), null, null, null);
      }
      if (upstream == null) {
        return new Outcome(null, print(forward), null, null);
      }
      ResponseRewrite rw;
      try {
        rw = adapter.rewriteResponse(rpcName, op, parse(rpc.responsePrototype(), upstream.get("body")), obligations);
      } catch (ObligationException e) {
        return new Outcome(e.code(), print(forward), null, null);
      }
      ResponseTally tally = new ResponseTally();
      tally.cut(rw.rowsCut());
      tally.rowFilterDropped(rw.rowFilterDropped(), "milvus corpus");
      tally.stripped(rw.vectorColumnsStripped());
      return new Outcome(null, print(forward), print(rw.response()), tally);
    }

    private static Message parse(Message prototype, JsonNode body) {
      Message.Builder b = prototype.newBuilderForType();
      try {
        JsonFormat.parser().merge(body == null ? "{}" : body.toString(), b);
      } catch (InvalidProtocolBufferException e) {
        throw new AssertionError("corpus body is not a " + prototype.getDescriptorForType().getName() + ": "
            + e.getMessage(), e);
      }
      return b.build();
    }

    private static JsonNode print(Message m) {
      try {
        return JSON.readTree(PRINTER.print(m));
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    }
  }

  /** The schema of {@code docs} the Milvus corpus is written for. */
  static CollectionSchemaCache milvusSchemas() {
    CollectionSchema docs = CollectionSchema.newBuilder()
        .setName("docs")
        .setEnableDynamicField(true)
        .addFields(FieldSchema.newBuilder().setName("id").setDataType(DataType.Int64).setIsPrimaryKey(true))
        .addFields(FieldSchema.newBuilder().setName("tenant").setDataType(DataType.VarChar))
        .addFields(FieldSchema.newBuilder().setName("title").setDataType(DataType.VarChar))
        .addFields(FieldSchema.newBuilder().setName("vector").setDataType(DataType.FloatVector))
        .addFields(FieldSchema.newBuilder().setName("$meta").setDataType(DataType.JSON).setIsDynamic(true))
        .build();
    return new CollectionSchemaCache((db, name) -> name.equals("docs") ? Optional.of(docs) : Optional.empty(),
        16, Duration.ofMinutes(5));
  }

  static List<CorpusTarget> targets() {
    ValueMasker masker = HttpViews.masker();
    ChromaAdapter chroma = new ChromaAdapter(masker, new CollectionNames(16), (t, d, id) -> Optional.empty());
    chroma.names().learn("default_tenant", "default_database", CHROMA_ID, "docs");
    return List.of(new HttpTarget("chroma", chroma), new HttpTarget("qdrant", new QdrantAdapter(masker)),
        new HttpTarget("pinecone", new PineconeAdapter("docs", masker)),
        new MilvusTarget(new MilvusAdapter(milvusSchemas(), masker)));
  }

  @TestFactory
  Stream<DynamicTest> corpus() throws IOException {
    List<DynamicTest> tests = new ArrayList<>();
    for (CorpusTarget target : targets()) {
      String file = "/obligation-corpus/" + target.kind() + ".json";
      JsonNode cases;
      try (InputStream in = ObligationCorpusTest.class.getResourceAsStream(file)) {
        assertNotNull(in, "missing corpus file " + file);
        cases = JSON.readTree(in);
      }
      if (cases.size() < 5) {
        fail(file + " has " + cases.size() + " cases; every adapter runs the whole corpus");
      }
      for (int i = 0; i < cases.size(); i++) {
        JsonNode c = cases.get(i);
        String at = file + "[" + i + "] " + c.path("name").asText();
        tests.add(DynamicTest.dynamicTest(target.kind() + ": " + c.path("name").asText(), () -> runCase(target, c, at)));
      }
    }
    return tests.stream();
  }

  private static void runCase(CorpusTarget target, JsonNode c, String at) throws IOException {
    Obligations ob = c.has("obligations") ? JSON.treeToValue(c.get("obligations"), Obligations.class) : Obligations.NONE;
    Outcome out = target.run(c.get("request"), ob, c.get("upstream_response"));
    if (c.has("expect_error")) {
      assertEquals(c.get("expect_error").asText(), out.error(), at + ": expected a refusal");
      return;
    }
    assertNull(out.error(), at + ": refused unexpectedly");
    if (c.has("expect_upstream")) {
      assertEquals(c.get("expect_upstream"), normalize(out.upstreamBody()), at + ": upstream request");
    }
    if (c.has("expect_client")) {
      assertEquals(c.get("expect_client"), normalize(out.clientBody()), at + ": client response");
    }
    JsonNode t = c.get("expect_tally");
    if (t != null) {
      assertEquals(t.path("rows_cut").asLong(), out.tally().rowsCut(), at + ": rows cut");
      assertEquals(t.path("row_filter_dropped").asLong(), out.tally().rowFilterDropped(), at + ": row filter drops");
      assertEquals(t.path("vectors_stripped").asLong(), out.tally().vectorsStripped(), at + ": vectors stripped");
    }
  }

  /** Re-reads a tree so numbers compare by their JSON text (an int written as long equals the corpus' int). */
  private static JsonNode normalize(JsonNode n) throws IOException {
    return n == null ? null : JSON.readTree(n.toString());
  }
}
