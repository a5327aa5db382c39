package io.vectorgate.engine.plan;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Per-rule memoization across decisions, for one bundle (a new bundle gets a new table, so a swap
 * drops everything).
 *
 * <p>What a rule reads is found once, when the bundle loads, from its IR: the input paths whose
 * values it uses (a whole subtree wherever it uses a value: scans, builtin operands, comparisons,
 * variable keys), the paths it only dereferences with constant keys (their presence decides
 * whether the statement is defined), and, transitively, everything the functions and rules it
 * calls read. Data is constant per bundle. A rule's cached result is keyed by the input values at
 * its value paths and the presence of its other paths, so a result is reused exactly when
 * everything it read is unchanged. A rule that (transitively)
 * contains {@code with}, a dynamic call, or a non-deterministic builtin ({@link
 * Builtins#NONDETERMINISTIC}) is never cached, nor is any rule evaluated inside a {@code with}.
 * Each rule's table holds at most {@code maxEntriesPerRule} results and is cleared when full.
 */
public final class Memo {
  private static final Object UNDEFINED = new Object();
  /** The key of a rule that reads no input. */
  private static final Ids NO_READS = new Ids(new long[0]);

  private final int maxEntriesPerRule;
  /** Per slot: an input path some cached rule reads. */
  private final String[][] slotPath;
  /** Per slot: true when only the type at the path matters (or its absence), false for the value. */
  private final boolean[] slotShape;
  /** Per slot (value slots): value → id, so a rule's key is a few longs; bounded like a rule table. */
  private final Map<Key, Long>[] interned;
  /** Ids are never reused, so a cleared intern table can only cause misses, never a wrong hit. */
  private final AtomicLong nextId = new AtomicLong();
  /** Per function: its slots (value paths, then shape paths), or null when it is never cached. */
  private final int[][] ruleSlots;
  private final Map<Ids, Object>[] tables;
  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();

  @SuppressWarnings("unchecked")
  public Memo(Ir.Policy policy, int maxEntriesPerRule) {
    if (maxEntriesPerRule < 1) {
      throw new IllegalArgumentException("maxEntriesPerRule must be positive, was " + maxEntriesPerRule);
    }
    this.maxEntriesPerRule = maxEntriesPerRule;
    Analysis a = new Analysis(policy);
    int n = policy.funcs().size();
    this.ruleSlots = new int[n][];
    this.tables = new Map[n];
    Map<List<Object>, Integer> slots = new LinkedHashMap<>();
    for (Ir.Func f : policy.funcs()) {
      if (f.params().length == 2 && a.cacheable(f.index())) {
        Set<List<String>> ps = a.closure(f.index(), a.own, true);
        Set<List<String>> es = new LinkedHashSet<>();
        for (List<String> e : a.closure(f.index(), a.ownExists, false)) {
          if (ps.stream().noneMatch(p -> p.size() <= e.size() && e.subList(0, p.size()).equals(p))) {
            es.add(e); // the type is not already implied by a value read at or above it
          }
        }
        int[] rs = new int[ps.size() + es.size()];
        int i = 0;
        for (List<String> p : ps) {
          rs[i++] = slots.computeIfAbsent(List.of(p, false), k -> slots.size());
        }
        for (List<String> e : es) {
          rs[i++] = slots.computeIfAbsent(List.of(e, true), k -> slots.size());
        }
        ruleSlots[f.index()] = rs;
        tables[f.index()] = new ConcurrentHashMap<>();
      }
    }
    this.slotPath = new String[slots.size()][];
    this.slotShape = new boolean[slots.size()];
    this.interned = new Map[slots.size()];
    for (Map.Entry<List<Object>, Integer> e : slots.entrySet()) {
      @SuppressWarnings("unchecked")
      List<String> path = (List<String>) e.getKey().get(0);
      slotPath[e.getValue()] = path.toArray(new String[0]);
      slotShape[e.getValue()] = (Boolean) e.getKey().get(1);
      interned[e.getValue()] = new ConcurrentHashMap<>();
    }
  }

  /** Whether rule {@code f} is cached. */
  public boolean cached(int func) {
    return ruleSlots[func] != null;
  }

  /** The input paths whose values rule {@code f} reads (for diagnostics and tests); null when never cached. */
  public List<List<String>> paths(int func) {
    return slots(func, false);
  }

  /** The input paths of which rule {@code f} reads only the type, or the absence; null when never cached. */
  public List<List<String>> shapes(int func) {
    return slots(func, true);
  }

  private List<List<String>> slots(int func, boolean shape) {
    if (ruleSlots[func] == null) {
      return null;
    }
    List<List<String>> out = new ArrayList<>();
    for (int s : ruleSlots[func]) {
      if (slotShape[s] == shape) {
        out.add(List.of(slotPath[s]));
      }
    }
    return out;
  }

  public long hits() {
    return hits.sum();
  }

  public long misses() {
    return misses.sum();
  }

  /**
   * What one evaluation has read so far: each slot's id, resolved (path walked, value hashed and
   * interned) at most once per evaluation, however many rules read it.
   */
  final class Reads {
    final Val input;
    final long[] ids = new long[slotPath.length];

    Reads(Val input) {
      this.input = input;
    }
  }

  Reads reads(Val input) {
    return new Reads(input);
  }

  /** The key of rule {@code f} for this evaluation: the ids of what it reads. */
  Ids key(int func, Reads r) {
    int[] ss = ruleSlots[func];
    if (ss.length == 0) {
      return NO_READS;
    }
    long[] ids = new long[ss.length];
    for (int i = 0; i < ss.length; i++) {
      int s = ss[i];
      long id = r.ids[s];
      if (id == 0) {
        id = resolve(s, r.input);
        r.ids[s] = id;
      }
      ids[i] = id;
    }
    return new Ids(ids);
  }

  private long resolve(int slot, Val input) {
    Val v = at(input, slotPath[slot]);
    if (slotShape[slot]) {
      return v == null ? 1 : 2 + v.rank();
    }
    Key k = new Key(v);
    Map<Key, Long> m = interned[slot];
    Long id = m.get(k);
    if (id == null) {
      if (m.size() >= maxEntriesPerRule) {
        m.clear();
      }
      Long fresh = nextId.incrementAndGet();
      id = m.putIfAbsent(k, fresh);
      if (id == null) {
        id = fresh;
      }
    }
    return id;
  }

  /** A rule's key: the ids of its slots, in its slot order. */
  static final class Ids {
    final long[] ids;
    final int hash;

    Ids(long[] ids) {
      this.ids = ids;
      this.hash = Arrays.hashCode(ids);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Ids k && Arrays.equals(ids, k.ids);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }

  /**
   * One read value, equal to another only when the values are equal and every number has the same
   * text ({@code 1} and {@code 1.0} are equal Rego values but print differently, e.g. in sprintf).
   */
  static final class Key {
    final Val v;

    Key(Val v) {
      this.v = v;
    }

    @Override
    public boolean equals(Object o) {
      if (!(o instanceof Key k)) {
        return false;
      }
      if (v == null || k.v == null) {
        return v == k.v;
      }
      return Val.compare(v, k.v) == 0 && sameText(v, k.v);
    }

    @Override
    public int hashCode() {
      return v == null ? 0 : v.hashCode();
    }

    /** Values already equal by Val.compare: walk them in step and compare number texts. */
    private static boolean sameText(Val a, Val b) {
      if (a instanceof Val.Num x && b instanceof Val.Num y) {
        return x.text().equals(y.text());
      }
      if (a instanceof Val.Arr x && b instanceof Val.Arr y) {
        for (int i = 0; i < x.items.size(); i++) {
          if (!sameText(x.items.get(i), y.items.get(i))) {
            return false;
          }
        }
        return true;
      }
      if (a instanceof Val.Obj x && b instanceof Val.Obj y) {
        var i = x.map.entrySet().iterator();
        var j = y.map.entrySet().iterator();
        while (i.hasNext()) {
          var e = i.next();
          var f = j.next();
          if (!sameText(e.getKey(), f.getKey()) || !sameText(e.getValue(), f.getValue())) {
            return false;
          }
        }
        return true;
      }
      if (a instanceof Val.SetV x && b instanceof Val.SetV y) {
        var i = x.set.iterator();
        var j = y.set.iterator();
        while (i.hasNext()) {
          if (!sameText(i.next(), j.next())) {
            return false;
          }
        }
        return true;
      }
      return true;
    }
  }

  private static Val at(Val input, String[] path) {
    Val v = input;
    for (String k : path) {
      if (!(v instanceof Val.Obj o)) {
        return null;
      }
      v = o.get(k);
    }
    return v;
  }

  /** A cached result: a value, {@link #UNDEFINED_RESULT} for a cached undefined, or null on a miss. */
  Object get(int func, Ids key) {
    Object v = tables[func].get(key);
    if (v == null) {
      misses.increment();
    } else {
      hits.increment();
    }
    return v;
  }

  void put(int func, Ids key, Val result) {
    Map<Ids, Object> t = tables[func];
    if (t.size() >= maxEntriesPerRule) {
      t.clear();
    }
    t.put(key, result == null ? UNDEFINED : result);
  }

  static final Object UNDEFINED_RESULT = UNDEFINED;

  // ------------------------------------------------------------------ static analysis

  /** Input paths and cacheability of every function, from its statements. */
  private static final class Analysis {
    final Ir.Policy policy;
    final List<Set<List<String>>> own = new ArrayList<>();
    final List<Set<List<String>>> ownExists = new ArrayList<>();
    private Set<List<String>> existsOfCurrent;
    final List<Set<Integer>> calls = new ArrayList<>();
    final BitSet impure = new BitSet();

    Analysis(Ir.Policy policy) {
      this.policy = policy;
      for (Ir.Func f : policy.funcs()) {
        Set<List<String>> reads = new LinkedHashSet<>();
        existsOfCurrent = new LinkedHashSet<>();
        constArr.clear();
        constArrBlock.clear();
        Set<Integer> callees = new HashSet<>();
        Map<Integer, List<String>> pathOf = new HashMap<>();
        if (f.params().length > 0) {
          pathOf.put(f.params()[0], List.of());
        }
        for (Ir.Block b : f.blocks()) {
          block(b, pathOf, reads, callees, f.index());
        }
        own.add(reads);
        ownExists.add(existsOfCurrent);
        calls.add(callees);
      }
      // impurity spreads to callers
      boolean changed = true;
      while (changed) {
        changed = false;
        for (int i = 0; i < calls.size(); i++) {
          if (impure.get(i)) {
            continue;
          }
          for (int c : calls.get(i)) {
            if (impure.get(c)) {
              impure.set(i);
              changed = true;
              break;
            }
          }
        }
      }
    }

    boolean cacheable(int f) {
      return !impure.get(f);
    }

    /** What f and everything it calls read; {@code minimize} drops value paths under another value path. */
    Set<List<String>> closure(int f, List<Set<List<String>>> per, boolean minimize) {
      Set<List<String>> out = new LinkedHashSet<>();
      Set<Integer> seen = new HashSet<>();
      List<Integer> todo = new ArrayList<>(List.of(f));
      while (!todo.isEmpty()) {
        int g = todo.remove(todo.size() - 1);
        if (seen.add(g)) {
          out.addAll(per.get(g));
          todo.addAll(calls.get(g));
        }
      }
      if (!minimize) {
        return out;
      }
      // a path under another read path adds nothing
      Set<List<String>> minimal = new LinkedHashSet<>();
      for (List<String> p : out) {
        boolean covered = false;
        for (List<String> q : out) {
          if (q.size() < p.size() && p.subList(0, q.size()).equals(q)) {
            covered = true;
            break;
          }
        }
        if (!covered) {
          minimal.add(p);
        }
      }
      return minimal;
    }

    private void block(Ir.Block b, Map<Integer, List<String>> pathOf, Set<List<String>> reads,
        Set<Integer> callees, int self) {
      Ir.Block outer = current;
      current = b;
      for (Ir.Stmt s : b.stmts()) {
        stmt(s, pathOf, reads, callees, self);
      }
      current = outer;
    }

    /** The block whose statements are being read. */
    private Ir.Block current;
    /**
     * Array locals built in {@link #current} from string constants only (MakeArray, then
     * ArrayAppend of constants in the same block): a constant path such as object.get's
     * {@code ["identity", "subject"]}. Anything else written to the local removes it.
     */
    private final Map<Integer, List<String>> constArr = new HashMap<>();
    private final Map<Integer, Ir.Block> constArrBlock = new HashMap<>();

    /** The input path {@code object.get(args[0], args[1], _)} looks up, or null when not constant. */
    private List<String> objectGetPath(Ir.Call c, Map<Integer, List<String>> pathOf) {
      if (!c.name().equals("object.get") || c.args().length != 3 || !(c.args()[0] instanceof Ir.Local src)) {
        return null;
      }
      List<String> base = pathOf.get(src.index());
      if (base == null) {
        return null;
      }
      List<String> keys;
      if (c.args()[1] instanceof Ir.Const k && k.value() instanceof Val.Str str) {
        keys = List.of(str.value);
      } else if (c.args()[1] instanceof Ir.Local l && constArr.containsKey(l.index())
          && constArrBlock.get(l.index()) == current) {
        keys = constArr.get(l.index());
      } else {
        return null;
      }
      List<String> q = new ArrayList<>(base);
      q.addAll(keys);
      return List.copyOf(q);
    }

    /** A statement writes {@code local}: it no longer holds an input path or a constant array. */
    private void written(int local, Map<Integer, List<String>> pathOf) {
      pathOf.remove(local);
      constArr.remove(local);
    }

    /** Only whether the local is defined matters: for an input path, its presence. */
    private void shape(int local, Map<Integer, List<String>> pathOf, Set<List<String>> reads) {
      List<String> p = pathOf.get(local);
      if (p != null) {
        existsOfCurrent.add(p);
      }
    }

    private void use(Ir.Operand o, Map<Integer, List<String>> pathOf, Set<List<String>> reads) {
      if (o instanceof Ir.Local l) {
        use(l.index(), pathOf, reads);
      }
    }

    private void use(int local, Map<Integer, List<String>> pathOf, Set<List<String>> reads) {
      List<String> p = pathOf.get(local);
      if (p != null) {
        reads.add(p);
      }
    }

    private void stmt(Ir.Stmt s, Map<Integer, List<String>> pathOf, Set<List<String>> reads,
        Set<Integer> callees, int self) {
      if (s instanceof Ir.Dot d) {
        List<String> p = d.source() instanceof Ir.Local l ? pathOf.get(l.index()) : null;
        written(d.target(), pathOf);
        if (p != null && d.key() instanceof Ir.Const c && c.value() instanceof Val.Str k) {
          List<String> q = new ArrayList<>(p);
          q.add(k.value);
          pathOf.put(d.target(), List.copyOf(q));
          existsOfCurrent.add(List.copyOf(q)); // the statement is defined only if the path is there
        } else {
          use(d.source(), pathOf, reads);
          use(d.key(), pathOf, reads);
        }
      } else if (s instanceof Ir.AssignVar a) {
        List<String> p = a.source() instanceof Ir.Local l ? pathOf.get(l.index()) : null;
        written(a.target(), pathOf);
        if (p != null) {
          pathOf.put(a.target(), p);
        }
      } else if (s instanceof Ir.Call c && objectGetPath(c, pathOf) != null) {
        // object.get(x, path, default) on an input path: the value at x+path (absent reads as
        // absent, as object.get then gives the default) and the type of x (not an object: an error)
        reads.add(objectGetPath(c, pathOf));
        existsOfCurrent.add(pathOf.get(((Ir.Local) c.args()[0]).index()));
        use(c.args()[2], pathOf, reads);
        written(c.result(), pathOf);
      } else if (s instanceof Ir.Call c) {
        for (int i = 0; i < c.args().length; i++) {
          // a planned function gets input and data as its first two arguments
          if (c.func() >= 0 && i < 2) {
            if (i == 0 && !(c.args()[0] instanceof Ir.Local l && List.of().equals(pathOf.get(l.index())))) {
              impure.set(self); // the callee sees something else as input
            }
            continue;
          }
          use(c.args()[i], pathOf, reads);
        }
        if (c.func() >= 0) {
          callees.add(c.func());
        } else if (Builtins.NONDETERMINISTIC.contains(c.name())) {
          impure.set(self);
        }
        written(c.result(), pathOf);
      } else if (s instanceof Ir.With || s instanceof Ir.CallDynamic) {
        impure.set(self);
        if (s instanceof Ir.With w) {
          block(w.block(), pathOf, reads, callees, self);
        }
      } else if (s instanceof Ir.BlockStmt bs) {
        for (Ir.Block b : bs.blocks()) {
          block(b, pathOf, reads, callees, self);
        }
      } else if (s instanceof Ir.Scan sc) {
        use(sc.source(), pathOf, reads);
        written(sc.key(), pathOf);
        written(sc.value(), pathOf);
        block(sc.block(), pathOf, reads, callees, self);
      } else if (s instanceof Ir.Not n) {
        block(n.block(), pathOf, reads, callees, self);
      } else if (s instanceof Ir.AssignVarOnce a) {
        use(a.source(), pathOf, reads);
        written(a.target(), pathOf);
      } else if (s instanceof Ir.Equal e) {
        use(e.a(), pathOf, reads);
        use(e.b(), pathOf, reads);
      } else if (s instanceof Ir.NotEqual e) {
        use(e.a(), pathOf, reads);
        use(e.b(), pathOf, reads);
      } else if (s instanceof Ir.IsArray x) {
        use(x.source(), pathOf, reads);
      } else if (s instanceof Ir.IsObject x) {
        use(x.source(), pathOf, reads);
      } else if (s instanceof Ir.IsSet x) {
        use(x.source(), pathOf, reads);
      } else if (s instanceof Ir.IsDefined x) {
        shape(x.source(), pathOf, reads);
      } else if (s instanceof Ir.IsUndefined x) {
        shape(x.source(), pathOf, reads);
      } else if (s instanceof Ir.Len x) {
        use(x.source(), pathOf, reads);
        written(x.target(), pathOf);
      } else if (s instanceof Ir.ArrayAppend x) {
        use(x.value(), pathOf, reads);
        use(x.array(), pathOf, reads);
        List<String> arr = constArr.get(x.array());
        if (arr != null && constArrBlock.get(x.array()) == current && x.value() instanceof Ir.Const k
            && k.value() instanceof Val.Str str) {
          arr.add(str.value);
        } else {
          constArr.remove(x.array());
        }
      } else if (s instanceof Ir.ObjectInsert x) {
        use(x.key(), pathOf, reads);
        use(x.value(), pathOf, reads);
        use(x.object(), pathOf, reads);
      } else if (s instanceof Ir.ObjectInsertOnce x) {
        use(x.key(), pathOf, reads);
        use(x.value(), pathOf, reads);
        use(x.object(), pathOf, reads);
      } else if (s instanceof Ir.ObjectMerge x) {
        use(x.a(), pathOf, reads);
        use(x.b(), pathOf, reads);
        written(x.target(), pathOf);
      } else if (s instanceof Ir.SetAdd x) {
        use(x.value(), pathOf, reads);
        use(x.set(), pathOf, reads);
      } else if (s instanceof Ir.ReturnLocal x) {
        use(x.source(), pathOf, reads);
      } else if (s instanceof Ir.ResultSetAdd x) {
        use(x.value(), pathOf, reads);
      } else if (s instanceof Ir.ResetLocal x) {
        written(x.target(), pathOf);
      } else if (s instanceof Ir.MakeArray x) {
        written(x.target(), pathOf);
        constArr.put(x.target(), new ArrayList<>());
        constArrBlock.put(x.target(), current);
      } else if (s instanceof Ir.MakeObject x) {
        written(x.target(), pathOf);
      } else if (s instanceof Ir.MakeSet x) {
        written(x.target(), pathOf);
      } else if (s instanceof Ir.MakeNull x) {
        written(x.target(), pathOf);
      } else if (s instanceof Ir.MakeNumberInt x) {
        written(x.target(), pathOf);
      } else if (s instanceof Ir.MakeNumberRef x) {
        written(x.target(), pathOf);
      } else if (s instanceof Ir.AssignInt x) {
        written(x.target(), pathOf);
      }
    }
  }
}
