package io.vectorgate.proxy.grpc;

import com.google.protobuf.Message;
import io.milvus.grpc.FieldData;
import io.milvus.grpc.QueryResults;
import io.milvus.grpc.SearchResults;
import java.util.List;

/** Rows and vectors a Milvus response returns, for the caller's usage budgets. */
record ResponseCounts(long rows, long vectors) {
  static final ResponseCounts NONE = new ResponseCounts(0, 0);

  static ResponseCounts of(Message response) {
    if (response instanceof SearchResults s) {
      var ids = s.getResults().getIds();
      long rows = ids.hasIntId() ? ids.getIntId().getDataCount() : ids.getStrId().getDataCount();
      return new ResponseCounts(rows, hasVectors(s.getResults().getFieldsDataList()) ? rows : 0);
    }
    if (response instanceof QueryResults q) {
      long rows = 0;
      for (FieldData f : q.getFieldsDataList()) {
        rows = Math.max(rows, rowsOf(f));
      }
      return new ResponseCounts(rows, hasVectors(q.getFieldsDataList()) ? rows : 0);
    }
    return NONE;
  }

  private static boolean hasVectors(List<FieldData> fields) {
    return fields.stream().anyMatch(FieldData::hasVectors);
  }

  private static long rowsOf(FieldData f) {
    if (f.hasScalars()) {
      var s = f.getScalars();
      return switch (s.getDataCase()) {
        case BOOL_DATA -> s.getBoolData().getDataCount();
        case INT_DATA -> s.getIntData().getDataCount();
        case LONG_DATA -> s.getLongData().getDataCount();
        case FLOAT_DATA -> s.getFloatData().getDataCount();
        case DOUBLE_DATA -> s.getDoubleData().getDataCount();
        case STRING_DATA -> s.getStringData().getDataCount();
        case BYTES_DATA -> s.getBytesData().getDataCount();
        case JSON_DATA -> s.getJsonData().getDataCount();
        case ARRAY_DATA -> s.getArrayData().getDataCount();
        default -> 0;
      };
    }
    if (f.hasVectors() && f.getVectors().hasFloatVector() && f.getVectors().getDim() > 0) {
      return f.getVectors().getFloatVector().getDataCount() / f.getVectors().getDim();
    }
    return 0;
  }
}
