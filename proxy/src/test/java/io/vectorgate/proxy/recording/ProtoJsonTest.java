package io.vectorgate.proxy.recording;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.milvus.grpc.DataType;
import io.milvus.grpc.FieldData;
import io.milvus.grpc.FloatArray;
import io.milvus.grpc.IDs;
import io.milvus.grpc.KeyValuePair;
import io.milvus.grpc.LongArray;
import io.milvus.grpc.ScalarField;
import io.milvus.grpc.SearchRequest;
import io.milvus.grpc.SearchResultData;
import io.milvus.grpc.SearchResults;
import io.milvus.grpc.Status;
import io.milvus.grpc.StringArray;
import io.milvus.grpc.VectorField;
import io.vectorgate.recorder.RecordFormat;
import io.vectorgate.recorder.VectorStripper;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/**
 * The fast protobuf → JSON writer gives what JsonFormat gives, and JsonFormat's parser reads it back
 * (the harness's replay); the streamed canonical form (what the recorder stores and hashes) is the
 * tree's canonical form, with every vector stripper.
 */
class ProtoJsonTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** No stripping, the default, and one that strips short arrays and names fields, map keys and well-known members. */
  static final List<VectorStripper> STRIPPERS = java.util.Arrays.asList(null, VectorStripper.defaults(),
      new VectorStripper(2, Set.of("field_name", "topks", "reason", "embedding", "k1", "values", "placeholder_group")));

  static String canonical(JsonNode tree, VectorStripper strip) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator g = RecordFormat.mapper().getFactory().createGenerator(out)) {
      RecordFormat.writeCanonical(tree, g, strip);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  static String streamed(Message m, VectorStripper strip) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator g = RecordFormat.mapper().getFactory().createGenerator(out)) {
      ((ProtoJson.Lazy) ProtoJson.lazy(m).getPojo()).writeCanonical(g, strip);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  static void assertStreamsTheTreesCanonicalForm(Message m) throws Exception {
    for (VectorStripper strip : STRIPPERS) {
      assertEquals(canonical(ProtoJson.tree(m), strip), streamed(m, strip), () -> "stripper " + strip + ", " + m);
    }
  }

  static JsonNode fast(Message m) {
    return RecordFormat.mapper().valueToTree(ProtoJson.lazy(m).getPojo());
  }

  static void assertSameAsJsonFormat(Message m) throws Exception {
    JsonNode expected = JSON.readTree(ProtoJson.jsonFormat(m));
    JsonNode actual = fast(m);
    // compare canonical bytes: what the recorder stores and hashes (streamed and tree-built forms alike)
    assertEquals(new String(RecordFormat.canonicalBytes(expected)), new String(RecordFormat.canonicalBytes(actual)));
    assertEquals(new String(RecordFormat.canonicalBytes(expected)), new String(RecordFormat.canonicalBytes(ProtoJson.tree(m))));
    assertEquals(new String(RecordFormat.canonicalBytes(expected)), new String(RecordFormat.canonicalBytes(ProtoJson.lazy(m))));
    Message.Builder b = m.newBuilderForType();
    JsonFormat.parser().merge(actual.toString(), b);
    assertEquals(m, b.build());
    assertStreamsTheTreesCanonicalForm(m);
  }

  @Test
  void searchRequestAndResultsMatchJsonFormat() throws Exception {
    SearchRequest req = SearchRequest.newBuilder().setCollectionName("docs").setDsl("tenant_id == \"acme\"")
        .setPlaceholderGroup(ByteString.copyFrom(new byte[] {1, 2, 3, (byte) 0xff})).addOutputFields("title")
        .addSearchParams(KeyValuePair.newBuilder().setKey("topk").setValue("5")).setNq(1).setGuaranteeTimestamp(-1L)
        .setTravelTimestamp(Long.MAX_VALUE).build();
    assertSameAsJsonFormat(req);
    SearchResultData d = SearchResultData.newBuilder().setNumQueries(1).setTopK(3).addTopks(3)
        .addScores(0.1f).addScores(1.5f).addScores(Float.MAX_VALUE)
        .setIds(IDs.newBuilder().setIntId(LongArray.newBuilder().addData(2).addData(-4).addData(Long.MIN_VALUE)))
        .addFieldsData(FieldData.newBuilder().setFieldName("title").setType(DataType.VarChar)
            .setScalars(ScalarField.newBuilder().setStringData(StringArray.newBuilder().addData("ä\u0000\"x"))))
        .addFieldsData(FieldData.newBuilder().setFieldName("embedding").setType(DataType.FloatVector)
            .setVectors(VectorField.newBuilder().setDim(2).setFloatVector(FloatArray.newBuilder().addData(0.25f).addData(-3e-8f))))
        .build();
    assertSameAsJsonFormat(SearchResults.newBuilder().setStatus(Status.newBuilder().setReason("ok").setCode(0))
        .setResults(d).setCollectionName("docs").build());
    assertSameAsJsonFormat(SearchResults.getDefaultInstance());
  }

  @Test
  void wellKnownTypesGoThroughJsonFormatAndUnconvertibleOnesAreMarked() throws Exception {
    com.google.protobuf.Type t = com.google.protobuf.Type.newBuilder().setName("x")
        .setSourceContext(com.google.protobuf.SourceContext.newBuilder().setFileName("f.proto"))
        .setSyntax(com.google.protobuf.Syntax.SYNTAX_PROTO3).build();
    JsonNode expected = JSON.readTree(ProtoJson.jsonFormat(t));
    assertEquals(new String(RecordFormat.canonicalBytes(expected)), new String(RecordFormat.canonicalBytes(ProtoJson.tree(t))));
    assertEquals("1970-01-01T00:00:01Z",
        ProtoJson.tree(com.google.protobuf.Timestamp.newBuilder().setSeconds(1).build()).path("value").asText());
    // an Any of a type this build cannot resolve: marked, never an exception on the writer thread
    com.google.protobuf.Any unknown = com.google.protobuf.Any.newBuilder().setTypeUrl("type.googleapis.com/x.Unknown")
        .setValue(ByteString.copyFromUtf8("?")).build();
    assertEquals("not_convertible", ProtoJson.tree(unknown).path("vectorgate_omitted").asText());
    assertStreamsTheTreesCanonicalForm(t);
    assertStreamsTheTreesCanonicalForm(unknown);
    assertStreamsTheTreesCanonicalForm(com.google.protobuf.ListValue.newBuilder()
        .addValues(com.google.protobuf.Value.newBuilder().setNumberValue(1)).addValues(
            com.google.protobuf.Value.newBuilder().setNumberValue(2)).build());
    assertEquals("not_convertible", fast(unknown).path("vectorgate_omitted").asText());
  }

  @Property(tries = 200)
  void anySearchRequestMatchesJsonFormat(@ForAll String collection, @ForAll String dsl, @ForAll long nq,
      @ForAll @Size(max = 40) byte[] placeholder, @ForAll @Size(max = 5) List<String> fields, @ForAll float f)
      throws Exception {
    SearchRequest req = SearchRequest.newBuilder().setCollectionName(collection).setDsl(dsl).setNq(nq)
        .setPlaceholderGroup(ByteString.copyFrom(placeholder)).addAllOutputFields(fields).build();
    assertSameAsJsonFormat(req);
    assertSameAsJsonFormat(SearchResultData.newBuilder().addScores(f).setTopK(nq).build());
  }

  @Property(tries = 300)
  void anyResultStreamsTheCanonicalFormOfItsTree(@ForAll @Size(max = 12) List<Float> scores,
      @ForAll @Size(max = 10) List<Long> ids, @ForAll @Size(max = 10) List<Integer> ints, @ForAll @Size(max = 4) List<String> keys,
      @ForAll @Size(max = 3) List<String> names, @ForAll boolean nan) throws Exception {
    SearchResultData.Builder d = SearchResultData.newBuilder().addAllScores(scores).setTopK(ids.size()).addTopks(ids.size())
        .setIds(IDs.newBuilder().setIntId(LongArray.newBuilder().addAllData(ids)));
    if (nan) {
      d.addScores(Float.NaN).addScores(Float.POSITIVE_INFINITY);
    }
    for (String n : names) {
      d.addFieldsData(FieldData.newBuilder().setFieldName(n).setType(DataType.FloatVector)
          .setVectors(VectorField.newBuilder().setDim(scores.size()).setFloatVector(FloatArray.newBuilder().addAllData(scores))));
      d.addFieldsData(FieldData.newBuilder().setFieldName(n).setType(DataType.Int32).setScalars(
          ScalarField.newBuilder().setIntData(io.milvus.grpc.IntArray.newBuilder().addAllData(ints))));
    }
    SearchResults r = SearchResults.newBuilder().setStatus(Status.newBuilder().setReason(String.join(",", names)))
        .setResults(d).build();
    assertStreamsTheTreesCanonicalForm(r);
    io.milvus.grpc.ServerInfo.Builder info = io.milvus.grpc.ServerInfo.newBuilder();
    io.milvus.grpc.FlushResponse.Builder flush = io.milvus.grpc.FlushResponse.newBuilder();
    for (String k : keys) {
      info.putReserved(k, String.valueOf(k.length()));
      flush.putCollSegIDs(k, LongArray.newBuilder().addAllData(ids).build()).putCollFlushTs(k, k.length());
    }
    info.putReserved("k1", "v").putReserved("embedding", "x");
    flush.putCollSegIDs("embedding", LongArray.newBuilder().addData(1).build());
    assertStreamsTheTreesCanonicalForm(info.build());
    assertStreamsTheTreesCanonicalForm(flush.build());
  }
}
