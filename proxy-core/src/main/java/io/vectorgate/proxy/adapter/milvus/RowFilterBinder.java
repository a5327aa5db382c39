package io.vectorgate.proxy.adapter.milvus;

import io.milvus.grpc.TemplateValue;
import io.vectorgate.model.FilterOp;
import io.vectorgate.model.RowFilter;
import io.vectorgate.proxy.enforce.ObligationException;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Translates row-filter obligations into a Milvus filter expression and its bound values. */
final class RowFilterBinder {
  /** Prefix of the gateway's template placeholders; clients may not use it. */
  static final String PLACEHOLDER_PREFIX = "vg_rf_";

  private static final Pattern FIELD = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final java.util.Set<String> RESERVED = java.util.Set.of(
      "and", "or", "not", "in", "like", "is", "null", "exists", "iso", "interval", "true", "false");

  /** The row-filter expression and the template values it references (empty in literal mode). */
  record Bound(String expression, Map<String, TemplateValue> values) {}

  private RowFilterBinder() {}

  static Bound bind(List<RowFilter> filters, RowFilterBinding mode) {
    StringBuilder expr = new StringBuilder();
    Map<String, TemplateValue> values = new LinkedHashMap<>();
    for (int i = 0; i < filters.size(); i++) {
      RowFilter f = filters.get(i);
      String field = checkField(f.field());
      String op = switch (f.op()) {
        case EQ -> "==";
        case NE -> "!=";
        case IN -> "in";
        case NOT_IN -> "not in";
      };
      boolean list = f.op() == FilterOp.IN || f.op() == FilterOp.NOT_IN;
      Object value = f.value();
      if (value == null) {
        throw unenforceable("row filter on `" + field + "` has no value");
      }
      if (list && !(value instanceof List<?>)) {
        value = List.of(value);
      }
      if (!list && value instanceof List<?>) {
        throw unenforceable("row filter `" + field + " " + f.op().name().toLowerCase(java.util.Locale.ROOT)
            + "` needs a single value, got a list");
      }
      String operand;
      try {
        if (mode == RowFilterBinding.TEMPLATE) {
          String name = PLACEHOLDER_PREFIX + i;
          values.put(name, list ? Templates.array((List<?>) value) : Templates.scalar(value));
          operand = "{" + name + "}";
        } else {
          operand = list ? literalList((List<?>) value) : literal(value);
        }
      } catch (IllegalArgumentException e) {
        throw new ObligationException(ObligationException.ROW_FILTER_UNENFORCEABLE,
            "row filter on `" + field + "`: " + e.getMessage(), e);
      }
      if (i > 0) {
        expr.append(" and ");
      }
      expr.append(field).append(' ').append(op).append(' ').append(operand);
    }
    return new Bound(expr.toString(), values);
  }

  /** {@code (<original>) and (<rowFilter>)}, or the row filter alone when the original is blank. */
  static String combine(String original, String rowFilter) {
    if (original == null || original.isBlank()) {
      return rowFilter;
    }
    return "(" + original + ") and (" + rowFilter + ")";
  }

  static String checkField(String field) {
    if (field == null || !FIELD.matcher(field).matches() || RESERVED.contains(field.toLowerCase(java.util.Locale.ROOT))) {
      throw unenforceable("row filter field `" + field + "` is not a plain Milvus field name");
    }
    return field;
  }

  /** A literal that Milvus (and Milvus Lite) lex back to exactly {@code value}. */
  static String literal(Object value) {
    if (value instanceof String s) {
      StringBuilder b = new StringBuilder(s.length() + 2).append('"');
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        switch (c) {
          case '\\' -> b.append("\\\\");
          case '"' -> b.append("\\\"");
          case '\n' -> b.append("\\n");
          case '\r' -> b.append("\\r");
          case '\t' -> b.append("\\t");
          default -> {
            if (Character.isISOControl(c)) {
              throw new IllegalArgumentException("string value holds control character U+"
                  + String.format("%04X", (int) c) + ", which cannot be written as a literal");
            }
            b.append(c);
          }
        }
      }
      return b.append('"').toString();
    }
    if (value instanceof Boolean x) {
      return x ? "true" : "false";
    }
    Long integral = Templates.integral(value);
    if (integral != null) {
      return Long.toString(integral);
    }
    Double d = Templates.floating(value);
    if (d != null) {
      String plain = BigDecimal.valueOf(d).toPlainString();
      return plain.contains(".") ? plain : plain + ".0";
    }
    throw new IllegalArgumentException("unsupported row filter value " + Templates.describe(value));
  }

  static String literalList(List<?> values) {
    Templates.array(values); // same homogeneity rule as template mode
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < values.size(); i++) {
      if (i > 0) {
        b.append(", ");
      }
      b.append(literal(values.get(i)));
    }
    return b.append(']').toString();
  }

  private static ObligationException unenforceable(String message) {
    return new ObligationException(ObligationException.ROW_FILTER_UNENFORCEABLE, message);
  }
}
