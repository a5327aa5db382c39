package io.vectorgate.engine.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A Rego value in the plan evaluator. Scalars are immutable; arrays, objects and sets are built in
 * place by the statements that make them ({@code MakeArrayStmt} then {@code ArrayAppendStmt}, as
 * OPA's Wasm runtime does) and never changed once another statement can see them. Objects and sets
 * are ordered by OPA's total order ({@code ast.Compare}), so iteration and output are sorted as OPA
 * sorts them, and sets keep set semantics.
 */
public abstract sealed class Val implements Comparable<Val>
    permits Val.Null, Val.Bool, Val.Num, Val.Str, Val.Arr, Val.Obj, Val.SetV {

  public static final Null NULL = new Null();
  public static final Bool TRUE = new Bool(true);
  public static final Bool FALSE = new Bool(false);
  private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);
  /** Raw JSON from host builtins: exact numbers; a repeated key keeps its last value, as Go's decoder. */
  private static final com.fasterxml.jackson.databind.ObjectReader RAW_READER =
      new com.fasterxml.jackson.databind.ObjectMapper().reader()
          .with(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
              .with(com.fasterxml.jackson.databind.node.JsonNodeFactory.withExactBigDecimals(true));

  /** 0 null, 1 boolean, 2 number, 3 string, 4 array, 5 object, 6 set (OPA's type order). */
  abstract int rank();

  /** OPA's type name ({@code type_name}). */
  public abstract String typeName();

  /** The value as Jackson JSON; a set becomes a sorted array (as OPA's JSON output does). */
  public abstract JsonNode toJson();

  public static Bool bool(boolean b) {
    return b ? TRUE : FALSE;
  }

  public static Str str(String s) {
    return new Str(s);
  }

  public static Num num(long v) {
    return v >= 0 && v < Num.SMALL.length ? Num.SMALL[(int) v] : new Num(v, null);
  }

  public static Num num(BigDecimal d) {
    return Num.of(d);
  }

  @Override
  public final int compareTo(Val o) {
    return compare(this, o);
  }

  @Override
  public final boolean equals(Object o) {
    return o instanceof Val v && compare(this, v) == 0;
  }

  @Override
  public abstract int hashCode();

  @Override
  public String toString() {
    return toJson().toString();
  }

  /** OPA's total order on values. */
  public static int compare(Val a, Val b) {
    if (a == b) {
      return 0;
    }
    if (a instanceof Str x && b instanceof Str y) {
      return compareStrings(x.value, y.value); // object keys: the most frequent comparison, no rank() calls
    }
    int ra = a.rank();
    int rb = b.rank();
    if (ra != rb) {
      return Integer.compare(ra, rb);
    }
    switch (ra) {
      case 0:
        return 0;
      case 1:
        return Boolean.compare(((Bool) a).value, ((Bool) b).value);
      case 2:
        return ((Num) a).compareNum((Num) b);
      case 3:
        return compareStrings(((Str) a).value, ((Str) b).value);
      case 4: {
        List<Val> x = ((Arr) a).items;
        List<Val> y = ((Arr) b).items;
        int n = Math.min(x.size(), y.size());
        for (int i = 0; i < n; i++) {
          int c = compare(x.get(i), y.get(i));
          if (c != 0) {
            return c;
          }
        }
        return Integer.compare(x.size(), y.size());
      }
      case 5: {
        Iterator<Map.Entry<Val, Val>> x = ((Obj) a).map.entrySet().iterator();
        Iterator<Map.Entry<Val, Val>> y = ((Obj) b).map.entrySet().iterator();
        while (x.hasNext() && y.hasNext()) {
          Map.Entry<Val, Val> ex = x.next();
          Map.Entry<Val, Val> ey = y.next();
          int c = compare(ex.getKey(), ey.getKey());
          if (c == 0) {
            c = compare(ex.getValue(), ey.getValue());
          }
          if (c != 0) {
            return c;
          }
        }
        return Boolean.compare(x.hasNext(), y.hasNext());
      }
      default: {
        Iterator<Val> x = ((SetV) a).set.iterator();
        Iterator<Val> y = ((SetV) b).set.iterator();
        while (x.hasNext() && y.hasNext()) {
          int c = compare(x.next(), y.next());
          if (c != 0) {
            return c;
          }
        }
        return Boolean.compare(x.hasNext(), y.hasNext());
      }
    }
  }

  /** Go compares strings byte-wise in UTF-8, which is code point order (not Java's UTF-16 order). */
  static int compareStrings(String a, String b) {
    if (a == b) {
      return 0; // interned: plan constants, input property names, data keys
    }
    int n = Math.min(a.length(), b.length());
    for (int i = 0; i < n; i++) {
      char x = a.charAt(i);
      char y = b.charAt(i);
      if (x != y) {
        if (Character.isSurrogate(x) || Character.isSurrogate(y)) {
          return Integer.compare(a.codePointAt(i), b.codePointAt(i));
        }
        return Character.compare(x, y);
      }
    }
    return Integer.compare(a.length(), b.length());
  }

  // ------------------------------------------------------------------ scalars

  public static final class Null extends Val {
    private Null() {}

    @Override
    int rank() {
      return 0;
    }

    @Override
    public String typeName() {
      return "null";
    }

    @Override
    public JsonNode toJson() {
      return NODES.nullNode();
    }

    @Override
    public int hashCode() {
      return 0;
    }
  }

  public static final class Bool extends Val {
    public final boolean value;

    private Bool(boolean value) {
      this.value = value;
    }

    @Override
    int rank() {
      return 1;
    }

    @Override
    public String typeName() {
      return "boolean";
    }

    @Override
    public JsonNode toJson() {
      return NODES.booleanNode(value);
    }

    @Override
    public int hashCode() {
      return value ? 1 : 2;
    }
  }

  /** A number: a {@code long} when it is an integer that fits, else an exact decimal. */
  public static final class Num extends Val {
    static final Num[] SMALL = new Num[256];

    static {
      for (int i = 0; i < SMALL.length; i++) {
        SMALL[i] = new Num(i, null);
      }
    }

    private final long l;
    private final BigDecimal d;
    /** The number's original text when it differs from the canonical one ({@code 1.0}, {@code 1e3}); OPA keeps it. */
    private final String raw;

    private Num(long l, BigDecimal d) {
      this(l, d, null);
    }

    private Num(long l, BigDecimal d, String raw) {
      this.l = l;
      this.d = d;
      this.raw = raw;
    }

    /** This number with {@code text} as its original text (when that differs from the canonical text). */
    Num withRaw(String text) {
      return text.equals(canonical()) ? this : new Num(l, d, text);
    }

    static Num of(BigDecimal d) {
      if (d.signum() == 0) {
        return SMALL[0];
      }
      if (d.scale() <= 0 || d.stripTrailingZeros().scale() <= 0) {
        BigDecimal s = d.stripTrailingZeros();
        if (s.precision() - s.scale() <= 18) {
          return num(s.longValueExact());
        }
      }
      return new Num(0, d);
    }

    /** Parses a JSON number text. */
    public static Num parse(String text) {
      boolean simple = text.length() <= 18;
      for (int i = 0; i < text.length() && simple; i++) {
        char c = text.charAt(i);
        simple = (c >= '0' && c <= '9') || (i == 0 && c == '-' && text.length() > 1);
      }
      return simple ? num(Long.parseLong(text)) : of(new BigDecimal(text)).withRaw(text);
    }

    public boolean isLong() {
      return d == null;
    }

    /** An int64 with its canonical text (no {@code 1.0}, no {@code 1e3}): equal such numbers print alike. */
    boolean plainLong() {
      return d == null && raw == null;
    }

    public long longValue() {
      return d == null ? l : d.longValue();
    }

    public BigDecimal decimal() {
      return d == null ? BigDecimal.valueOf(l) : d;
    }

    /** The value as an int64 when it is an integer that fits, else null. */
    public Long asLongExact() {
      if (d == null) {
        return l;
      }
      try {
        return d.longValueExact();
      } catch (ArithmeticException e) {
        return null;
      }
    }

    public boolean isInteger() {
      return d == null || d.signum() == 0 || d.scale() <= 0 || d.stripTrailingZeros().scale() <= 0;
    }

    int compareNum(Num o) {
      if (d == null && o.d == null) {
        return Long.compare(l, o.l);
      }
      return decimal().compareTo(o.decimal());
    }

    @Override
    int rank() {
      return 2;
    }

    @Override
    public String typeName() {
      return "number";
    }

    @Override
    public JsonNode toJson() {
      if (raw != null) {
        return NODES.numberNode(new BigDecimal(raw));
      }
      if (d == null) {
        return NODES.numberNode(l);
      }
      BigDecimal s = d.stripTrailingZeros();
      if (s.scale() <= 0) {
        return NODES.numberNode(s.toBigIntegerExact());
      }
      return NODES.numberNode(s);
    }

    /** The number's text: its original text when it has one, else plain decimal. */
    public String text() {
      if (raw != null) {
        return raw;
      }
      return canonical();
    }

    private String canonical() {
      if (d == null) {
        return Long.toString(l);
      }
      BigDecimal s = d.stripTrailingZeros();
      if (s.scale() <= 0) {
        return s.toBigIntegerExact().toString();
      }
      return s.toPlainString();
    }

    @Override
    public int hashCode() {
      return d == null ? Long.hashCode(l) : d.stripTrailingZeros().hashCode();
    }

    BigInteger bigInteger() {
      return d == null ? BigInteger.valueOf(l) : d.toBigIntegerExact();
    }
  }

  public static final class Str extends Val {
    public final String value;

    private Str(String value) {
      this.value = value;
    }

    @Override
    int rank() {
      return 3;
    }

    @Override
    public String typeName() {
      return "string";
    }

    @Override
    public JsonNode toJson() {
      return NODES.textNode(value);
    }

    @Override
    public int hashCode() {
      return value.hashCode();
    }
  }

  // ------------------------------------------------------------------ composites

  public static final class Arr extends Val {
    public final ArrayList<Val> items;

    public Arr(int capacity) {
      this.items = new ArrayList<>(Math.max(0, capacity));
    }

    public Arr(Collection<Val> items) {
      this.items = new ArrayList<>(items);
    }

    public int size() {
      return items.size();
    }

    public Val get(int i) {
      return items.get(i);
    }

    @Override
    int rank() {
      return 4;
    }

    @Override
    public String typeName() {
      return "array";
    }

    @Override
    public JsonNode toJson() {
      ArrayNode a = NODES.arrayNode(items.size());
      for (Val v : items) {
        a.add(v.toJson());
      }
      return a;
    }

    @Override
    public int hashCode() {
      return items.hashCode();
    }
  }

  public static final class Obj extends Val {
    public final TreeMap<Val, Val> map;

    public Obj() {
      this.map = new TreeMap<>();
    }

    public Obj(Map<Val, Val> m) {
      this.map = new TreeMap<>(m);
    }

    public Val get(Val key) {
      return map.get(key);
    }

    public Val get(String key) {
      return map.get(new Str(key));
    }

    public Obj put(String key, Val v) {
      map.put(new Str(key), v);
      return this;
    }

    @Override
    int rank() {
      return 5;
    }

    @Override
    public String typeName() {
      return "object";
    }

    /** Non-string keys are written as their JSON text, as OPA's JSON output does. */
    @Override
    public JsonNode toJson() {
      ObjectNode o = NODES.objectNode();
      for (Map.Entry<Val, Val> e : map.entrySet()) {
        String k = e.getKey() instanceof Str s ? s.value : e.getKey().toString();
        o.set(k, e.getValue().toJson());
      }
      return o;
    }

    @Override
    public int hashCode() {
      return map.hashCode();
    }
  }

  public static final class SetV extends Val {
    public final TreeSet<Val> set;

    public SetV() {
      this.set = new TreeSet<>();
    }

    public SetV(Collection<Val> items) {
      this.set = new TreeSet<>(items);
    }

    @Override
    int rank() {
      return 6;
    }

    @Override
    public String typeName() {
      return "set";
    }

    @Override
    public JsonNode toJson() {
      ArrayNode a = NODES.arrayNode(set.size());
      for (Val v : set) {
        a.add(v.toJson());
      }
      return a;
    }

    @Override
    public int hashCode() {
      return set.hashCode();
    }
  }

  // ------------------------------------------------------------------ JSON in

  /** Converts Jackson JSON (data, input) into a value; depth is bounded by the caller's input guard. */
  public static Val fromJson(JsonNode n) {
    switch (n.getNodeType()) {
      case NULL:
        return NULL;
      case BOOLEAN:
        return bool(n.booleanValue());
      case NUMBER:
        if (n.isIntegralNumber() && n.canConvertToLong()) {
          return num(n.longValue());
        }
        if (n.isBigDecimal() || n.isBigInteger()) {
          return Num.of(n.decimalValue()).withRaw(n.decimalValue().toString());
        }
        return Num.parse(n.asText());
      case STRING:
        return new Str(n.textValue());
      case ARRAY: {
        Arr a = new Arr(n.size());
        for (JsonNode e : n) {
          a.items.add(fromJson(e));
        }
        return a;
      }
      case OBJECT: {
        Obj o = new Obj();
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext();) {
          Map.Entry<String, JsonNode> e = it.next();
          o.map.put(new Str(e.getKey()), fromJson(e.getValue()));
        }
        return o;
      }
      case POJO: {
        Object pojo = ((com.fasterxml.jackson.databind.node.POJONode) n).getPojo();
        if (pojo instanceof JsonNode j) {
          return fromJson(j);
        }
        if (pojo instanceof com.fasterxml.jackson.databind.util.RawValue raw) {
          try { // raw JSON text (a host builtin keeping a number's exact text)
            return fromJson(RAW_READER.readTree(String.valueOf(raw.rawValue())));
          } catch (java.io.IOException e) {
            throw new IllegalArgumentException("not a JSON value: " + raw.rawValue(), e);
          }
        }
        JsonNode tree = io.vectorgate.engine.ContractJson.mapper().valueToTree(pojo);
        if (tree.isPojo()) {
          throw new IllegalArgumentException("not a JSON value: " + pojo.getClass().getName());
        }
        return fromJson(tree);
      }
      default:
        throw new IllegalArgumentException("not a JSON value: " + n.getNodeType());
    }
  }
}
