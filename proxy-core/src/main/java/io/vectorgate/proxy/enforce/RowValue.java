package io.vectorgate.proxy.enforce;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * One row's value of a field, as {@link RowFilterMatcher} judges it, independent of the database
 * and its wire format: {@link Absent} (missing, null, or a value the database's own filter never
 * selects), a {@link Scalar} (string, boolean or number; numbers compare by numeric value) or
 * {@link Many} (an array: it matches a condition when any element does). Each adapter maps its
 * rows to these once; the matching is written once.
 */
public sealed interface RowValue permits RowValue.Absent, RowValue.Scalar, RowValue.Many {

  /** No value the filter can select: missing, null, an empty array, an object. */
  RowValue ABSENT = new Absent();

  /** See {@link RowValue#ABSENT}. */
  record Absent() implements RowValue {}

  /** A string, a boolean, or a number held as {@link BigDecimal}. */
  record Scalar(Object value) implements RowValue {
    public Scalar {
      Objects.requireNonNull(value, "value");
      if (!(value instanceof String || value instanceof Boolean || value instanceof BigDecimal)) {
        throw new IllegalArgumentException("a row value is a string, boolean or BigDecimal, not " + value.getClass());
      }
    }

    /** Equal to a row-filter value: strings and booleans exactly, numbers by numeric value. */
    boolean sameAs(Object filterValue) {
      if (value instanceof BigDecimal d) {
        BigDecimal f = decimal(filterValue);
        return f != null && d.compareTo(f) == 0;
      }
      return value.equals(filterValue);
    }
  }

  /** An array of scalars (non-scalar elements are left out: they never match). */
  record Many(List<Scalar> elements) implements RowValue {
    public Many {
      elements = List.copyOf(elements);
    }
  }

  /**
   * A plain Java value: null → absent; String, Boolean, Number → scalar (a non-finite double is
   * absent); a Collection → many (empty → absent); anything else → absent.
   */
  static RowValue of(Object v) {
    if (v instanceof Collection<?> c) {
      List<Scalar> out = new ArrayList<>(c.size());
      for (Object e : c) {
        if (of(e) instanceof Scalar s) {
          out.add(s);
        }
      }
      return out.isEmpty() ? ABSENT : new Many(out);
    }
    return scalar(v);
  }

  /**
   * A value that only selects as a scalar: arrays are {@link #ABSENT}. For databases whose
   * equality filters never match array values (Chroma's {@code $eq}/{@code $in}).
   */
  static RowValue scalarOnly(Object v) {
    return v instanceof Collection<?> ? ABSENT : scalar(v);
  }

  /** A JSON value: text, boolean, number → scalar; array → many; anything else → absent. */
  static RowValue ofJson(JsonNode n) {
    if (n == null) {
      return ABSENT;
    }
    if (n.isArray()) {
      List<Scalar> out = new ArrayList<>(n.size());
      for (JsonNode e : n) {
        if (ofJson(e) instanceof Scalar s) {
          out.add(s);
        }
      }
      return out.isEmpty() ? ABSENT : new Many(out);
    }
    if (n.isTextual()) {
      return new Scalar(n.textValue());
    }
    if (n.isBoolean()) {
      return new Scalar(n.booleanValue());
    }
    if (n.isNumber()) {
      return n.isFloatingPointNumber() && !Double.isFinite(n.doubleValue()) ? ABSENT : new Scalar(n.decimalValue());
    }
    return ABSENT;
  }

  /** {@link #ofJson} with arrays as {@link #ABSENT} (see {@link #scalarOnly}). */
  static RowValue scalarOnlyJson(JsonNode n) {
    return n != null && n.isArray() ? ABSENT : ofJson(n);
  }

  private static RowValue scalar(Object v) {
    if (v instanceof String || v instanceof Boolean) {
      return new Scalar(v);
    }
    BigDecimal d = decimal(v);
    return d == null ? ABSENT : new Scalar(d);
  }

  private static BigDecimal decimal(Object v) {
    if (v instanceof BigDecimal d) {
      return d;
    }
    if (v instanceof Double || v instanceof Float) {
      double x = ((Number) v).doubleValue();
      return Double.isFinite(x) ? BigDecimal.valueOf(x) : null;
    }
    if (v instanceof Number n) {
      try {
        return new BigDecimal(n.toString());
      } catch (NumberFormatException e) {
        return null; // e.g. an AtomicLong's text is fine; a custom Number that is not decimal is not a value
      }
    }
    return null;
  }
}
