package io.vectorgate.engine.builtins;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Go's fmt.Sprintf for the argument types OPA's sprintf hands it: int64 ({@link Long}), *big.Int
 * ({@link BigInteger}), float64 ({@link Double}) and string ({@link String}). Argument indexes
 * ({@code %[1]d}) and {@code *} widths are not supported and raise an error instead of guessing.
 */
final class GoFmt {
  private GoFmt() {}

  private static final String LDIGITS = "0123456789abcdefx";
  private static final String UDIGITS = "0123456789ABCDEFX";

  /** The fmt state for one verb. */
  private static final class Flags {
    boolean widPresent;
    boolean precPresent;
    boolean minus;
    boolean plus;
    boolean sharp;
    boolean space;
    boolean zero;
    boolean plusV;
    boolean sharpV;
    int wid;
    int prec;
  }

  static String sprintf(String format, List<Object> args) {
    StringBuilder out = new StringBuilder();
    int argNum = 0;
    int end = format.length();
    int i = 0;
    while (i < end) {
      int lasti = i;
      while (i < end && format.charAt(i) != '%') {
        i++;
      }
      out.append(format, lasti, i);
      if (i >= end) {
        break;
      }
      i++;
      Flags f = new Flags();
      flags:
      for (; i < end; i++) {
        switch (format.charAt(i)) {
          case '#' -> f.sharp = true;
          case '0' -> f.zero = !f.minus;
          case '+' -> f.plus = true;
          case '-' -> {
            f.minus = true;
            f.zero = false;
          }
          case ' ' -> f.space = true;
          default -> {
            break flags;
          }
        }
      }
      if (i < end && (format.charAt(i) == '[' || format.charAt(i) == '*')) {
        throw new BuiltinException("sprintf", "argument indexes and * widths are not supported: " + GoText.quote(format, false));
      }
      int[] num = parseNum(format, i, end);
      if (num[1] == 1) {
        f.wid = num[0];
        f.widPresent = true;
      }
      i = num[2];
      if (i + 1 <= end && format.charAt(i) == '.') {
        i++;
        if (i < end && (format.charAt(i) == '[' || format.charAt(i) == '*')) {
          throw new BuiltinException("sprintf", "argument indexes and * precisions are not supported: " + GoText.quote(format, false));
        }
        num = parseNum(format, i, end);
        f.prec = num[1] == 1 ? num[0] : 0;
        f.precPresent = true;
        i = num[2];
      }
      if (i >= end) {
        out.append("%!(NOVERB)");
        break;
      }
      int verb = format.codePointAt(i);
      i += Character.charCount(verb);
      if (verb == '%') {
        out.append('%');
      } else if (argNum >= args.size()) {
        out.append("%!").appendCodePoint(verb).append("(MISSING)");
      } else {
        if (verb == 'v') {
          f.sharpV = f.sharp;
          f.sharp = false;
          f.plusV = f.plus;
          f.plus = false;
        }
        printArg(out, f, args.get(argNum++), verb);
      }
    }
    if (argNum < args.size()) {
      out.append("%!(EXTRA ");
      for (int k = argNum; k < args.size(); k++) {
        if (k > argNum) {
          out.append(", ");
        }
        Object a = args.get(k);
        out.append(typeName(a)).append('=');
        printArg(out, new Flags(), a, 'v');
      }
      out.append(')');
    }
    return out.toString();
  }

  /** {num, isnum(0/1), newi}; a number too large for Go's tooLarge check gives isnum=0 and newi=end. */
  private static int[] parseNum(String s, int start, int end) {
    int n = 0;
    boolean isnum = false;
    int i = start;
    for (; i < end && s.charAt(i) >= '0' && s.charAt(i) <= '9'; i++) {
      if (n > 1_000_000 || n < -1_000_000) {
        return new int[] {0, 0, end};
      }
      n = n * 10 + (s.charAt(i) - '0');
      isnum = true;
    }
    return new int[] {n, isnum ? 1 : 0, i};
  }

  private static String typeName(Object a) {
    if (a instanceof Long) {
      return "int64";
    } else if (a instanceof BigInteger) {
      return "*big.Int";
    } else if (a instanceof Double) {
      return "float64";
    }
    return "string";
  }

  private static void printArg(StringBuilder out, Flags f, Object arg, int verb) {
    if (arg instanceof String s) {
      switch (verb) {
        case 'v' -> {
          if (f.sharpV) {
            fmtQ(out, f, s);
          } else {
            fmtS(out, f, s);
          }
        }
        case 's' -> fmtS(out, f, s);
        case 'x' -> fmtSx(out, f, s, LDIGITS);
        case 'X' -> fmtSx(out, f, s, UDIGITS);
        case 'q' -> fmtQ(out, f, s);
        default -> badVerb(out, f, arg, verb);
      }
    } else if (arg instanceof Long l) {
      switch (verb) {
        case 'v', 'd' -> fmtInteger(out, f, BigInteger.valueOf(l), 10, verb, LDIGITS, false);
        case 'b' -> fmtInteger(out, f, BigInteger.valueOf(l), 2, verb, LDIGITS, false);
        case 'o', 'O' -> fmtInteger(out, f, BigInteger.valueOf(l), 8, verb, LDIGITS, false);
        case 'x' -> fmtInteger(out, f, BigInteger.valueOf(l), 16, verb, LDIGITS, false);
        case 'X' -> fmtInteger(out, f, BigInteger.valueOf(l), 16, verb, UDIGITS, false);
        case 'c' -> pad(out, f, new String(Character.toChars(validRune(l))));
        case 'q' -> pad(out, f, GoText.quoteRune(validRune(l), f.plus));
        case 'U' -> fmtUnicode(out, f, l);
        default -> badVerb(out, f, arg, verb);
      }
    } else if (arg instanceof BigInteger b) {
      switch (verb) {
        case 'v', 'd', 's' -> fmtInteger(out, f, b, 10, verb, LDIGITS, true);
        case 'b' -> fmtInteger(out, f, b, 2, verb, LDIGITS, true);
        case 'o', 'O' -> fmtInteger(out, f, b, 8, verb, LDIGITS, true);
        case 'x' -> fmtInteger(out, f, b, 16, verb, LDIGITS, true);
        case 'X' -> fmtInteger(out, f, b, 16, verb, UDIGITS, true);
        default -> out.append("%!").appendCodePoint(verb).append("(big.Int=").append(b).append(')');
      }
    } else if (arg instanceof Double d) {
      switch (verb) {
        case 'v' -> fmtFloat(out, f, d, 'g', -1);
        case 'g', 'G' -> fmtFloat(out, f, d, (char) verb, -1);
        case 'e', 'E', 'f', 'F' -> fmtFloat(out, f, d, (char) verb, 6);
        case 'b', 'x', 'X' -> throw new BuiltinException("sprintf", "%" + (char) verb + " of a floating-point number is not supported");
        default -> badVerb(out, f, arg, verb);
      }
    } else {
      throw new IllegalArgumentException("unsupported sprintf argument type " + arg.getClass());
    }
  }

  private static int validRune(long l) {
    if (l < 0 || l > Character.MAX_CODE_POINT || (l >= 0xD800 && l <= 0xDFFF)) {
      return 0xFFFD;
    }
    return (int) l;
  }

  private static void badVerb(StringBuilder out, Flags f, Object arg, int verb) {
    out.append("%!").appendCodePoint(verb).append('(').append(typeName(arg)).append('=');
    printArg(out, f, arg, 'v');
    out.append(')');
  }

  private static int runeCount(CharSequence s) {
    return Character.codePointCount(s, 0, s.length());
  }

  private static void padding(StringBuilder out, Flags f, int n) {
    char c = f.zero && !f.minus ? '0' : ' ';
    for (int k = 0; k < n; k++) {
      out.append(c);
    }
  }

  private static void pad(StringBuilder out, Flags f, String s) {
    if (!f.widPresent || f.wid == 0) {
      out.append(s);
      return;
    }
    int width = f.wid - runeCount(s);
    if (!f.minus) {
      padding(out, f, width);
      out.append(s);
    } else {
      out.append(s);
      padding(out, f, width);
    }
  }

  private static String truncate(Flags f, String s) {
    if (f.precPresent) {
      int n = f.prec;
      for (int i = 0; i < s.length(); ) {
        n--;
        if (n < 0) {
          return s.substring(0, i);
        }
        i += Character.charCount(s.codePointAt(i));
      }
    }
    return s;
  }

  private static void fmtS(StringBuilder out, Flags f, String s) {
    pad(out, f, truncate(f, s));
  }

  private static void fmtQ(StringBuilder out, Flags f, String s) {
    s = truncate(f, s);
    if (f.sharp && canBackquote(s)) {
      pad(out, f, "`" + s + "`");
    } else {
      pad(out, f, GoText.quote(s, f.plus));
    }
  }

  private static boolean canBackquote(String s) {
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      i += Character.charCount(cp);
      if (cp == '`' || cp == 0xFEFF || cp == 0xFFFD || (cp < ' ' && cp != '\t') || cp == 0x7F) {
        return false;
      }
    }
    return true;
  }

  private static void fmtSx(StringBuilder out, Flags f, String s, String digits) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    int length = b.length;
    if (f.precPresent && f.prec < length) {
      length = f.prec;
    }
    int width = 2 * length;
    if (width > 0) {
      if (f.space) {
        if (f.sharp) {
          width *= 2;
        }
        width += length - 1;
      } else if (f.sharp) {
        width += 2;
      }
    } else {
      if (f.widPresent) {
        padding(out, f, f.wid);
      }
      return;
    }
    if (f.widPresent && f.wid > width && !f.minus) {
      padding(out, f, f.wid - width);
    }
    StringBuilder buf = new StringBuilder();
    if (f.sharp) {
      buf.append('0').append(digits.charAt(16));
    }
    for (int i = 0; i < length; i++) {
      if (f.space && i > 0) {
        buf.append(' ');
        if (f.sharp) {
          buf.append('0').append(digits.charAt(16));
        }
      }
      int c = b[i] & 0xFF;
      buf.append(digits.charAt(c >> 4)).append(digits.charAt(c & 0xF));
    }
    out.append(buf);
    if (f.widPresent && f.wid > width && f.minus) {
      padding(out, f, f.wid - width);
    }
  }

  private static void fmtUnicode(StringBuilder out, Flags f, long l) {
    String hex = Long.toHexString(l).toUpperCase(java.util.Locale.ROOT);
    if (l < 0) {
      hex = Long.toUnsignedString(l, 16).toUpperCase(java.util.Locale.ROOT);
    }
    int prec = 4;
    if (f.precPresent && f.prec > 4) {
      prec = f.prec;
    }
    StringBuilder sb = new StringBuilder("U+");
    for (int k = hex.length(); k < prec; k++) {
      sb.append('0');
    }
    sb.append(hex);
    if (f.sharp && l >= 0 && l <= Character.MAX_CODE_POINT && GoText.isPrint((int) l)) {
      sb.append(" '").appendCodePoint((int) l).append('\'');
    }
    boolean oldZero = f.zero;
    f.zero = false;
    pad(out, f, sb.toString());
    f.zero = oldZero;
  }

  /** fmt's fmtInteger for int64, and math/big's Int.Format when {@code big}. */
  private static void fmtInteger(StringBuilder out, Flags f, BigInteger v, int base, int verb, String digits, boolean big) {
    boolean negative = v.signum() < 0;
    String ds = v.abs().toString(base);
    if (digits == UDIGITS) {
      ds = ds.toUpperCase(java.util.Locale.ROOT);
    }
    boolean plus = big ? (f.plus || f.plusV) : f.plus;
    boolean sharp = big ? (f.sharp || f.sharpV) : f.sharp;
    if (big) {
      String sign = negative ? "-" : plus ? "+" : f.space ? " " : "";
      String prefix = "";
      if (sharp) {
        switch (verb) {
          case 'b' -> prefix = "0b";
          case 'o' -> prefix = "0";
          case 'x' -> prefix = "0x";
          case 'X' -> prefix = "0X";
          default -> { }
        }
      }
      if (verb == 'O') {
        prefix = "0o";
      }
      int zeros = 0;
      if (f.precPresent) {
        if (ds.length() < f.prec) {
          zeros = f.prec - ds.length();
        } else if (ds.equals("0") && f.prec == 0) {
          return;
        }
      }
      int length = sign.length() + prefix.length() + zeros + ds.length();
      int left = 0;
      int right = 0;
      if (f.widPresent && length < f.wid) {
        int d = f.wid - length;
        if (f.minus) {
          right = d;
        } else if (f.zero && !f.precPresent) {
          zeros = d;
        } else {
          left = d;
        }
      }
      out.append(" ".repeat(left)).append(sign).append(prefix).append("0".repeat(zeros)).append(ds).append(" ".repeat(right));
      return;
    }
    int prec = 0;
    if (f.precPresent) {
      prec = f.prec;
      if (prec == 0 && v.signum() == 0) {
        boolean oldZero = f.zero;
        f.zero = false;
        padding(out, f, f.wid);
        f.zero = oldZero;
        return;
      }
    } else if (f.zero && !f.minus && f.widPresent) {
      prec = f.wid;
      if (negative || f.plus || f.space) {
        prec--;
      }
    }
    StringBuilder buf = new StringBuilder();
    for (int k = ds.length(); k < prec; k++) {
      buf.append('0');
    }
    buf.append(ds);
    if (sharp) {
      switch (base) {
        case 2 -> buf.insert(0, "0b");
        case 8 -> {
          if (buf.charAt(0) != '0') {
            buf.insert(0, '0');
          }
        }
        case 16 -> buf.insert(0, "0" + digits.charAt(16));
        default -> { }
      }
    }
    if (verb == 'O') {
      buf.insert(0, "0o");
    }
    if (negative) {
      buf.insert(0, '-');
    } else if (f.plus) {
      buf.insert(0, '+');
    } else if (f.space) {
      buf.insert(0, ' ');
    }
    boolean oldZero = f.zero;
    f.zero = false;
    pad(out, f, buf.toString());
    f.zero = oldZero;
  }

  private static void fmtFloat(StringBuilder out, Flags f, double v, char verb, int prec) {
    if (f.precPresent) {
      prec = f.prec;
    }
    if (f.sharp) {
      throw new BuiltinException("sprintf", "the # flag on floating-point verbs is not supported");
    }
    String num = GoFloat.format(v, verb, prec);
    if (!num.startsWith("-") && !num.startsWith("+")) {
      num = "+" + num;
    }
    if (f.space && num.charAt(0) == '+' && !f.plus) {
      num = " " + num.substring(1);
    }
    if (num.charAt(1) == 'I' || num.charAt(1) == 'N') {
      boolean oldZero = f.zero;
      f.zero = false;
      if (num.charAt(1) == 'N' && !f.space && !f.plus) {
        num = num.substring(1);
      }
      pad(out, f, num);
      f.zero = oldZero;
      return;
    }
    if (f.plus || num.charAt(0) != '+') {
      if (f.zero && !f.minus && f.widPresent && f.wid > num.length()) {
        out.append(num.charAt(0));
        padding(out, f, f.wid - num.length());
        out.append(num, 1, num.length());
        return;
      }
      pad(out, f, num);
      return;
    }
    pad(out, f, num.substring(1));
  }
}
