package io.vectorgate.proxy.dashboard;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Strict HTML building: a {@link Html} value is markup that is known to be safe; everything else
 * that goes into a page ({@link String}s, numbers, any object's {@code toString()}) is escaped.
 * Templates are written with {@link #of}: the format string is trusted markup (a constant in this
 * package), every argument is escaped unless it already is an {@link Html}.
 */
public record Html(String markup) {
  public static final Html EMPTY = new Html("");

  public Html {
    Objects.requireNonNull(markup, "markup");
  }

  /**
   * Escapes {@code s} for element content and quoted attribute values: {@code & < > " '} and
   * {@code `} become entities; other control characters except tab and newline become U+FFFD.
   */
  public static String escape(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder b = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        case '`' -> b.append("&#96;");
        default -> {
          if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f) {
            b.append('\uFFFD');
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.toString();
  }

  /** Text as markup (escaped). */
  public static Html text(Object value) {
    return value instanceof Html h ? h : new Html(escape(value == null ? "" : String.valueOf(value)));
  }

  /**
   * The trusted {@code template} with each {@code %s} replaced by the next argument, escaped
   * unless it is an {@link Html}. Only {@code %s} and {@code %%} are placeholders.
   */
  public static Html of(String template, Object... args) {
    StringBuilder b = new StringBuilder(template.length() + 64);
    int next = 0;
    for (int i = 0; i < template.length(); i++) {
      char c = template.charAt(i);
      if (c == '%' && i + 1 < template.length()) {
        char d = template.charAt(i + 1);
        if (d == 's') {
          if (next >= args.length) {
            throw new IllegalArgumentException("template has more %s than arguments: " + template);
          }
          b.append(text(args[next++]).markup());
          i++;
          continue;
        }
        if (d == '%') {
          b.append('%');
          i++;
          continue;
        }
      }
      b.append(c);
    }
    if (next != args.length) {
      throw new IllegalArgumentException("template has " + next + " %s but " + args.length + " arguments: " + template);
    }
    return new Html(b.toString());
  }

  /** The parts one after another. */
  public static Html join(List<Html> parts) {
    StringBuilder b = new StringBuilder();
    parts.forEach(p -> b.append(p.markup()));
    return new Html(b.toString());
  }

  public static Html join(Html... parts) {
    return join(Arrays.asList(parts));
  }

  @Override
  public String toString() {
    return markup;
  }
}
