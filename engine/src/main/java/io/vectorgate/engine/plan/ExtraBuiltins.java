package io.vectorgate.engine.plan;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builtins the Wasm target lacks or that policy authors reach for beyond it: {@code units.*},
 * {@code semver.*}, {@code net.cidr_contains}/{@code net.cidr_intersects},
 * {@code regex.find_all_string_submatch_n}, {@code strings.split_n}, {@code hex.decode}, following
 * OPA's {@code v1/topdown} implementations.
 */
final class ExtraBuiltins {
  private ExtraBuiltins() {}

  static void register(BiConsumer<String, Builtins.Builtin> add) {
    add.accept("units.parse_bytes", (c, a) -> unitsParseBytes(Builtins.str("units.parse_bytes", a, 0)));
    add.accept("units.parse", (c, a) -> unitsParse(Builtins.str("units.parse", a, 0)));
    add.accept("semver.is_valid", (c, a) -> Val.bool(a[0] instanceof Val.Str s && Semver.parse(s.value) != null));
    add.accept("semver.compare", (c, a) -> {
      Semver x = Semver.parse(Builtins.str("semver.compare", a, 0));
      Semver y = Semver.parse(Builtins.str("semver.compare", a, 1));
      if (x == null) {
        throw new Builtins.BuiltinError("semver.compare: operand 1: string \"" + ((Val.Str) a[0]).value + "\" is not a valid SemVer");
      }
      if (y == null) {
        throw new Builtins.BuiltinError("semver.compare: operand 2: string \"" + ((Val.Str) a[1]).value + "\" is not a valid SemVer");
      }
      return Val.num(Integer.signum(x.compareTo(y)));
    });
    add.accept("net.cidr_contains", (c, a) -> {
      Cidr net = Cidr.parse("net.cidr_contains", Builtins.str("net.cidr_contains", a, 0));
      String other = Builtins.str("net.cidr_contains", a, 1);
      Cidr inner = other.contains("/") ? Cidr.parse("net.cidr_contains", other) : Cidr.ip("net.cidr_contains", other);
      return Val.bool(net.contains(inner));
    });
    add.accept("net.cidr_intersects", (c, a) -> {
      Cidr x = Cidr.parse("net.cidr_intersects", Builtins.str("net.cidr_intersects", a, 0));
      Cidr y = Cidr.parse("net.cidr_intersects", Builtins.str("net.cidr_intersects", a, 1));
      return Val.bool(x.contains(y.first()) || y.contains(x.first()));
    });
    add.accept("regex.find_all_string_submatch_n", (c, a) -> {
      Pattern p;
      try {
        p = Pattern.compile(Builtins.str("regex.find_all_string_submatch_n", a, 0));
      } catch (java.util.regex.PatternSyntaxException e) {
        throw new Builtins.BuiltinError("regex.find_all_string_submatch_n: " + e.getDescription());
      }
      Matcher m = p.matcher(Builtins.str("regex.find_all_string_submatch_n", a, 1));
      long n = Builtins.integer("regex.find_all_string_submatch_n", a, 2);
      Val.Arr out = new Val.Arr(4);
      while ((n < 0 || out.items.size() < n) && m.find()) {
        Val.Arr groups = new Val.Arr(m.groupCount() + 1);
        for (int g = 0; g <= m.groupCount(); g++) {
          groups.items.add(Val.str(m.group(g) == null ? "" : m.group(g)));
        }
        out.items.add(groups);
      }
      return out;
    });
    add.accept("strings.split_n", (c, a) -> {
      // OPA: n >= 0 keeps the first n parts of SplitN(s, d, n+1); n < 0 the last -n parts of Split(s, d)
      String s = Builtins.str("strings.split_n", a, 0);
      String d = Builtins.str("strings.split_n", a, 1);
      long n = Builtins.integer("strings.split_n", a, 2);
      List<String> parts = goSplit(s, d, n >= 0 && n < Integer.MAX_VALUE ? (int) n + 1 : -1);
      List<String> kept = n >= 0 ? parts.subList(0, (int) Math.min(n, parts.size()))
          : parts.subList((int) Math.max(parts.size() + n, 0), parts.size());
      Val.Arr out = new Val.Arr(kept.size());
      kept.forEach(x -> out.items.add(Val.str(x)));
      return out;
    });
    add.accept("hex.decode", (c, a) -> {
      try {
        return Val.str(new String(HexFormat.of().parseHex(Builtins.str("hex.decode", a, 0)), StandardCharsets.UTF_8));
      } catch (IllegalArgumentException e) {
        throw new Builtins.BuiltinError("hex.decode: " + e.getMessage());
      }
    });
  }

  /** Go's strings.SplitN (limit < 0: all parts; an empty separator splits into characters). */
  static List<String> goSplit(String s, String sep, int limit) {
    List<String> out = new java.util.ArrayList<>();
    if (limit == 0) {
      return out;
    }
    if (sep.isEmpty()) {
      int[] cps = s.codePoints().toArray();
      for (int i = 0; i < cps.length; i++) {
        if (limit > 0 && out.size() == limit - 1) {
          out.add(new String(cps, i, cps.length - i));
          return out;
        }
        out.add(new String(cps, i, 1));
      }
      return out;
    }
    int from = 0;
    int i;
    while ((limit < 0 || out.size() < limit - 1) && (i = s.indexOf(sep, from)) >= 0) {
      out.add(s.substring(from, i));
      from = i + sep.length();
    }
    out.add(s.substring(from));
    return out;
  }

  // ------------------------------------------------------------------ units

  private static final Map<String, BigDecimal> BYTE_UNITS = Map.ofEntries(
      Map.entry("", BigDecimal.ONE), Map.entry("kb", pow(1000, 1)), Map.entry("k", pow(1000, 1)),
      Map.entry("kib", pow(1024, 1)), Map.entry("ki", pow(1024, 1)), Map.entry("mb", pow(1000, 2)),
      Map.entry("m", pow(1000, 2)), Map.entry("mib", pow(1024, 2)), Map.entry("mi", pow(1024, 2)),
      Map.entry("gb", pow(1000, 3)), Map.entry("g", pow(1000, 3)), Map.entry("gib", pow(1024, 3)),
      Map.entry("gi", pow(1024, 3)), Map.entry("tb", pow(1000, 4)), Map.entry("t", pow(1000, 4)),
      Map.entry("tib", pow(1024, 4)), Map.entry("ti", pow(1024, 4)), Map.entry("pb", pow(1000, 5)),
      Map.entry("p", pow(1000, 5)), Map.entry("pib", pow(1024, 5)), Map.entry("pi", pow(1024, 5)),
      Map.entry("eb", pow(1000, 6)), Map.entry("e", pow(1000, 6)), Map.entry("eib", pow(1024, 6)),
      Map.entry("ei", pow(1024, 6)));

  private static final Map<String, BigDecimal> SI_UNITS = Map.ofEntries(
      Map.entry("m", new BigDecimal("0.001")), Map.entry("", BigDecimal.ONE), Map.entry("k", pow(1000, 1)),
      Map.entry("K", pow(1000, 1)), Map.entry("ki", pow(1024, 1)), Map.entry("Ki", pow(1024, 1)),
      Map.entry("M", pow(1000, 2)), Map.entry("mi", pow(1024, 2)), Map.entry("Mi", pow(1024, 2)),
      Map.entry("g", pow(1000, 3)), Map.entry("G", pow(1000, 3)), Map.entry("gi", pow(1024, 3)),
      Map.entry("Gi", pow(1024, 3)), Map.entry("t", pow(1000, 4)), Map.entry("T", pow(1000, 4)),
      Map.entry("ti", pow(1024, 4)), Map.entry("Ti", pow(1024, 4)), Map.entry("p", pow(1000, 5)),
      Map.entry("P", pow(1000, 5)), Map.entry("pi", pow(1024, 5)), Map.entry("Pi", pow(1024, 5)),
      Map.entry("e", pow(1000, 6)), Map.entry("E", pow(1000, 6)), Map.entry("ei", pow(1024, 6)),
      Map.entry("Ei", pow(1024, 6)));

  private static BigDecimal pow(long base, int exp) {
    return BigDecimal.valueOf(base).pow(exp);
  }

  private static Val unitsParseBytes(String raw) {
    String s = raw.toLowerCase(java.util.Locale.ROOT).replace("\"", "");
    if (s.contains(" ")) {
      throw new Builtins.BuiltinError("units.parse_bytes: spaces not allowed in resource strings");
    }
    String[] nu = numAndUnit("units.parse_bytes", s);
    if (nu[0].isEmpty()) {
      throw new Builtins.BuiltinError("units.parse_bytes: no byte amount provided");
    }
    BigDecimal m = BYTE_UNITS.get(nu[1]);
    if (m == null) {
      throw new Builtins.BuiltinError("units.parse_bytes: byte unit " + nu[1] + " not recognized");
    }
    return Val.num(new BigDecimal(number("units.parse_bytes", nu[0]).multiply(m).setScale(0, RoundingMode.DOWN)
        .toBigInteger()));
  }

  private static Val unitsParse(String raw) {
    String s = raw.replace("\"", "");
    if (s.contains(" ")) {
      throw new Builtins.BuiltinError("units.parse: spaces not allowed in resource strings");
    }
    String[] nu = numAndUnit("units.parse", s);
    if (nu[0].isEmpty()) {
      throw new Builtins.BuiltinError("units.parse: no amount provided");
    }
    String unit = nu[1].length() > 1 ? nu[1].charAt(0) + nu[1].substring(1).toLowerCase(java.util.Locale.ROOT) : nu[1];
    BigDecimal m = SI_UNITS.get(unit);
    if (m == null) {
      throw new Builtins.BuiltinError("units.parse: unit " + unit + " not recognized");
    }
    BigDecimal v = number("units.parse", nu[0]).multiply(m);
    if (v.signum() == 0 || v.stripTrailingZeros().scale() <= 0) {
      return Val.num(v);
    }
    return Val.Num.parse(v.setScale(10, RoundingMode.HALF_UP).toPlainString());
  }

  private static BigDecimal number(String fn, String num) {
    try {
      return new BigDecimal(num);
    } catch (NumberFormatException e) {
      throw new Builtins.BuiltinError(fn + ": could not parse amount to a number");
    }
  }

  /** OPA's extractNumAndUnit: the number (digits, '.', exponent) and the rest. */
  private static String[] numAndUnit(String fn, String s) {
    int first = -1;
    for (int i = 0; i < s.length(); i++) {
      char r = s.charAt(i);
      boolean num = Character.isDigit(r) || r == '.';
      if (!num && r != 'e' && r != 'E' && r != '+' && r != '-') {
        first = i;
        break;
      }
      if (r == 'e' || r == 'E') {
        if (i == s.length() - 1 || (!Character.isDigit(s.charAt(i + 1)) && s.charAt(i + 1) != '+' && s.charAt(i + 1) != '-')) {
          first = i;
          break;
        }
        if (s.charAt(i + 1) == '+' || s.charAt(i + 1) == '-') {
          i++;
        }
        int end = i + 1;
        while (end < s.length() && Character.isDigit(s.charAt(end))) {
          end++;
        }
        if (end - (i + 1) > 6) {
          throw new Builtins.BuiltinError(fn + ": exponent too large");
        }
      }
    }
    if (first == -1) {
      return new String[] {s, ""};
    }
    if (first == 0) {
      return new String[] {"", s};
    }
    return new String[] {s.substring(0, first), s.substring(first)};
  }

  // ------------------------------------------------------------------ semver

  /** A SemVer 2.0.0 version (no leading "v"), compared by precedence. */
  record Semver(BigInteger major, BigInteger minor, BigInteger patch, List<String> pre) implements Comparable<Semver> {
    private static final Pattern P = Pattern.compile(
        "(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)"
            + "(?:-((?:0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)(?:\\.(?:0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*))*))?"
            + "(?:\\+([0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*))?");

    static Semver parse(String s) {
      Matcher m = P.matcher(s);
      if (!m.matches()) {
        return null;
      }
      return new Semver(new BigInteger(m.group(1)), new BigInteger(m.group(2)), new BigInteger(m.group(3)),
          m.group(4) == null ? List.of() : List.of(m.group(4).split("\\.")));
    }

    @Override
    public int compareTo(Semver o) {
      int c = major.compareTo(o.major);
      if (c == 0) {
        c = minor.compareTo(o.minor);
      }
      if (c == 0) {
        c = patch.compareTo(o.patch);
      }
      if (c != 0) {
        return c;
      }
      if (pre.isEmpty() || o.pre.isEmpty()) {
        return Boolean.compare(pre.isEmpty(), o.pre.isEmpty());
      }
      for (int i = 0; i < Math.min(pre.size(), o.pre.size()); i++) {
        String x = pre.get(i);
        String y = o.pre.get(i);
        boolean xn = x.chars().allMatch(Character::isDigit);
        boolean yn = y.chars().allMatch(Character::isDigit);
        int d = xn && yn ? new BigInteger(x).compareTo(new BigInteger(y)) : xn ? -1 : yn ? 1 : x.compareTo(y);
        if (d != 0) {
          return d;
        }
      }
      return Integer.compare(pre.size(), o.pre.size());
    }
  }

  // ------------------------------------------------------------------ CIDR

  /** An IP network (or one address as a /32 or /128). */
  record Cidr(byte[] addr, int prefix) {
    static Cidr parse(String fn, String s) {
      int slash = s.indexOf('/');
      if (slash < 0) {
        throw new Builtins.BuiltinError(fn + ": invalid CIDR address: " + s);
      }
      byte[] a = literal(fn, s.substring(0, slash));
      int p;
      try {
        p = Integer.parseInt(s.substring(slash + 1));
      } catch (NumberFormatException e) {
        throw new Builtins.BuiltinError(fn + ": invalid CIDR address: " + s);
      }
      if (p < 0 || p > a.length * 8) {
        throw new Builtins.BuiltinError(fn + ": invalid CIDR address: " + s);
      }
      return new Cidr(a, p);
    }

    static Cidr ip(String fn, String s) {
      byte[] a = literal(fn, s);
      return new Cidr(a, a.length * 8);
    }

    /** An IP literal only (never a host name: no DNS). */
    private static byte[] literal(String fn, String s) {
      if (!s.matches("[0-9.]+") && !s.contains(":")) {
        throw new Builtins.BuiltinError(fn + ": invalid IP address: " + s);
      }
      if (s.matches("[0-9.]+") && !s.matches("(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}")) {
        throw new Builtins.BuiltinError(fn + ": invalid IP address: " + s);
      }
      try {
        byte[] b = InetAddress.getByName(s).getAddress();
        return b;
      } catch (UnknownHostException | SecurityException e) {
        throw new Builtins.BuiltinError(fn + ": invalid IP address: " + s);
      }
    }

    Cidr first() {
      return new Cidr(addr, addr.length * 8);
    }

    boolean contains(Cidr o) {
      byte[] x = addr;
      byte[] y = o.addr;
      if (x.length != y.length) {
        // Go treats an IPv4 address and its IPv4-in-IPv6 form alike; keep it simple: different families never match
        return false;
      }
      if (o.prefix < prefix) {
        return false;
      }
      int bits = prefix;
      for (int i = 0; i < x.length && bits > 0; i++, bits -= 8) {
        int mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
        if ((x[i] & mask) != (y[i] & mask)) {
          return false;
        }
      }
      return true;
    }
  }
}
