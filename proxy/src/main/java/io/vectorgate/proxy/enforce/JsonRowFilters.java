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
  /** Default cap on the ids one pre-read checks; a write addressing more is refused. */
  public static final int DEFAULT_MAX_PRE_READ_IDS = 16_384;

  private JsonRowFilters() {}

  /**
   * A read the gateway sends to its upstream with its own credential, for the pre-read of rows a
   * write addresses by id: {@code segments} are the decoded path segments, {@code query} the
   * decoded query parameters (the gateway encodes both), {@code body} is JSON or null. Adapters
   * stay free of transport types: the gateway supplies the implementation.
   */
  @FunctionalInterface
  public interface UpstreamReader {
    /** No upstream: every pre-read fails, so row-filtered writes by id are refused. */
    UpstreamReader NONE = (method, segments, query, body) -> {
      throw new java.io.IOException("this adapter has no upstream to read rows from");
    };

    Reply read(String method, List<String> segments, java.util.Map<String, List<String>> query, JsonNode body)
        throws java.io.IOException;

    /** The upstream's status and JSON body (null when it sent none). */
    record Reply(int status, JsonNode body) {}
  }

  /** How many of {@code rows} (metadata / payload objects) fail the row filter. */
  public static int countOutside(Iterable<JsonNode> rows, List<RowFilter> conditions) {
    int n = 0;
    for (JsonNode r : rows) {
      if (!satisfies(r, conditions)) {
        n++;
      }
    }
    return n;
  }

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
