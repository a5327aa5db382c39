package io.vectorgate.engine.plan;

import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code glob.match} patterns (OPA uses gobwas/glob) as Java regular expressions: {@code *} any run
 * of non-delimiter characters, {@code **} any run, {@code ?} one non-delimiter character,
 * {@code [abc]}, {@code [!abc]}, {@code [a-z]}, {@code {a,b}} alternatives, {@code \} escapes.
 */
final class Glob {
  private Glob() {}

  static Pattern compile(String glob, List<String> delimiters) {
    StringBuilder notDelim = new StringBuilder();
    for (String d : delimiters) {
      for (char ch : d.toCharArray()) {
        notDelim.append(escapeClass(ch));
      }
    }
    String one = notDelim.length() == 0 ? "(?s:.)" : "[^" + notDelim + "]";
    StringBuilder re = new StringBuilder();
    int depth = 0;
    for (int i = 0; i < glob.length(); i++) {
      char ch = glob.charAt(i);
      switch (ch) {
        case '*' -> {
          if (i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
            re.append("(?s:.)*");
            i++;
          } else {
            re.append(one).append('*');
          }
        }
        case '?' -> re.append(one);
        case '[' -> {
          int end = glob.indexOf(']', i + 1);
          if (end < 0) {
            throw new Builtins.BuiltinError("glob.match: unexpected end of input");
          }
          String body = glob.substring(i + 1, end);
          boolean neg = body.startsWith("!");
          if (neg) {
            body = body.substring(1);
          }
          StringBuilder cls = new StringBuilder(neg ? "[^" : "[");
          for (int j = 0; j < body.length(); j++) {
            char c = body.charAt(j);
            cls.append(c == '-' && j > 0 && j < body.length() - 1 ? "-" : escapeClass(c));
          }
          re.append(cls).append(']');
          i = end;
        }
        case '{' -> {
          depth++;
          re.append("(?:");
        }
        case '}' -> {
          if (depth == 0) {
            re.append("\\}");
          } else {
            depth--;
            re.append(')');
          }
        }
        case ',' -> re.append(depth > 0 ? "|" : ",");
        case '\\' -> {
          if (i + 1 < glob.length()) {
            re.append(Pattern.quote(String.valueOf(glob.charAt(++i))));
          } else {
            throw new Builtins.BuiltinError("glob.match: unexpected end of input");
          }
        }
        default -> re.append(Pattern.quote(String.valueOf(ch)));
      }
    }
    if (depth != 0) {
      throw new Builtins.BuiltinError("glob.match: unexpected end of input");
    }
    return Pattern.compile(re.toString());
  }

  private static String escapeClass(char c) {
    return "\\^-[]&".indexOf(c) >= 0 ? "\\" + c : String.valueOf(c);
  }
}
