package io.vectorgate.engine.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * The memo's value equality ({@code Memo.Key.same}, one walk) is exactly Rego equality plus the
 * same text for every number ({@code Val.compare(a, b) == 0} and the same number texts), on values
 * built from a small domain so that equal values, equal numbers of different text ({@code 1},
 * {@code 1.0}, {@code 1e0}) and arrays against sets occur often.
 */
class MemoKeyProperties {

  @Property(tries = 3000)
  void sameIsRegoEqualityWithTheSameNumberTexts(@ForAll("values") Val a, @ForAll("values") Val b) {
    boolean want = Val.compare(a, b) == 0 && texts(a).equals(texts(b));
    assertEquals(want, Memo.Key.same(a, b), a + " vs " + b);
    assertEquals(want, new Memo.Key(a).matches(b));
    Statistics.label("equal").collect(want);
    assertEquals(true, Memo.Key.same(a, copy(a)), "a copy of " + a + " (new instances throughout)");
  }

  /** The value written out with every number's own text ({@code 1e0} stays {@code 1e0}). */
  private static String texts(Val v) {
    if (v instanceof Val.Num n) {
      return n.text();
    }
    if (v instanceof Val.Arr x) {
      return "[" + String.join(",", x.items.stream().map(MemoKeyProperties::texts).toList()) + "]";
    }
    if (v instanceof Val.SetV x) {
      return "<" + String.join(",", x.set.stream().map(MemoKeyProperties::texts).toList()) + ">";
    }
    if (v instanceof Val.Obj x) {
      return "{" + String.join(",", x.map.entrySet().stream().map(e -> texts(e.getKey()) + ":" + texts(e.getValue()))
          .toList()) + "}";
    }
    return v.toString();
  }

  /** {@code v} rebuilt from new instances (scalars too: numbers keep their text). */
  private static Val copy(Val v) {
    if (v instanceof Val.Str s) {
      return Val.str(new String(s.value));
    }
    if (v instanceof Val.Num n) {
      return Val.Num.parse(new String(n.text()));
    }
    if (v instanceof Val.Arr x) {
      return new Val.Arr(x.items.stream().map(MemoKeyProperties::copy).toList());
    }
    if (v instanceof Val.SetV x) {
      return new Val.SetV(x.set.stream().map(MemoKeyProperties::copy).toList());
    }
    if (v instanceof Val.Obj x) {
      Val.Obj o = new Val.Obj();
      x.map.forEach((k, w) -> o.map.put(copy(k), copy(w)));
      return o;
    }
    return v;
  }

  @Provide
  Arbitrary<Val> values() {
    return value(3);
  }

  private static Arbitrary<Val> value(int depth) {
    Arbitrary<Val> scalar = Arbitraries.oneOf(
        Arbitraries.of("0", "-0", "1", "1.0", "1e0", "2", "0.5", "0.50", "-1", "12345678901234567890",
            "2305843009213693952").map(Val.Num::parse),
        Arbitraries.of("a", "b", "", "1").map(Val::str),
        Arbitraries.of(Val.TRUE, Val.FALSE, Val.NULL));
    if (depth == 0) {
      return scalar;
    }
    Arbitrary<Val> inner = Arbitraries.lazy(() -> value(depth - 1));
    Arbitrary<Val> arr = inner.list().ofMaxSize(2).map(l -> new Val.Arr(l));
    Arbitrary<Val> set = inner.list().ofMaxSize(2).map(l -> new Val.SetV(l));
    Arbitrary<Val> obj = Arbitraries.of("a", "b").list().ofMaxSize(2).flatMap(ks -> inner.list().ofSize(ks.size())
        .map(vs -> {
          Val.Obj o = new Val.Obj();
          for (int i = 0; i < ks.size(); i++) {
            o.map.put(Val.str(ks.get(i)), vs.get(i));
          }
          return (Val) o;
        }));
    return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(4, scalar), net.jqwik.api.Tuple.of(1, arr),
        net.jqwik.api.Tuple.of(1, set), net.jqwik.api.Tuple.of(1, obj));
  }
}
