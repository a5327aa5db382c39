package io.vectorgate.proxy.adapter.milvus;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import io.milvus.grpc.ArrayArray;
import io.milvus.grpc.BoolArray;
import io.milvus.grpc.DoubleArray;
import io.milvus.grpc.FieldData;
import io.milvus.grpc.FloatArray;
import io.milvus.grpc.HighlightResult;
import io.milvus.grpc.IDs;
import io.milvus.grpc.IntArray;
import io.milvus.grpc.JSONArray;
import io.milvus.grpc.LongArray;
import io.milvus.grpc.QueryResults;
import io.milvus.grpc.ScalarField;
import io.milvus.grpc.SearchResultData;
import io.milvus.grpc.SearchResults;
import io.milvus.grpc.StringArray;
import io.milvus.grpc.StructArrayField;
import io.milvus.grpc.GeometryWktArray;
import io.milvus.grpc.TimestamptzArray;
import io.vectorgate.model.FieldMask;
import io.vectorgate.model.MaskMethod;
import io.vectorgate.model.Obligations;
import io.vectorgate.model.RowFilter;
import io.vectorgate.proxy.adapter.AdapterException;
import io.vectorgate.proxy.enforce.ResponseTally;
import io.vectorgate.proxy.enforce.ValueMasker;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Applies the response guarantees to Milvus search and query results, whatever the request
 * asked: strips vectors by type, masks values, drops fields, and cuts rows beyond the limit cap.
 * Masking and stripping keep every column's row count: masking rewrites values in place; dropping
 * removes whole columns (and their {@code output_fields} entries). Cutting removes the same rows
 * from every per-row structure: columns, ids, scores, distances, element indices, group-by values
 * and highlights, per query of a search ({@code topks}), so the answer stays consistent.
 *
 * <p>Rules: a mask names a column; it also applies to a key of that name in the dynamic
 * {@code $meta} column (names match exactly: Milvus field names and JSON keys are
 * case-sensitive). A mask on a column whose values cannot be masked in place (vectors, bytes, WKB
 * geometry) drops the column. A path on a non-JSON column cannot be followed, so the whole value
 * is masked. Highlight fragments of a masked field are removed. When the primary key is masked,
 * the search hit ids are masked the same way (redacted when dropped).
 */
final class ResultRewriter {
  private final ValueMasker masker;

  ResultRewriter(ValueMasker masker) {
    this.masker = masker;
  }

  static boolean needed(Obligations o) {
    return o.stripVectors() || !o.mask().isEmpty() || o.limitCap() != null || !o.rowFilter().isEmpty();
  }

  ResponseRewrite rewrite(SearchResults response, Obligations o) {
    if (!needed(o) || !response.hasResults()) {
      return counted(response, 0, 0, 0);
    }
    SearchResultData data = response.getResults();
    long dropped = 0;
    if (!o.rowFilter().isEmpty()) {
      checkIds(data);
      long total = rowCount(data);
      int[] keep = passing(data.getFieldsDataList(), total, o.rowFilter(), "results.fields_data");
      dropped = total - keep.length;
      if (dropped > 0) {
        data = keepHits(data, keep);
        tally(dropped, "milvus search");
      }
    }
    long rowsCut = 0;
    if (o.limitCap() != null) {
      SearchResultData cut = cutSearch(data, o.limitCap().max());
      rowsCut = rowCount(data) - rowCount(cut);
      data = cut;
    }
    Outcome out = rewriteColumns(data.getFieldsDataList(), data.getOutputFieldsList(), o);
    int stripped = out.vectorsStripped;
    SearchResultData.Builder b = data.toBuilder()
        .clearFieldsData().addAllFieldsData(out.columns)
        .clearOutputFields().addAllOutputFields(out.outputFields);

    String pk = data.getPrimaryFieldName();
    if (!pk.isEmpty() && data.hasIds()) {
      MaskMethod pkMethod = strictestMethod(o.mask(), pk);
      if (pkMethod != null) {
        b.setIds(maskIds(data.getIds(), pkMethod == MaskMethod.DROP ? MaskMethod.REDACT : pkMethod));
      }
    }
    if (!data.getHighlightResultsList().isEmpty()) {
      List<HighlightResult> kept = new ArrayList<>();
      for (HighlightResult h : data.getHighlightResultsList()) {
        if (strictestMethod(o.mask(), h.getFieldName()) == null && !out.removed.contains(h.getFieldName())) {
          kept.add(h);
        }
      }
      b.clearHighlightResults().addAllHighlightResults(kept);
    }
    if (data.hasGroupByFieldValue()) {
      FieldData g = data.getGroupByFieldValue();
      if (o.stripVectors() && Columns.hasVectors(g)) {
        b.clearGroupByFieldValue();
        stripped++;
      } else {
        List<FieldMask> masks = masksFor(o.mask(), Columns.name(g));
        if (masks.stream().anyMatch(m -> m.method() == MaskMethod.DROP && m.path().isEmpty())) {
          b.clearGroupByFieldValue();
        } else if (!masks.isEmpty()) {
          FieldData masked = maskColumn(g, masks);
          if (masked == null) {
            b.clearGroupByFieldValue();
          } else {
            b.setGroupByFieldValue(masked);
          }
        }
      }
    }
    return counted(response.toBuilder().setResults(b).build(), rowsCut, dropped, stripped);
  }

  ResponseRewrite rewrite(QueryResults response, Obligations o) {
    if (!needed(o)) {
      return counted(response, 0, 0, 0);
    }
    long dropped = 0;
    if (!o.rowFilter().isEmpty()) {
      long rows = queryRows(response.getFieldsDataList());
      int[] keep = passing(response.getFieldsDataList(), rows, o.rowFilter(), "fields_data");
      dropped = rows - keep.length;
      if (dropped > 0) {
        response = keepQueryRows(response, keep, rows);
        tally(dropped, "milvus query");
      }
    }
    long rowsCut = 0;
    if (o.limitCap() != null) {
      long rows = queryRows(response.getFieldsDataList());
      if (rows > o.limitCap().max()) {
        int[] keep = RowSlicer.firstPerQuery(List.of(rows), o.limitCap().max());
        response = keepQueryRows(response, keep, rows);
        rowsCut = rows - keep.length;
      }
    }
    Outcome out = rewriteColumns(response.getFieldsDataList(), response.getOutputFieldsList(), o);
    return counted(response.toBuilder()
        .clearFieldsData().addAllFieldsData(out.columns)
        .clearOutputFields().addAllOutputFields(out.outputFields)
        .build(), rowsCut, dropped, out.vectorsStripped);
  }

  private static QueryResults keepQueryRows(QueryResults response, int[] keep, long rows) {
    List<FieldData> cut = new ArrayList<>();
    for (FieldData fd : response.getFieldsDataList()) {
      cut.add(RowSlicer.keep(fd, keep, rows));
    }
    return response.toBuilder().clearFieldsData().addAllFieldsData(cut).build();
  }

  /**
   * The rows (ascending) that do not violate the row filter: a row that carries a filtered field
   * (a scalar column or a {@code $meta} key of the answer) with a value outside the filter is a
   * {@code row_filter_response_violation}; a row that does not carry it is not judged.
   */
  private static int[] passing(List<FieldData> columns, long rows, List<RowFilter> filters, String path) {
    FilterRows values;
    try {
      values = FilterRows.of(columns, rows, MilvusAdapter.fields(filters), path);
    } catch (AdapterException e) {
      throw new ResponseUnenforceableException("the row filter cannot be checked: " + e.getMessage());
    }
    List<Integer> keep = new ArrayList<>();
    for (int r = 0; r < rows; r++) {
      if (!values.violates(r, filters)) {
        keep.add(r);
      }
    }
    return keep.stream().mapToInt(Integer::intValue).toArray();
  }

  /** Counts and logs ({@code row_filter_response_violation}) rows dropped by the row filter. */
  private static void tally(long dropped, String where) {
    new ResponseTally().rowFilterDropped(dropped, where);
  }

  /** The rewrite with the rows and vectors {@code response} returns. */
  static ResponseRewrite counted(com.google.protobuf.Message response, long rowsCut, long dropped, int stripped) {
    List<FieldData> columns;
    long rows;
    if (response instanceof SearchResults s) {
      rows = idCount(s.getResults().getIds());
      columns = s.getResults().getFieldsDataList();
    } else if (response instanceof QueryResults q) {
      rows = 0;
      for (FieldData fd : q.getFieldsDataList()) {
        rows = Math.max(rows, Math.max(0, Columns.rowCount(fd)));
        rows = Math.max(rows, fd.getValidDataCount());
      }
      columns = q.getFieldsDataList();
    } else {
      return new ResponseRewrite(response, rowsCut, dropped, stripped, 0, 0);
    }
    boolean vectors = columns.stream().anyMatch(Columns::hasVectors);
    return new ResponseRewrite(response, rowsCut, dropped, stripped, rows, vectors ? rows : 0);
  }

  /** The rows of a query answer: every column must hold the same number. */
  private static long queryRows(List<FieldData> columns) {
    long rows = -1;
    for (FieldData fd : columns) {
      long n = RowSlicer.rows(fd);
      if (rows >= 0 && n != rows) {
        throw new ResponseUnenforceableException("query columns hold different row counts (" + rows + " and " + n
            + " in `" + Columns.name(fd) + "`)");
      }
      rows = n;
    }
    return Math.max(rows, 0);
  }

  /** Rows of a search answer: the sum of its per-query {@code topks}. */
  private static long rowCount(SearchResultData d) {
    return d.getTopksList().stream().mapToLong(Long::longValue).sum();
  }

  /** Every hit has an id: the per-hit structures can be cut consistently. */
  private static void checkIds(SearchResultData d) {
    long total = rowCount(d);
    long ids = idCount(d.getIds());
    if (ids != total) {
      throw new ResponseUnenforceableException("the search answer holds " + ids + " ids for " + total
          + " hits (topks " + d.getTopksList() + ")");
    }
  }

  /** Keeps the first {@code cap} hits of every query, in every per-hit structure. */
  private static SearchResultData cutSearch(SearchResultData d, long cap) {
    checkIds(d);
    if (d.getTopksList().stream().noneMatch(k -> k > cap)) {
      return d;
    }
    int[] keep = RowSlicer.firstPerQuery(d.getTopksList(), cap);
    return keepHits(d, keep).toBuilder().setTopK(Math.min(d.getTopK(), cap)).build();
  }

  /**
   * Keeps the hits {@code keep} (ascending indices over all queries) in every per-hit structure:
   * ids, scores, distances, element indices, columns, group-by values, highlights; each query's
   * {@code topks} entry becomes the number of its hits kept.
   */
  private static SearchResultData keepHits(SearchResultData d, int[] keep) {
    long total = rowCount(d);
    SearchResultData.Builder b = d.toBuilder();
    b.clearTopks();
    long start = 0;
    int next = 0;
    for (long k : d.getTopksList()) {
      long kept = 0;
      while (next < keep.length && keep[next] < start + k) {
        kept++;
        next++;
      }
      b.addTopks(kept);
      start += k;
    }
    b.setIds(switch (d.getIds().getIdFieldCase()) {
      case INT_ID -> IDs.newBuilder().setIntId(LongArray.newBuilder().addAllData(pick(d.getIds().getIntId().getDataList(), keep))).build();
      case STR_ID -> IDs.newBuilder().setStrId(StringArray.newBuilder().addAllData(pick(d.getIds().getStrId().getDataList(), keep))).build();
      case IDFIELD_NOT_SET -> d.getIds();
    });
    b.clearScores().addAllScores(perHit(d.getScoresList(), keep, total, "scores"));
    b.clearDistances().addAllDistances(perHit(d.getDistancesList(), keep, total, "distances"));
    if (d.hasElementIndices()) {
      b.setElementIndices(LongArray.newBuilder().addAllData(
          perHit(d.getElementIndices().getDataList(), keep, total, "element_indices")));
    }
    b.clearFieldsData();
    for (FieldData fd : d.getFieldsDataList()) {
      b.addFieldsData(RowSlicer.keep(fd, keep, total));
    }
    if (d.hasGroupByFieldValue()) {
      b.setGroupByFieldValue(RowSlicer.keep(d.getGroupByFieldValue(), keep, total));
    }
    b.clearHighlightResults();
    for (HighlightResult h : d.getHighlightResultsList()) {
      b.addHighlightResults(h.toBuilder().clearDatas()
          .addAllDatas(perHit(h.getDatasList(), keep, total, "highlight_results." + h.getFieldName())));
    }
    return b.build();
  }

  private static long idCount(IDs ids) {
    return switch (ids.getIdFieldCase()) {
      case INT_ID -> ids.getIntId().getDataCount();
      case STR_ID -> ids.getStrId().getDataCount();
      case IDFIELD_NOT_SET -> 0;
    };
  }

  /** A per-hit list cut to the kept hits; an empty (absent) list stays empty. */
  private static <T> List<T> perHit(List<T> values, int[] keep, long total, String what) {
    if (values.isEmpty()) {
      return values;
    }
    if (values.size() != total) {
      throw new ResponseUnenforceableException("the search answer holds " + values.size() + " " + what + " for "
          + total + " hits");
    }
    return pick(values, keep);
  }

  private static <T> List<T> pick(List<T> values, int[] keep) {
    List<T> out = new ArrayList<>(keep.length);
    for (int i : keep) {
      out.add(values.get(i));
    }
    return out;
  }

  private record Outcome(List<FieldData> columns, List<String> outputFields, Set<String> removed, int vectorsStripped) {}

  private Outcome rewriteColumns(List<FieldData> columns, List<String> outputFields, Obligations o) {
    Set<String> columnNames = new HashSet<>();
    for (FieldData fd : columns) {
      if (!Columns.isDynamic(fd)) {
        columnNames.add(fd.getFieldName());
      }
    }
    Set<String> removed = new HashSet<>();
    List<FieldData> kept = new ArrayList<>();
    int vectorsStripped = 0;
    for (FieldData fd : columns) {
      String name = Columns.name(fd);
      if (o.stripVectors() && Columns.hasVectors(fd)) {
        vectorsStripped++;
        FieldData stripped = stripStructVectors(fd);
        if (stripped == null) {
          removed.add(name);
          continue;
        }
        fd = stripped;
      }
      List<FieldMask> masks = masksFor(o.mask(), name);
      if (masks.stream().anyMatch(m -> m.method() == MaskMethod.DROP && m.path().isEmpty())) {
        removed.add(name);
        continue;
      }
      if (!masks.isEmpty()) {
        FieldData masked = maskColumn(fd, masks);
        if (masked == null) {
          removed.add(name);
          continue;
        }
        fd = masked;
      }
      if (Columns.isDynamic(fd)) {
        List<FieldMask> keyMasks = new ArrayList<>();
        for (FieldMask m : o.mask()) {
          // a key of $meta named like a masked field is masked too, even beside a column of that name
          if (!m.field().equals(Columns.DYNAMIC)) {
            List<String> path = new ArrayList<>();
            path.add(m.field());
            path.addAll(m.path());
            keyMasks.add(new FieldMask(Columns.DYNAMIC, path, m.method()));
            if (m.method() == MaskMethod.DROP && m.path().isEmpty() && !columnNames.contains(m.field())) {
              removed.add(m.field());
            }
          }
        }
        if (!keyMasks.isEmpty()) {
          fd = maskColumn(fd, keyMasks);
        }
      }
      kept.add(fd);
    }
    List<String> fields = new ArrayList<>();
    for (String f : outputFields) {
      if (!removed.contains(f)) {
        fields.add(f);
      }
    }
    return new Outcome(kept, fields, removed, vectorsStripped);
  }

  /** Removes vector sub-fields of a struct array; null when nothing is left. */
  private static FieldData stripStructVectors(FieldData fd) {
    if (!fd.hasStructArrays()) {
      return null;
    }
    List<FieldData> subs = new ArrayList<>();
    for (FieldData sub : fd.getStructArrays().getFieldsList()) {
      if (!Columns.hasVectors(sub)) {
        subs.add(sub);
      }
    }
    if (subs.isEmpty()) {
      return null;
    }
    return fd.toBuilder().setStructArrays(StructArrayField.newBuilder().addAllFields(subs)).build();
  }

  private static List<FieldMask> masksFor(List<FieldMask> masks, String field) {
    return masks.stream().filter(m -> m.field().equals(field)).toList();
  }

  private static MaskMethod strictestMethod(List<FieldMask> masks, String field) {
    MaskMethod best = null;
    for (FieldMask m : masks) {
      if (m.field().equals(field) && (best == null || rank(m.method()) > rank(best))) {
        best = m.method();
      }
    }
    return best;
  }

  private static int rank(MaskMethod m) {
    return switch (m) {
      case PARTIAL -> 1;
      case HASH -> 2;
      case REDACT -> 3;
      case DROP -> 4;
    };
  }

  /** Applies masks (none of them a whole-field drop) to one column; null when it must be dropped. */
  private FieldData maskColumn(FieldData fd, List<FieldMask> masks) {
    if (fd.hasVectors()) {
      return null;
    }
    if (fd.hasStructArrays()) {
      List<FieldData> subs = new ArrayList<>();
      for (FieldData sub : fd.getStructArrays().getFieldsList()) {
        List<FieldMask> whole = masks.stream().map(m -> new FieldMask(m.field(), List.of(), m.method())).toList();
        FieldData masked = maskColumn(sub, whole);
        if (masked != null) {
          subs.add(masked);
        }
      }
      return subs.isEmpty() ? null : fd.toBuilder().setStructArrays(StructArrayField.newBuilder().addAllFields(subs)).build();
    }
    if (!fd.hasScalars()) {
      return fd;
    }
    ScalarField s = fd.getScalars();
    for (FieldMask m : masks) {
      if (s.getDataCase() == ScalarField.DataCase.JSON_DATA) {
        s = maskJson(s, m);
      } else {
        MaskMethod method = m.method() == MaskMethod.DROP ? MaskMethod.REDACT : m.method();
        s = maskScalars(s, method);
        if (s == null) {
          return null;
        }
      }
    }
    return fd.toBuilder().setScalars(s).build();
  }

  private ScalarField maskJson(ScalarField s, FieldMask m) {
    JSONArray.Builder out = JSONArray.newBuilder();
    for (ByteString row : s.getJsonData().getDataList()) {
      out.addData(maskJsonRow(row, m));
    }
    return s.toBuilder().setJsonData(out).build();
  }

  private ByteString maskJsonRow(ByteString row, FieldMask m) {
    if (row.isEmpty()) {
      return row; // a null row stays null
    }
    JsonNode doc;
    try {
      doc = Columns.JSON.readTree(row.toString(StandardCharsets.UTF_8));
    } catch (JsonProcessingException e) {
      doc = null;
    }
    JsonNode masked;
    if (doc == null) {
      // unreadable value: fail closed by replacing it entirely
      masked = com.fasterxml.jackson.databind.node.TextNode.valueOf(ValueMasker.REDACTED);
    } else if (m.path().isEmpty() && m.method() == MaskMethod.DROP) {
      masked = masker.maskJsonValue(doc, MaskMethod.REDACT);
    } else {
      masked = masker.maskJsonPath(doc, m.path(), m.method());
    }
    return ByteString.copyFromUtf8(masked.toString());
  }

  /** Masks every value of a non-JSON scalar column; null when the type cannot be masked in place. */
  private ScalarField maskScalars(ScalarField s, MaskMethod m) {
    ScalarField.Builder b = s.toBuilder();
    switch (s.getDataCase()) {
      case STRING_DATA -> b.setStringData(StringArray.newBuilder().addAllData(
          s.getStringData().getDataList().stream().map(v -> masker.maskString(v, m)).toList()));
      case GEOMETRY_WKT_DATA -> b.setGeometryWktData(GeometryWktArray.newBuilder().addAllData(
          s.getGeometryWktData().getDataList().stream().map(v -> masker.maskString(v, m)).toList()));
      case LONG_DATA -> b.setLongData(LongArray.newBuilder().addAllData(
          s.getLongData().getDataList().stream().map(v -> masker.maskLong(v, m)).toList()));
      case TIMESTAMPTZ_DATA -> b.setTimestamptzData(TimestamptzArray.newBuilder().addAllData(
          s.getTimestamptzData().getDataList().stream().map(v -> masker.maskLong(v, m)).toList()));
      case INT_DATA -> b.setIntData(IntArray.newBuilder().addAllData(
          s.getIntData().getDataList().stream().map(v -> masker.maskInt(v, m)).toList()));
      case FLOAT_DATA -> b.setFloatData(FloatArray.newBuilder().addAllData(
          s.getFloatData().getDataList().stream().map(v -> (float) masker.maskDouble(v, m)).toList()));
      case DOUBLE_DATA -> b.setDoubleData(DoubleArray.newBuilder().addAllData(
          s.getDoubleData().getDataList().stream().map(v -> masker.maskDouble(v, m)).toList()));
      case BOOL_DATA -> b.setBoolData(BoolArray.newBuilder().addAllData(
          s.getBoolData().getDataList().stream().map(v -> masker.maskBool(v, m)).toList()));
      case ARRAY_DATA -> {
        ArrayArray.Builder arrays = s.getArrayData().toBuilder().clearData();
        for (ScalarField element : s.getArrayData().getDataList()) {
          ScalarField masked = element.getDataCase() == ScalarField.DataCase.JSON_DATA
              ? maskJson(element, new FieldMask("element", List.of(), m))
              : maskScalars(element, m);
          if (masked == null) {
            return null;
          }
          arrays.addData(masked);
        }
        b.setArrayData(arrays);
      }
      case JSON_DATA -> {
        return maskJson(s, new FieldMask("value", List.of(), m));
      }
      case DATA_NOT_SET -> { }
      default -> {
        return null; // bytes, WKB geometry: no in-place mask
      }
    }
    return b.build();
  }

  private IDs maskIds(IDs ids, MaskMethod m) {
    return switch (ids.getIdFieldCase()) {
      case STR_ID -> IDs.newBuilder().setStrId(StringArray.newBuilder().addAllData(
          ids.getStrId().getDataList().stream().map(v -> masker.maskString(v, m)).toList())).build();
      case INT_ID -> IDs.newBuilder().setIntId(LongArray.newBuilder().addAllData(
          ids.getIntId().getDataList().stream().map(v -> masker.maskLong(v, m)).toList())).build();
      case IDFIELD_NOT_SET -> ids;
    };
  }
}
