package io.vectorgate.proxy.adapter.milvus;

import io.milvus.grpc.BoolArray;
import io.milvus.grpc.DoubleArray;
import io.milvus.grpc.LongArray;
import io.milvus.grpc.StringArray;
import io.milvus.grpc.TemplateArrayValue;
import io.milvus.grpc.TemplateValue;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Conversions between Milvus filter template values and plain Java values. */
final class Templates {
  private Templates() {}

  /** Plain Java view of a template map: String, Long, Double, Boolean or List of those. */
  static Map<String, Object> toJava(Map<String, TemplateValue> values) {
    Map<String, Object> out = new LinkedHashMap<>();
    values.forEach((k, v) -> out.put(k, toJava(v)));
    return out;
  }

  static Object toJava(TemplateValue v) {
    return switch (v.getValCase()) {
      case BOOL_VAL -> v.getBoolVal();
      case INT64_VAL -> v.getInt64Val();
      case FLOAT_VAL -> v.getFloatVal();
      case STRING_VAL -> v.getStringVal();
      case ARRAY_VAL -> toJava(v.getArrayVal());
      case VAL_NOT_SET -> null;
    };
  }

  static List<Object> toJava(TemplateArrayValue a) {
    List<Object> out = new ArrayList<>();
    switch (a.getDataCase()) {
      case BOOL_DATA -> out.addAll(a.getBoolData().getDataList());
      case LONG_DATA -> out.addAll(a.getLongData().getDataList());
      case DOUBLE_DATA -> out.addAll(a.getDoubleData().getDataList());
      case STRING_DATA -> out.addAll(a.getStringData().getDataList());
      case ARRAY_DATA -> a.getArrayData().getDataList().forEach(x -> out.add(toJava(x)));
      case JSON_DATA -> a.getJsonData().getDataList().forEach(b -> out.add(b.toString(StandardCharsets.UTF_8)));
      case DATA_NOT_SET -> { }
    }
    return out;
  }

  /**
   * A template value for a scalar (String, Boolean, an integral number that fits in 64 bits, or a
   * finite floating-point number).
   *
   * @throws IllegalArgumentException for anything else
   */
  static TemplateValue scalar(Object v) {
    TemplateValue.Builder b = TemplateValue.newBuilder();
    if (v instanceof String s) {
      return b.setStringVal(s).build();
    }
    if (v instanceof Boolean x) {
      return b.setBoolVal(x).build();
    }
    Long integral = integral(v);
    if (integral != null) {
      return b.setInt64Val(integral).build();
    }
    Double d = floating(v);
    if (d != null) {
      return b.setFloatVal(d).build();
    }
    throw new IllegalArgumentException("unsupported row filter value " + describe(v));
  }

  /** A template array from a homogeneous list of scalars (all strings, all booleans, or all numbers). */
  static TemplateValue array(List<?> values) {
    TemplateArrayValue.Builder a = TemplateArrayValue.newBuilder();
    if (values.stream().allMatch(x -> x instanceof String)) {
      a.setStringData(StringArray.newBuilder().addAllData(values.stream().map(String.class::cast).toList()));
    } else if (values.stream().allMatch(x -> x instanceof Boolean)) {
      a.setBoolData(BoolArray.newBuilder().addAllData(values.stream().map(Boolean.class::cast).toList()));
    } else if (values.stream().allMatch(x -> integral(x) != null)) {
      a.setLongData(LongArray.newBuilder().addAllData(values.stream().map(Templates::integral).toList()));
    } else if (values.stream().allMatch(x -> integral(x) != null || floating(x) != null)) {
      a.setDoubleData(DoubleArray.newBuilder().addAllData(values.stream()
          .map(x -> integral(x) != null ? (double) integral(x) : floating(x)).toList()));
    } else {
      throw new IllegalArgumentException("row filter list must hold only strings, only booleans or only numbers: " + describe(values));
    }
    return TemplateValue.newBuilder().setArrayVal(a).build();
  }

  static Long integral(Object v) {
    if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
      return ((Number) v).longValue();
    }
    if (v instanceof BigInteger i && i.bitLength() < 64) {
      return i.longValue();
    }
    if (v instanceof BigDecimal d) {
      try {
        return d.longValueExact();
      } catch (ArithmeticException e) {
        return null; // not an integer that fits: treated as floating point or rejected
      }
    }
    return null;
  }

  static Double floating(Object v) {
    if (v instanceof Double || v instanceof Float || v instanceof BigDecimal) {
      double d = ((Number) v).doubleValue();
      return Double.isFinite(d) ? d : null;
    }
    return null;
  }

  static String describe(Object v) {
    return v == null ? "null" : v.getClass().getSimpleName() + " " + KvParams.abbreviate(String.valueOf(v));
  }
}
