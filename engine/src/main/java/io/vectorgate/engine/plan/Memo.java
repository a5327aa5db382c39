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
 * <p>A cached result records what its evaluation read, in the order it read it:
 *
 * <ul>
 *   <li>the input the rule itself reads, found once when the bundle loads from its IR and from the
 *       IR of the functions it calls (not of the rules it calls): the paths whose values it uses
 *       (a whole subtree wherever it uses a value: scans, builtin operands, comparisons, variable
 *       keys) and the paths it only dereferences with constant keys (their presence decides
 *       whether the statement is defined); a function called with constant string arguments is
 *       read at the call, with those arguments known ({@code usage("rows")} reads
 *       {@code input.context.usage.rows}). These form the first level of its key;
 *   <li>the results of the rules it actually called, in call order, as the evaluation ran. These
 *       form a decision tree below the first level: a cached node names the next rule the
 *       evaluation called, and its children are keyed by that rule's result.
 * </ul>
 *
 * Data is constant per bundle. A look-up walks the tree: it evaluates (memoized in turn) the rule a
 * node names and follows the child of its result, to a cached result or to a miss. The walk calls a
 * rule only when the evaluation it replays called it with everything read before it unchanged, so
 * it calls nothing the evaluation would not call (no extra errors), and a rule above a changing
 * value is reused when the rule that read the value gives the same result. Only what an evaluation
 * actually executed counts: a result is not stored when its evaluation ran a non-deterministic
 * builtin ({@link Builtins#NONDETERMINISTIC}, e.g. the {@code else := time.now_ns()} branch) or a
 * {@code with}, but its callers are, keyed on its result, which the walk re-evaluates every time.
 * A rule containing {@code with} or a dynamic call (in its body or a function it calls) is never
 * cached, nor is any rule evaluated inside a {@code with}, nor rules cheaper to evaluate than to
 * look up. Each rule's table holds at most {@code maxEntriesPerRule} results and is cleared when
 * full; a table that filled up without a reuse then stores only every {@value #SPARSE}th result.
 */
public final class Memo {
  /** The key of a rule that reads no input. */
  private static final Ids NO_READS = new Ids(new long[0]);

  private final int maxEntriesPerRule;
  /** Per slot: an input path some cached rule reads. */
  private final String[][] slotPath;
  /** Per slot: true when only the type at the path matters (or its absence), false for the value. */
  private final boolean[] slotShape;
  /**
   * The slots' paths as a tree of path prefixes (node 0: the input itself), so one evaluation
   * looks each prefix up once however many slots share it: per node its parent node and its last
   * key (as a value, for the object look-up); per slot its node.
   */
  private final int[] nodeParent;
  private final Val.Str[] nodeKey;
  private final int[] slotNode;
  /** Per slot (value slots): value → id, so a rule's key is a few longs; bounded like a rule table. */
  private final Map<Key, Long>[] interned;
  /**
   * Per thread: the look-up shortcuts ({@link Recent}). Per thread, so that threads deciding for
   * different callers do not overwrite each other's and write no shared cache lines.
   */
  private final ThreadLocal<Recent> recent = ThreadLocal.withInitial(Recent::new);
  /** Ids are never reused, so a cleared intern table can only cause misses, never a wrong hit. */
  private final AtomicLong nextId = new AtomicLong();
  /** Per function: its slots (value paths, then shape paths), or null when it is never cached. */
  private final int[][] ruleSlots;
  /**
   * Per rule: the slots of everything its whole call tree can read (rules and functions, static),
   * when nothing in that tree can run a non-deterministic builtin, a {@code with} or a dynamic call;
   * else null. Its result is then a function of those reads alone.
   */
  private final int[][] fastSlots;
  /** Per function: its cached results, or null when it is never cached. */
  private final Table[] tables;
  private final String[] names;
  private final int words;
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
    this.fastSlots = new int[n][];
    this.tables = new Table[n];
    this.names = new String[n];
    this.words = (n + 63) / 64;
    Map<List<Object>, Integer> slots = new LinkedHashMap<>();
    for (Ir.Func f : policy.funcs()) {
      names[f.index()] = f.name();
      if (f.params().length == 2 && a.cacheable(f.index())) {
        ruleSlots[f.index()] = slotsOf(a.closure(f.index(), a.own, true, false),
            a.closure(f.index(), a.ownExists, false, false), slots);
        tables[f.index()] = new Table();
        if (a.wholeTreePure(f.index())) {
          fastSlots[f.index()] = slotsOf(a.closure(f.index(), a.own, true, true),
              a.closure(f.index(), a.ownExists, false, true), slots);
        }
      }
    }
    this.slotPath = new String[slots.size()][];
    this.slotShape = new boolean[slots.size()];
    this.interned = new Map[slots.size()];
    Map<List<String>, Integer> nodes = new LinkedHashMap<>();
    nodes.put(List.of(), 0);
    List<Integer> parents = new ArrayList<>(List.of(-1));
    List<Val.Str> keys = new ArrayList<>(java.util.Collections.singletonList(null));
    this.slotNode = new int[slots.size()];
    for (Map.Entry<List<Object>, Integer> e : slots.entrySet()) {
      @SuppressWarnings("unchecked")
      List<String> path = (List<String>) e.getKey().get(0);
      slotPath[e.getValue()] = path.toArray(new String[0]);
      slotShape[e.getValue()] = (Boolean) e.getKey().get(1);
      interned[e.getValue()] = new ConcurrentHashMap<>();
      int node = 0;
      for (int i = 1; i <= path.size(); i++) {
        List<String> prefix = List.copyOf(path.subList(0, i));
        Integer known = nodes.get(prefix);
        if (known == null) {
          known = nodes.size();
          nodes.put(prefix, known);
          parents.add(node);
          keys.add(Val.str(path.get(i - 1).intern()));
        }
        node = known;
      }
      slotNode[e.getValue()] = node;
    }
    this.nodeParent = parents.stream().mapToInt(Integer::intValue).toArray();
    this.nodeKey = keys.toArray(new Val.Str[0]);
  }

  /** The slots of value paths {@code ps}, then of the shape paths {@code exists} not implied by a value path. */
  private static int[] slotsOf(Set<List<String>> ps, Set<List<String>> exists, Map<List<Object>, Integer> slots) {
    Set<List<String>> es = new LinkedHashSet<>();
    for (List<String> e : exists) {
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
    return rs;
  }

  /** Whether rule {@code f} has the whole-tree fast path (see {@link #fastGet}). */
  boolean fast(int func) {
    return fastSlots[func] != null;
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
  /** What this thread looked up last, tried before hashing or probing a table. */
  private final class Recent {
    /**
     * Per slot (value slots): the value interned last and its id, compared first (a value that
     * repeats the previous decision's costs one comparison, no hash).
     */
    final Interned[] interned = new Interned[slotPath.length];
    /** Per rule: the whole-tree result found or stored last, with its key ({@link #fastLast}). */
    final LastFast[] fast = new LastFast[tables.length];
    /** Per rule: the root found last and its key ({@link #root}). */
    final LastRoot[] roots = new LastRoot[tables.length];
  }

  final class Reads {
    final Val input;
    final long[] ids = new long[slotPath.length];
    /** This thread's shortcuts. */
    private final Recent recent = Memo.this.recent.get();
    /** Per path node: its value, {@link #ABSENT}, or null when not looked up yet. */
    private final Val[] nodes = new Val[nodeParent.length];

    Reads(Val input) {
      this.input = input;
      nodes[0] = input == null ? ABSENT : input;
    }

    /** The value at path node {@code n}, or null when the path is absent. */
    Val at(int n) {
      Val v = nodes[n];
      if (v == null) {
        Val parent = at(nodeParent[n]);
        v = parent instanceof Val.Obj o ? o.get(nodeKey[n]) : null;
        nodes[n] = v == null ? ABSENT : v;
      }
      return v == ABSENT ? null : v;
    }
  }

  /** Marks an absent path node in {@link Reads}. */
  private static final Val ABSENT = Val.str("absent path (a marker, never a value)");

  Reads reads(Val input) {
    return new Reads(input);
  }

  /** The key of rule {@code f} for this evaluation: the ids of what it reads. */
  Ids key(int func, Reads r) {
    return key(ruleSlots[func], r);
  }

  /** The whole-tree key of rule {@code f} for this evaluation (see {@link #fast}). */
  Ids fastKey(int func, Reads r) {
    return key(fastSlots[func], r);
  }

  private Ids key(int[] ss, Reads r) {
    if (ss.length == 0) {
      return NO_READS;
    }
    long[] ids = new long[ss.length];
    for (int i = 0; i < ss.length; i++) {
      ids[i] = slotId(ss[i], r);
    }
    return new Ids(ids);
  }

  /** Bounds of the integers that are their own ids ({@link #direct}). */
  private static final long DIRECT = 1L << 61;

  /**
   * The id of a value slot's integer {@code l} (canonical text) in {@code [-2^61, 2^61)}: the
   * number itself, mapped to {@code [-2^62, -1]}, apart from the interned ids (positive), the
   * shape ids (1 to 8, other slots) and 0 (not resolved yet). Distinct integers get distinct ids,
   * and no other value of the slot can get one of these (a {@code 1.0} is interned: it prints
   * differently), so a counter that changes on every request is keyed by its value without a
   * hash or a table.
   */
  private static long direct(long l) {
    return -1 - (l + DIRECT);
  }

  private record Interned(Key key, long id) {}

  /** The id of slot {@code s} in this evaluation, resolved on first use and kept in {@code r}. */
  private long slotId(int s, Reads r) {
    long id = r.ids[s];
    if (id == 0) {
      id = resolve(s, r);
      r.ids[s] = id;
    }
    return id;
  }

  private long resolve(int slot, Reads r) {
    Val v = r.at(slotNode[slot]);
    if (slotShape[slot]) {
      return v == null ? 1 : 2 + v.rank();
    }
    if (v instanceof Val.Num n && n.plainLong()) {
      long l = n.longValue();
      if (l >= -DIRECT && l < DIRECT) {
        return direct(l);
      }
    }
    Interned last = r.recent.interned[slot];
    if (last != null && last.key().matches(v)) {
      return last.id();
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
    r.recent.interned[slot] = new Interned(k, id);
    return id;
  }

  /** A rule's key: the ids of its slots, in its slot order. */
  static final class Ids {
    final long[] ids;
    final int hash;

    Ids(long[] ids) {
      this.ids = ids;
      long h = ids.length;
      for (long id : ids) { // ids are small consecutive numbers: mix them (Arrays.hashCode collides a lot)
        h = (h + id) * 0x9E3779B97F4A7C15L;
        h ^= h >>> 29;
      }
      this.hash = (int) (h ^ (h >>> 32));
    }

    @Override
    public boolean equals(Object o) {
      if (o == this) {
        return true;
      }
      if (!(o instanceof Ids k) || k.hash != hash || k.ids.length != ids.length) {
        return false;
      }
      for (int i = 0; i < ids.length; i++) { // a few ids: a plain loop beats Arrays.equals here
        if (ids[i] != k.ids[i]) {
          return false;
        }
      }
      return true;
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
    final int hash;

    Key(Val v) {
      this.v = v;
      this.hash = v == null ? 0 : v.hashCode();
    }

    @Override
    public boolean equals(Object o) {
      if (!(o instanceof Key k)) {
        return false;
      }
      return k.hash == hash && matches(k.v);
    }

    /** Whether {@code w} (null: undefined) equals this key's value, as {@link #equals} does for keys. */
    boolean matches(Val w) {
      if (v == null || w == null) {
        return v == w;
      }
      return same(v, w);
    }

    @Override
    public int hashCode() {
      return hash;
    }

    /**
     * Rego equality plus the same number texts, in one walk that stops at the first difference:
     * what {@code Val.compare(a, b) == 0} and then a comparison of every number's text would say.
     */
    static boolean same(Val a, Val b) {
      if (a == b) {
        return true; // null, true and false are single instances: different instances differ
      }
      if (a instanceof Val.Str x) {
        return b instanceof Val.Str y && x.value.equals(y.value);
      }
      if (a instanceof Val.Num x) {
        if (!(b instanceof Val.Num y)) {
          return false;
        }
        if (x.plainLong() && y.plainLong()) {
          return x.longValue() == y.longValue();
        }
        return x.compareNum(y) == 0 && x.text().equals(y.text());
      }
      if (a instanceof Val.Arr x) {
        if (!(b instanceof Val.Arr y) || x.items.size() != y.items.size()) {
          return false;
        }
        for (int i = 0; i < x.items.size(); i++) {
          if (!same(x.items.get(i), y.items.get(i))) {
            return false;
          }
        }
        return true;
      }
      if (a instanceof Val.Obj x) {
        if (!(b instanceof Val.Obj y) || x.map.size() != y.map.size()) {
          return false;
        }
        var j = y.map.entrySet().iterator();
        for (var e : x.map.entrySet()) { // both in OPA's order: equal objects pair up entry by entry
          var f = j.next();
          if (!same(e.getKey(), f.getKey()) || !same(e.getValue(), f.getValue())) {
            return false;
          }
        }
        return true;
      }
      if (a instanceof Val.SetV x) {
        if (!(b instanceof Val.SetV y) || x.set.size() != y.set.size()) {
          return false;
        }
        var j = y.set.iterator();
        for (Val e : x.set) {
          if (!same(e, j.next())) {
            return false;
          }
        }
        return true;
      }
      return false; // null or a boolean, and not the same instance
    }
  }

  /** One rule's cached results: the first level keyed by its own input reads, then {@link Node}s. */
  private static final class Table {
    volatile ConcurrentHashMap<Ids, Node> roots = new ConcurrentHashMap<>();
    /** Whole-tree results by {@link #fastKey}: a Leaf each. */
    volatile ConcurrentHashMap<Ids, Leaf> fast = new ConcurrentHashMap<>();
    final java.util.concurrent.atomic.AtomicInteger results = new java.util.concurrent.atomic.AtomicInteger();
    final LongAdder misses = new LongAdder();
    /** A stored result was reused since the table was last cleared. */
    volatile boolean reused;
    /**
     * The table filled up last time without one reuse (the rule reads a value that changes on
     * every decision, such as a usage counter): only every {@value #SPARSE}th result is stored.
     */
    volatile boolean sparse;
    /** Misses since the last stored result in sparse mode (a racy count is fine: it only spaces stores). */
    int skipped;
  }

  private static final int SPARSE = 16;

  /** A node of a rule's tree: a {@link Leaf} (the cached result) or a {@link Step}. */
  abstract static sealed class Node permits Leaf, Step {}

  /** The cached result: a value, or null for a cached undefined. */
  static final class Leaf extends Node {
    final Val value;

    Leaf(Val value) {
      this.value = value;
    }
  }

  /** The evaluation called rule {@code callee} next; the children are keyed by its result. */
  static final class Step extends Node {
    private static final int SMALL = 8;
    final int callee;
    /** The first children, as key, node, key, node, ...: most steps have one or two. */
    private volatile Object[] kids = new Object[0];
    /** The children past {@link #SMALL}, or null. */
    private volatile ConcurrentHashMap<Key, Node> more;
    /** The last result looked up and its child: results served from the memo repeat the same instance. */
    private volatile Object[] last;

    Step(int callee) {
      this.callee = callee;
    }

    /** The child for the callee's result {@code v} (null: undefined), or null when none is cached. */
    Node child(Val v) {
      Object[] l = last;
      if (l != null && l[0] == v) {
        return (Node) l[1];
      }
      Object[] ks = kids;
      for (int i = 0; i < ks.length; i += 2) {
        if (((Key) ks[i]).v == v) { // a result answered from the memo is the instance recorded here
          last = new Object[] {v, ks[i + 1]};
          return (Node) ks[i + 1];
        }
      }
      Node n = null;
      if (more == null) {
        // few children: compare directly, which stops at the first difference (a hash walks the whole value)
        for (int i = 0; i < ks.length && n == null; i += 2) {
          if (((Key) ks[i]).matches(v)) {
            n = (Node) ks[i + 1];
          }
        }
      } else {
        n = find(new Key(v));
      }
      if (n != null) {
        last = new Object[] {v, n};
      }
      return n;
    }

    private Node find(Key k) {
      Object[] ks = kids;
      for (int i = 0; i < ks.length; i += 2) {
        Key x = (Key) ks[i];
        if (x.hash == k.hash && x.equals(k)) {
          return (Node) ks[i + 1];
        }
      }
      ConcurrentHashMap<Key, Node> m = more;
      return m == null ? null : m.get(k);
    }

    /** The child for {@code k}: the one there, else {@code n}, added. */
    synchronized Node add(Key k, Node n) {
      Node there = find(k);
      if (there != null) {
        return there;
      }
      Object[] ks = kids;
      if (ks.length < 2 * SMALL) {
        Object[] grown = Arrays.copyOf(ks, ks.length + 2);
        grown[ks.length] = k;
        grown[ks.length + 1] = n;
        kids = grown;
      } else {
        if (more == null) {
          more = new ConcurrentHashMap<>();
        }
        more.put(k, n);
      }
      return n;
    }
  }

  /** What one rule evaluation called so far: each rule once, with its result, in call order. */
  final class Frame {
    private final long[] seen = new long[words];
    int[] funcs = new int[8];
    Val[] values = new Val[8];
    int count;
    /** It ran something non-deterministic or a {@code with}: its result is not stored. */
    boolean tainted;

    void record(int func, Val v) {
      long bit = 1L << (func & 63);
      if ((seen[func >>> 6] & bit) != 0) {
        return; // within one evaluation a rule has one value: a second call tells nothing new
      }
      seen[func >>> 6] |= bit;
      if (count == funcs.length) {
        funcs = Arrays.copyOf(funcs, count * 2);
        values = Arrays.copyOf(values, count * 2);
      }
      funcs[count] = func;
      values[count++] = v;
    }
  }

  Frame frame() {
    return new Frame();
  }

  /** The first node of rule {@code func}'s tree for key {@code key}: a Leaf, a Step, or null (a miss). */
  Node root(int func, Ids key, Reads r) {
    Table t = tables[func];
    ConcurrentHashMap<Ids, Node> roots = t.roots;
    LastRoot last = r.recent.roots[func];
    if (last != null && last.roots() == roots && last.key().equals(key)) {
      return last.node(); // the same table (not cleared since) and the same key as last time
    }
    Node n = roots.get(key);
    if (n != null) {
      r.recent.roots[func] = new LastRoot(roots, key, n);
    }
    return n;
  }

  /** A root node of a rule's tree, its key, and the table it was found in (a cleared table is a new one). */
  private record LastRoot(ConcurrentHashMap<Ids, Node> roots, Ids key, Node node) {}

  /** A hit of rule {@code func}; the count is added per evaluation ({@link #hits(int)}). */
  void hit(int func) {
    Table t = tables[func];
    if (!t.reused) {
      t.reused = true;
    }
  }

  /**
   * The whole-tree fast path: rule {@code func}'s result when its whole call tree read the same
   * values before (a Leaf), else null. Valid only for rules with {@link #fast}: their result depends
   * on nothing else, so no walk of the callees' results is needed.
   */
  Leaf fastGet(int func, Ids key, Reads r) {
    Leaf l = tables[func].fast.get(key);
    if (l != null) {
      r.recent.fast[func] = new LastFast(key.ids, l);
    }
    return l;
  }

  void fastPut(int func, Ids key, Val result, Reads r) {
    Table t = tables[func];
    ConcurrentHashMap<Ids, Leaf> m = t.fast;
    if (m.size() >= maxEntriesPerRule) {
      m = new ConcurrentHashMap<>();
      t.fast = m;
    }
    Leaf l = new Leaf(result);
    m.put(key, l);
    r.recent.fast[func] = new LastFast(key.ids, l);
  }

  /** A whole-tree key and its result. */
  private record LastFast(long[] ids, Leaf leaf) {}

  /**
   * Rule {@code func}'s whole-tree result when its reads in this evaluation are those of the
   * result found or stored last (compared slot by slot, no key built, no table probed), else null.
   * Only for rules with {@link #fast}.
   */
  Leaf fastLast(int func, Reads r) {
    LastFast lf = r.recent.fast[func];
    if (lf == null) {
      return null;
    }
    int[] ss = fastSlots[func];
    long[] ids = lf.ids();
    for (int i = 0; i < ss.length; i++) {
      if (slotId(ss[i], r) != ids[i]) {
        return null;
      }
    }
    return lf.leaf();
  }

  /** Adds one evaluation's hits to the total (one shared counter update per evaluation, not per hit). */
  void hits(int n) {
    if (n > 0) {
      hits.add(n);
    }
  }

  void miss(int func) {
    misses.increment();
    tables[func].misses.increment();
  }

  /**
   * Stores rule {@code func}'s result {@code result} (null: undefined) of an evaluation that read
   * {@code key} and called what {@code frame} recorded. A path that disagrees with the tree (which
   * a deterministic evaluation cannot produce) is not stored. Returns false when the table is
   * sparse and skipped this result (the caller then skips the whole-tree table too, which would
   * otherwise fill and be replaced on every request of a rule that reads a changing value).
   */
  boolean put(int func, Ids key, Frame frame, Val result) {
    Table t = tables[func];
    if (t.sparse && ++t.skipped < SPARSE) {
      return false;
    }
    t.skipped = 0;
    if (t.results.incrementAndGet() > maxEntriesPerRule) {
      t.sparse = !t.reused;
      t.reused = false;
      t.roots = new ConcurrentHashMap<>();
      t.results.set(1);
    }
    ConcurrentHashMap<Ids, Node> roots = t.roots;
    Leaf leaf = new Leaf(result);
    if (frame.count == 0) {
      roots.putIfAbsent(key, leaf);
      return true;
    }
    Node n = roots.computeIfAbsent(key, k -> new Step(frame.funcs[0]));
    for (int i = 0; i < frame.count; i++) {
      if (!(n instanceof Step s) || s.callee != frame.funcs[i]) {
        return true;
      }
      Key k = new Key(frame.values[i]);
      n = s.add(k, i == frame.count - 1 ? leaf : new Step(frame.funcs[i + 1]));
    }
    return true;
  }

  /** Per rule that missed at least once: its misses (re-evaluations), for diagnostics. */
  public Map<String, Long> missesByRule() {
    Map<String, Long> out = new LinkedHashMap<>();
    for (int i = 0; i < tables.length; i++) {
      if (tables[i] != null && tables[i].misses.sum() > 0) {
        out.put(names[i], tables[i].misses.sum());
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ static analysis

  /**
   * Input paths and cacheability of every function, from its statements. A rule's paths and
   * cacheability include those of the functions it calls (they run inside its evaluation) but not
   * those of the rules it calls (their results are recorded as the evaluation runs).
   */
  private static final class Analysis {
    final Ir.Policy policy;
    final List<Set<List<String>>> own = new ArrayList<>();
    final List<Set<List<String>>> ownExists = new ArrayList<>();
    private Set<List<String>> existsOfCurrent;
    /** Per function: the non-rule functions it calls. */
    final List<Set<Integer>> calls = new ArrayList<>();
    /**
     * Per function: the non-rule functions whose own reads count as its reads: those it calls
     * without a constant argument. A call with constant string arguments is read at the call site
     * instead, with the arguments' values known ({@link #specialized}), so {@code usage("rows")}
     * reads {@code input.context.usage.rows}, not the whole usage object.
     */
    final List<Set<Integer>> readCalls = new ArrayList<>();
    private Set<Integer> readCallees;
    /** Per function: the rules it calls. */
    final List<Set<Integer>> ruleCalls = new ArrayList<>();
    private Set<Integer> ruleCallees;
    final BitSet impure = new BitSet();
    /** Functions that call a non-deterministic builtin themselves. */
    final BitSet nondet = new BitSet();

    Analysis(Ir.Policy policy) {
      this.policy = policy;
      for (Ir.Func f : policy.funcs()) {
        Set<List<String>> reads = new LinkedHashSet<>();
        existsOfCurrent = new LinkedHashSet<>();
        constArr.clear();
        constArrBlock.clear();
        openArr.clear();
        Set<Integer> callees = new HashSet<>();
        ruleCallees = new HashSet<>();
        readCallees = new HashSet<>();
        constStr.clear();
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
        readCalls.add(readCallees);
        ruleCalls.add(ruleCallees);
        if (cheap(f.blocks(), new int[] {CHEAP_STATEMENTS})) {
          cheap.set(f.index());
        }
      }
      // impurity spreads to the callers of functions (not of rules: a caller keys on a rule's result)
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
      return !impure.get(f) && !cheap.get(f);
    }

    /**
     * Rules that cost less to evaluate than to look up: at most {@value #CHEAP_STATEMENTS}
     * statements, no loop, no builtin or function call (calls of rules are fine: they are memoized
     * themselves), no value built. Their callers key on their results as on any rule's.
     */
    final BitSet cheap = new BitSet();
    private static final int CHEAP_STATEMENTS = 24;

    private static boolean cheap(List<Ir.Block> blocks, int[] budget) {
      for (Ir.Block b : blocks) {
        for (Ir.Stmt s : b.stmts()) {
          if (--budget[0] < 0 || s instanceof Ir.Scan || s instanceof Ir.With || s instanceof Ir.CallDynamic
              || s instanceof Ir.MakeObject || s instanceof Ir.MakeArray || s instanceof Ir.MakeSet
              || (s instanceof Ir.Call c && (c.func() < 0 || c.args().length != 2))) {
            return false;
          }
          if (s instanceof Ir.BlockStmt bs && !cheap(bs.blocks(), budget)) {
            return false;
          }
          if (s instanceof Ir.Not n && !cheap(List.of(n.block()), budget)) {
            return false;
          }
        }
      }
      return true;
    }

    /** f and everything it calls: its functions, and with {@code rules} the rules too, transitively. */
    private Set<Integer> tree(int f, boolean rules) {
      return tree(f, rules, calls);
    }

    /** As {@link #tree(int, boolean)}, following the function calls of {@code via}. */
    private Set<Integer> tree(int f, boolean rules, List<Set<Integer>> via) {
      Set<Integer> seen = new HashSet<>();
      List<Integer> todo = new ArrayList<>(List.of(f));
      while (!todo.isEmpty()) {
        int g = todo.remove(todo.size() - 1);
        if (seen.add(g)) {
          todo.addAll(via.get(g));
          if (rules) {
            todo.addAll(ruleCalls.get(g));
          }
        }
      }
      return seen;
    }

    /** Nothing in f's whole call tree runs {@code with}, a dynamic call or a non-deterministic builtin. */
    boolean wholeTreePure(int f) {
      for (int g : tree(f, true)) {
        if (impure.get(g) || nondet.get(g)) {
          return false;
        }
      }
      return true;
    }

    /**
     * What f and the functions it calls (with {@code rules}: everything it calls) read;
     * {@code minimize} drops value paths under another value path.
     */
    Set<List<String>> closure(int f, List<Set<List<String>>> per, boolean minimize, boolean rules) {
      Set<List<String>> out = new LinkedHashSet<>();
      for (int g : tree(f, rules, readCalls)) {
        out.addAll(per.get(g)); // a function called with constants was read at its call sites
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
     * Array locals built in {@link #current} starting with string constants (MakeArray, then
     * ArrayAppend of constants in the same block): a path such as object.get's
     * {@code ["identity", "subject"]}, or the constant prefix of one that goes on with something
     * else ({@code ["context", "usage", key]}: the whole value under the prefix counts as read).
     * Anything else written to the local removes it.
     */
    private final Map<Integer, List<String>> constArr = new HashMap<>();
    /** The arrays of {@link #constArr} that had a non-constant element appended: no more keys. */
    private final java.util.Set<Integer> openArr = new HashSet<>();
    private final Map<Integer, Ir.Block> constArrBlock = new HashMap<>();
    /**
     * Locals known to hold a string constant: in a function read at a call site
     * ({@link #specialized}), the parameters given constant strings and their copies.
     */
    private final Map<Integer, String> constStr = new HashMap<>();
    /** Nesting of {@link #specialized} walks (functions cannot recurse in Rego; a bad plan stops here). */
    private int specializing;
    private static final int MAX_SPECIALIZING = 8;

    /** The string constant operand {@code o} holds: a string constant, or a local of {@link #constStr}. */
    private String constString(Ir.Operand o) {
      if (o instanceof Ir.Const k && k.value() instanceof Val.Str str) {
        return str.value;
      }
      return o instanceof Ir.Local l ? constStr.get(l.index()) : null;
    }

    /**
     * Whether call {@code c} of a planned function is read at its call site: it passes the input
     * itself and at least one constant string argument. Then the callee's statements are walked
     * here, with its input parameter at the input's root and its constant parameters known, and what
     * they read counts as read by the caller {@code self} (the callee's rule and function calls
     * too); the callee is then not among the caller's {@link #readCalls}.
     */
    private boolean specialized(Ir.Call c, Map<Integer, List<String>> pathOf, Set<List<String>> reads,
        Set<Integer> callees, int self) {
      Ir.Func g = policy.funcs().get(c.func());
      int[] ps = g.params();
      if (specializing >= MAX_SPECIALIZING || ps.length != c.args().length || ps.length < 3
          || !(c.args()[0] instanceof Ir.Local in && List.of().equals(pathOf.get(in.index())))) {
        return false;
      }
      Map<Integer, String> consts = new HashMap<>();
      for (int i = 2; i < ps.length; i++) {
        String k = constString(c.args()[i]);
        if (k != null) {
          consts.put(ps[i], k);
        }
      }
      if (consts.isEmpty()) {
        return false;
      }
      // the callee's locals are its own: save the caller's walk state, walk, restore
      Map<Integer, List<String>> savedArr = new HashMap<>(constArr);
      Map<Integer, Ir.Block> savedArrBlock = new HashMap<>(constArrBlock);
      Set<Integer> savedOpen = new HashSet<>(openArr);
      Map<Integer, String> savedStr = new HashMap<>(constStr);
      constArr.clear();
      constArrBlock.clear();
      openArr.clear();
      constStr.clear();
      constStr.putAll(consts);
      Map<Integer, List<String>> inner = new HashMap<>();
      inner.put(ps[0], List.of());
      specializing++;
      try {
        for (Ir.Block b : g.blocks()) {
          block(b, inner, reads, callees, self);
        }
      } finally {
        specializing--;
        constArr.clear();
        constArr.putAll(savedArr);
        constArrBlock.clear();
        constArrBlock.putAll(savedArrBlock);
        openArr.clear();
        openArr.addAll(savedOpen);
        constStr.clear();
        constStr.putAll(savedStr);
      }
      return true;
    }

    /**
     * The input path {@code object.get(args[0], args[1], _)} looks up (or the constant prefix of
     * it, whose value holds every path below), or null when not known.
     */
    private List<String> objectGetPath(Ir.Call c, Map<Integer, List<String>> pathOf) {
      if (!c.name().equals("object.get") || c.args().length != 3 || !(c.args()[0] instanceof Ir.Local src)) {
        return null;
      }
      List<String> base = pathOf.get(src.index());
      if (base == null) {
        return null;
      }
      List<String> keys;
      if (constString(c.args()[1]) != null) {
        keys = List.of(constString(c.args()[1]));
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
      openArr.remove(local);
      constStr.remove(local);
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
        String k = constString(d.key());
        if (p != null && k != null) {
          List<String> q = new ArrayList<>(p);
          q.add(k);
          pathOf.put(d.target(), List.copyOf(q));
          existsOfCurrent.add(List.copyOf(q)); // the statement is defined only if the path is there
        } else {
          use(d.source(), pathOf, reads);
          use(d.key(), pathOf, reads);
        }
      } else if (s instanceof Ir.AssignVar a) {
        List<String> p = a.source() instanceof Ir.Local l ? pathOf.get(l.index()) : null;
        String k = a.source() instanceof Ir.Local l ? constStr.get(l.index()) : null;
        written(a.target(), pathOf);
        if (p != null) {
          pathOf.put(a.target(), p);
        }
        if (k != null) {
          constStr.put(a.target(), k);
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
        if (c.func() >= 0 && policy.funcs().get(c.func()).params().length != 2) {
          callees.add(c.func());
          if (!specialized(c, pathOf, reads, callees, self)) {
            readCallees.add(c.func());
          }
        } else if (c.func() >= 0) {
          ruleCallees.add(c.func());
        } else if (Builtins.NONDETERMINISTIC.contains(c.name())) {
          nondet.set(self);
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
        if (arr == null || constArrBlock.get(x.array()) != current) {
          constArr.remove(x.array());
        } else if (constString(x.value()) != null && !openArr.contains(x.array())) {
          arr.add(constString(x.value()));
        } else {
          openArr.add(x.array()); // the path goes on with something unknown: keep the prefix
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
        openArr.remove(x.target());
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
