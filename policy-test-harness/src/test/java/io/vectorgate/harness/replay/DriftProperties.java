package io.vectorgate.harness.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectorgate.engine.ContractJson;
import io.vectorgate.model.Action;
import io.vectorgate.model.Operation;
import io.vectorgate.model.Resource;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.statistics.Statistics;

/**
 * The drift check's shortcut ({@link InputRebuilder#sameJson(Operation, Operation)}) never hides a
 * difference the JSON comparison would report, and takes the recorded operation read back from JSON
 * (other number types, other collection classes) as the same as the decoded one.
 */
class DriftProperties {
  @Property(tries = 1000)
  void theShortcutNeverHidesADifference(@ForAll long seed) {
    Random r = new Random(seed);
    Object filter = r.nextBoolean() ? value(r, 0) : "id > 1";
    Map<String, Object> attrs = map(r, 0);
    Operation a = op(filter, attrs);
    Operation b = r.nextInt(3) == 0 ? op(retype(filter, r), retype(attrs, r)) : op(mutate(filter, r), mutate(attrs, r));
    boolean same = InputRebuilder.sameJson(a, b);
    List<String> pointers = InputRebuilder.pointers(ContractJson.mapper().valueToTree(a), ContractJson.mapper().valueToTree(b));
    Statistics.collect(same, pointers.isEmpty());
    if (same) {
      assertEquals(List.of(), pointers, "shortcut said same: " + a + " vs " + b);
    }
  }

  @Property(tries = 500)
  void anOperationReadBackFromItsJsonIsTheSame(@ForAll long seed) throws Exception {
    Random r = new Random(seed);
    Operation a = op(r.nextBoolean() ? value(r, 0) : "x == 1", map(r, 0));
    boolean hasSet = a.toString().contains("[a, b]"); // a Set reads back as a List: the shortcut leaves it to the trees
    Operation back = ContractJson.mapper().treeToValue(ContractJson.mapper().valueToTree(a), Operation.class);
    boolean finite = !ContractJson.mapper().valueToTree(a).toString().contains("NaN")
        && !ContractJson.mapper().valueToTree(a).toString().contains("Infinity");
    Statistics.collect(a.equals(back));
    if (finite && !hasSet) {
      assertTrue(InputRebuilder.sameJson(a, back), a + " vs " + back);
      assertEquals(List.of(), InputRebuilder.diff(a, back, false));
    }
  }

  static Operation op(Object filter, Object attrs) {
    @SuppressWarnings("unchecked")
    Map<String, Object> m = new LinkedHashMap<>((Map<String, Object>) attrs);
    m.values().removeIf(java.util.Objects::isNull); // attributes hold no null at the top (Map.copyOf)
    return Operation.builder(Action.QUERY).resource(new Resource("default", "docs", List.of(), null)).filter(filter)
        .limit(10L).outputFields(List.of("a")).attributes(m).build();
  }

  static Object value(Random r, int depth) {
    return switch (depth > 2 ? r.nextInt(6) : r.nextInt(9)) {
      case 0 -> "s" + r.nextInt(3);
      case 1 -> r.nextInt(3);
      case 2 -> (long) r.nextInt(3);
      case 3 -> List.of(0.5, 1.0, 2.0, Double.NaN).get(r.nextInt(4));
      case 4 -> r.nextBoolean();
      case 5 -> new BigDecimal(List.of("1", "1.0", "0.50", "2").get(r.nextInt(4)));
      case 6 -> map(r, depth + 1);
      case 7 -> list(r, depth + 1);
      default -> new LinkedHashSet<>(List.of("a", "b"));
    };
  }

  static Map<String, Object> map(Random r, int depth) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = r.nextInt(4); i > 0; i--) {
      m.put("k" + r.nextInt(4), value(r, depth));
    }
    return m;
  }

  static List<Object> list(Random r, int depth) {
    List<Object> l = new ArrayList<>();
    for (int i = r.nextInt(4); i > 0; i--) {
      l.add(value(r, depth));
    }
    return l;
  }

  /** The same JSON value in other Java types: Integer/Long/BigInteger, List classes, map order. */
  static Object retype(Object v, Random r) {
    if (v instanceof Integer i) {
      return r.nextBoolean() ? (Object) i.longValue() : BigInteger.valueOf(i);
    }
    if (v instanceof Long l && l == l.intValue()) {
      return r.nextBoolean() ? (Object) l.intValue() : BigInteger.valueOf(l);
    }
    if (v instanceof Map<?, ?> m) {
      List<Map.Entry<?, ?>> es = new ArrayList<>(m.entrySet());
      java.util.Collections.reverse(es);
      Map<String, Object> out = new LinkedHashMap<>();
      es.forEach(e -> out.put((String) e.getKey(), retype(e.getValue(), r)));
      return out;
    }
    if (v instanceof List<?> l) {
      List<Object> out = new java.util.LinkedList<>();
      l.forEach(x -> out.add(retype(x, r)));
      return out;
    }
    return v;
  }

  /** A small change somewhere (or none): a value swapped, an entry added or removed, a number moved by a little. */
  static Object mutate(Object v, Random r) {
    if (r.nextInt(3) == 0) {
      return v instanceof Map<?, ?> ? map(r, 1) : value(r, 1);
    }
    if (v instanceof Map<?, ?> m && !m.isEmpty()) {
      Map<String, Object> out = new LinkedHashMap<>();
      m.forEach((k, x) -> out.put((String) k, x));
      String k = (String) new ArrayList<>(m.keySet()).get(r.nextInt(m.size()));
      switch (r.nextInt(3)) {
        case 0 -> out.remove(k);
        case 1 -> out.put(k, mutate(out.get(k), r));
        default -> out.put(k, null);
      }
      return out;
    }
    if (v instanceof List<?> l && !l.isEmpty()) {
      List<Object> out = new ArrayList<>(l);
      int i = r.nextInt(l.size());
      out.set(i, mutate(out.get(i), r));
      return out;
    }
    if (v instanceof Number n) {
      return r.nextBoolean() ? n.doubleValue() + 0.5 : n.doubleValue();
    }
    return v;
  }
}
