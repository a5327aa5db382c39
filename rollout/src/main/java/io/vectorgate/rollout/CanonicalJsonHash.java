package io.vectorgate.rollout;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * The digest OPA's bundle signing computes for a JSON file ({@code data.json}, {@code .manifest}):
 * not of the bytes but of a canonical form: objects as {@code {"k":v,...}} with keys in byte order
 * of their UTF-8, arrays in order, numbers exactly as written, strings as Go's JSON encoder writes
 * them without HTML escaping. Raw files are hashed as they are.
 */
final class CanonicalJsonHash {
  private static final int MAX_DEPTH = 200;
  private static final JsonFactory FACTORY = JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH + 1).build()).build();

  private CanonicalJsonHash() {}

  static byte[] digestJson(byte[] json, MessageDigest md) throws IOException {
    StringBuilder sb = new StringBuilder();
    try (JsonParser p = FACTORY.createParser(json)) {
      JsonToken t = p.nextToken();
      if (t == null) {
        throw new IOException("empty JSON document");
      }
      write(read(p, 0), sb);
      if (p.nextToken() != null) {
        throw new IOException("trailing content after the JSON value");
      }
    }
    return md.digest(sb.toString().getBytes(StandardCharsets.UTF_8));
  }

  /** A parsed value: a sorted object, a list, or the canonical text of a scalar. */
  private sealed interface Value {}

  private record Obj(TreeMap<String, Value> fields) implements Value {}

  private record Arr(List<Value> items) implements Value {}

  private record Scalar(String text) implements Value {}

  private static Value read(JsonParser p, int depth) throws IOException {
    if (depth > MAX_DEPTH) {
      throw new IOException("JSON nested deeper than " + MAX_DEPTH);
    }
    JsonToken t = p.currentToken();
    switch (t) {
      case START_OBJECT -> {
        TreeMap<String, Value> fields = new TreeMap<>(CanonicalJsonHash::compareUtf8);
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String k = p.currentName();
          p.nextToken();
          if (fields.put(k, read(p, depth + 1)) != null) {
            throw new IOException("duplicate key `" + k + "`");
          }
        }
        return new Obj(fields);
      }
      case START_ARRAY -> {
        List<Value> items = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
          items.add(read(p, depth + 1));
        }
        return new Arr(items);
      }
      case VALUE_STRING -> {
        StringBuilder sb = new StringBuilder();
        string(p.getText(), sb);
        return new Scalar(sb.toString());
      }
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
        return new Scalar(p.getText()); // Go keeps json.Number exactly as written
      }
      case VALUE_TRUE, VALUE_FALSE, VALUE_NULL -> {
        return new Scalar(p.getText());
      }
      default -> throw new IOException("unexpected JSON token " + t);
    }
  }

  private static void write(Value v, StringBuilder sb) {
    if (v instanceof Obj o) {
      sb.append('{');
      boolean first = true;
      for (var e : o.fields().entrySet()) {
        if (!first) {
          sb.append(',');
        }
        first = false;
        string(e.getKey(), sb);
        sb.append(':');
        write(e.getValue(), sb);
      }
      sb.append('}');
    } else if (v instanceof Arr a) {
      sb.append('[');
      for (int i = 0; i < a.items().size(); i++) {
        if (i > 0) {
          sb.append(',');
        }
        write(a.items().get(i), sb);
      }
      sb.append(']');
    } else {
      sb.append(((Scalar) v).text());
    }
  }

  static int compareUtf8(String a, String b) {
    byte[] x = a.getBytes(StandardCharsets.UTF_8);
    byte[] y = b.getBytes(StandardCharsets.UTF_8);
    return java.util.Arrays.compareUnsigned(x, y);
  }

  /** A JSON string as Go's encoding/json writes it with {@code SetEscapeHTML(false)}. */
  static void string(String s, StringBuilder sb) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '\b' -> sb.append("\\b");
        case '\f' -> sb.append("\\f");
        case '\u2028' -> sb.append("\\u2028");
        case '\u2029' -> sb.append("\\u2029");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else if (Character.isSurrogate(c)) {
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
              sb.append(c).append(s.charAt(++i));
            } else {
              sb.append('\ufffd'); // Go replaces invalid UTF-8 / lone surrogates
            }
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }
}
