package io.vectorgate.proxy.adapter.pinecone;

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
 * Pinecone metadata filters (the MongoDB-style language of docs.pinecone.io "filter by metadata"):
 * strict validation, translation of row filters, {@code $and} wrapping, and evaluation of a row
 * filter against returned or written metadata.
 */
final class PineconeFilters {
  static final int MAX_DEPTH = 32;
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final Set<String> FIELD_OPS = Set.of("$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin", "$exists");

  private PineconeFilters() {}

  /**
   * Adds the metadata keys a (validated) filter references to {@code out}, through every
   * {@code $and} / {@code $or}. Pinecone metadata is flat: each key is a whole field.
   */
  static void collectFields(JsonNode f, String path, FilterFields out) {
    collectFields(f, path, out, 0);
  }

  private static void collectFields(JsonNode f, String path, FilterFields out, int depth) {
    if (f == null || !f.isObject()) {
      return;
    }
    if (depth > MAX_DEPTH) {
      throw new AdapterException(AdapterException.MALFORMED_REQUEST, path, "filter nests deeper than " + MAX_DEPTH);
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = f.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String k = e.getKey();
      if ((k.equals("$and") || k.equals("$or")) && e.getValue().isArray()) {
        for (int i = 0; i < e.getValue().size(); i++) {
          collectFields(e.getValue().get(i), path + "." + k + "[" + i + "]", out, depth + 1);
        }
      } else {
        out.add(k, List.of(), path + "." + k);
      }
    }
  }

  static void validate(JsonNode f, String path) {
    if (f == null || f.isNull()) {
      return;
    }
    validate(f, path, 0);
  }

  private static void validate(JsonNode f, String path, int depth) {
    if (depth > MAX_DEPTH) {
      throw new AdapterException(AdapterException.MALFORMED_REQUEST, path, "filter nests deeper than " + MAX_DEPTH);
    }
    if (!f.isObject()) {
      throw new AdapterException(AdapterException.MALFORMED_REQUEST, path, "a filter must be a JSON object");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = f.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String k = e.getKey();
      JsonNode v = e.getValue();
      String p = path + "." + k;
      if (k.equals("$and") || k.equals("$or")) {
        if (!v.isArray() || v.isEmpty()) {
          throw new AdapterException(AdapterException.MALFORMED_REQUEST, p, "`" + k + "` takes a non-empty array of filters");
        }
        for (int i = 0; i < v.size(); i++) {
          validate(v.get(i), p + "[" + i + "]", depth + 1);
        }
      } else if (k.startsWith("$")) {
        throw new AdapterException(AdapterException.UNKNOWN_FIELD, p, "`" + k + "` is not a Pinecone filter operator at this level");
      } else if (v.isObject()) {
        if (v.isEmpty()) {
          throw new AdapterException(AdapterException.MALFORMED_REQUEST, p, "a field condition needs an operator");
        }
        for (Iterator<Map.Entry<String, JsonNode>> ops = v.fields(); ops.hasNext(); ) {
          Map.Entry<String, JsonNode> op = ops.next();
          String opPath = p + "." + op.getKey();
          if (!FIELD_OPS.contains(op.getKey())) {
            throw new AdapterException(AdapterException.UNKNOWN_FIELD, opPath, "`" + op.getKey() + "` is not a Pinecone field operator");
          }
          JsonNode arg = op.getValue();
          switch (op.getKey()) {
            case "$in", "$nin" -> {
              if (!arg.isArray()) {
                throw new AdapterException(AdapterException.MALFORMED_REQUEST, opPath, "takes an array");
              }
              arg.forEach(x -> scalar(x, opPath));
            }
            case "$exists" -> {
              if (!arg.isBoolean()) {
                throw new AdapterException(AdapterException.MALFORMED_REQUEST, opPath, "takes a boolean");
              }
            }
            default -> scalar(arg, opPath);
          }
        }
      } else {
        scalar(v, p);
      }
    }
  }

  private static void scalar(JsonNode v, String path) {
    if (!(v.isTextual() || v.isNumber() || v.isBoolean())) {
      throw new AdapterException(AdapterException.MALFORMED_REQUEST, path, "must be a string, number or boolean");
    }
  }

  /** The filter conditions of a row filter ({@code ne}/{@code not_in} also require the field to exist). */
  static List<ObjectNode> conditions(List<RowFilter> rf) {
    List<ObjectNode> out = new ArrayList<>();
    for (RowFilter r : rf) {
      switch (r.op()) {
        case EQ -> out.add(cond(r.field(), "$eq", scalar(r.value(), r)));
        case NE -> {
          out.add(cond(r.field(), "$exists", F.booleanNode(true)));
          out.add(cond(r.field(), "$ne", scalar(r.value(), r)));
        }
        case IN -> out.add(cond(r.field(), "$in", list(r.value(), r)));
        case NOT_IN -> {
          out.add(cond(r.field(), "$exists", F.booleanNode(true)));
          out.add(cond(r.field(), "$nin", list(r.value(), r)));
        }
      }
    }
    return out;
  }

  private static ObjectNode cond(String field, String op, JsonNode arg) {
    ObjectNode c = F.objectNode();
    c.putObject(field).set(op, arg);
    return c;
  }

  private static JsonNode scalar(Object v, RowFilter r) {
    if (v instanceof String s) {
      return F.textNode(s);
    }
    if (v instanceof Boolean b) {
      return F.booleanNode(b);
    }
    if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
      return F.numberNode(((Number) v).longValue());
    }
    if (v instanceof BigInteger b) {
      return F.numberNode(b);
    }
    if (v instanceof BigDecimal d) {
      return F.numberNode(d);
    }
    if (v instanceof Double d && Double.isFinite(d)) {
      return F.numberNode(d);
    }
    throw new ObligationException(ObligationException.ROW_FILTER_UNENFORCEABLE,
        "row filter on `" + r.field() + "` has a value Pinecone metadata cannot hold: " + (v == null ? "null" : v.getClass().getSimpleName()));
  }

  private static ArrayNode list(Object v, RowFilter r) {
    if (!(v instanceof List<?> values) || values.isEmpty()) {
      throw new ObligationException(ObligationException.ROW_FILTER_UNENFORCEABLE,
          "row filter on `" + r.field() + "` needs a non-empty list of values");
    }
    ArrayNode out = F.arrayNode();
    for (Object x : values) {
      JsonNode n = scalar(x, r);
      if (n.isBoolean()) {
        throw new ObligationException(ObligationException.ROW_FILTER_UNENFORCEABLE,
            "Pinecone `$in`/`$nin` take strings or numbers, not booleans (row filter on `" + r.field() + "`)");
      }
      out.add(n);
    }
    return out;
  }

  /**
   * {@code {"$and": [client, rf...]}}; without a client filter (or an empty one) the row filter
   * alone. The client filter is one element of the {@code $and}, so no operator in it (a top-level
   * {@code $or} included) can reach past the row filter.
   */
  static ObjectNode wrap(JsonNode client, List<ObjectNode> conds) {
    List<JsonNode> parts = new ArrayList<>();
    if (client != null && client.isObject() && !client.isEmpty()) {
      parts.add(client.deepCopy());
    }
    conds.forEach(c -> parts.add(c.deepCopy()));
    if (parts.size() == 1) {
      return (ObjectNode) parts.get(0);
    }
    ObjectNode out = F.objectNode();
    ArrayNode and = out.putArray("$and");
    parts.forEach(and::add);
    return out;
  }
}
