package io.vectorgate.engine.plan;

import java.util.Map;

/** JSON text as OPA's {@code json.marshal} writes it (Go's encoding/json): sorted keys, HTML-safe escapes. */
final class GoJson {
  private GoJson() {}

  static String marshal(Val v) {
    StringBuilder sb = new StringBuilder();
    write(v, sb);
    return sb.toString();
  }

  private static void write(Val v, StringBuilder sb) {
    if (v instanceof Val.Null) {
      sb.append("null");
    } else if (v instanceof Val.Bool b) {
      sb.append(b.value);
    } else if (v instanceof Val.Num n) {
      sb.append(n.text());
    } else if (v instanceof Val.Str s) {
      string(s.value, sb);
    } else if (v instanceof Val.Arr a) {
      sb.append('[');
      for (int i = 0; i < a.items.size(); i++) {
        if (i > 0) {
          sb.append(',');
        }
        write(a.items.get(i), sb);
      }
      sb.append(']');
    } else if (v instanceof Val.SetV s) {
      sb.append('[');
      boolean first = true;
      for (Val x : s.set) {
        if (!first) {
          sb.append(',');
        }
        first = false;
        write(x, sb);
      }
      sb.append(']');
    } else {
      sb.append('{');
      boolean first = true;
      // Go sorts map keys by their string form
      java.util.TreeMap<String, Val> sorted = new java.util.TreeMap<>(Val::compareStrings);
      for (Map.Entry<Val, Val> e : ((Val.Obj) v).map.entrySet()) {
        sorted.put(e.getKey() instanceof Val.Str k ? k.value : marshal(e.getKey()), e.getValue());
      }
      for (Map.Entry<String, Val> e : sorted.entrySet()) {
        if (!first) {
          sb.append(',');
        }
        first = false;
        string(e.getKey(), sb);
        sb.append(':');
        write(e.getValue(), sb);
      }
      sb.append('}');
    }
  }

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
        case '<', '>', '&', '\u2028', '\u2029' -> sb.append(String.format("\\u%04x", (int) c));
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else if (Character.isSurrogate(c) && !(Character.isHighSurrogate(c) && i + 1 < s.length()
              && Character.isLowSurrogate(s.charAt(i + 1)))) {
            if (Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(s.charAt(i - 1))) {
              sb.append(c);
            } else {
              sb.append('\ufffd');
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
