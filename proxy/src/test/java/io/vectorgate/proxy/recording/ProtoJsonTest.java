package io.vectorgate.proxy.recording;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** The fast protobuf → JSON writer gives what JsonFormat gives, and JsonFormat's parser reads it back (the harness's replay). */
class ProtoJsonTest {
  private static final ObjectMapper JSON = new ObjectMapper();

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
}
