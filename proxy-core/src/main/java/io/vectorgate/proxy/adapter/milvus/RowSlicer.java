package io.vectorgate.proxy.adapter.milvus;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.milvus.grpc.FieldData;
import io.milvus.grpc.FloatArray;
import io.milvus.grpc.ScalarField;
import io.milvus.grpc.SparseFloatArray;
import io.milvus.grpc.StructArrayField;
import io.milvus.grpc.VectorArray;
import io.milvus.grpc.VectorField;
import java.util.ArrayList;
import java.util.List;

/**
 * Keeps chosen rows of Milvus columnar data: every payload kind of {@link FieldData} (all scalar
 * arrays, every vector encoding, vector arrays, struct arrays), in both null layouts (values for
 * every row, or, with {@code valid_data}, values only for the valid rows). A column whose payload
 * does not hold the expected number of rows cannot be cut safely and is refused
 * ({@link ResponseUnenforceableException}), so a malformed answer never passes half-cut.
 */
final class RowSlicer {
  private RowSlicer() {}

  /** The rows a column holds: its {@code valid_data} flags when present, else its payload's values. */
  static long rows(FieldData fd) {
    if (fd.getValidDataCount() > 0) {
      return fd.getValidDataCount();
    }
    return switch (fd.getFieldCase()) {
      case SCALARS -> Columns.scalarCount(fd.getScalars());
      case VECTORS -> {
        long n = Columns.vectorCount(fd.getVectors());
        if (n < 0) {
          throw new ResponseUnenforceableException("vector column `" + Columns.name(fd) + "` has no usable dimension");
        }
        yield n;
      }
      case STRUCT_ARRAYS -> fd.getStructArrays().getFieldsCount() == 0 ? 0 : rows(fd.getStructArrays().getFields(0));
      case FIELD_NOT_SET -> 0;
    };
  }

  /** The column with only {@code keep} (ascending row indices below {@code rows}). */
  static FieldData keep(FieldData fd, int[] keep, long rows) {
    String name = Columns.name(fd);
    List<Boolean> valid = fd.getValidDataList();
    if (!valid.isEmpty() && valid.size() != rows) {
      throw new ResponseUnenforceableException("column `" + name + "` has " + valid.size()
          + " valid_data flags for " + rows + " rows");
    }
    long validCount = valid.isEmpty() ? rows : valid.stream().filter(Boolean::booleanValue).count();
    FieldData.Builder b = fd.toBuilder();
    if (!valid.isEmpty()) {
      b.clearValidData();
      for (int r : keep) {
        b.addValidData(valid.get(r));
      }
    }
    switch (fd.getFieldCase()) {
      case SCALARS -> {
        long stored = Columns.scalarCount(fd.getScalars());
        b.setScalars(keepScalars(fd.getScalars(), payloadRows(name, keep, valid, rows, validCount, stored)));
      }
      case VECTORS -> {
        long stored = Columns.vectorCount(fd.getVectors());
        b.setVectors(keepVectors(name, fd.getVectors(), payloadRows(name, keep, valid, rows, validCount, stored)));
      }
      case STRUCT_ARRAYS -> {
        StructArrayField.Builder s = StructArrayField.newBuilder();
        for (FieldData sub : fd.getStructArrays().getFieldsList()) {
          s.addFields(keep(sub, keep, rows));
        }
        b.setStructArrays(s);
      }
      case FIELD_NOT_SET -> {
        if (rows > 0 && valid.isEmpty()) {
          throw new ResponseUnenforceableException("column `" + name + "` has no payload for " + rows + " rows");
        }
      }
    }
    return b.build();
  }

  /** The payload indices of the kept rows, for a payload holding {@code stored} values. */
  private static int[] payloadRows(String name, int[] keep, List<Boolean> valid, long rows, long validCount,
      long stored) {
    if (stored == rows) {
      return keep; // values for every row (null rows hold a placeholder)
    }
    if (!valid.isEmpty() && stored == validCount) {
      int[] index = new int[valid.size()];
      int next = 0;
      for (int r = 0; r < valid.size(); r++) {
        index[r] = valid.get(r) ? next++ : -1;
      }
      List<Integer> out = new ArrayList<>(keep.length);
      for (int r : keep) {
        if (index[r] >= 0) {
          out.add(index[r]);
        }
      }
      return out.stream().mapToInt(Integer::intValue).toArray();
    }
    throw new ResponseUnenforceableException("column `" + name + "` holds " + stored + " values for " + rows + " rows");
  }

  private static ScalarField keepScalars(ScalarField s, int[] keep) {
    if (s.getDataCase() == ScalarField.DataCase.DATA_NOT_SET) {
      return s;
    }
    FieldDescriptor arrayField = s.getDescriptorForType().findFieldByNumber(s.getDataCase().getNumber());
    Message array = (Message) s.getField(arrayField);
    return s.toBuilder().setField(arrayField, keepRepeated(array, "data", keep)).build();
  }

  /** The message with only the chosen elements of its repeated field {@code name}. */
  private static Message keepRepeated(Message m, String name, int[] keep) {
    FieldDescriptor f = DescriptorFields.named(m.getDescriptorForType(), name);
    Message.Builder b = m.toBuilder().clearField(f);
    for (int i : keep) {
      b.addRepeatedField(f, m.getRepeatedField(f, i));
    }
    return b.build();
  }

  private static VectorField keepVectors(String name, VectorField v, int[] keep) {
    VectorField.Builder b = v.toBuilder();
    long dim = v.getDim();
    switch (v.getDataCase()) {
      case FLOAT_VECTOR -> {
        FloatArray.Builder f = FloatArray.newBuilder();
        for (int r : keep) {
          for (long i = r * dim; i < (r + 1) * dim; i++) {
            f.addData(v.getFloatVector().getData((int) i));
          }
        }
        b.setFloatVector(f);
      }
      case BINARY_VECTOR -> b.setBinaryVector(keepBytes(name, v.getBinaryVector(), dim / 8, keep));
      case FLOAT16_VECTOR -> b.setFloat16Vector(keepBytes(name, v.getFloat16Vector(), dim * 2, keep));
      case BFLOAT16_VECTOR -> b.setBfloat16Vector(keepBytes(name, v.getBfloat16Vector(), dim * 2, keep));
      case INT8_VECTOR -> b.setInt8Vector(keepBytes(name, v.getInt8Vector(), dim, keep));
      case SPARSE_FLOAT_VECTOR -> b.setSparseFloatVector((SparseFloatArray) keepRepeated(v.getSparseFloatVector(),
          "contents", keep));
      case VECTOR_ARRAY -> b.setVectorArray((VectorArray) keepRepeated(v.getVectorArray(), "data", keep));
      case DATA_NOT_SET -> { }
    }
    return b.build();
  }

  private static ByteString keepBytes(String name, ByteString bytes, long width, int[] keep) {
    if (width <= 0) {
      throw new ResponseUnenforceableException("vector column `" + name + "` has no usable dimension");
    }
    List<ByteString> parts = new ArrayList<>(keep.length);
    for (int r : keep) {
      parts.add(bytes.substring((int) (r * width), (int) ((r + 1) * width)));
    }
    return ByteString.copyFrom(parts);
  }

  /**
   * The kept indices when the first {@code cap} rows of each query are kept, rows being laid out
   * query after query with {@code topks[q]} rows each.
   */
  static int[] firstPerQuery(List<Long> topks, long cap) {
    List<Integer> out = new ArrayList<>();
    long start = 0;
    for (long n : topks) {
      for (long i = 0; i < Math.min(n, cap); i++) {
        out.add((int) (start + i));
      }
      start += n;
    }
    return out.stream().mapToInt(Integer::intValue).toArray();
  }
}
