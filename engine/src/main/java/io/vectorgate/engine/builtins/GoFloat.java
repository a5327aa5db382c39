package io.vectorgate.engine.builtins;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/** Go's strconv.FormatFloat for the 'e', 'E', 'f', 'F', 'g', 'G' formats, bit for bit. */
final class GoFloat {
  private GoFloat() {}

  /** Decimal digits {@code 0.d1d2...dn × 10^dp}, without trailing zeros; zero has no digits. */
  private record Digits(String d, int dp) {
    int nd() {
      return d.length();
    }

    char at(int i) {
      return i >= 0 && i < d.length() ? d.charAt(i) : '0';
    }
  }

  private static Digits of(BigDecimal rounded) {
    if (rounded.signum() == 0) {
      return new Digits("", 0);
    }
    String u = rounded.unscaledValue().abs().toString();
    int dp = u.length() - rounded.scale();
    int end = u.length();
    while (end > 0 && u.charAt(end - 1) == '0') {
      end--;
    }
    return new Digits(u.substring(0, end), dp);
  }

  /** The shortest digits that read back as {@code v} (what Go prints for precision -1). */
  private static Digits shortest(double v) {
    if (v == 0) {
      return new Digits("", 0);
    }
    BigDecimal exact = new BigDecimal(Math.abs(v));
    for (int p = 1; p <= 17; p++) {
      BigDecimal r = exact.round(new MathContext(p, RoundingMode.HALF_EVEN));
      if (r.doubleValue() == Math.abs(v)) {
        return of(r);
      }
    }
    return of(exact.round(new MathContext(17, RoundingMode.HALF_EVEN)));
  }

  /**
   * strconv.FormatFloat(v, fmt, prec, 64) for fmt in e, E, f, F, g, G; prec -1 means shortest. The
   * sign is included for negative values (and negative zero).
   */
  static String format(double v, char fmt, int prec) {
    boolean neg = (Double.doubleToRawLongBits(v) < 0);
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return neg ? "-Inf" : "+Inf";
    }
    boolean shortest = prec < 0;
    Digits digs;
    BigDecimal exact = new BigDecimal(Math.abs(v));
    if (shortest) {
      digs = shortest(v);
      switch (fmt) {
        case 'e', 'E' -> prec = Math.max(digs.nd() - 1, 0);
        case 'f', 'F' -> prec = Math.max(digs.nd() - digs.dp(), 0);
        default -> prec = digs.nd();
      }
    } else {
      switch (fmt) {
        case 'e', 'E' -> digs = roundSig(exact, prec + 1);
        case 'f', 'F' -> digs = of(exact.setScale(prec, RoundingMode.HALF_EVEN));
        default -> {
          if (prec == 0) {
            prec = 1;
          }
          digs = roundSig(exact, prec);
        }
      }
    }
    StringBuilder sb = new StringBuilder();
    if (neg) {
      sb.append('-');
    }
    switch (fmt) {
      case 'e', 'E' -> fmtE(sb, digs, prec, fmt);
      case 'f', 'F' -> fmtF(sb, digs, prec);
      default -> {
        int eprec = prec;
        if (eprec > digs.nd() && digs.nd() >= digs.dp()) {
          eprec = digs.nd();
        }
        if (shortest) {
          eprec = 6;
        }
        int exp = digs.dp() - 1;
        if (exp < -4 || exp >= eprec) {
          if (prec > digs.nd()) {
            prec = digs.nd();
          }
          fmtE(sb, digs, prec - 1, fmt == 'g' ? 'e' : 'E');
        } else {
          if (prec > digs.dp()) {
            prec = digs.nd();
          }
          fmtF(sb, digs, Math.max(prec - digs.dp(), 0));
        }
      }
    }
    return sb.toString();
  }

  private static Digits roundSig(BigDecimal exact, int sig) {
    if (exact.signum() == 0) {
      return new Digits("", 0);
    }
    return of(exact.round(new MathContext(sig, RoundingMode.HALF_EVEN)));
  }

  private static void fmtE(StringBuilder sb, Digits d, int prec, char fmt) {
    sb.append(d.nd() == 0 ? '0' : d.at(0));
    if (prec > 0) {
      sb.append('.');
      for (int i = 1; i <= prec; i++) {
        sb.append(d.at(i));
      }
    }
    sb.append(fmt);
    int exp = d.nd() == 0 ? 0 : d.dp() - 1;
    sb.append(exp < 0 ? '-' : '+');
    exp = Math.abs(exp);
    if (exp < 10) {
      sb.append('0');
    }
    sb.append(exp);
  }

  private static void fmtF(StringBuilder sb, Digits d, int prec) {
    if (d.dp() > 0) {
      for (int i = 0; i < d.dp(); i++) {
        sb.append(d.at(i));
      }
    } else {
      sb.append('0');
    }
    if (prec > 0) {
      sb.append('.');
      for (int i = 1; i <= prec; i++) {
        sb.append(d.at(d.dp() + i - 1));
      }
    }
  }
}
