package io.vectorgate.proxy.adapter.milvus;

import com.fasterxml.jackson.databind.JsonNode;
import io.milvus.grpc.FieldData;
import io.milvus.grpc.ScalarField;
import io.vectorgate.model.RowFilter;
import io.vectorgate.proxy.enforce.RowFilterMatcher;
import io.vectorgate.proxy.enforce.RowValue;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The row-filter fields of Milvus columnar rows (written rows, pre-read rows, result rows) as the
 * shared {@link RowFilterMatcher} reads them. A field is a scalar column of that name or, when
 * there is none, a key of the dynamic {@code $meta} column.
 *
 * <p>Per row, a field is either not carried (no such column or key, a null row, a JSON null) or
 * carried with a {@link RowValue}. Milvus' injected filter ({@code f == v}, {@code f in [..]})
 * never selects an array (Array columns and JSON arrays need {@code array_contains}) nor a JSON
 * object, so those are carried as {@link RowValue#ABSENT} ({@link RowValue#scalarOnly}): they
 * satisfy no condition, and on the response side they are violations, not unjudged rows.
 */
final class FilterRows {
  private final Map<String, List<RowValue>> cells;
  private final long rows;

  private FilterRows(Map<String, List<RowValue>> cells, long rows) {
    this.cells = cells;
    this.rows = rows;
  }

  /**
   * Reads {@code fields} of {@code rows} rows from {@code columns}.
   *
   * @param path where the columns are, for errors
   * @throws io.vectorgate.proxy.adapter.AdapterException when a column does not hold {@code rows} rows
   */
  static FilterRows of(List<FieldData> columns, long rows, Collection<String> fields, String path) {
    Map<String, List<RowValue>> cells = new HashMap<>();
    List<JsonNode> dynamic = null;
    for (String field : fields) {
      if (cells.containsKey(field)) {
        continue;
      }
      List<RowValue> values = null;
      for (int i = 0; i < columns.size() && values == null; i++) {
        FieldData fd = columns.get(i);
        if (!Columns.isDynamic(fd) && fd.getFieldName().equals(field)) {
          values = column(fd, rows, path + "[" + i + "]");
        }
      }
      if (values == null) {
        if (dynamic == null) {
          dynamic = dynamicRows(columns, rows, path);
        }
        values = new ArrayList<>((int) rows);
        for (JsonNode doc : dynamic) {
          values.add(doc == null ? null : json(doc.get(field)));
        }
      }
      cells.put(field, values);
    }
    return new FilterRows(cells, rows);
  }

  long rows() {
    return rows;
  }

  /** Does row {@code row} carry {@code field}? */
  boolean carries(int row, String field) {
    List<RowValue> v = cells.get(field);
    return v != null && row < v.size() && v.get(row) != null;
  }

  /** The value of {@code field} in row {@code row} ({@link RowValue#ABSENT} when not carried). */
  RowValue value(int row, String field) {
    List<RowValue> v = cells.get(field);
    RowValue r = v == null || row >= v.size() ? null : v.get(row);
    return r == null ? RowValue.ABSENT : r;
  }

  /** The first condition row {@code row} fails (request side: not carrying the field fails), if any. */
  Optional<RowFilter> failed(int row, List<RowFilter> conditions) {
    for (RowFilter c : conditions) {
      if (!RowFilterMatcher.holds(value(row, c.field()), c)) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }

  /**
   * The response-side check: does row {@code row} carry a filtered field with a value outside its
   * condition? A row that does not carry the field is not judged here.
   */
  boolean violates(int row, List<RowFilter> conditions) {
    for (RowFilter c : conditions) {
      if (carries(row, c.field()) && !RowFilterMatcher.holds(value(row, c.field()), c)) {
        return true;
      }
    }
    return false;
  }

  private static List<RowValue> column(FieldData fd, long rows, String path) {
    if (!fd.hasScalars()) {
      // a vector or struct column named like the field: nothing the filter could select
      List<RowValue> out = new ArrayList<>((int) rows);
      for (int r = 0; r < rows; r++) {
        out.add(RowValue.ABSENT);
      }
      return out;
    }
    List<Object> plain = Columns.rowValues(fd, rows, path);
    List<Boolean> valid = fd.getValidDataList();
    ScalarField.DataCase kind = fd.getScalars().getDataCase();
    List<RowValue> out = new ArrayList<>(plain.size());
    for (int r = 0; r < plain.size(); r++) {
      boolean isValid = valid.isEmpty() || valid.get(r);
      Object v = plain.get(r);
      if (!isValid) {
        out.add(null);
      } else if (kind == ScalarField.DataCase.JSON_DATA) {
        out.add(v == null ? null : json(Columns.jsonValue((String) v, path + ".scalars.json_data[" + r + "]")));
      } else {
        out.add(v == null ? RowValue.ABSENT : RowValue.scalarOnly(v)); // arrays, bytes, geometry: not selectable
      }
    }
    return out;
  }

  /** A JSON value: missing or null is not carried; arrays and objects are carried, not selectable. */
  private static RowValue json(JsonNode n) {
    return n == null || n.isNull() || n.isMissingNode() ? null : RowValue.scalarOnlyJson(n);
  }

  private static List<JsonNode> dynamicRows(List<FieldData> columns, long rows, String path) {
    Optional<FieldData> dynamic = Columns.dynamicColumn(columns);
    if (dynamic.isEmpty()) {
      List<JsonNode> none = new ArrayList<>((int) rows);
      for (int r = 0; r < rows; r++) {
        none.add(null);
      }
      return none;
    }
    return Columns.dynamicRows(dynamic.get(), rows, path + "[" + columns.indexOf(dynamic.get()) + "]");
  }
}
