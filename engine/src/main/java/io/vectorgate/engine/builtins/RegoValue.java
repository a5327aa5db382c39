package io.vectorgate.engine.builtins;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * A Rego value as a host builtin receives it: parsed from the guest's {@code opa_value_dump}, which
 * (unlike its JSON dump) keeps sets apart from arrays and numbers in their original text.
 */
public sealed interface RegoValue {

  /** OPA's own rendering of the value ({@code ast.Value.String()}): what sprintf's %v shows. */
  String toRego();

  /** OPA's type name, as its error messages use it. */
  String typeName();

  record Str(String value) implements RegoValue {
    @Override
    public String toRego() {
      return GoText.quote(value, false);
    }

    @Override
    public String typeName() {
      return "string";
    }
  }

  /** A number, kept as the text the guest holds (e.g. {@code 1.0}, {@code 1e3}, {@code 123456789012345678901}). */
  record Num(String text) implements RegoValue {
    public BigDecimal decimal() {
      return new BigDecimal(text);
    }

    @Override
    public String toRego() {
      return text;
    }

    @Override
    public String typeName() {
      return "number";
    }
  }

  record Bool(boolean value) implements RegoValue {
    @Override
    public String toRego() {
      return Boolean.toString(value);
    }

    @Override
    public String typeName() {
      return "boolean";
    }
  }

  record Null() implements RegoValue {
    @Override
    public String toRego() {
      return "null";
    }

    @Override
    public String typeName() {
      return "null";
    }
  }

  record Arr(List<RegoValue> items) implements RegoValue {
    @Override
    public String toRego() {
      StringBuilder sb = new StringBuilder("[");
      for (int i = 0; i < items.size(); i++) {
        if (i > 0) {
          sb.append(", ");
        }
        sb.append(items.get(i).toRego());
      }
      return sb.append(']').toString();
    }

    @Override
    public String typeName() {
      return "array";
    }
  }

  record Obj(List<Map.Entry<RegoValue, RegoValue>> entries) implements RegoValue {
    public RegoValue get(String key) {
      for (Map.Entry<RegoValue, RegoValue> e : entries) {
        if (e.getKey() instanceof Str s && s.value().equals(key)) {
          return e.getValue();
        }
      }
      return null;
    }

    @Override
    public String toRego() {
      List<Map.Entry<RegoValue, RegoValue>> sorted = new ArrayList<>(entries);
      sorted.sort(Map.Entry.comparingByKey(ORDER));
      StringBuilder sb = new StringBuilder("{");
      for (int i = 0; i < sorted.size(); i++) {
        if (i > 0) {
          sb.append(", ");
        }
        sb.append(sorted.get(i).getKey().toRego()).append(": ").append(sorted.get(i).getValue().toRego());
      }
      return sb.append('}').toString();
    }

    @Override
    public String typeName() {
      return "object";
    }
  }

  record SetV(List<RegoValue> items) implements RegoValue {
    @Override
    public String toRego() {
      if (items.isEmpty()) {
        return "set()";
      }
      List<RegoValue> sorted = new ArrayList<>(items);
      sorted.sort(ORDER);
      StringBuilder sb = new StringBuilder("{");
      for (int i = 0; i < sorted.size(); i++) {
        if (i > 0) {
          sb.append(", ");
        }
        sb.append(sorted.get(i).toRego());
      }
      return sb.append('}').toString();
    }

    @Override
    public String typeName() {
      return "set";
    }
  }

  /** OPA's total order on values (ast.Compare): null, booleans, numbers, strings, arrays, objects, sets. */
  Comparator<RegoValue> ORDER = RegoValue::compare;

  private static int rank(RegoValue v) {
    if (v instanceof Null) {
      return 0;
    } else if (v instanceof Bool) {
      return 1;
    } else if (v instanceof Num) {
      return 2;
    } else if (v instanceof Str) {
      return 3;
    } else if (v instanceof Arr) {
      return 4;
    } else if (v instanceof Obj) {
      return 5;
    }
    return 6;
  }

  private static int compare(RegoValue a, RegoValue b) {
    int ra = rank(a);
    int rb = rank(b);
    if (ra != rb) {
      return Integer.compare(ra, rb);
    }
    if (a instanceof Bool x && b instanceof Bool y) {
      return Boolean.compare(x.value(), y.value());
    }
    if (a instanceof Num x && b instanceof Num y) {
      return x.decimal().compareTo(y.decimal());
    }
    if (a instanceof Str x && b instanceof Str y) {
      return compareCodePoints(x.value(), y.value());
    }
    if (a instanceof Arr x && b instanceof Arr y) {
      return compareLists(x.items(), y.items());
    }
    if (a instanceof SetV x && b instanceof SetV y) {
      List<RegoValue> xs = new ArrayList<>(x.items());
      List<RegoValue> ys = new ArrayList<>(y.items());
      xs.sort(ORDER);
      ys.sort(ORDER);
      return compareLists(xs, ys);
    }
    if (a instanceof Obj x && b instanceof Obj y) {
      List<Map.Entry<RegoValue, RegoValue>> xs = new ArrayList<>(x.entries());
      List<Map.Entry<RegoValue, RegoValue>> ys = new ArrayList<>(y.entries());
      xs.sort(Map.Entry.comparingByKey(ORDER));
      ys.sort(Map.Entry.comparingByKey(ORDER));
      for (int i = 0; i < Math.min(xs.size(), ys.size()); i++) {
        int c = compare(xs.get(i).getKey(), ys.get(i).getKey());
        if (c == 0) {
          c = compare(xs.get(i).getValue(), ys.get(i).getValue());
        }
        if (c != 0) {
          return c;
        }
      }
      return Integer.compare(xs.size(), ys.size());
    }
    return 0;
  }

  private static int compareLists(List<RegoValue> xs, List<RegoValue> ys) {
    for (int i = 0; i < Math.min(xs.size(), ys.size()); i++) {
      int c = compare(xs.get(i), ys.get(i));
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(xs.size(), ys.size());
  }

  /** Go compares strings byte-wise in UTF-8, which is code point order. */
  private static int compareCodePoints(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Integer.compare(a.length() - i, b.length() - j);
  }

  /** Parses the text of {@code opa_value_dump}: JSON plus set literals ({@code {1, 2}}, {@code set()}). */
  static RegoValue parseDump(String text) {
    ValueDumpParser p = new ValueDumpParser(text);
    RegoValue v = p.value();
    p.skipSpace();
    if (p.pos != text.length()) {
      throw p.error("trailing characters");
    }
    return v;
  }

  /** Recursive-descent parser for the value dump; depth-limited so hostile nesting cannot blow the stack. */
  final class ValueDumpParser {
    private static final int MAX_DEPTH = 512;
    private final String s;
    private int pos;
    private int depth;

    private ValueDumpParser(String s) {
      this.s = s;
    }

    private IllegalArgumentException error(String what) {
      return new IllegalArgumentException("bad value dump at offset " + pos + ": " + what);
    }

    private void skipSpace() {
      while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
        pos++;
      }
    }

    private boolean consume(String lit) {
      if (s.startsWith(lit, pos)) {
        pos += lit.length();
        return true;
      }
      return false;
    }

    private RegoValue value() {
      skipSpace();
      if (pos >= s.length()) {
        throw error("unexpected end");
      }
      char c = s.charAt(pos);
      if (c == '"') {
        return new Str(string());
      } else if (c == '[') {
        pos++;
        enter();
        List<RegoValue> items = new ArrayList<>();
        skipSpace();
        if (!consume("]")) {
          do {
            items.add(value());
            skipSpace();
          } while (consume(","));
          if (!consume("]")) {
            throw error("expected ]");
          }
        }
        depth--;
        return new Arr(List.copyOf(items));
      } else if (c == '{') {
        pos++;
        enter();
        skipSpace();
        if (consume("}")) {
          depth--;
          return new Obj(List.of());
        }
        RegoValue first = value();
        skipSpace();
        RegoValue result;
        if (consume(":")) {
          List<Map.Entry<RegoValue, RegoValue>> entries = new ArrayList<>();
          entries.add(Map.entry(first, value()));
          skipSpace();
          while (consume(",")) {
            RegoValue k = value();
            skipSpace();
            if (!consume(":")) {
              throw error("expected :");
            }
            entries.add(Map.entry(k, value()));
            skipSpace();
          }
          result = new Obj(List.copyOf(entries));
        } else {
          List<RegoValue> items = new ArrayList<>();
          items.add(first);
          while (consume(",")) {
            items.add(value());
            skipSpace();
          }
          result = new SetV(List.copyOf(items));
        }
        if (!consume("}")) {
          throw error("expected }");
        }
        depth--;
        return result;
      } else if (consume("set()")) {
        return new SetV(List.of());
      } else if (consume("true")) {
        return new Bool(true);
      } else if (consume("false")) {
        return new Bool(false);
      } else if (consume("null")) {
        return new Null();
      } else if (c == '-' || (c >= '0' && c <= '9')) {
        int start = pos;
        pos++;
        while (pos < s.length() && "0123456789.eE+-".indexOf(s.charAt(pos)) >= 0) {
          pos++;
        }
        String num = s.substring(start, pos);
        try {
          new BigDecimal(num);
        } catch (NumberFormatException e) {
          throw error("bad number " + num);
        }
        return new Num(num);
      }
      throw error("unexpected character '" + c + "'");
    }

    private void enter() {
      if (++depth > MAX_DEPTH) {
        throw error("nesting deeper than " + MAX_DEPTH);
      }
    }

    private String string() {
      pos++;
      StringBuilder sb = new StringBuilder();
      while (true) {
        if (pos >= s.length()) {
          throw error("unterminated string");
        }
        char c = s.charAt(pos++);
        if (c == '"') {
          return sb.toString();
        }
        if (c != '\\') {
          sb.append(c);
          continue;
        }
        if (pos >= s.length()) {
          throw error("unterminated escape");
        }
        char e = s.charAt(pos++);
        switch (e) {
          case '"', '\\', '/' -> sb.append(e);
          case 'b' -> sb.append('\b');
          case 'f' -> sb.append('\f');
          case 'n' -> sb.append('\n');
          case 'r' -> sb.append('\r');
          case 't' -> sb.append('\t');
          case 'u' -> {
            if (pos + 4 > s.length()) {
              throw error("short \\u escape");
            }
            try {
              sb.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
            } catch (NumberFormatException ex) {
              throw error("bad \\u escape");
            }
            pos += 4;
          }
          default -> throw error("bad escape \\" + e);
        }
      }
    }
  }
}
