package io.vectorgate.harness.report;

/** Escaping for XML and HTML text and attributes. */
final class Xml {
  private Xml() {}

  static String esc(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder sb = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        case '&' -> sb.append("&amp;");
        case '"' -> sb.append("&quot;");
        case '\'' -> sb.append("&#39;");
        default -> {
          // characters XML 1.0 cannot carry become U+FFFD
          boolean ok = c == '\t' || c == '\n' || c == '\r' || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD)
              || Character.isSurrogate(c);
          sb.append(ok ? c : '\uFFFD');
        }
      }
    }
    return sb.toString();
  }
}
