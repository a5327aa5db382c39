package io.vectorgate.proxy.adapter.milvus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.milvus.grpc.ArrayArray;
import io.milvus.grpc.DataType;
import io.milvus.grpc.FieldData;
import io.milvus.grpc.FloatArray;
import io.milvus.grpc.IDs;
import io.milvus.grpc.JSONArray;
import io.milvus.grpc.LongArray;
import io.milvus.grpc.QueryResults;
import io.milvus.grpc.ScalarField;
import io.milvus.grpc.SearchResultData;
import io.milvus.grpc.SearchResults;
import io.milvus.grpc.SparseFloatArray;
import io.milvus.grpc.StringArray;
import io.milvus.grpc.StructArrayField;
import io.milvus.grpc.VectorArray;
import io.milvus.grpc.VectorField;
import io.vectorgate.model.Action;
import io.vectorgate.model.FieldMask;
import io.vectorgate.model.LimitCap;
import io.vectorgate.model.MaskMethod;
import io.vectorgate.model.Obligations;
import io.vectorgate.model.Operation;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/**
 * The response guarantees on random Milvus answers and decisions: whatever columns the upstream
 * returned (every vector encoding, vector arrays, struct arrays with vector sub-fields, nullable
 * columns in both layouts, group-by values, {@code $meta} keys), no vector survives where the
 * decision strips vectors or the operation did not request them, no original value of a masked
 * field survives, and no query answers more rows than the cap, with every per-hit structure
 * consistent.
 */
class ResponseGuaranteesProperties {
  private static final int DIM = 2;
  private static final Set<String> ALL_COLUMNS = Set.of("email", "profile", "$meta", "vec", "bin", "f16", "bf16",
      "int8", "sparse", "chunks", "nullable_note");
  private final MilvusAdapter adapter = MilvusFixtures.adapter();

  @Provide
  Arbitrary<List<FieldMask>> masks() {
    Arbitrary<MaskMethod> method = Arbitraries.of(MaskMethod.class);
    return Arbitraries.oneOf(
            method.map(m -> new FieldMask("email", List.of(), m)),
            method.map(m -> new FieldMask("profile", List.of("contact", "email"), m)),
            method.map(m -> new FieldMask("ssn", List.of(), m)),
            method.map(m -> new FieldMask("nullable_note", List.of(), m)),
            method.map(m -> new FieldMask("chunks", List.of(), m)))
        .list().ofMaxSize(4);
  }

  @Provide
  Arbitrary<Set<String>> columns() {
    return Arbitraries.of(ALL_COLUMNS).set();
  }

  @Property(tries = 400)
  void searchAnswersKeepTheGuarantees(
      @ForAll @Size(min = 1, max = 4) List<@IntRange(min = 0, max = 7) Integer> topks,
      @ForAll("columns") Set<String> columns,
      @ForAll("masks") List<FieldMask> masks,
      @ForAll boolean strip,
      @ForAll boolean vectorsRequested,
      @ForAll boolean vectorGroupBy,
      @ForAll @IntRange(min = 0, max = 8) int cap) {
    int rows = topks.stream().mapToInt(Integer::intValue).sum();
    SearchResultData.Builder d = SearchResultData.newBuilder()
        .setNumQueries(topks.size())
        .setTopK(topks.stream().mapToInt(Integer::intValue).max().orElse(0))
        .addAllTopks(topks.stream().map(Integer::longValue).toList())
        .setIds(IDs.newBuilder().setIntId(LongArray.newBuilder().addAllData(range(rows))))
        .addAllScores(range(rows).stream().map(i -> (float) i).toList())
        .setElementIndices(LongArray.newBuilder().addAllData(range(rows)))
        .setPrimaryFieldName("id")
        .addAllFieldsData(columns(columns, rows))
        .addAllOutputFields(columns);
    d.setGroupByFieldValue(vectorGroupBy ? floatVectors("group_vec", rows) : longs("group_id", rows));
    io.milvus.grpc.HighlightResult.Builder highlight = io.milvus.grpc.HighlightResult.newBuilder().setFieldName("title");
    for (int i = 0; i < rows; i++) {
      highlight.addDatas(io.milvus.grpc.HighlightData.newBuilder().addFragments("fragment " + i));
    }
    d.addHighlightResults(highlight);
    Obligations o = new Obligations(masks, strip, List.of(), new LimitCap(cap, LimitCap.CapMode.CLAMP), null, null);
    ResponseRewrite rw = adapter.rewriteResponse("Search", op(Action.SEARCH, vectorsRequested),
        SearchResults.newBuilder().setResults(d).build(), o);
    SearchResultData out = ((SearchResults) rw.response()).getResults();

    long kept = 0;
    long start = 0;
    List<Long> expectedIds = new ArrayList<>();
    for (int i = 0; i < topks.size(); i++) {
      long k = Math.min(topks.get(i), cap);
      assertEquals(k, out.getTopks(i), "topks[" + i + "]");
      for (long j = 0; j < k; j++) {
        expectedIds.add(start + j); // the best hits of each query are kept
      }
      kept += k;
      start += topks.get(i);
    }
    assertEquals(expectedIds, out.getIds().getIntId().getDataList());
    assertEquals(rows - kept, rw.rowsCut());
    assertEquals(kept, out.getScoresCount());
    assertEquals(expectedIds, out.getElementIndices().getDataList());
    assertEquals(expectedIds.stream().map(i -> "fragment " + i).toList(), out.getHighlightResults(0).getDatasList()
        .stream().map(h -> h.getFragments(0)).toList());
    assertEquals(kept, rw.rows());
    if (strip || !vectorsRequested) {
      assertEquals(0, rw.vectors());
    }
    List<FieldData> all = new ArrayList<>(out.getFieldsDataList());
    if (out.hasGroupByFieldValue()) {
      all.add(out.getGroupByFieldValue());
    }
    for (FieldData fd : all) {
      assertEquals(kept, RowSlicer.rows(fd), "rows of column " + Columns.name(fd));
    }
    checkGuarantees(all, out.toByteString(), masks, strip || !vectorsRequested);
  }

  @Property(tries = 300)
  void queryAnswersKeepTheGuarantees(
      @ForAll @IntRange(min = 0, max = 12) int rows,
      @ForAll("columns") Set<String> columns,
      @ForAll("masks") List<FieldMask> masks,
      @ForAll boolean strip,
      @ForAll boolean vectorsRequested,
      @ForAll @IntRange(min = 0, max = 15) int cap) {
    List<FieldData> cols = new ArrayList<>(columns(columns, rows));
    cols.add(0, longs("id", rows));
    QueryResults q = QueryResults.newBuilder().addAllFieldsData(cols).addAllOutputFields(columns).build();
    Obligations o = new Obligations(masks, strip, List.of(), new LimitCap(cap, LimitCap.CapMode.CLAMP), null, null);
    ResponseRewrite rw = adapter.rewriteResponse("Query", op(Action.QUERY, vectorsRequested), q, o);
    QueryResults out = (QueryResults) rw.response();
    long kept = Math.min(rows, cap);
    assertEquals(rows - kept, rw.rowsCut());
    for (FieldData fd : out.getFieldsDataList()) {
      assertEquals(kept, RowSlicer.rows(fd), "rows of column " + Columns.name(fd));
    }
    assertEquals(range((int) kept), out.getFieldsData(0).getScalars().getLongData().getDataList());
    assertEquals(kept, rw.rows());
    if (strip || !vectorsRequested) {
      assertEquals(0, rw.vectors());
    }
    checkGuarantees(out.getFieldsDataList(), out.toByteString(), masks, strip || !vectorsRequested);
  }

  @Test
  void aSearchIsCutPerQueryInEveryStructure() {
    // two queries with 3 and 1 hits, cap 2: hits 0, 1 of query 0 and hit 3 of query 1 stay
    FieldData nullable = FieldData.newBuilder().setFieldName("n").setType(DataType.Int64)
        .addAllValidData(List.of(true, false, true, true))
        .setScalars(ScalarField.newBuilder().setLongData(LongArray.newBuilder().addAllData(List.of(10L, 0L, 12L, 13L))))
        .build();
    SearchResultData d = SearchResultData.newBuilder().setNumQueries(2).setTopK(3).addAllTopks(List.of(3L, 1L))
        .setIds(IDs.newBuilder().setStrId(StringArray.newBuilder().addAllData(List.of("a", "b", "c", "d"))))
        .addAllScores(List.of(0.9f, 0.8f, 0.7f, 0.6f)).addAllDistances(List.of(1f, 2f, 3f, 4f))
        .addFieldsData(nullable)
        .addFieldsData(bytesVectors("bin", DataType.BinaryVector, 4, 8, 1))
        .setGroupByFieldValue(strings("g", 4, "group-"))
        .build();
    Obligations o = new Obligations(List.of(), false, List.of(), new LimitCap(2, LimitCap.CapMode.CLAMP), null, null);
    ResponseRewrite rw = adapter.rewriteResponse("Search", op(Action.SEARCH, true), SearchResults.newBuilder()
        .setResults(d).build(), o);
    SearchResultData out = ((SearchResults) rw.response()).getResults();
    assertEquals(1, rw.rowsCut());
    assertEquals(List.of(2L, 1L), out.getTopksList());
    assertEquals(2, out.getTopK());
    assertEquals(List.of("a", "b", "d"), out.getIds().getStrId().getDataList());
    assertEquals(List.of(0.9f, 0.8f, 0.6f), out.getScoresList());
    assertEquals(List.of(1f, 2f, 4f), out.getDistancesList());
    assertEquals(List.of(true, false, true), out.getFieldsData(0).getValidDataList());
    assertEquals(List.of(10L, 0L, 13L), out.getFieldsData(0).getScalars().getLongData().getDataList());
    assertEquals(3, out.getFieldsData(1).getVectors().getBinaryVector().size());
    assertEquals(List.of("group-0@example.com", "group-1@example.com", "group-3@example.com"),
        out.getGroupByFieldValue().getScalars().getStringData().getDataList());
    assertEquals(3, rw.rows());
    assertEquals(3, rw.vectors()); // a vector reader that asked for them

    // the compact null layout: values only for the valid rows (rows 0, 2, 3 hold 10, 12, 13)
    FieldData compact = nullable.toBuilder().setScalars(ScalarField.newBuilder()
        .setLongData(LongArray.newBuilder().addAllData(List.of(10L, 12L, 13L)))).build();
    SearchResultData out2 = ((SearchResults) adapter.rewriteResponse("Search", op(Action.SEARCH, true),
        SearchResults.newBuilder().setResults(d.toBuilder().setFieldsData(0, compact)).build(), o).response())
        .getResults();
    assertEquals(List.of(true, false, true), out2.getFieldsData(0).getValidDataList());
    assertEquals(List.of(10L, 13L), out2.getFieldsData(0).getScalars().getLongData().getDataList());
  }

  @Test
  void aCountIsNeverCut() {
    QueryResults count = QueryResults.newBuilder().addFieldsData(longs("count(*)", 1)).build();
    Obligations o = new Obligations(List.of(), false, List.of(), new LimitCap(0, LimitCap.CapMode.CLAMP), null, null);
    assertEquals(count, adapter.rewriteResponse("Query", op(Action.COUNT, false), count, o).response());
  }

  @Test
  void anInconsistentAnswerIsRefusedRatherThanPassedHalfCut() {
    Obligations o = new Obligations(List.of(), false, List.of(), new LimitCap(1, LimitCap.CapMode.CLAMP), null, null);
    QueryResults ragged = QueryResults.newBuilder().addFieldsData(longs("id", 3)).addFieldsData(longs("n", 2)).build();
    assertThrows(ResponseUnenforceableException.class,
        () -> adapter.rewriteResponse("Query", op(Action.QUERY, false), ragged, o));
    SearchResults wrongIds = SearchResults.newBuilder().setResults(SearchResultData.newBuilder().addTopks(3)
        .setIds(IDs.newBuilder().setIntId(LongArray.newBuilder().addAllData(range(2))))).build();
    ResponseUnenforceableException e = assertThrows(ResponseUnenforceableException.class,
        () -> adapter.rewriteResponse("Search", op(Action.SEARCH, false), wrongIds, o));
    assertTrue(e.getMessage().contains("2 ids for 3 hits"), e.getMessage());
  }

  @Test
  void aVectorReaderThatNamedVectorsKeepsThem() {
    QueryResults q = QueryResults.newBuilder().addFieldsData(floatVectors("vec", 2)).build();
    assertEquals(q, adapter.rewriteResponse("Query", op(Action.QUERY, true), q, Obligations.NONE).response());
    QueryResults stripped = (QueryResults) adapter.rewriteResponse("Query", op(Action.QUERY, false), q,
        Obligations.NONE).response();
    assertEquals(0, stripped.getFieldsDataCount());
  }

  private static void checkGuarantees(List<FieldData> columns, ByteString serialized, List<FieldMask> masks,
      boolean vectorsForbidden) {
    String text = serialized.toString(StandardCharsets.ISO_8859_1);
    if (vectorsForbidden) {
      for (FieldData fd : columns) {
        assertFalse(Columns.hasVectors(fd), "vector column survived: " + Columns.name(fd));
      }
      assertFalse(text.contains("VECTOR-MARK"), "vector bytes survived");
    }
    for (FieldMask m : masks) {
      String secret = switch (m.field()) {
        case "email" -> "email-secret-";
        case "profile" -> "profile-secret-";
        case "ssn" -> "ssn-secret-";
        case "nullable_note" -> "note-secret-";
        case "chunks" -> "chunk-secret-";
        default -> throw new IllegalStateException(m.field());
      };
      assertFalse(text.contains(secret), "unmasked value of " + m.field() + " survived (" + m.method() + ")");
    }
  }

  private static Operation op(Action action, boolean vectorsRequested) {
    return Operation.builder(action).vectorsRequested(vectorsRequested).build();
  }

  private static List<Long> range(int n) {
    List<Long> out = new ArrayList<>(n);
    for (long i = 0; i < n; i++) {
      out.add(i);
    }
    return out;
  }

  /** The chosen columns, each holding {@code rows} rows; secrets and vector bytes carry recognisable marks. */
  private static List<FieldData> columns(Set<String> names, int rows) {
    List<FieldData> out = new ArrayList<>();
    for (String name : ALL_COLUMNS.stream().sorted().toList()) {
      if (!names.contains(name)) {
        continue;
      }
      out.add(switch (name) {
        case "email" -> strings(name, rows, "email-secret-");
        case "profile" -> json(name, rows, i -> "{\"contact\":{\"email\":\"profile-secret-" + i + "\"},\"tier\":1}", false);
        case "$meta" -> json(name, rows, i -> "{\"ssn\":\"ssn-secret-" + i + "\",\"color\":\"red\"}", true);
        case "vec" -> floatVectors(name, rows);
        case "bin" -> bytesVectors(name, DataType.BinaryVector, rows, 8, 1);
        case "f16" -> bytesVectors(name, DataType.Float16Vector, rows, DIM, DIM * 2);
        case "bf16" -> bytesVectors(name, DataType.BFloat16Vector, rows, DIM, DIM * 2);
        case "int8" -> bytesVectors(name, DataType.Int8Vector, rows, DIM, DIM);
        case "sparse" -> sparse(name, rows);
        case "chunks" -> struct(name, rows);
        case "nullable_note" -> nullable(name, rows);
        default -> throw new IllegalStateException(name);
      });
    }
    return out;
  }

  private static FieldData longs(String name, int rows) {
    return FieldData.newBuilder().setFieldName(name).setType(DataType.Int64)
        .setScalars(ScalarField.newBuilder().setLongData(LongArray.newBuilder().addAllData(range(rows)))).build();
  }

  private static FieldData strings(String name, int rows, String prefix) {
    StringArray.Builder s = StringArray.newBuilder();
    for (int i = 0; i < rows; i++) {
      s.addData(prefix + i + "@example.com");
    }
    return FieldData.newBuilder().setFieldName(name).setType(DataType.VarChar)
        .setScalars(ScalarField.newBuilder().setStringData(s)).build();
  }

  /** A nullable column in the compact layout: values only for the valid (even) rows. */
  private static FieldData nullable(String name, int rows) {
    StringArray.Builder s = StringArray.newBuilder();
    FieldData.Builder b = FieldData.newBuilder().setFieldName(name).setType(DataType.VarChar);
    for (int i = 0; i < rows; i++) {
      b.addValidData(i % 2 == 0);
      if (i % 2 == 0) {
        s.addData("note-secret-" + i);
      }
    }
    return b.setScalars(ScalarField.newBuilder().setStringData(s)).build();
  }

  private static FieldData json(String name, int rows, java.util.function.IntFunction<String> row, boolean dynamic) {
    JSONArray.Builder j = JSONArray.newBuilder();
    for (int i = 0; i < rows; i++) {
      j.addData(ByteString.copyFromUtf8(row.apply(i)));
    }
    return FieldData.newBuilder().setFieldName(name).setType(DataType.JSON).setIsDynamic(dynamic)
        .setScalars(ScalarField.newBuilder().setJsonData(j)).build();
  }

  private static FieldData floatVectors(String name, int rows) {
    FloatArray.Builder f = FloatArray.newBuilder();
    for (int i = 0; i < rows * DIM; i++) {
      f.addData(1e6f + i);
    }
    return FieldData.newBuilder().setFieldName(name).setType(DataType.FloatVector)
        .setVectors(VectorField.newBuilder().setDim(DIM).setFloatVector(f)).build();
  }

  private static ByteString marked(int bytes) {
    byte[] mark = "VECTOR-MARK".getBytes(StandardCharsets.US_ASCII);
    byte[] out = new byte[bytes];
    for (int i = 0; i < bytes; i++) {
      out[i] = mark[i % mark.length];
    }
    return ByteString.copyFrom(out);
  }

  private static FieldData bytesVectors(String name, DataType type, int rows, int dim, int width) {
    VectorField.Builder v = VectorField.newBuilder().setDim(dim);
    ByteString payload = rows == 0 ? ByteString.EMPTY : marked(Math.max(rows * width, 11));
    payload = payload.substring(0, rows * width);
    switch (type) {
      case BinaryVector -> v.setBinaryVector(payload);
      case Float16Vector -> v.setFloat16Vector(payload);
      case BFloat16Vector -> v.setBfloat16Vector(payload);
      case Int8Vector -> v.setInt8Vector(payload);
      default -> throw new IllegalArgumentException(type.name());
    }
    return FieldData.newBuilder().setFieldName(name).setType(type).setVectors(v).build();
  }

  private static FieldData sparse(String name, int rows) {
    SparseFloatArray.Builder s = SparseFloatArray.newBuilder().setDim(100);
    for (int i = 0; i < rows; i++) {
      s.addContents(marked(11));
    }
    return FieldData.newBuilder().setFieldName(name).setType(DataType.SparseFloatVector)
        .setVectors(VectorField.newBuilder().setDim(100).setSparseFloatVector(s)).build();
  }

  /** An array of structs: a VarChar array sub-field and a vector-array sub-field, one element per row. */
  private static FieldData struct(String name, int rows) {
    ArrayArray.Builder texts = ArrayArray.newBuilder().setElementType(DataType.VarChar);
    VectorArray.Builder embs = VectorArray.newBuilder().setDim(DIM).setElementType(DataType.FloatVector);
    for (int i = 0; i < rows; i++) {
      texts.addData(ScalarField.newBuilder().setStringData(StringArray.newBuilder().addData("chunk-secret-" + i)));
      embs.addData(VectorField.newBuilder().setDim(DIM).setFloatVector(FloatArray.newBuilder().addData(1e6f).addData(2e6f)));
    }
    FieldData text = FieldData.newBuilder().setFieldName("text").setType(DataType.Array)
        .setScalars(ScalarField.newBuilder().setArrayData(texts)).build();
    FieldData emb = FieldData.newBuilder().setFieldName("emb").setType(DataType.ArrayOfVector)
        .setVectors(VectorField.newBuilder().setDim(DIM).setVectorArray(embs)).build();
    return FieldData.newBuilder().setFieldName(name).setType(DataType.ArrayOfStruct)
        .setStructArrays(StructArrayField.newBuilder().addFields(text).addFields(emb)).build();
  }
}
