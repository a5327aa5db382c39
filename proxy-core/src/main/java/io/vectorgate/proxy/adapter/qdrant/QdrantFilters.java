package io.vectorgate.proxy.adapter.qdrant;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorgate.model.RowFilter;
import io.vectorgate.proxy.adapter.AdapterException;
import io.vectorgate.proxy.adapter.FilterFields;
import io.vectorgate.proxy.enforce.ObligationException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Qdrant filters: strict validation of the client's filter, translation of row filters into
 * Qdrant conditions, their injection into {@code filter.must}, and evaluation of a row filter
 * against a returned or written payload.
 */
final class QdrantFilters {
  static final int MAX_DEPTH = 32;
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final Set<String> FILTER_KEYS = Set.of("must", "should", "must_not", "min_should");
  private static final Set<String> FIELD_CONDITION_KEYS = Set.of("key", "match", "range", "geo_bounding_box",
      "geo_radius", "geo_polygon", "values_count", "is_empty", "is_null", "datetime_range");

  private QdrantFilters() {}

  // --- validation ---------------------------------------------------------------------------

  /** Checks a client filter (null and JSON null are no filter). */
  static void validate(JsonNode filter, String path) {
    if (filter == null || filter.isNull()) {
      return;
    }
    validateFilter(filter, path, 0);
  }

  private static void validateFilter(JsonNode f, String path, int depth) {
    if (depth > MAX_DEPTH) {
      throw new AdapterException(AdapterException.MALFORMED_REQUEST, path, "filter nests deeper than " + MAX_DEPTH);
    }
    if (!f.isObject()) {
      throw new AdapterException(AdapterException.MALFORMED_REQUEST, path, "a filter must be a JSON object");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = f.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String p = path + "." + e.getKey();
      switch (e.getKey()) {
        case "must", "should", "must_not" -> clause(e.getValue(), p, depth);
        case "min_should" -> {
          JsonNode ms = e.getValue();
          if (ms.isNull()) {
            continue;
          }
          requireObject(ms, p);
          onlyKeys(ms, Set.of("conditions", "min_count"), p);
          if (!ms.path("min_count").canConvertToLong() || !ms.path("min_count").isIntegralNumber()) {
            throw new AdapterException(AdapterException.MALFORMED_REQUEST, p + ".min_count", "must be an integer");
          }
          JsonNode cs = ms.get("conditions");
          if (cs == null || !cs.isArray()) {
            throw new AdapterException(AdapterException.MALFORMED_REQUEST, p + ".conditions", "must be an array");
          }
          clause(cs, p + ".conditions", depth);
        }
        default -> throw new AdapterException(AdapterException.UNKNOWN_FIELD, p,
            "`" + e.getKey() + "` is not a Qdrant filter clause (must, should, must_not, min_should)");
      }
    }
  }

  private static void clause(JsonNode c, String path, int depth) {
    if (c.isNull()) {
      return;
    }
    if (c.isArray()) {
      for (int i = 0; i < c.size(); i++) {
        condition(c.get(i), path + "[" + i + "]", depth + 1);
      }
      return;
    }
    condition(c, path, depth + 1);
  }

  private static void condition(JsonNode c, String path, int depth) {
    if (depth > MAX_DEPTH) {
      throw new AdapterException(AdapterException.MALFORMED_REQUEST, path, "filter nests deeper than " + MAX_DEPTH);
    }
    requireObject(c, path);
    if (c.has("key")) {
      onlyKeys(c, FIELD_CONDITION_KEYS, path);
      if (!c.get("key").isTextual()) {
        throw new AdapterException(AdapterException.MALFORMED_REQUEST, path + ".key", "must be a string");
      }
      if (c.size() < 2) {
        throw new AdapterException(AdapterException.MALFORMED_REQUEST, path, "a field condition needs a predicate");
      }
      JsonNode match = c.get("match");
      if (match != null) {
        requireObject(match, path + ".match");
        onlyKeys(match, Set.of("value", "any", "except", "text", "text_any", "phrase", "prefix", "substring"), path + ".match");
        if (match.size() != 1) {
          throw new AdapterException(AdapterException.MALFORMED_REQUEST, path + ".match", "needs exactly one matcher");
        }
      }
      return;
    }
    if (c.size() == 1) {
      String k = c.fieldNames().next();
      JsonNode v = c.get(k);
      switch (k) {
        case "is_empty", "is_null" -> {
          requireObject(v, path + "." + k);
          onlyKeys(v, Set.of("key"), path + "." + k);
          if (!v.path("key").isTextual()) {
            throw new AdapterException(AdapterException.MALFORMED_REQUEST, path + "." + k + ".key", "must be a string");
          }
          return;
        }
        case "has_id" -> {
          if (!v.isArray()) {
            throw new AdapterException(AdapterException.MALFORMED_REQUEST, path + ".has_id", "must be an array of point ids");
          }
          for (int i = 0; i < v.size(); i++) {
            pointId(v.get(i), path + ".has_id[" + i + "]");
          }
          return;
        }
        case "has_vector" -> {
          if (!v.isTextual()) {
            throw new AdapterException(AdapterException.MALFORMED_REQUEST, path + ".has_vector", "must be a vector name");
          }
          return;
        }
        case "slice" -> {
          requireObject(v, path + ".slice");
          onlyKeys(v, Set.of("total", "index"), path + ".slice");
          return;
        }
        case "nested" -> {
          requireObject(v, path + ".nested");
          onlyKeys(v, Set.of("key", "filter"), path + ".nested");
          if (!v.path("key").isTextual() || !v.has("filter")) {
            throw new AdapterException(AdapterException.MALFORMED_REQUEST, path + ".nested", "needs `key` and `filter`");
          }
          validateFilter(v.get("filter"), path + ".nested.filter", depth + 1);
          return;
        }
        default -> {
          // fall through to the nested-filter check
        }
      }
    }
    for (Iterator<String> it = c.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!FILTER_KEYS.contains(k)) {
        throw new AdapterException(AdapterException.UNKNOWN_FIELD, path + "." + k,
            "`" + k + "` is not a Qdrant condition");
      }
    }
    validateFilter(c, path, depth + 1);
  }

  // --- referenced fields -----------------------------------------------------------------------

  /**
   * Adds every payload key a (validated) client filter references to {@code out}: field
   * condition, {@code is_empty} and {@code is_null} keys, and the keys of {@code nested} filters,
   * which are relative to the nested array's key. {@code has_id}, {@code has_vector} and
   * {@code slice} reference no payload.
   */
  static void collectFields(JsonNode filter, String at, FilterFields out) {
    collectFields(filter, at, List.of(), out, 0);
  }

  private static void collectFields(JsonNode f, String at, List<String> base, FilterFields out, int depth) {
    if (f == null || !f.isObject()) {
      return;
    }
    if (depth > 4 * MAX_DEPTH) {
      throw new AdapterException(AdapterException.MALFORMED_REQUEST, at, "filter nests deeper than " + MAX_DEPTH);
    }
    for (String clause : List.of("must", "should", "must_not")) {
      JsonNode c = f.get(clause);
      if (c != null && c.isArray()) {
        for (int i = 0; i < c.size(); i++) {
          collectCondition(c.get(i), at + "." + clause + "[" + i + "]", base, out, depth + 1);
        }
      } else if (c != null && c.isObject()) {
        collectCondition(c, at + "." + clause, base, out, depth + 1);
      }
    }
    JsonNode ms = f.get("min_should");
    if (ms != null && ms.path("conditions").isArray()) {
      JsonNode cs = ms.get("conditions");
      for (int i = 0; i < cs.size(); i++) {
        collectCondition(cs.get(i), at + ".min_should.conditions[" + i + "]", base, out, depth + 1);
      }
    }
  }

  private static void collectCondition(JsonNode c, String at, List<String> base, FilterFields out, int depth) {
    if (c == null || !c.isObject()) {
      return;
    }
    if (c.has("key")) {
      addKey(c.get("key").asText(), base, at + ".key", out);
      return;
    }
    for (String k : List.of("is_empty", "is_null")) {
      if (c.path(k).path("key").isTextual()) {
        addKey(c.get(k).get("key").textValue(), base, at + "." + k + ".key", out);
        return;
      }
    }
    JsonNode nested = c.get("nested");
    if (nested != null && nested.isObject()) {
      String key = nested.path("key").asText();
      List<String> inner = new ArrayList<>(base);
      inner.addAll(keyPath(key));
      collectFields(nested.get("filter"), at + ".nested.filter", inner, out, depth + 1);
      return;
    }
    collectFields(c, at, base, out, depth + 1);
  }

  private static void addKey(String key, List<String> base, String at, FilterFields out) {
    List<String> all = new ArrayList<>(base);
    all.addAll(keyPath(key));
    if (all.isEmpty()) {
      all.add("");
    }
    out.add(all.get(0), all.subList(1, all.size()), at);
  }

  /**
   * The segments of a Qdrant payload key: {@code a.b[].c} → {@code [a, b, c]}; a double-quoted
   * segment ({@code a."b.c"}) is taken literally; array markers ({@code []}, {@code [3]}) are
   * dropped. An empty key is one empty segment.
   */
  static List<String> keyPath(String key) {
    List<String> out = new ArrayList<>();
    StringBuilder seg = new StringBuilder();
    int i = 0;
    while (i < key.length()) {
      char ch = key.charAt(i);
      if (ch == '"') {
        int end = key.indexOf('"', i + 1);
        if (end < 0) {
          seg.append(key, i + 1, key.length());
          i = key.length();
        } else {
          seg.append(key, i + 1, end);
          i = end + 1;
        }
      } else if (ch == '.') {
        out.add(seg.toString());
        seg.setLength(0);
        i++;
      } else if (ch == '[') {
        int end = key.indexOf(']', i);
        i = end < 0 ? key.length() : end + 1;
      } else {
        seg.append(ch);
        i++;
      }
    }
    out.add(seg.toString());
    return out;
  }

  static void pointId(JsonNode id, String path) {
    if (!(id.isIntegralNumber() && id.canConvertToLong() && id.longValue() >= 0) && !id.isTextual()) {
      throw new AdapterException(AdapterException.MALFORMED_REQUEST, path, "a point id is an unsigned integer or a UUID string");
    }
  }

  private static void requireObject(JsonNode n, String path) {
    if (n == null || !n.isObject()) {
      throw new AdapterException(AdapterException.MALFORMED_REQUEST, path, "must be a JSON object");
    }
  }

  static void onlyKeys(JsonNode o, Set<String> allowed, String path) {
    for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!allowed.contains(k)) {
        throw new AdapterException(AdapterException.UNKNOWN_FIELD, path.isEmpty() ? k : path + "." + k,
            "`" + k + "` is not a field the gateway knows here" + (path.isEmpty() ? "" : " (in `" + path + "`)"));
      }
    }
  }

  /**
   * True when the filter selects every point: no condition anywhere except empty nested filters.
   * Best effort (a data-dependent always-true condition is not detected); the row filter, not this
   * classification, is what confines a request.
   */
  static boolean selectsAll(JsonNode filter) {
    if (filter == null || filter.isNull()) {
      return true;
    }
    if (!filter.isObject()) {
      return false;
    }
    for (String clause : List.of("should", "must_not")) {
      if (!conditions(filter.get(clause)).isEmpty()) {
        return false;
      }
    }
    JsonNode ms = filter.get("min_should");
    if (ms != null && !ms.isNull() && !conditions(ms.get("conditions")).isEmpty()) {
      return false;
    }
    for (JsonNode c : conditions(filter.get("must"))) {
      if (!isBareFilter(c) || !selectsAll(c)) {
        return false;
      }
    }
    return true;
  }

  private static boolean isBareFilter(JsonNode c) {
    if (!c.isObject()) {
      return false;
    }
    for (Iterator<String> it = c.fieldNames(); it.hasNext(); ) {
      if (!FILTER_KEYS.contains(it.next())) {
        return false;
      }
    }
    return true;
  }

  /** A clause as a list (a single condition, an array, or nothing). */
  static List<JsonNode> conditions(JsonNode clause) {
    List<JsonNode> out = new ArrayList<>();
    if (clause == null || clause.isNull()) {
      return out;
    }
    if (clause.isArray()) {
      clause.forEach(out::add);
    } else {
      out.add(clause);
    }
    return out;
  }

  // --- row filter ---------------------------------------------------------------------------

  /** The Qdrant conditions of a row filter (one per entry). */
  static List<ObjectNode> rowFilterConditions(List<RowFilter> rf) {
    List<ObjectNode> out = new ArrayList<>(rf.size());
    for (RowFilter r : rf) {
      out.add(condition(r));
    }
    return out;
  }

  private static ObjectNode condition(RowFilter r) {
    ObjectNode c = F.objectNode();
    c.put("key", r.field());
    ObjectNode match = c.putObject("match");
    switch (r.op()) {
      case EQ -> match.set("value", scalar(r.value(), r));
      case NE -> {
        JsonNode v = scalar(r.value(), r);
        if (v.isBoolean()) {
          match.put("value", !v.booleanValue());
        } else {
          match.set("except", F.arrayNode().add(v));
        }
      }
      case IN -> match.set("any", list(r.value(), r));
      case NOT_IN -> match.set("except", list(r.value(), r));
    }
    return c;
  }

  private static JsonNode scalar(Object v, RowFilter r) {
    if (v instanceof String s) {
      return F.textNode(s);
    }
    if (v instanceof Boolean b) {
      return F.booleanNode(b);
    }
    Long l = integral(v);
    if (l != null) {
      return F.numberNode(l);
    }
    throw unenforceable(r, "Qdrant matches strings, integers and booleans exactly; the value is " + describe(v));
  }

  private static ArrayNode list(Object v, RowFilter r) {
    if (!(v instanceof List<?> values) || values.isEmpty()) {
      throw unenforceable(r, "`" + r.op().name().toLowerCase() + "` needs a non-empty list of values");
    }
    ArrayNode out = F.arrayNode();
    boolean strings = values.get(0) instanceof String;
    for (Object x : values) {
      if (strings && x instanceof String s) {
        out.add(s);
      } else if (!strings && integral(x) != null) {
        out.add(integral(x));
      } else {
        throw unenforceable(r, "Qdrant `any`/`except` takes a list of only strings or only integers");
      }
    }
    return out;
  }

  static Long integral(Object v) {
    if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
      return ((Number) v).longValue();
    }
    if (v instanceof BigInteger b && b.bitLength() < 64) {
      return b.longValue();
    }
    if (v instanceof BigDecimal d) {
      try {
        return d.longValueExact();
      } catch (ArithmeticException e) {
        return null;
      }
    }
    if (v instanceof Double d && d == Math.rint(d) && Math.abs(d) < 9.0e15) {
      return d.longValue();
    }
    return null;
  }

  private static String describe(Object v) {
    return v == null ? "null" : v.getClass().getSimpleName();
  }

  private static ObligationException unenforceable(RowFilter r, String why) {
    return new ObligationException(ObligationException.ROW_FILTER_UNENFORCEABLE,
        "row filter on `" + r.field() + "` cannot be expressed as a Qdrant condition: " + why);
  }

  /**
   * The client filter with the row filter conditions appended to its {@code must} clause (a
   * single-condition {@code must} becomes an array). The client's {@code should}, {@code must_not}
   * and {@code min_should} stay as they are: Qdrant ANDs every clause, so nothing in them can widen
   * the result past {@code must}.
   */
  static ObjectNode withRowFilter(JsonNode clientFilter, List<ObjectNode> conditions) {
    ObjectNode out = clientFilter != null && clientFilter.isObject() ? ((ObjectNode) clientFilter).deepCopy() : F.objectNode();
    ArrayNode must = F.arrayNode();
    conditions(out.get("must")).forEach(must::add);
    conditions.forEach(c -> must.add(c.deepCopy()));
    out.set("must", must);
    return out;
  }

  /** The filter of a point-id selection confined by the row filter: {@code has_id} plus the conditions. */
  static ObjectNode idsWithRowFilter(JsonNode ids, JsonNode clientFilter, List<ObjectNode> conditions) {
    ObjectNode f = withRowFilter(clientFilter, conditions);
    ObjectNode hasId = F.objectNode();
    hasId.set("has_id", ids.deepCopy());
    ((ArrayNode) f.get("must")).insert(0, hasId);
    return f;
  }
}
