package io.vectorgate.proxy.enforce;

import com.fasterxml.jackson.databind.JsonNode;
import io.vectorgate.model.RowFilter;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;

/**
 * The one row-filter semantics every adapter uses, on the request side (written rows, pre-read
 * rows) and on the response side (defence in depth behind the injected filter). A row is a
 * function from field name to {@link RowValue}; a row satisfies the filter when every condition
 * holds:
 *
 * <ul>
 *   <li>an {@link RowValue.Absent} value satisfies no condition, not even {@code ne} / {@code not_in}
 *       (the injected database filters do not select rows without the field);
 *   <li>a scalar is a member when it equals one of the condition's values (numbers by value);
 *   <li>an array is a member when any element is;
 *   <li>{@code eq} / {@code in} hold for members, {@code ne} / {@code not_in} for non-members.
 * </ul>
 *
 * Immutable and thread-safe; build one per decision with {@link #of}.
 */
public final class RowFilterMatcher {
  private final List<RowFilter> conditions;

  private RowFilterMatcher(List<RowFilter> conditions) {
    this.conditions = List.copyOf(conditions);
  }

  /** A matcher of the conditions (all must hold; none: every row matches). */
  public static RowFilterMatcher of(List<RowFilter> conditions) {
    return new RowFilterMatcher(conditions);
  }

  public List<RowFilter> conditions() {
    return conditions;
  }

  public boolean isEmpty() {
    return conditions.isEmpty();
  }

  /** Does the row satisfy every condition? */
  public boolean matches(Function<String, RowValue> row) {
    for (RowFilter c : conditions) {
      if (!holds(row.apply(c.field()), c)) {
        return false;
      }
    }
    return true;
  }

  /**
   * The response-side check: does the row carry a filtered field with a value that fails its
   * condition? A row that does not carry the field (the client did not select it) is not judged
   * here; one that carries it and fails is a {@code row_filter_response_violation}.
   */
  public boolean violatedBy(Function<String, RowValue> row) {
    for (RowFilter c : conditions) {
      RowValue v = row.apply(c.field());
      if (!(v instanceof RowValue.Absent) && !holds(v, c)) {
        return true;
      }
    }
    return false;
  }

  /** Does a JSON object (payload / metadata) satisfy every condition? A non-object has no fields. */
  public boolean matchesJson(JsonNode object) {
    return matches(jsonRow(object));
  }

  /** {@link #violatedBy} over a JSON object (payload / metadata). */
  public boolean violatedByJson(JsonNode object) {
    return violatedBy(jsonRow(object));
  }

  /** A JSON object as a row: {@code field → RowValue.ofJson(object[field])}. */
  public static Function<String, RowValue> jsonRow(JsonNode object) {
    return f -> object == null || !object.isObject() ? RowValue.ABSENT : RowValue.ofJson(object.get(f));
  }

  /** One condition against one value. */
  public static boolean holds(RowValue value, RowFilter condition) {
    boolean member;
    if (value instanceof RowValue.Scalar s) {
      member = member(s, condition.value());
    } else if (value instanceof RowValue.Many m) {
      member = false;
      for (RowValue.Scalar s : m.elements()) {
        member |= member(s, condition.value());
      }
    } else {
      return false;
    }
    return switch (condition.op()) {
      case EQ, IN -> member;
      case NE, NOT_IN -> !member;
    };
  }

  private static boolean member(RowValue.Scalar s, Object allowed) {
    List<?> all = allowed instanceof List<?> l ? l : Collections.singletonList(allowed);
    for (Object a : all) {
      if (a != null && s.sameAs(a)) {
        return true;
      }
    }
    return false;
  }
}
