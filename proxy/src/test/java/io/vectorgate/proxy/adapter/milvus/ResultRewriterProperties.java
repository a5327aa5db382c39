package io.vectorgate.proxy.adapter.milvus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.milvus.grpc.DataType;
import io.milvus.grpc.FieldData;
import io.milvus.grpc.FloatArray;
import io.milvus.grpc.HighlightResult;
import io.milvus.grpc.IDs;
import io.milvus.grpc.JSONArray;
import io.milvus.grpc.LongArray;
import io.milvus.grpc.QueryResults;
import io.milvus.grpc.ScalarField;
import io.milvus.grpc.SearchResultData;
import io.milvus.grpc.SearchResults;
import io.milvus.grpc.StringArray;
import io.milvus.grpc.VectorField;
import io.vectorgate.model.FieldMask;
import io.vectorgate.model.MaskMethod;
import io.vectorgate.model.Obligations;
import io.vectorgate.proxy.enforce.ValueMasker;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class ResultRewriterProperties {
  private static final int DIM = 3;
  private final MilvusAdapter adapter = MilvusFixtures.adapter();

  /** The rewrite for an operation that requested vectors (so only the decision strips them). */
  private com.google.protobuf.Message rewrite(String rpc, com.google.protobuf.Message in, Obligations o) {
    io.vectorgate.model.Operation op = io.vectorgate.model.Operation.builder(io.vectorgate.model.Action.SEARCH)
        .vectorsRequested(true).build();
    return adapter.rewriteResponse(rpc, op, in, o).response();
  }

  /** A search result for {@code topks.size()} queries, every column filled for sum(topks) rows. */
  static SearchResults results(List<Integer> topks) {
    int rows = topks.stream().mapToInt(Integer::intValue).sum();
    LongArray.Builder ids = LongArray.newBuilder();
    StringArray.Builder emails = StringArray.newBuilder();
    LongArray.Builder ages = LongArray.newBuilder();
    JSONArray.Builder meta = JSONArray.newBuilder();
    JSONArray.Builder profile = JSONArray.newBuilder();
    FloatArray.Builder vec = FloatArray.newBuilder();
    List<Float> scores = new ArrayList<>();
    for (int i = 0; i < rows; i++) {
      ids.addData(i);
      emails.addData("user" + i + "@example.com");
      ages.addData(20 + i);
      meta.addData(ByteString.copyFromUtf8("{\"ssn\":\"123-45-" + i + "\",\"color\":\"red\"}"));
      profile.addData(ByteString.copyFromUtf8("{\"contact\":{\"phone\":\"555-000" + i + "\"},\"tier\":1}"));
      for (int d = 0; d < DIM; d++) {
        vec.addData(i + d / 10f);
      }
      scores.add(1f / (i + 1));
    }
    SearchResultData data = SearchResultData.newBuilder()
        .setNumQueries(topks.size())
        .setTopK(topks.stream().mapToInt(Integer::intValue).max().orElse(0))
        .addAllTopks(topks.stream().map(Integer::longValue).toList())
        .setIds(IDs.newBuilder().setIntId(ids))
        .addAllScores(scores)
        .setPrimaryFieldName("id")
        .addAllOutputFields(List.of("email", "age", "profile", "vector", "ssn", "color"))
        .addFieldsData(FieldData.newBuilder().setFieldName("email").setType(DataType.VarChar)
            .setScalars(ScalarField.newBuilder().setStringData(emails)))
        .addFieldsData(FieldData.newBuilder().setFieldName("age").setType(DataType.Int64)
            .setScalars(ScalarField.newBuilder().setLongData(ages)))
        .addFieldsData(FieldData.newBuilder().setFieldName("profile").setType(DataType.JSON)
            .setScalars(ScalarField.newBuilder().setJsonData(profile)))
        .addFieldsData(FieldData.newBuilder().setFieldName("vector").setType(DataType.FloatVector)
            .setVectors(VectorField.newBuilder().setDim(DIM).setFloatVector(vec)))
        .addFieldsData(FieldData.newBuilder().setFieldName("$meta").setType(DataType.JSON).setIsDynamic(true)
            .setScalars(ScalarField.newBuilder().setJsonData(meta)))
        .addHighlightResults(HighlightResult.newBuilder().setFieldName("email"))
        .build();
    return SearchResults.newBuilder().setCollectionName("docs").setResults(data).build();
  }

  @Provide
  Arbitrary<List<FieldMask>> masks() {
    Arbitrary<FieldMask> one = Arbitraries.of(
            new FieldMask("email", List.of(), MaskMethod.PARTIAL),
            new FieldMask("email", List.of(), MaskMethod.DROP),
            new FieldMask("age", List.of(), MaskMethod.HASH),
            new FieldMask("profile", List.of("contact", "phone"), MaskMethod.REDACT),
            new FieldMask("profile", List.of("tier"), MaskMethod.DROP),
            new FieldMask("ssn", List.of(), MaskMethod.HASH),
            new FieldMask("ssn", List.of(), MaskMethod.DROP),
            new FieldMask("vector", List.of(), MaskMethod.REDACT),
            new FieldMask("id", List.of(), MaskMethod.HASH),
            new FieldMask("not_there", List.of(), MaskMethod.REDACT));
    return one.list().ofMaxSize(5);
  }

  @Property(tries = 300)
  void rewritingKeepsEveryColumnAlignedWithTheHits(
      @ForAll @Size(min = 1, max = 5) List<@IntRange(min = 0, max = 6) Integer> topks,
      @ForAll("masks") List<FieldMask> masks,
      @ForAll boolean strip) {
    SearchResults in = results(topks);
    Obligations o = new Obligations(masks, strip, List.of(), null, null, null);
    SearchResults out = (SearchResults) rewrite("Search", in, o);
    SearchResultData d = out.getResults();
    long rows = topks.stream().mapToLong(Integer::longValue).sum();
    assertEquals(in.getResults().getTopksList(), d.getTopksList());
    assertEquals(in.getResults().getScoresList(), d.getScoresList());
    assertEquals(rows, d.getIds().getIntId().getDataCount());
    for (FieldData fd : d.getFieldsDataList()) {
      assertEquals(rows, Columns.rowCount(fd), "column " + Columns.name(fd));
      assertTrue(d.getOutputFieldsList().contains(fd.getFieldName()) || Columns.isDynamic(fd), fd.getFieldName());
    }
    List<String> names = d.getFieldsDataList().stream().map(Columns::name).toList();
    if (strip || masks.stream().anyMatch(m -> m.field().equals("vector"))) {
      assertFalse(names.contains("vector"));
      assertFalse(d.getOutputFieldsList().contains("vector"));
    }
    for (FieldMask m : masks) {
      if (m.method() == MaskMethod.DROP && m.path().isEmpty()) {
        assertFalse(names.contains(m.field()), m.field());
        assertFalse(d.getOutputFieldsList().contains(m.field()), m.field());
      }
    }
    String metaText = d.getFieldsDataList().stream().filter(Columns::isDynamic).findFirst().orElseThrow()
        .getScalars().getJsonData().getDataList().stream().map(b -> b.toString(StandardCharsets.UTF_8))
        .reduce("", String::concat);
    if (masks.stream().anyMatch(m -> m.field().equals("ssn"))) {
      assertFalse(metaText.contains("123-45-"), "ssn leaked: " + metaText);
    }
    if (masks.stream().anyMatch(m -> m.field().equals("email"))) {
      assertEquals(0, d.getHighlightResultsCount(), "highlight fragments of a masked field leak it");
      d.getFieldsDataList().stream().filter(f -> f.getFieldName().equals("email")).forEach(f ->
          f.getScalars().getStringData().getDataList().forEach(v -> assertFalse(v.startsWith("user"), v)));
    }
    if (masks.stream().anyMatch(m -> m.field().equals("id"))) {
      assertFalse(d.getIds().getIntId().getDataList().equals(in.getResults().getIds().getIntId().getDataList()) && rows > 1);
    }
  }

  @Test
  void queryResultsAreMaskedTooAndOtherResponsesPassUnchanged() {
    SearchResultData src = results(List.of(2, 1)).getResults();
    QueryResults q = QueryResults.newBuilder().addAllFieldsData(src.getFieldsDataList())
        .addAllOutputFields(src.getOutputFieldsList()).build();
    Obligations o = new Obligations(List.of(new FieldMask("email", List.of(), MaskMethod.REDACT),
        new FieldMask("color", List.of(), MaskMethod.DROP)), true, List.of(), null, null, null);
    QueryResults out = (QueryResults) rewrite("Query", q, o);
    FieldData email = out.getFieldsDataList().stream().filter(f -> f.getFieldName().equals("email")).findFirst().orElseThrow();
    assertEquals(List.of(ValueMasker.REDACTED, ValueMasker.REDACTED, ValueMasker.REDACTED), email.getScalars().getStringData().getDataList());
    assertFalse(out.getOutputFieldsList().contains("color"));
    assertFalse(out.getOutputFieldsList().contains("vector"));
    String meta = out.getFieldsDataList().stream().filter(Columns::isDynamic).findFirst().orElseThrow()
        .getScalars().getJsonData().getData(0).toStringUtf8();
    assertEquals("{\"ssn\":\"123-45-0\"}", meta);
    FieldData profile = out.getFieldsDataList().stream().filter(f -> f.getFieldName().equals("profile")).findFirst().orElseThrow();
    assertEquals("{\"contact\":{\"phone\":\"555-0000\"},\"tier\":1}", profile.getScalars().getJsonData().getData(0).toStringUtf8());

    Obligations path = new Obligations(List.of(new FieldMask("profile", List.of("contact", "phone"), MaskMethod.PARTIAL)),
        false, List.of(), null, null, null);
    QueryResults masked = (QueryResults) rewrite("Query", q, path);
    FieldData p2 = masked.getFieldsDataList().stream().filter(f -> f.getFieldName().equals("profile")).findFirst().orElseThrow();
    assertEquals("{\"contact\":{\"phone\":\"5***00\"},\"tier\":1}", p2.getScalars().getJsonData().getData(0).toStringUtf8());

    io.milvus.grpc.MutationResult m = io.milvus.grpc.MutationResult.newBuilder().setInsertCnt(3).build();
    assertEquals(m, rewrite("Insert", m, o));
  }
}
