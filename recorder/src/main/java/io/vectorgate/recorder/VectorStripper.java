package io.vectorgate.recorder;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Set;

/**
 * Removes raw vectors from recorded payloads unless the policy's audit hints allow them. A vector
 * is an array of at least {@code minDimension} numbers (or an array of such arrays); fields named
 * in {@code vectorFields} (e.g. Milvus {@code placeholder_group}, which is bytes) are replaced
 * whatever their shape. Each replacement is a marker object naming what was removed.
 */
public final class VectorStripper {
  /** The marker field every replacement carries. */
  public static final String MARKER = "vectorgate_stripped";
  /** Field names whose values are always treated as vector data. */
  public static final Set<String> DEFAULT_VECTOR_FIELDS = Set.of(
      "placeholder_group", "embeddings", "query_embeddings", "embedding", "vector", "vectors",
      "float_vector", "binary_vector", "float16_vector", "bfloat16_vector", "sparse_float_vector",
      "int8_vector", "sparse_values");

  private final int minDimension;
  private final Set<String> vectorFields;

  public VectorStripper(int minDimension, Set<String> vectorFields) {
    if (minDimension < 1) {
      throw new IllegalArgumentException("vector minDimension must be >= 1, was " + minDimension);
    }
    this.minDimension = minDimension;
    this.vectorFields = Set.copyOf(vectorFields);
  }

  public static VectorStripper defaults() {
    return new VectorStripper(8, DEFAULT_VECTOR_FIELDS);
  }

  /** True when a member of this name is replaced by a marker whatever its value (non-null). */
  public boolean alwaysStrippedField(String name) {
    return vectorFields.contains(name);
  }

  /** The fewest numbers an array must hold to be treated as a vector. */
  public int minDimension() {
    return minDimension;
  }

  /**
   * Writes the marker of an always-stripped field canonically: what {@code marker(value)} gives for
   * an array of {@code count} elements ({@code count < 0}: the value was not an array).
   */
  public void writeFieldMarker(JsonGenerator g, int count) throws IOException {
    g.writeStartObject();
    if (count >= 0) {
      g.writeNumberField("count", count);
    }
    g.writeStringField(MARKER, "field");
    g.writeEndObject();
  }

  /** Writes the marker replacing a flat vector of {@code dim} numbers canonically. */
  public void writeVectorMarker(JsonGenerator g, int dim) throws IOException {
    g.writeStartObject();
    g.writeNumberField("dim", dim);
    g.writeStringField(MARKER, "vector");
    g.writeEndObject();
  }

  ObjectNode marker(JsonNode removed) {
    ObjectNode m = JsonNodeFactory.instance.objectNode();
    m.put(MARKER, "field");
    if (removed.isArray()) {
      m.put("count", removed.size());
    }
    return m;
  }

  /** The marker replacing {@code array}, or null when it is not vector data. */
  JsonNode replacementFor(JsonNode array) {
    int n = array.size();
    if (n == 0) {
      return null;
    }
    JsonNode first = array.get(0);
    if (first.isNumber()) {
      if (n < minDimension || !allNumbers(array)) {
        return null;
      }
      ObjectNode m = JsonNodeFactory.instance.objectNode();
      m.put(MARKER, "vector");
      m.put("dim", n);
      return m;
    }
    if (first.isArray()) {
      int dim = first.size();
      if (dim < minDimension) {
        return null;
      }
      for (JsonNode row : array) {
        if (!row.isArray() || row.size() < minDimension || !allNumbers(row)) {
          return null;
        }
      }
      ObjectNode m = JsonNodeFactory.instance.objectNode();
      m.put(MARKER, "vectors");
      m.put("count", n);
      m.put("dim", dim);
      return m;
    }
    return null;
  }

  private static boolean allNumbers(JsonNode array) {
    for (JsonNode e : array) {
      if (!e.isNumber()) {
        return false;
      }
    }
    return true;
  }
}
