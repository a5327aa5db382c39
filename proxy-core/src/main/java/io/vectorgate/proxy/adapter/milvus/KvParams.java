package io.vectorgate.proxy.adapter.milvus;

import io.milvus.grpc.KeyValuePair;
import io.vectorgate.proxy.adapter.AdapterException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Milvus {@code KeyValuePair} parameter lists ({@code search_params}, {@code query_params},
 * {@code rank_params}). Values are text: pymilvus writes {@code str(value)} for scalars (so
 * booleans arrive as {@code True}/{@code False}) and JSON for dicts. A key given twice is
 * rejected: Milvus reads the first occurrence, and a gateway reading another one could be fooled.
 */
final class KvParams {
  private static final Pattern INTEGER = Pattern.compile("[+-]?[0-9]{1,19}");
  /** The spellings Go's {@code strconv.ParseBool} accepts, which is what Milvus uses. */
  private static final Set<String> TRUE = Set.of("1", "t", "T", "true", "TRUE", "True");
  private static final Set<String> FALSE = Set.of("0", "f", "F", "false", "FALSE", "False");

  private final String path;
  private final Map<String, String> values;

  private KvParams(String path, Map<String, String> values) {
    this.path = path;
    this.values = values;
  }

  static KvParams of(List<KeyValuePair> pairs, String path) {
    Map<String, String> values = new LinkedHashMap<>();
    for (KeyValuePair kv : pairs) {
      if (values.put(kv.getKey(), kv.getValue()) != null) {
        throw new AdapterException(AdapterException.MALFORMED_REQUEST, path + "." + kv.getKey(),
            "parameter `" + kv.getKey() + "` is given more than once in `" + path + "`");
      }
    }
    return new KvParams(path, values);
  }

  boolean has(String key) {
    return values.containsKey(key);
  }

  Optional<String> string(String key) {
    return Optional.ofNullable(values.get(key));
  }

  Optional<Long> integer(String key) {
    String v = values.get(key);
    if (v == null) {
      return Optional.empty();
    }
    String t = v.strip();
    if (!INTEGER.matcher(t).matches()) {
      throw malformed(key, v, "an integer");
    }
    try {
      return Optional.of(Long.parseLong(t));
    } catch (NumberFormatException e) {
      throw new AdapterException(AdapterException.MALFORMED_REQUEST, path + "." + key,
          "`" + path + "." + key + "` must be an integer, was `" + abbreviate(v) + "`", e);
    }
  }

  Optional<Boolean> bool(String key) {
    String v = values.get(key);
    if (v == null) {
      return Optional.empty();
    }
    String t = v.strip();
    if (TRUE.contains(t)) {
      return Optional.of(true);
    }
    if (FALSE.contains(t)) {
      return Optional.of(false);
    }
    throw malformed(key, v, "a boolean");
  }

  Map<String, String> asMap() {
    return values;
  }

  private AdapterException malformed(String key, String value, String expected) {
    return new AdapterException(AdapterException.MALFORMED_REQUEST, path + "." + key,
        "`" + path + "." + key + "` must be " + expected + ", was `" + abbreviate(value) + "`");
  }

  static String abbreviate(String s) {
    return s.length() <= 64 ? s : s.substring(0, 61) + "...";
  }

  /** Returns {@code pairs} with {@code key}'s value replaced (position kept). */
  static List<KeyValuePair> replace(List<KeyValuePair> pairs, String key, String value) {
    List<KeyValuePair> out = new java.util.ArrayList<>(pairs.size() + 1);
    boolean found = false;
    for (KeyValuePair kv : pairs) {
      if (kv.getKey().equals(key)) {
        out.add(kv.toBuilder().setValue(value).build());
        found = true;
      } else {
        out.add(kv);
      }
    }
    if (!found) {
      out.add(KeyValuePair.newBuilder().setKey(key).setValue(value).build());
    }
    return out;
  }
}
