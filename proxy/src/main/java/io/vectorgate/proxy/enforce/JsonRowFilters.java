package io.vectorgate.proxy.enforce;

import com.fasterxml.jackson.databind.JsonNode;
import io.vectorgate.model.RowFilter;
import java.math.BigDecimal;
import java.util.Collections;
import java.util.List;

/**
 * Evaluates row-filter obligations against JSON metadata / payload objects, for adapters whose reads
 * or writes must be checked on the gateway (Qdrant payloads, Pinecone metadata). A missing or null
 * field never satisfies a condition; an array value matches on any element; numbers compare by value.
 */
public final class JsonRowFilters {
  private JsonRowFilters() {}

  /** Does {@code object} satisfy every condition? A non-object never does unless there are none. */
  public static boolean satisfies(JsonNode object, List<RowFilter> conditions) {
    for (RowFilter r : conditions) {
      JsonNode v = object == null || !object.isObject() ? null : object.get(r.field());
      if (!satisfies(v, r)) {
        return false;
      }
    }
    return true;
  }

  /** One condition against one field value. */
  public static boolean satisfies(JsonNode value, RowFilter condition) {
    if (value == null || value.isNull() || (value.isArray() && value.isEmpty())) {
      return false;
    }
    List<?> allowed = condition.value() instanceof List<?> l ? l : Collections.singletonList(condition.value());
    boolean member = false;
    if (value.isArray()) {
      for (JsonNode x : value) {
        member |= anyEqual(x, allowed);
      }
    } else {
      member = anyEqual(value, allowed);
    }
    return switch (condition.op()) {
      case EQ, IN -> member;
      case NE, NOT_IN -> !member;
    };
  }

  private static boolean anyEqual(JsonNode x, List<?> allowed) {
    for (Object a : allowed) {
      if (sameValue(x, a)) {
        return true;
      }
    }
    return false;
  }

  /** A JSON value equals a row-filter value: strings and booleans exactly, numbers by numeric value. */
  static boolean sameValue(JsonNode x, Object a) {
    if (a instanceof String s) {
      return x.isTextual() && x.textValue().equals(s);
    }
    if (a instanceof Boolean b) {
      return x.isBoolean() && x.booleanValue() == b;
    }
    if (a instanceof Number n && x.isNumber()) {
      return x.decimalValue().compareTo(new BigDecimal(n.toString())) == 0;
    }
    return false;
  }
}
