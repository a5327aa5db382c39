package io.vectorgate.engine.plan;

import com.fasterxml.jackson.databind.JsonNode;
import io.vectorgate.engine.ContractJson;
import io.vectorgate.engine.builtins.BuiltinException;
import io.vectorgate.engine.builtins.HostBuiltins;
import io.vectorgate.engine.builtins.RegoValue;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The builtins of the plan engine, in Java: the ones OPA compiles natively into Wasm that policies
 * use (comparison, arithmetic, aggregates, strings, objects, sets, types, JSON, base64, glob, regex,
 * bits) plus every Java host builtin of the Wasm engine ({@link HostBuiltins#functions()}: time,
 * {@code sprintf}, JWT decoding, hex, digests), reused so both engines share one Go-exact
 * implementation. A builtin reports a bad operand with {@link BuiltinError}; OPA's default
 * (non-strict) evaluation makes that expression undefined.
 */
public final class Builtins {

  /** What a builtin may ask of the evaluation running it. */
  public interface Context {
    /** {@code time.now_ns} of this evaluation. */
    long nowNs();

    /** Marks the running rule as reading something other than its inputs (never memoized). */
    void nondeterministic();
  }

  @FunctionalInterface
  public interface Builtin {
    /** The result, or null for undefined. */
    Val apply(Context ctx, Val[] args);
  }

  /** A builtin rejected its operands (OPA: a builtin error). */
  public static final class BuiltinError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BuiltinError(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * Builtins whose result depends on more than their operands: a rule evaluation that runs one is
   * not memoized ({@link #add} makes each report itself through {@link Context#nondeterministic}).
   */
  public static final Set<String> NONDETERMINISTIC = Set.of("time.now_ns", "rand.intn", "uuid.rfc4122",
      "http.send", "opa.runtime", "net.lookup_ip_addr", "crypto.x509.parse_and_verify_certificates");

  private static final Builtins STANDARD = new Builtins();

  private final Map<String, Builtin> map = new TreeMap<>();

  public static Builtins standard() {
    return STANDARD;
  }

  public Builtin get(String name) {
    return map.get(name);
  }

  public Set<String> names() {
    return Collections.unmodifiableSet(map.keySet());
  }

  private void add(String name, Builtin b) {
    if (NONDETERMINISTIC.contains(name)) {
      map.put(name, (ctx, a) -> {
        ctx.nondeterministic();
        return b.apply(ctx, a);
      });
    } else {
      map.put(name, b);
    }
  }

  private Builtins() {
    for (Map.Entry<String, HostBuiltins.Function> e : HostBuiltins.functions().entrySet()) {
      HostBuiltins.Function f = e.getValue();
      add(e.getKey(), (ctx, a) -> {
        RegoValue[] args = new RegoValue[a.length];
        for (int i = 0; i < a.length; i++) {
          args[i] = toRego(a[i]);
        }
        try {
          return Val.fromJson(f.apply(args));
        } catch (BuiltinException ex) {
          throw new BuiltinError(ex.getMessage());
        }
      });
    }
    add("time.now_ns", (ctx, a) -> Val.num(ctx.nowNs())); // add() reports it as non-deterministic
    comparisons();
    arithmetic();
    aggregates();
    types();
    strings();
    objects();
    encoding();
    patterns();
    bits();
    ExtraBuiltins.register(this::add);
  }

  // ------------------------------------------------------------------ operand helpers

  static String str(String fn, Val[] a, int i) {
    if (a[i] instanceof Val.Str s) {
      return s.value;
    }
    throw type(fn, i, a[i], "string");
  }

  static Val.Num num(String fn, Val[] a, int i) {
    if (a[i] instanceof Val.Num n) {
      return n;
    }
    throw type(fn, i, a[i], "number");
  }

  static long integer(String fn, Val[] a, int i) {
    Val.Num n = num(fn, a, i);
    Long l = n.isInteger() ? n.asLongExact() : null;
    if (l == null) {
      throw new BuiltinError(fn + ": operand " + (i + 1) + " must be integer number but got floating-point number");
    }
    return l;
  }

  static BuiltinError type(String fn, int i, Val got, String want) {
    return new BuiltinError(fn + ": operand " + (i + 1) + " must be " + want + " but got " + got.typeName());
  }

  /** Elements of an array or set operand. */
  static List<Val> collection(String fn, Val[] a, int i) {
    if (a[i] instanceof Val.Arr arr) {
      return arr.items;
    }
    if (a[i] instanceof Val.SetV s) {
      return new ArrayList<>(s.set);
    }
    throw type(fn, i, a[i], "any of {array, set}");
  }

  static RegoValue toRego(Val v) {
    if (v instanceof Val.Str s) {
      return new RegoValue.Str(s.value);
    } else if (v instanceof Val.Num n) {
      return new RegoValue.Num(n.text());
    } else if (v instanceof Val.Bool b) {
      return new RegoValue.Bool(b.value);
    } else if (v instanceof Val.Null) {
      return new RegoValue.Null();
    } else if (v instanceof Val.Arr a) {
      List<RegoValue> items = new ArrayList<>(a.items.size());
      a.items.forEach(x -> items.add(toRego(x)));
      return new RegoValue.Arr(items);
    } else if (v instanceof Val.SetV s) {
      List<RegoValue> items = new ArrayList<>(s.set.size());
      s.set.forEach(x -> items.add(toRego(x)));
      return new RegoValue.SetV(items);
    }
    List<Map.Entry<RegoValue, RegoValue>> entries = new ArrayList<>();
    ((Val.Obj) v).map.forEach((k, x) -> entries.add(Map.entry(toRego(k), toRego(x))));
    return new RegoValue.Obj(entries);
  }

  // ------------------------------------------------------------------ comparison

  private void comparisons() {
    add("equal", (c, a) -> Val.bool(Val.compare(a[0], a[1]) == 0));
    add("neq", (c, a) -> Val.bool(Val.compare(a[0], a[1]) != 0));
    add("lt", (c, a) -> Val.bool(Val.compare(a[0], a[1]) < 0));
    add("lte", (c, a) -> Val.bool(Val.compare(a[0], a[1]) <= 0));
    add("gt", (c, a) -> Val.bool(Val.compare(a[0], a[1]) > 0));
    add("gte", (c, a) -> Val.bool(Val.compare(a[0], a[1]) >= 0));
    add("internal.member_2", (c, a) -> {
      Val x = a[0];
      if (a[1] instanceof Val.Arr arr) {
        for (Val v : arr.items) {
          if (Val.compare(v, x) == 0) {
            return Val.TRUE;
          }
        }
        return Val.FALSE;
      }
      if (a[1] instanceof Val.SetV s) {
        return Val.bool(s.set.contains(x));
      }
      if (a[1] instanceof Val.Obj o) {
        for (Val v : o.map.values()) {
          if (Val.compare(v, x) == 0) {
            return Val.TRUE;
          }
        }
        return Val.FALSE;
      }
      return Val.FALSE;
    });
    add("internal.member_3", (c, a) -> {
      // `k, v in coll`: coll[k] == v; a set's key is its element
      Val v = PlanEvaluator.dot(a[2], a[0]);
      return Val.bool(v != null && Val.compare(v, a[1]) == 0);
    });
  }

  // ------------------------------------------------------------------ arithmetic

  static final MathContext DIV = MathContext.DECIMAL128;

  private void arithmetic() {
    add("plus", (c, a) -> {
      Val.Num x = num("plus", a, 0);
      Val.Num y = num("plus", a, 1);
      if (x.isLong() && y.isLong()) {
        long r = x.longValue() + y.longValue();
        if (((x.longValue() ^ r) & (y.longValue() ^ r)) >= 0) {
          return Val.num(r);
        }
      }
      return Val.num(x.decimal().add(y.decimal()));
    });
    add("minus", (c, a) -> {
      if (a[0] instanceof Val.SetV x && a[1] instanceof Val.SetV y) {
        Val.SetV out = new Val.SetV(x.set);
        out.set.removeAll(y.set);
        return out;
      }
      if (a[0] instanceof Val.SetV) {
        throw type("minus", 1, a[1], "set");
      }
      Val.Num x = num("minus", a, 0);
      Val.Num y = num("minus", a, 1);
      if (x.isLong() && y.isLong()) {
        long r = x.longValue() - y.longValue();
        if (((x.longValue() ^ y.longValue()) & (x.longValue() ^ r)) >= 0) {
          return Val.num(r);
        }
      }
      return Val.num(x.decimal().subtract(y.decimal()));
    });
    add("mul", (c, a) -> {
      Val.Num x = num("mul", a, 0);
      Val.Num y = num("mul", a, 1);
      if (x.isLong() && y.isLong()) {
        long hi = Math.multiplyHigh(x.longValue(), y.longValue());
        long lo = x.longValue() * y.longValue();
        if ((hi == 0 && lo >= 0) || (hi == -1 && lo < 0)) {
          return Val.num(lo);
        }
      }
      return Val.num(x.decimal().multiply(y.decimal()));
    });
    add("div", (c, a) -> {
      Val.Num x = num("div", a, 0);
      Val.Num y = num("div", a, 1);
      if (y.decimal().signum() == 0) {
        throw new BuiltinError("div: divide by zero");
      }
      return Val.num(x.decimal().divide(y.decimal(), DIV));
    });
    add("rem", (c, a) -> {
      Val.Num x = num("rem", a, 0);
      Val.Num y = num("rem", a, 1);
      if (!x.isInteger() || !y.isInteger()) {
        throw new BuiltinError("rem: modulo on floating-point number");
      }
      if (y.decimal().signum() == 0) {
        throw new BuiltinError("rem: modulo by zero");
      }
      if (x.isLong() && y.isLong()) {
        return Val.num(x.longValue() % y.longValue());
      }
      return Val.num(new BigDecimal(x.bigInteger().remainder(y.bigInteger())));
    });
    add("abs", (c, a) -> Val.num(num("abs", a, 0).decimal().abs()));
    add("round", (c, a) -> Val.num(num("round", a, 0).decimal().setScale(0, RoundingMode.HALF_UP)));
    add("ceil", (c, a) -> Val.num(num("ceil", a, 0).decimal().setScale(0, RoundingMode.CEILING)));
    add("floor", (c, a) -> Val.num(num("floor", a, 0).decimal().setScale(0, RoundingMode.FLOOR)));
    add("numbers.range", (c, a) -> range("numbers.range", integer("numbers.range", a, 0),
        integer("numbers.range", a, 1), 1));
    add("numbers.range_step", (c, a) -> {
      Val.Num stepNum = num("numbers.range_step", a, 2);
      if (stepNum.isInteger() && stepNum.asLongExact() == null && stepNum.decimal().signum() > 0) {
        // a step beyond int64 leaves only the start
        Val.Arr one = new Val.Arr(1);
        one.items.add(Val.num(integer("numbers.range_step", a, 0)));
        integer("numbers.range_step", a, 1);
        return one;
      }
      long step = integer("numbers.range_step", a, 2);
      if (step <= 0) {
        throw new BuiltinError("numbers.range_step: step must be a positive number above zero");
      }
      return range("numbers.range_step", integer("numbers.range_step", a, 0),
          integer("numbers.range_step", a, 1), step);
    });
  }

  private static Val range(String fn, long from, long to, long step) {
    long n = Math.abs(to - from) / step + 1;
    if (n > 10_000_000) {
      throw new BuiltinError(fn + ": range too large");
    }
    Val.Arr out = new Val.Arr((int) n);
    if (from <= to) {
      for (long i = from; i <= to; i += step) {
        out.items.add(Val.num(i));
      }
    } else {
      for (long i = from; i >= to; i -= step) {
        out.items.add(Val.num(i));
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ aggregates, arrays, sets

  private void aggregates() {
    add("count", (c, a) -> {
      Val v = a[0];
      if (v instanceof Val.Arr arr) {
        return Val.num(arr.items.size());
      } else if (v instanceof Val.Obj o) {
        return Val.num(o.map.size());
      } else if (v instanceof Val.SetV s) {
        return Val.num(s.set.size());
      } else if (v instanceof Val.Str s) {
        return Val.num(s.value.codePointCount(0, s.value.length()));
      }
      throw type("count", 0, v, "any of {array, object, set, string}");
    });
    add("sum", (c, a) -> {
      BigDecimal s = BigDecimal.ZERO;
      for (Val v : collection("sum", a, 0)) {
        if (!(v instanceof Val.Num n)) {
          throw new BuiltinError("sum: operand 1 must be one of {set, array} containing numbers");
        }
        s = s.add(n.decimal());
      }
      return Val.num(s);
    });
    add("product", (c, a) -> {
      BigDecimal s = BigDecimal.ONE;
      for (Val v : collection("product", a, 0)) {
        if (!(v instanceof Val.Num n)) {
          throw new BuiltinError("product: operand 1 must be one of {set, array} containing numbers");
        }
        s = s.multiply(n.decimal());
      }
      return Val.num(s);
    });
    add("max", (c, a) -> {
      List<Val> xs = collection("max", a, 0);
      return xs.isEmpty() ? null : Collections.max(xs);
    });
    add("min", (c, a) -> {
      List<Val> xs = collection("min", a, 0);
      return xs.isEmpty() ? null : Collections.min(xs);
    });
    add("sort", (c, a) -> {
      List<Val> xs = new ArrayList<>(collection("sort", a, 0));
      Collections.sort(xs);
      return new Val.Arr(xs);
    });
    add("array.concat", (c, a) -> {
      if (!(a[0] instanceof Val.Arr x)) {
        throw type("array.concat", 0, a[0], "array");
      }
      if (!(a[1] instanceof Val.Arr y)) {
        throw type("array.concat", 1, a[1], "array");
      }
      Val.Arr out = new Val.Arr(x.items.size() + y.items.size());
      out.items.addAll(x.items);
      out.items.addAll(y.items);
      return out;
    });
    add("array.slice", (c, a) -> {
      if (!(a[0] instanceof Val.Arr x)) {
        throw type("array.slice", 0, a[0], "array");
      }
      long from = Math.max(0, integer("array.slice", a, 1));
      long to = Math.min(x.items.size(), integer("array.slice", a, 2));
      if (from >= to) {
        return new Val.Arr(0);
      }
      return new Val.Arr(x.items.subList((int) from, (int) to));
    });
    add("array.reverse", (c, a) -> {
      if (!(a[0] instanceof Val.Arr x)) {
        throw type("array.reverse", 0, a[0], "array");
      }
      List<Val> r = new ArrayList<>(x.items);
      Collections.reverse(r);
      return new Val.Arr(r);
    });
    add("and", (c, a) -> {
      Val.SetV x = set("and", a, 0);
      Val.SetV y = set("and", a, 1);
      Val.SetV out = new Val.SetV(x.set);
      out.set.retainAll(y.set);
      return out;
    });
    add("or", (c, a) -> {
      Val.SetV out = new Val.SetV(set("or", a, 0).set);
      out.set.addAll(set("or", a, 1).set);
      return out;
    });
    add("union", (c, a) -> {
      Val.SetV out = new Val.SetV();
      for (Val v : set("union", a, 0).set) {
        if (!(v instanceof Val.SetV s)) {
          throw new BuiltinError("union: operand 1 must be set of sets");
        }
        out.set.addAll(s.set);
      }
      return out;
    });
    add("intersection", (c, a) -> {
      Val.SetV out = null;
      for (Val v : set("intersection", a, 0).set) {
        if (!(v instanceof Val.SetV s)) {
          throw new BuiltinError("intersection: operand 1 must be set of sets");
        }
        if (out == null) {
          out = new Val.SetV(s.set);
        } else {
          out.set.retainAll(s.set);
        }
      }
      return out == null ? new Val.SetV() : out;
    });
  }

  static Val.SetV set(String fn, Val[] a, int i) {
    if (a[i] instanceof Val.SetV s) {
      return s;
    }
    throw type(fn, i, a[i], "set");
  }

  // ------------------------------------------------------------------ types

  private void types() {
    add("is_number", (c, a) -> Val.bool(a[0] instanceof Val.Num));
    add("is_string", (c, a) -> Val.bool(a[0] instanceof Val.Str));
    add("is_boolean", (c, a) -> Val.bool(a[0] instanceof Val.Bool));
    add("is_array", (c, a) -> Val.bool(a[0] instanceof Val.Arr));
    add("is_set", (c, a) -> Val.bool(a[0] instanceof Val.SetV));
    add("is_object", (c, a) -> Val.bool(a[0] instanceof Val.Obj));
    add("is_null", (c, a) -> Val.bool(a[0] instanceof Val.Null));
    add("type_name", (c, a) -> Val.str(a[0].typeName()));
    add("to_number", (c, a) -> {
      Val v = a[0];
      if (v instanceof Val.Num) {
        return v;
      } else if (v instanceof Val.Null) {
        return Val.num(0);
      } else if (v instanceof Val.Bool b) {
        return Val.num(b.value ? 1 : 0);
      } else if (v instanceof Val.Str s) {
        String t = s.value;
        if (t.isEmpty() || t.startsWith("+") || t.contains("_") || t.endsWith(".") || t.startsWith(".")) {
          throw new BuiltinError("to_number: invalid syntax");
        }
        try {
          return Val.num(new BigDecimal(t));
        } catch (NumberFormatException e) {
          throw new BuiltinError("to_number: invalid syntax");
        }
      }
      throw type("to_number", 0, v, "any of {boolean, null, number, string}");
    });
  }

  // ------------------------------------------------------------------ strings

  private void strings() {
    add("concat", (c, a) -> {
      String d = str("concat", a, 0);
      StringBuilder sb = new StringBuilder();
      boolean first = true;
      for (Val v : collection("concat", a, 1)) {
        if (!(v instanceof Val.Str s)) {
          throw new BuiltinError("concat: operand 2 must be array of strings");
        }
        if (!first) {
          sb.append(d);
        }
        first = false;
        sb.append(s.value);
      }
      return Val.str(sb.toString());
    });
    add("contains", (c, a) -> Val.bool(str("contains", a, 0).contains(str("contains", a, 1))));
    add("startswith", (c, a) -> Val.bool(str("startswith", a, 0).startsWith(str("startswith", a, 1))));
    add("endswith", (c, a) -> Val.bool(str("endswith", a, 0).endsWith(str("endswith", a, 1))));
    add("lower", (c, a) -> Val.str(str("lower", a, 0).toLowerCase(java.util.Locale.ROOT)));
    add("upper", (c, a) -> Val.str(str("upper", a, 0).toUpperCase(java.util.Locale.ROOT)));
    add("strings.reverse", (c, a) -> Val.str(new StringBuilder(str("strings.reverse", a, 0)).reverse().toString()));
    add("split", (c, a) -> {
      String s = str("split", a, 0);
      String d = str("split", a, 1);
      Val.Arr out = new Val.Arr(4);
      if (d.isEmpty()) {
        s.codePoints().forEach(cp -> out.items.add(Val.str(new String(Character.toChars(cp)))));
        return out;
      }
      int from = 0;
      int i;
      while ((i = s.indexOf(d, from)) >= 0) {
        out.items.add(Val.str(s.substring(from, i)));
        from = i + d.length();
      }
      out.items.add(Val.str(s.substring(from)));
      return out;
    });
    add("replace", (c, a) -> Val.str(str("replace", a, 0).replace(str("replace", a, 1), str("replace", a, 2))));
    add("strings.replace_n", (c, a) -> {
      if (!(a[0] instanceof Val.Obj patterns)) {
        throw type("strings.replace_n", 0, a[0], "object");
      }
      String s = str("strings.replace_n", a, 1);
      // Go's strings.NewReplacer: at each position, the first old string (in argument order) that matches
      List<String[]> pairs = new ArrayList<>();
      for (Map.Entry<Val, Val> e : patterns.map.entrySet()) {
        if (!(e.getKey() instanceof Val.Str k) || !(e.getValue() instanceof Val.Str v)) {
          throw new BuiltinError("strings.replace_n: operand 1 must be object of strings");
        }
        pairs.add(new String[] {k.value, v.value});
      }
      // at each position the first pair (highest priority) whose old string starts there; an empty
      // old string matches everywhere, but not twice in a row at one position
      StringBuilder sb = new StringBuilder();
      int i = 0;
      boolean prevEmpty = false;
      outer:
      while (i <= s.length()) {
        for (String[] p : pairs) {
          if (p[0].isEmpty() ? !prevEmpty : s.startsWith(p[0], i)) {
            sb.append(p[1]);
            i += p[0].length();
            prevEmpty = p[0].isEmpty();
            continue outer;
          }
        }
        prevEmpty = false;
        if (i < s.length()) {
          int cp = s.codePointAt(i);
          sb.appendCodePoint(cp);
          i += Character.charCount(cp);
        } else {
          break;
        }
      }
      return Val.str(sb.toString());
    });
    add("substring", (c, a) -> {
      String s = str("substring", a, 0);
      long start = integer("substring", a, 1);
      long len = integer("substring", a, 2);
      if (start < 0) {
        throw new BuiltinError("substring: negative offset");
      }
      int[] cps = s.codePoints().toArray();
      if (start >= cps.length) {
        return Val.str("");
      }
      long end = len < 0 ? cps.length : Math.min(cps.length, start + len);
      return Val.str(new String(cps, (int) start, (int) (end - start)));
    });
    add("indexof", (c, a) -> {
      String s = str("indexof", a, 0);
      String sub = str("indexof", a, 1);
      int i = s.indexOf(sub);
      return Val.num(i < 0 ? -1 : s.codePointCount(0, i));
    });
    add("indexof_n", (c, a) -> {
      String s = str("indexof_n", a, 0);
      String sub = str("indexof_n", a, 1);
      Val.Arr out = new Val.Arr(2);
      int i = s.indexOf(sub);
      while (i >= 0) {
        out.items.add(Val.num(s.codePointCount(0, i)));
        i = s.indexOf(sub, i + Math.max(1, Character.charCount(s.codePointAt(i))));
        if (i > s.length()) {
          break;
        }
      }
      return out;
    });
    add("trim", (c, a) -> Val.str(trimRight(trimLeft(str("trim", a, 0), str("trim", a, 1)), str("trim", a, 1))));
    add("trim_left", (c, a) -> Val.str(trimLeft(str("trim_left", a, 0), str("trim_left", a, 1))));
    add("trim_right", (c, a) -> Val.str(trimRight(str("trim_right", a, 0), str("trim_right", a, 1))));
    add("trim_prefix", (c, a) -> {
      String s = str("trim_prefix", a, 0);
      String p = str("trim_prefix", a, 1);
      return Val.str(s.startsWith(p) ? s.substring(p.length()) : s);
    });
    add("trim_suffix", (c, a) -> {
      String s = str("trim_suffix", a, 0);
      String p = str("trim_suffix", a, 1);
      return Val.str(s.endsWith(p) ? s.substring(0, s.length() - p.length()) : s);
    });
    add("trim_space", (c, a) -> Val.str(trimSpace(str("trim_space", a, 0))));
    add("strings.any_prefix_match", (c, a) -> anyMatch("strings.any_prefix_match", a, true));
    add("strings.any_suffix_match", (c, a) -> anyMatch("strings.any_suffix_match", a, false));
    add("strings.count", (c, a) -> {
      String s = str("strings.count", a, 0);
      String sub = str("strings.count", a, 1);
      if (sub.isEmpty()) {
        return Val.num(s.codePointCount(0, s.length()) + 1);
      }
      int n = 0;
      int i = s.indexOf(sub);
      while (i >= 0) {
        n++;
        i = s.indexOf(sub, i + sub.length());
      }
      return Val.num(n);
    });
    add("format_int", (c, a) -> {
      Val.Num n = num("format_int", a, 0);
      long base = integer("format_int", a, 1);
      if (base != 2 && base != 8 && base != 10 && base != 16) {
        throw new BuiltinError("format_int: operand 2 must be one of {2, 8, 10, 16}");
      }
      BigInteger i = n.decimal().setScale(0, RoundingMode.DOWN).toBigInteger();
      return Val.str(i.toString((int) base));
    });
  }

  private static Val anyMatch(String fn, Val[] a, boolean prefix) {
    List<String> search = stringsOf(fn, a, 0);
    List<String> base = stringsOf(fn, a, 1);
    for (String s : search) {
      for (String b : base) {
        if (prefix ? s.startsWith(b) : s.endsWith(b)) {
          return Val.TRUE;
        }
      }
    }
    return Val.FALSE;
  }

  private static List<String> stringsOf(String fn, Val[] a, int i) {
    if (a[i] instanceof Val.Str s) {
      return List.of(s.value);
    }
    List<String> out = new ArrayList<>();
    for (Val v : collection(fn, a, i)) {
      if (!(v instanceof Val.Str s)) {
        throw new BuiltinError(fn + ": operand " + (i + 1) + " must be string, array of strings or set of strings");
      }
      out.add(s.value);
    }
    return out;
  }

  private static String trimLeft(String s, String cutset) {
    int i = 0;
    while (i < s.length()) {
      int cp = s.codePointAt(i);
      if (cutset.indexOf(cp) < 0) {
        break;
      }
      i += Character.charCount(cp);
    }
    return s.substring(i);
  }

  private static String trimRight(String s, String cutset) {
    int i = s.length();
    while (i > 0) {
      int cp = s.codePointBefore(i);
      if (cutset.indexOf(cp) < 0) {
        break;
      }
      i -= Character.charCount(cp);
    }
    return s.substring(0, i);
  }

  /** Go's unicode.IsSpace. */
  private static boolean goSpace(int cp) {
    return cp == ' ' || (cp >= '\t' && cp <= '\r') || cp == 0x85 || cp == 0xA0 || cp == 0x1680
        || (cp >= 0x2000 && cp <= 0x200a) || cp == 0x2028 || cp == 0x2029 || cp == 0x202f || cp == 0x205f
        || cp == 0x3000;
  }

  private static String trimSpace(String s) {
    int i = 0;
    while (i < s.length() && goSpace(s.codePointAt(i))) {
      i += Character.charCount(s.codePointAt(i));
    }
    int j = s.length();
    while (j > i && goSpace(s.codePointBefore(j))) {
      j -= Character.charCount(s.codePointBefore(j));
    }
    return s.substring(i, j);
  }

  // ------------------------------------------------------------------ objects

  private void objects() {
    add("object.get", (c, a) -> {
      if (!(a[0] instanceof Val.Obj o)) {
        throw type("object.get", 0, a[0], "object");
      }
      if (a[1] instanceof Val.Arr path) {
        Val cur = o;
        for (Val k : path.items) {
          cur = PlanEvaluator.dot(cur, k);
          if (cur == null || cur instanceof Val.SetV && false) {
            return a[2];
          }
        }
        return cur;
      }
      Val v = o.map.get(a[1]);
      return v == null ? a[2] : v;
    });
    add("object.keys", (c, a) -> {
      if (!(a[0] instanceof Val.Obj o)) {
        throw type("object.keys", 0, a[0], "object");
      }
      return new Val.SetV(o.map.keySet());
    });
    add("object.remove", (c, a) -> {
      if (!(a[0] instanceof Val.Obj o)) {
        throw type("object.remove", 0, a[0], "object");
      }
      Val.Obj out = new Val.Obj(o.map);
      keys("object.remove", a, 1).forEach(out.map::remove);
      return out;
    });
    add("object.filter", (c, a) -> {
      if (!(a[0] instanceof Val.Obj o)) {
        throw type("object.filter", 0, a[0], "object");
      }
      Val.Obj out = new Val.Obj();
      for (Val k : keys("object.filter", a, 1)) {
        Val v = o.map.get(k);
        if (v != null) {
          out.map.put(k, v);
        }
      }
      return out;
    });
    add("object.union", (c, a) -> {
      if (!(a[0] instanceof Val.Obj x)) {
        throw type("object.union", 0, a[0], "object");
      }
      if (!(a[1] instanceof Val.Obj y)) {
        throw type("object.union", 1, a[1], "object");
      }
      return union(x, y);
    });
    add("object.union_n", (c, a) -> {
      if (!(a[0] instanceof Val.Arr arr)) {
        throw type("object.union_n", 0, a[0], "array");
      }
      Val.Obj out = new Val.Obj();
      for (Val v : arr.items) {
        if (!(v instanceof Val.Obj o)) {
          throw new BuiltinError("object.union_n: operand 1 must be array of objects");
        }
        out = union(out, o);
      }
      return out;
    });
    add("object.subset", (c, a) -> Val.bool(subsetTop(a[0], a[1])));
  }

  private static List<Val> keys(String fn, Val[] a, int i) {
    if (a[i] instanceof Val.Obj o) {
      return new ArrayList<>(o.map.keySet());
    }
    return collection(fn, a, i);
  }

  /** OPA's mergeWithOverwrite: b wins, nested objects merge. */
  static Val.Obj union(Val.Obj x, Val.Obj y) {
    Val.Obj out = new Val.Obj(x.map);
    for (Map.Entry<Val, Val> e : y.map.entrySet()) {
      Val old = out.map.get(e.getKey());
      if (old instanceof Val.Obj ox && e.getValue() instanceof Val.Obj oy) {
        out.map.put(e.getKey(), union(ox, oy));
      } else {
        out.map.put(e.getKey(), e.getValue());
      }
    }
    return out;
  }

  /** OPA's object.subset: objects recurse, sets check membership, arrays check a contiguous run. */
  private static boolean subsetTop(Val sup, Val sub) {
    boolean ok = (sup instanceof Val.Obj && sub instanceof Val.Obj) || (sup instanceof Val.SetV && sub instanceof Val.SetV)
        || (sup instanceof Val.Arr && (sub instanceof Val.Arr || sub instanceof Val.SetV));
    if (!ok) {
      throw new BuiltinError("object.subset: both arguments must be objects, sets, or arrays of matching types");
    }
    return subset(sup, sub);
  }

  private static boolean subset(Val sup, Val sub) {
    if (sup instanceof Val.Obj x && sub instanceof Val.Obj y) {
      for (Map.Entry<Val, Val> e : y.map.entrySet()) {
        Val v = x.map.get(e.getKey());
        if (v == null || !subset(v, e.getValue())) {
          return false;
        }
      }
      return true;
    }
    if (sup instanceof Val.SetV x && sub instanceof Val.SetV y) {
      return x.set.containsAll(y.set);
    }
    if (sup instanceof Val.Arr x && sub instanceof Val.Arr y) {
      if (y.items.isEmpty()) {
        return true;
      }
      for (int i = 0; i + y.items.size() <= x.items.size(); i++) {
        if (x.items.subList(i, i + y.items.size()).equals(y.items)) {
          return true;
        }
      }
      return false;
    }
    if (sup instanceof Val.Arr x && sub instanceof Val.SetV y) {
      return new java.util.TreeSet<>(x.items).containsAll(y.set);
    }
    return sup.equals(sub);
  }

  // ------------------------------------------------------------------ encoding

  private static final com.fasterxml.jackson.databind.ObjectReader EXACT = ContractJson.mapper().reader()
      .with(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .with(com.fasterxml.jackson.databind.node.JsonNodeFactory.withExactBigDecimals(true));

  private void encoding() {
    add("json.marshal", (c, a) -> Val.str(GoJson.marshal(a[0])));
    add("json.unmarshal", (c, a) -> {
      try {
        JsonNode n = EXACT.readTree(str("json.unmarshal", a, 0));
        if (n == null) {
          throw new BuiltinError("json.unmarshal: empty input");
        }
        Val v = Val.fromJson(n);
        if (!finite(v)) {
          throw new BuiltinError("json.unmarshal: number out of range");
        }
        return v;
      } catch (IOException e) {
        throw new BuiltinError("json.unmarshal: " + e.getMessage());
      }
    });
    add("json.is_valid", (c, a) -> {
      if (!(a[0] instanceof Val.Str s)) {
        return Val.FALSE;
      }
      try {
        return Val.bool(ContractJson.mapper().readTree(s.value) != null);
      } catch (IOException e) {
        return Val.FALSE;
      }
    });
    add("base64.encode", (c, a) -> Val.str(Base64.getEncoder().encodeToString(bytes("base64.encode", a))));
    add("base64.decode", (c, a) -> Val.str(decode("base64.decode", Base64.getDecoder(), str("base64.decode", a, 0))));
    add("base64.is_valid", (c, a) -> {
      try {
        Base64.getDecoder().decode(str("base64.is_valid", a, 0));
        return Val.TRUE;
      } catch (IllegalArgumentException e) {
        return Val.FALSE;
      }
    });
    add("base64url.encode", (c, a) -> Val.str(Base64.getUrlEncoder().encodeToString(bytes("base64url.encode", a))));
    add("base64url.encode_no_pad", (c, a) -> Val.str(Base64.getUrlEncoder().withoutPadding()
        .encodeToString(bytes("base64url.encode_no_pad", a))));
    add("base64url.decode", (c, a) -> Val.str(decode("base64url.decode", Base64.getUrlDecoder(),
        str("base64url.decode", a, 0))));
  }

  /**
   * Whether every number in {@code v} has a decimal exponent within ±10,000: OPA accepts
   * {@code 1e400} but not {@code 1e40000} (the exact bound is an approximation of OPA's).
   */
  private static boolean finite(Val v) {
    if (v instanceof Val.Num n) {
      if (n.isLong()) {
        return true;
      }
      BigDecimal d = n.decimal();
      return Math.abs((long) d.precision() - d.scale() - 1) < 10_000;
    } else if (v instanceof Val.Arr a) {
      return a.items.stream().allMatch(Builtins::finite);
    } else if (v instanceof Val.Obj o) {
      return o.map.values().stream().allMatch(Builtins::finite);
    }
    return true;
  }

  private static byte[] bytes(String fn, Val[] a) {
    return str(fn, a, 0).getBytes(StandardCharsets.UTF_8);
  }

  private static String decode(String fn, Base64.Decoder d, String s) {
    try {
      return new String(d.decode(s), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new BuiltinError(fn + ": " + e.getMessage());
    }
  }

  // ------------------------------------------------------------------ glob, regex

  private static final Map<String, Pattern> PATTERNS = new ConcurrentHashMap<>();

  private static Pattern cached(String key, java.util.function.Supplier<Pattern> make) {
    Pattern p = PATTERNS.get(key);
    if (p == null) {
      if (PATTERNS.size() > 4096) {
        PATTERNS.clear();
      }
      p = make.get();
      PATTERNS.put(key, p);
    }
    return p;
  }

  private static Pattern regex(String fn, String re) {
    try {
      return cached("r\0" + re, () -> Pattern.compile(re));
    } catch (PatternSyntaxException e) {
      throw new BuiltinError(fn + ": error parsing regexp: " + e.getDescription());
    }
  }

  private void patterns() {
    add("regex.match", (c, a) -> Val.bool(regex("regex.match", str("regex.match", a, 0))
        .matcher(str("regex.match", a, 1)).find()));
    add("re_match", (c, a) -> Val.bool(regex("re_match", str("re_match", a, 0)).matcher(str("re_match", a, 1)).find()));
    add("regex.is_valid", (c, a) -> {
      if (!(a[0] instanceof Val.Str s)) {
        return Val.FALSE;
      }
      try {
        regex("regex.is_valid", s.value);
        return Val.TRUE;
      } catch (BuiltinError e) {
        return Val.FALSE;
      }
    });
    add("regex.split", (c, a) -> {
      String[] parts = regex("regex.split", str("regex.split", a, 0)).split(str("regex.split", a, 1), -1);
      Val.Arr out = new Val.Arr(parts.length);
      for (String p : parts) {
        out.items.add(Val.str(p));
      }
      return out;
    });
    add("regex.replace", (c, a) -> Val.str(regex("regex.replace", str("regex.replace", a, 1))
        .matcher(str("regex.replace", a, 0)).replaceAll(goReplacement(str("regex.replace", a, 2)))));
    add("regex.find_n", (c, a) -> {
      java.util.regex.Matcher m = regex("regex.find_n", str("regex.find_n", a, 0)).matcher(str("regex.find_n", a, 1));
      long n = integer("regex.find_n", a, 2);
      Val.Arr out = new Val.Arr(4);
      while ((n < 0 || out.items.size() < n) && m.find()) {
        out.items.add(Val.str(m.group()));
      }
      return out;
    });
    add("glob.match", (c, a) -> {
      String pattern = str("glob.match", a, 0);
      List<String> delims;
      if (a[1] instanceof Val.Null) {
        delims = List.of();
      } else {
        delims = new ArrayList<>();
        for (Val v : collection("glob.match", a, 1)) {
          if (!(v instanceof Val.Str s)) {
            throw new BuiltinError("glob.match: operand 2 must be array of strings");
          }
          delims.add(s.value);
        }
        if (delims.isEmpty()) {
          delims = List.of(".");
        }
      }
      String match = str("glob.match", a, 2);
      List<String> d = delims;
      Pattern p = cached("g\0" + pattern + "\0" + String.join("\0", d), () -> Glob.compile(pattern, d));
      return Val.bool(p.matcher(match).matches());
    });
  }

  /** Go's regexp expansion ({@code $1}, {@code ${name}}) to Java's replacement syntax. */
  private static String goReplacement(String r) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < r.length(); i++) {
      char ch = r.charAt(i);
      if (ch == '\\') {
        sb.append("\\\\");
      } else if (ch == '$' && i + 1 < r.length() && r.charAt(i + 1) == '$') {
        sb.append("\\$");
        i++;
      } else {
        sb.append(ch);
      }
    }
    return sb.toString();
  }

  // ------------------------------------------------------------------ bits

  private void bits() {
    add("bits.or", (c, a) -> Val.num(integer("bits.or", a, 0) | integer("bits.or", a, 1)));
    add("bits.and", (c, a) -> Val.num(integer("bits.and", a, 0) & integer("bits.and", a, 1)));
    add("bits.xor", (c, a) -> Val.num(integer("bits.xor", a, 0) ^ integer("bits.xor", a, 1)));
    add("bits.negate", (c, a) -> Val.num(~integer("bits.negate", a, 0)));
    add("bits.lsh", (c, a) -> {
      long s = integer("bits.lsh", a, 1);
      if (s < 0) {
        throw new BuiltinError("bits.lsh: operand 2 must be unsigned integer number but got negative integer");
      }
      return Val.num(new BigDecimal(BigInteger.valueOf(integer("bits.lsh", a, 0)).shiftLeft((int) Math.min(s, 4096))));
    });
    add("bits.rsh", (c, a) -> {
      long s = integer("bits.rsh", a, 1);
      if (s < 0) {
        throw new BuiltinError("bits.rsh: operand 2 must be unsigned integer number but got negative integer");
      }
      return Val.num(integer("bits.rsh", a, 0) >> Math.min(s, 63));
    });
  }
}
