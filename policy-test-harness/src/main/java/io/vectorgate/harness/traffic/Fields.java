package io.vectorgate.harness.traffic;

import com.fasterxml.jackson.databind.JsonNode;
import io.vectorgate.harness.HarnessException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/** Strict reading of a JSON/YAML object: unknown fields and wrong types are errors naming the field and location. */
final class Fields {
  private final JsonNode node;
  private final String location;
  private final String path;

  Fields(JsonNode node, String location, String path, Set<String> allowed) {
    this.location = location;
    this.path = path;
    if (node == null || !node.isObject()) {
      throw new HarnessException(location, "`" + path + "` must be an object");
    }
    this.node = node;
    Iterator<String> names = node.fieldNames();
    while (names.hasNext()) {
      String n = names.next();
      if (!allowed.contains(n)) {
        throw new HarnessException(location, "unknown field `" + join(n) + "` (allowed: " + String.join(", ",
            allowed.stream().sorted().toList()) + ")");
      }
    }
  }

  String join(String name) {
    return path.isEmpty() ? name : path + "." + name;
  }

  boolean has(String name) {
    return node.has(name);
  }

  boolean isNull(String name) {
    return node.has(name) && node.get(name).isNull();
  }

  JsonNode get(String name) {
    return node.get(name);
  }

  String location() {
    return location;
  }

  String text(String name, boolean required) {
    JsonNode v = node.get(name);
    if (v == null || v.isNull()) {
      if (required) {
        throw new HarnessException(location, "missing `" + join(name) + "`");
      }
      return null;
    }
    if (!v.isTextual()) {
      throw new HarnessException(location, "`" + join(name) + "` must be a string");
    }
    return v.textValue();
  }

  Boolean bool(String name) {
    JsonNode v = node.get(name);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isBoolean()) {
      throw new HarnessException(location, "`" + join(name) + "` must be true or false");
    }
    return v.booleanValue();
  }

  Long integer(String name) {
    JsonNode v = node.get(name);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isIntegralNumber() || !v.canConvertToLong()) {
      throw new HarnessException(location, "`" + join(name) + "` must be an integer");
    }
    return v.longValue();
  }

  List<String> strings(String name) {
    JsonNode v = node.get(name);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isArray()) {
      throw new HarnessException(location, "`" + join(name) + "` must be a list of strings");
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < v.size(); i++) {
      if (!v.get(i).isTextual()) {
        throw new HarnessException(location, "`" + join(name) + "[" + i + "]` must be a string");
      }
      out.add(v.get(i).textValue());
    }
    return out;
  }

  List<JsonNode> objects(String name) {
    JsonNode v = node.get(name);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isArray()) {
      throw new HarnessException(location, "`" + join(name) + "` must be a list");
    }
    List<JsonNode> out = new ArrayList<>();
    v.forEach(out::add);
    return out;
  }
}
