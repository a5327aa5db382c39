package io.vectorgate.harness.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** Recorded payloads as the adapters can read them again. */
public final class Payloads {
  /** The member the recorder puts in place of a vector it did not store. */
  public static final String STRIPPED_MARKER = "vectorgate_stripped";
  /** The member the gateway puts in place of a payload it did not store (too large, not JSON, …). */
  public static final String OMITTED_MARKER = "vectorgate_omitted";

  /**
   * The gateway's {@code {"vectorgate_omitted": why, "bytes": n}} marker when it stands for the whole
   * payload or for an HTTP envelope's {@code body}; null otherwise.
   */
  public static JsonNode omitted(JsonNode request) {
    if (request == null) {
      return null;
    }
    if (request.isObject() && request.has(OMITTED_MARKER)) {
      return request;
    }
    JsonNode body = request.path("body");
    return body.isObject() && body.has(OMITTED_MARKER) ? body : null;
  }

  private Payloads() {}

  /** A payload with the recorder's vector placeholders removed, and the JSON paths they were at. */
  public record Cleaned(JsonNode node, List<String> strippedPaths) {}

  /**
   * Replaces every {@code {"vectorgate_stripped": …}} object (the recorder's stand-in for vectors it
   * was not allowed to store) by zero vectors of the recorded shape where the marker says it
   * ({@code vector} + {@code dim}; {@code vectors} + {@code count} + {@code dim}; a stripped field
   * with {@code count} whose name is plural, e.g. {@code embeddings}, becomes {@code count} one-element
   * vectors, a singular one {@code count} zeros), and removes it where it does not. Adapters count
   * vectors but never read their values, so the rebuilt operation matches as far as the shape is known.
   * The input is not changed.
   */
  public static Cleaned withoutStrippedVectors(JsonNode payload) {
    if (payload == null) {
      return new Cleaned(null, List.of());
    }
    List<String> paths = new ArrayList<>();
    JsonNode copy = payload.deepCopy();
    if (isMarker(copy)) {
      return new Cleaned(null, List.of("$"));
    }
    clean(copy, "$", paths, 0);
    return new Cleaned(copy, List.copyOf(paths));
  }

  /**
   * {@link #withoutStrippedVectors}, for a caller that only reads the result (prints or parses it):
   * a payload without markers comes back itself, not copied. The caller must not modify the node.
   */
  public static Cleaned forReading(JsonNode payload) {
    if (payload == null || isMarker(payload) || hasMarker(payload, 0)) {
      return withoutStrippedVectors(payload);
    }
    return new Cleaned(payload, List.of());
  }

  static final int MAX_SYNTHESIZED = 1 << 20;

  private static JsonNode zeros(String name, JsonNode marker) {
    String kind = marker.path(STRIPPED_MARKER).asText();
    long dim = marker.path("dim").asLong(-1);
    long count = marker.path("count").asLong(-1);
    switch (kind) {
      case "vector" -> {
        return dim >= 0 && dim <= MAX_SYNTHESIZED ? vector(dim) : null;
      }
      case "vectors" -> {
        if (dim < 0 || count < 0 || dim * count > MAX_SYNTHESIZED) {
          return null;
        }
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        for (long i = 0; i < count; i++) {
          a.add(vector(dim));
        }
        return a;
      }
      case "field" -> {
        if (count < 0 || count > MAX_SYNTHESIZED) {
          return null;
        }
        boolean plural = name.endsWith("s");
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        for (long i = 0; i < count; i++) {
          if (plural) {
            a.add(vector(1));
          } else {
            a.add(0.0);
          }
        }
        return a;
      }
      default -> {
        return null;
      }
    }
  }

  private static ArrayNode vector(long dim) {
    ArrayNode v = JsonNodeFactory.instance.arrayNode();
    for (long i = 0; i < dim; i++) {
      v.add(0.0);
    }
    return v;
  }

  private static boolean isMarker(JsonNode n) {
    return n.isObject() && n.has(STRIPPED_MARKER);
  }

  /** Whether a marker occurs anywhere {@link #clean} would look (same depth bound). */
  private static boolean hasMarker(JsonNode n, int depth) {
    if (depth > 200 || !n.isContainerNode()) {
      return false;
    }
    for (JsonNode child : n) {
      if (isMarker(child) || hasMarker(child, depth + 1)) {
        return true;
      }
    }
    return false;
  }

  private static void clean(JsonNode n, String path, List<String> paths, int depth) {
    if (depth > 200) {
      return;
    }
    if (n instanceof ObjectNode o) {
      Iterator<Map.Entry<String, JsonNode>> it = o.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> f = it.next();
        String p = path + "." + f.getKey();
        if (isMarker(f.getValue())) {
          paths.add(p);
          JsonNode zero = zeros(f.getKey(), f.getValue());
          if (zero == null) {
            it.remove();
          } else {
            f.setValue(zero);
          }
        } else {
          clean(f.getValue(), p, paths, depth + 1);
        }
      }
    } else if (n instanceof ArrayNode a) {
      for (int i = a.size() - 1; i >= 0; i--) {
        String p = path + "[" + i + "]";
        if (isMarker(a.get(i))) {
          paths.add(p);
          JsonNode zero = zeros("", a.get(i));
          if (zero == null) {
            a.remove(i);
          } else {
            a.set(i, zero);
          }
        } else {
          clean(a.get(i), p, paths, depth + 1);
        }
      }
    }
  }
}
