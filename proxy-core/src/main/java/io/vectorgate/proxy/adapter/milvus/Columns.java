package io.vectorgate.proxy.adapter.milvus;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.milvus.grpc.DataType;
import io.milvus.grpc.FieldData;
import io.milvus.grpc.ScalarField;
import io.milvus.grpc.VectorField;
import io.vectorgate.proxy.adapter.AdapterException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Helpers over Milvus columnar {@link FieldData}. */
final class Columns {
  /** The name Milvus gives the dynamic-field column. */
  static final String DYNAMIC = "$meta";

  static final ObjectMapper JSON = new ObjectMapper();

  private Columns() {}

  /** The column's name; the dynamic column may arrive without one (pymilvus inserts). */
  static String name(FieldData fd) {
    return fd.getFieldName().isEmpty() && fd.getIsDynamic() ? DYNAMIC : fd.getFieldName();
  }

  static boolean isDynamic(FieldData fd) {
    return fd.getIsDynamic() || DYNAMIC.equals(fd.getFieldName());
  }

  static Optional<FieldData> dynamicColumn(List<FieldData> columns) {
    return columns.stream().filter(Columns::isDynamic).findFirst();
  }

  static boolean isVectorType(DataType t) {
    return switch (t) {
      case BinaryVector, FloatVector, Float16Vector, BFloat16Vector, SparseFloatVector, Int8Vector, ArrayOfVector -> true;
      default -> false;
    };
  }

  /** True when the column carries embeddings (directly, or inside a struct array). */
  static boolean hasVectors(FieldData fd) {
    if (fd.hasVectors() || isVectorType(fd.getType())) {
      return true;
    }
    return fd.hasStructArrays() && fd.getStructArrays().getFieldsList().stream().anyMatch(Columns::hasVectors);
  }

  /** Rows in a column as stored in its payload; -1 when it cannot be told. */
  static long rowCount(FieldData fd) {
    if (fd.hasScalars()) {
      return scalarCount(fd.getScalars());
    }
    if (fd.hasVectors()) {
      return vectorCount(fd.getVectors());
    }
    if (fd.hasStructArrays() && fd.getStructArrays().getFieldsCount() > 0) {
      return rowCount(fd.getStructArrays().getFields(0));
    }
    return fd.getValidDataCount() > 0 ? fd.getValidDataCount() : 0;
  }

  static long scalarCount(ScalarField s) {
    return switch (s.getDataCase()) {
      case BOOL_DATA -> s.getBoolData().getDataCount();
      case INT_DATA -> s.getIntData().getDataCount();
      case LONG_DATA -> s.getLongData().getDataCount();
      case FLOAT_DATA -> s.getFloatData().getDataCount();
      case DOUBLE_DATA -> s.getDoubleData().getDataCount();
      case STRING_DATA -> s.getStringData().getDataCount();
      case BYTES_DATA -> s.getBytesData().getDataCount();
      case ARRAY_DATA -> s.getArrayData().getDataCount();
      case JSON_DATA -> s.getJsonData().getDataCount();
      case GEOMETRY_DATA -> s.getGeometryData().getDataCount();
      case TIMESTAMPTZ_DATA -> s.getTimestamptzData().getDataCount();
      case GEOMETRY_WKT_DATA -> s.getGeometryWktData().getDataCount();
      case DATA_NOT_SET -> 0;
    };
  }

  static long vectorCount(VectorField v) {
    long dim = v.getDim();
    return switch (v.getDataCase()) {
      case FLOAT_VECTOR -> dim > 0 ? v.getFloatVector().getDataCount() / dim : -1;
      case BINARY_VECTOR -> dim > 0 ? v.getBinaryVector().size() / Math.max(1, dim / 8) : -1;
      case FLOAT16_VECTOR -> dim > 0 ? v.getFloat16Vector().size() / (dim * 2) : -1;
      case BFLOAT16_VECTOR -> dim > 0 ? v.getBfloat16Vector().size() / (dim * 2) : -1;
      case INT8_VECTOR -> dim > 0 ? v.getInt8Vector().size() / dim : -1;
      case SPARSE_FLOAT_VECTOR -> v.getSparseFloatVector().getContentsCount();
      case VECTOR_ARRAY -> v.getVectorArray().getDataCount();
      case DATA_NOT_SET -> 0;
    };
  }

  /**
   * One plain value per row of a scalar column (null where the row is null or the type has no
   * plain value: bytes, geometry, arrays). Handles both null layouts: values for every row, or
   * (as pymilvus sends) values only for the rows {@code valid_data} marks valid.
   */
  static List<Object> rowValues(FieldData fd, long rows, String path) {
    if (!fd.hasScalars()) {
      return null;
    }
    ScalarField s = fd.getScalars();
    long stored = scalarCount(s);
    List<Boolean> valid = fd.getValidDataList();
    boolean compact;
    if (valid.isEmpty()) {
      if (stored != rows) {
        throw inconsistent(fd, path, stored, rows);
      }
      compact = false;
    } else {
      if (valid.size() != rows) {
        throw new AdapterException(AdapterException.MALFORMED_REQUEST, path + ".valid_data",
            "column `" + name(fd) + "` has " + valid.size() + " valid_data flags for " + rows + " rows");
      }
      long validCount = valid.stream().filter(Boolean::booleanValue).count();
      if (stored == rows) {
        compact = false;
      } else if (stored == validCount) {
        compact = true;
      } else {
        throw inconsistent(fd, path, stored, rows);
      }
    }
    List<Object> out = new ArrayList<>((int) rows);
    int next = 0;
    for (int row = 0; row < rows; row++) {
      boolean isValid = valid.isEmpty() || valid.get(row);
      if (!isValid) {
        out.add(null);
        if (!compact) {
          next++;
        }
        continue;
      }
      out.add(scalarAt(s, next++));
    }
    return out;
  }

  private static AdapterException inconsistent(FieldData fd, String path, long stored, long rows) {
    return new AdapterException(AdapterException.MALFORMED_REQUEST, path,
        "column `" + name(fd) + "` holds " + stored + " values for " + rows + " rows");
  }

  static Object scalarAt(ScalarField s, int i) {
    return switch (s.getDataCase()) {
      case BOOL_DATA -> s.getBoolData().getData(i);
      case INT_DATA -> (long) s.getIntData().getData(i);
      case LONG_DATA -> s.getLongData().getData(i);
      case FLOAT_DATA -> (double) s.getFloatData().getData(i);
      case DOUBLE_DATA -> s.getDoubleData().getData(i);
      case STRING_DATA -> s.getStringData().getData(i);
      case JSON_DATA -> s.getJsonData().getData(i).toString(StandardCharsets.UTF_8);
      case TIMESTAMPTZ_DATA -> s.getTimestamptzData().getData(i);
      case GEOMETRY_WKT_DATA -> s.getGeometryWktData().getData(i);
      default -> null;
    };
  }

  /** Parses a JSON row of the dynamic column; an object is required. */
  static JsonNode jsonObject(String text, String path) {
    try {
      JsonNode node = JSON.readTree(text);
      if (node == null || !node.isObject()) {
        throw new AdapterException(AdapterException.MALFORMED_REQUEST, path, "dynamic field row at `" + path + "` is not a JSON object");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw new AdapterException(AdapterException.MALFORMED_REQUEST, path, "dynamic field row at `" + path + "` is not valid JSON", e);
    }
  }

  /** The rows of the dynamic column as JSON objects (null for a null row). */
  static List<JsonNode> dynamicRows(FieldData fd, long rows, String path) {
    List<Object> texts = rowValues(fd, rows, path);
    List<JsonNode> out = new ArrayList<>(texts.size());
    for (int i = 0; i < texts.size(); i++) {
      Object t = texts.get(i);
      out.add(t == null ? null : jsonObject((String) t, path + ".scalars.json_data[" + i + "]"));
    }
    return out;
  }

  /** Parses one JSON value of a JSON column. */
  static JsonNode jsonValue(String text, String path) {
    try {
      return JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new AdapterException(AdapterException.MALFORMED_REQUEST, path, "JSON value at `" + path + "` is not valid JSON", e);
    }
  }

  /** A JSON scalar as a plain value (String, Long, Double, Boolean); null for anything else. */
  static Object plain(JsonNode n) {
    if (n == null || n.isNull()) {
      return null;
    }
    if (n.isTextual()) {
      return n.textValue();
    }
    if (n.isBoolean()) {
      return n.booleanValue();
    }
    if (n.isIntegralNumber() && n.canConvertToLong()) {
      return n.longValue();
    }
    if (n.isNumber()) {
      return n.doubleValue();
    }
    return null;
  }
}
