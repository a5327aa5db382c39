package io.vectorgate.proxy.adapter.qdrant;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Collects {@code attributes.written_values} from written JSON payloads / metadata: per top-level
 * key the distinct scalar values (array elements count one by one), at most
 * {@value #MAX_VALUES} per key; strings longer than {@value #MAX_STRING} characters are left out.
 * Either limit marks the result truncated.
 */
public final class WrittenValues {
  public static final int MAX_VALUES = 64;
  public static final int MAX_STRING = 1024;

  private final Map<String, LinkedHashSet<Object>> values = new LinkedHashMap<>();
  private boolean truncated;

  /** Adds every key of one payload (non-objects are ignored). */
  public void add(JsonNode payload) {
    if (payload == null || !payload.isObject()) {
      return;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = payload.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode v = e.getValue();
      if (v.isArray()) {
        v.forEach(x -> addScalar(e.getKey(), x));
      } else {
        addScalar(e.getKey(), v);
      }
    }
  }

  private void addScalar(String key, JsonNode v) {
    Object plain;
    if (v.isTextual()) {
      if (v.textValue().length() > MAX_STRING) {
        truncated = true;
        return;
      }
      plain = v.textValue();
    } else if (v.isIntegralNumber() && v.canConvertToLong()) {
      plain = v.longValue();
    } else if (v.isNumber()) {
      plain = v.doubleValue();
    } else if (v.isBoolean()) {
      plain = v.booleanValue();
    } else {
      return;
    }
    LinkedHashSet<Object> set = values.computeIfAbsent(key, k -> new LinkedHashSet<>());
    if (set.contains(plain)) {
      return;
    }
    if (set.size() >= MAX_VALUES) {
      truncated = true;
      return;
    }
    set.add(plain);
  }

  /** Puts {@code written_values} and {@code written_values_truncated} into {@code attributes}. */
  public void into(Map<String, Object> attributes) {
    Map<String, Object> out = new LinkedHashMap<>();
    values.forEach((k, v) -> out.put(k, List.copyOf(new ArrayList<>(v))));
    attributes.put("written_values", out);
    attributes.put("written_values_truncated", truncated);
  }
}
