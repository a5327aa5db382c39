package io.vectorgate.harness.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** Recorded payloads as the adapters can read them again. */
public final class Payloads {
  /** The member the recorder puts in place of a vector it did not store. */
  public static final String STRIPPED_MARKER = "vectorgate_stripped";

  private Payloads() {}

  /** A payload with the recorder's vector placeholders removed, and the JSON paths they were at. */
  public record Cleaned(JsonNode node, List<String> strippedPaths) {}

  /**
   * Removes every {@code {"vectorgate_stripped": …}} object (the recorder's stand-in for vectors it
   * was not allowed to store): an object member holding one is dropped, an array element holding one
   * is dropped. The input is not changed.
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

  private static boolean isMarker(JsonNode n) {
    return n.isObject() && n.has(STRIPPED_MARKER);
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
          it.remove();
        } else {
          clean(f.getValue(), p, paths, depth + 1);
        }
      }
    } else if (n instanceof ArrayNode a) {
      for (int i = a.size() - 1; i >= 0; i--) {
        String p = path + "[" + i + "]";
        if (isMarker(a.get(i))) {
          paths.add(p);
          a.remove(i);
        } else {
          clean(a.get(i), p, paths, depth + 1);
        }
      }
    }
  }
}
