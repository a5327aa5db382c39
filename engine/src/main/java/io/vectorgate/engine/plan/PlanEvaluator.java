package io.vectorgate.engine.plan;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Evaluates one planned policy ({@link Ir.Policy}) over one bundle's data. Immutable and
 * thread-safe: every evaluation gets its own locals and per-evaluation memo table.
 *
 * <p>Control flow follows OPA's Wasm backend ({@code internal/compiler/wasm}): a statement that is
 * undefined leaves its block (a break of 0); {@code BreakStmt n} leaves n+1 enclosing blocks; a
 * {@code ScanStmt} body counts two levels (the loop and the block around it), a {@code NotStmt} or
 * {@code WithStmt} body one; {@code ReturnLocalStmt} leaves the function. Functions of exactly two
 * parameters (input and data: rules) are evaluated once per evaluation and {@code with} scope, as the
 * Wasm runtime memoizes them.
 */
public final class PlanEvaluator {
  /** The block ran to its end. */
  private static final int NORMAL = -1;
  /** A ReturnLocalStmt ran; the value is in {@link Run#ret}. */
  private static final int RETURN = -2;
  /** Memo marker for a rule evaluated to undefined. */
  private static final Object UNDEFINED = new Object();
  private static final Val.Str RESULT = Val.str("result");
  private static final Ir.Op[] OPS = Ir.Op.ALL;

  private final Ir.Policy policy;
  private final Val data;
  private final Ir.Func[] funcs;
  private final Map<List<String>, Ir.Func> byPath = new HashMap<>();
  private final Memo memo;

  public PlanEvaluator(Ir.Policy policy, Val data) {
    this(policy, data, null);
  }

  /** With a cross-decision rule memo ({@link Memo}, built for this policy); null for none. */
  public PlanEvaluator(Ir.Policy policy, Val data, Memo memo) {
    this.memo = memo;
    this.policy = policy;
    this.data = data;
    this.funcs = policy.funcs().toArray(new Ir.Func[0]);
    for (Ir.Func f : funcs) {
      if (f.path() != null) {
        byPath.put(f.path(), f);
      }
    }
  }

  public Ir.Policy policy() {
    return policy;
  }

  public Val data() {
    return data;
  }

  /** The cross-decision memo, or null. */
  public Memo memo() {
    return memo;
  }

  /** Per-evaluation state. */
  static final class Run implements Builtins.Context {
    final long nowNs;
    final Val input;
    Object[] memo;
    /** What this evaluation read for the cross-decision memo; made on its first look-up. */
    Memo.Reads reads;
    /** The cacheable rule evaluation running now (what it calls is recorded), or null. */
    Memo.Frame cur;
    /** Memo hits of this evaluation, added to the memo's total at its end. */
    int hits;
    Val ret;
    Val.SetV results;
    int withDepth;
    /** System.nanoTime() after which the evaluation fails; Long.MAX_VALUE for none. */
    long deadline = Long.MAX_VALUE;
    int steps;

    /** Counts a loop iteration or call; every 1024th checks the deadline. */
    void step() {
      if ((++steps & 1023) == 0 && deadline != Long.MAX_VALUE && System.nanoTime() - deadline > 0) {
        throw new EvalError("eval_timeout", "evaluation exceeded its time limit");
      }
    }

    Run(int funcs, long nowNs, Val input) {
      this.memo = new Object[funcs];
      this.nowNs = nowNs;
      this.input = input;
    }

    @Override
    public long nowNs() {
      return nowNs;
    }

    @Override
    public void nondeterministic() {
      if (cur != null) {
        cur.tainted = true; // this result is not stored; callers key on it and re-evaluate it
      }
    }
  }

  /**
   * Evaluates entrypoint {@code plan} and returns its result set: a set of {@code {"result": v}}
   * objects, empty when the entrypoint is undefined.
   *
   * @param input the input document, or null for none
   * @param nowNs what {@code time.now_ns} returns during this evaluation
   */
  public Val.SetV evaluate(String plan, Val input, long nowNs) {
    Ir.Plan p = policy.plan(plan);
    if (p == null) {
      throw new PlanException("the policy has no entrypoint `" + plan + "`");
    }
    return evaluate(p, input, nowNs);
  }

  public Val.SetV evaluate(Ir.Plan p, Val input, long nowNs) {
    return evaluate(p, input, nowNs, Long.MAX_VALUE);
  }

  /**
   * As {@link #evaluate(String, Val, long)}, failing with an {@link EvalError} of code
   * {@code eval_timeout} once {@code System.nanoTime()} passes {@code deadlineNanos}.
   */
  public Val.SetV evaluate(Ir.Plan p, Val input, long nowNs, long deadlineNanos) {
    Run r = new Run(funcs.length, nowNs, input);
    r.deadline = deadlineNanos;
    r.results = new Val.SetV();
    Val[] locals = new Val[p.localCount()];
    locals[0] = input;
    locals[1] = data;
    try {
      for (Ir.Block b : p.blocks()) {
        execBlock(b, locals, r);
      }
    } finally {
      if (memo != null) {
        memo.hits(r.hits);
      }
    }
    return r.results;
  }

  /** The entrypoint's value, or null when it is undefined. More than one result is an error. */
  public Val evaluateValue(String plan, Val input, long nowNs) {
    Ir.Plan p = policy.plan(plan);
    if (p == null) {
      throw new PlanException("the policy has no entrypoint `" + plan + "`");
    }
    return evaluateValue(p, input, nowNs, Long.MAX_VALUE);
  }

  /** The entrypoint's value, or null when it is undefined; see {@link #evaluate(Ir.Plan, Val, long, long)}. */
  public Val evaluateValue(Ir.Plan p, Val input, long nowNs, long deadlineNanos) {
    String plan = p.name();
    Val.SetV rs = evaluate(p, input, nowNs, deadlineNanos);
    if (rs.set.isEmpty()) {
      return null;
    }
    if (rs.set.size() != 1 || !(rs.set.first() instanceof Val.Obj o) || o.get(RESULT) == null) {
      throw new PlanException("entrypoint `" + plan + "` produced " + rs.set.size() + " results, expected one");
    }
    return o.get(RESULT);
  }

  // ------------------------------------------------------------------ statements

  private int execBlock(Ir.Block b, Val[] l, Run r) {
    Ir.Stmt[] stmts = b.stmts();
    int[] ops = b.ops();
    for (int i = 0; i < stmts.length; i++) {
      int c = exec(ops[i], stmts[i], l, r);
      if (c != NORMAL) {
        return c;
      }
    }
    return NORMAL;
  }

  private static Val read(Ir.Operand o, Val[] l) {
    return o instanceof Ir.Local loc ? l[loc.index()] : ((Ir.Const) o).value();
  }

  private int exec(int op, Ir.Stmt s, Val[] l, Run r) {
    switch (OPS[op]) {
      case AssignVar: {
        Ir.AssignVar x = (Ir.AssignVar) s;
        l[x.target()] = read(x.source(), l);
        return NORMAL;
      }
      case Call: {
        Ir.Call x = (Ir.Call) s;
        Val v = call(x, l, r);
        if (v == null) {
          return 0;
        }
        l[x.result()] = v;
        return NORMAL;
      }
      case Dot: {
        Ir.Dot x = (Ir.Dot) s;
        Val v = dot(read(x.source(), l), read(x.key(), l));
        if (v == null) {
          return 0;
        }
        l[x.target()] = v;
        return NORMAL;
      }
      case AssignVarOnce: {
        Ir.AssignVarOnce x = (Ir.AssignVarOnce) s;
        Val v = read(x.source(), l);
        Val cur = l[x.target()];
        if (cur != null && (v == null || Val.compare(cur, v) != 0)) {
          throw conflict("var assignment conflict", x.loc());
        }
        l[x.target()] = v;
        return NORMAL;
      }
      case ResetLocal: {
        Ir.ResetLocal x = (Ir.ResetLocal) s;
        l[x.target()] = null;
        return NORMAL;
      }
      case IsDefined: {
        Ir.IsDefined x = (Ir.IsDefined) s;
        return l[x.source()] != null ? NORMAL : 0;
      }
      case IsUndefined: {
        Ir.IsUndefined x = (Ir.IsUndefined) s;
        return l[x.source()] == null ? NORMAL : 0;
      }
      case NotEqual: {
        Ir.NotEqual x = (Ir.NotEqual) s;
        Val a = read(x.a(), l);
        Val b = read(x.b(), l);
        return a != null && b != null && Val.compare(a, b) != 0 ? NORMAL : 0;
      }
      case Equal: {
        Ir.Equal x = (Ir.Equal) s;
        Val a = read(x.a(), l);
        Val b = read(x.b(), l);
        return a != null && b != null && Val.compare(a, b) == 0 ? NORMAL : 0;
      }
      case MakeArray: {
        Ir.MakeArray x = (Ir.MakeArray) s;
        l[x.target()] = new Val.Arr(x.capacity());
        return NORMAL;
      }
      case ArrayAppend: {
        Ir.ArrayAppend x = (Ir.ArrayAppend) s;
        Val v = read(x.value(), l);
        if (v == null || !(l[x.array()] instanceof Val.Arr a)) {
          return 0;
        }
        a.items.add(v);
        return NORMAL;
      }
      case MakeObject: {
        Ir.MakeObject x = (Ir.MakeObject) s;
        l[x.target()] = new Val.Obj();
        return NORMAL;
      }
      case ObjectInsert: {
        Ir.ObjectInsert x = (Ir.ObjectInsert) s;
        Val k = read(x.key(), l);
        Val v = read(x.value(), l);
        if (k == null || v == null || !(l[x.object()] instanceof Val.Obj o)) {
          return 0;
        }
        o.map.put(k, v);
        return NORMAL;
      }
      case ObjectInsertOnce: {
        Ir.ObjectInsertOnce x = (Ir.ObjectInsertOnce) s;
        Val k = read(x.key(), l);
        Val v = read(x.value(), l);
        if (k == null || v == null || !(l[x.object()] instanceof Val.Obj o)) {
          return 0;
        }
        Val prev = o.map.putIfAbsent(k, v);
        if (prev != null && Val.compare(prev, v) != 0) {
          throw conflict("object insert conflict", x.loc());
        }
        return NORMAL;
      }
      case MakeSet: {
        Ir.MakeSet x = (Ir.MakeSet) s;
        l[x.target()] = new Val.SetV();
        return NORMAL;
      }
      case SetAdd: {
        Ir.SetAdd x = (Ir.SetAdd) s;
        Val v = read(x.value(), l);
        if (v == null || !(l[x.set()] instanceof Val.SetV set)) {
          return 0;
        }
        set.set.add(v);
        return NORMAL;
      }
      case MakeNumberRef: {
        Ir.MakeNumberRef x = (Ir.MakeNumberRef) s;
        l[x.target()] = x.value();
        return NORMAL;
      }
      case MakeNumberInt: {
        Ir.MakeNumberInt x = (Ir.MakeNumberInt) s;
        l[x.target()] = Val.num(x.value());
        return NORMAL;
      }
      case AssignInt: {
        Ir.AssignInt x = (Ir.AssignInt) s;
        l[x.target()] = Val.num(x.value());
        return NORMAL;
      }
      case MakeNull: {
        Ir.MakeNull x = (Ir.MakeNull) s;
        l[x.target()] = Val.NULL;
        return NORMAL;
      }
      case ReturnLocal: {
        Ir.ReturnLocal x = (Ir.ReturnLocal) s;
        r.ret = l[x.source()];
        return RETURN;
      }
      case BlockStmt: {
        Ir.BlockStmt x = (Ir.BlockStmt) s;
        for (Ir.Block b : x.blocks()) {
          int c = execBlock(b, l, r);
          if (c == NORMAL || c == 0) {
            continue;
          }
          return c == RETURN ? RETURN : c - 1;
        }
        return NORMAL;
      }
      case Break: {
        Ir.Break x = (Ir.Break) s;
        return x.index();
      }
      case Scan: {
        Ir.Scan x = (Ir.Scan) s;
        return scan(x, l, r);
      }
      case Not: {
        Ir.Not x = (Ir.Not) s;
        int c = execBlock(x.block(), l, r);
        if (c == NORMAL) {
          return 0;
        }
        if (c == 0) {
          return NORMAL;
        }
        return c == RETURN ? RETURN : c - 1;
      }
      case IsArray: {
        Ir.IsArray x = (Ir.IsArray) s;
        return read(x.source(), l) instanceof Val.Arr ? NORMAL : 0;
      }
      case IsObject: {
        Ir.IsObject x = (Ir.IsObject) s;
        return read(x.source(), l) instanceof Val.Obj ? NORMAL : 0;
      }
      case IsSet: {
        Ir.IsSet x = (Ir.IsSet) s;
        return read(x.source(), l) instanceof Val.SetV ? NORMAL : 0;
      }
      case Len: {
        Ir.Len x = (Ir.Len) s;
        Val v = read(x.source(), l);
        int n;
        if (v instanceof Val.Arr a) {
          n = a.items.size();
        } else if (v instanceof Val.Obj o) {
          n = o.map.size();
        } else if (v instanceof Val.SetV set) {
          n = set.set.size();
        } else if (v instanceof Val.Str str) {
          n = str.value.codePointCount(0, str.value.length());
        } else {
          return 0;
        }
        l[x.target()] = Val.num(n);
        return NORMAL;
      }
      case ObjectMerge: {
        Ir.ObjectMerge x = (Ir.ObjectMerge) s;
        Val m = merge(l[x.a()], l[x.b()]);
        if (m == null) {
          return 0;
        }
        l[x.target()] = m;
        return NORMAL;
      }
      case CallDynamic: {
        Ir.CallDynamic x = (Ir.CallDynamic) s;
        return callDynamic(x, l, r);
      }
      case With: {
        Ir.With x = (Ir.With) s;
        return with(x, l, r);
      }
      case ResultSetAdd: {
        Ir.ResultSetAdd x = (Ir.ResultSetAdd) s;
        Val v = l[x.value()];
        if (v != null) {
          r.results.set.add(v);
        }
        return NORMAL;
      }
      case Nop: {
        return NORMAL;
      }
      default:
        throw new IllegalStateException("unhandled IR statement " + OPS[op]);
    }
  }

  private int scan(Ir.Scan x, Val[] l, Run r) {
    Val src = l[x.source()];
    if (src instanceof Val.Arr a) {
      for (int i = 0; i < a.items.size(); i++) {
        l[x.key()] = Val.num(i);
        l[x.value()] = a.items.get(i);
        int c = scanBody(x, l, r);
        if (c != NORMAL) {
          return c == Integer.MIN_VALUE ? NORMAL : c;
        }
      }
    } else if (src instanceof Val.Obj o) {
      for (Map.Entry<Val, Val> e : o.map.entrySet()) {
        l[x.key()] = e.getKey();
        l[x.value()] = e.getValue();
        int c = scanBody(x, l, r);
        if (c != NORMAL) {
          return c == Integer.MIN_VALUE ? NORMAL : c;
        }
      }
    } else if (src instanceof Val.SetV set) {
      for (Val v : set.set) {
        l[x.key()] = v;
        l[x.value()] = v;
        int c = scanBody(x, l, r);
        if (c != NORMAL) {
          return c == Integer.MIN_VALUE ? NORMAL : c;
        }
      }
    }
    return NORMAL;
  }

  /** NORMAL to continue the scan, MIN_VALUE to end it, else the code for the enclosing block. */
  private int scanBody(Ir.Scan x, Val[] l, Run r) {
    r.step();
    int c = execBlock(x.block(), l, r);
    if (c == NORMAL || c == 0) {
      return NORMAL;
    }
    if (c == RETURN) {
      return RETURN;
    }
    return c == 1 ? Integer.MIN_VALUE : c - 2;
  }

  private int with(Ir.With x, Val[] l, Run r) {
    Val saved = l[x.local()];
    Val v = read(x.value(), l);
    if (v == null && x.path().length > 0) {
      return 0;
    }
    // without a path the local is replaced as is, also by an undefined value: the planner restores an
    // undefined input this way (as the Wasm backend, which copies the local)
    l[x.local()] = x.path().length == 0 ? v : upsert(saved, x.path(), 0, v);
    Object[] savedMemo = r.memo;
    r.memo = new Object[funcs.length];
    r.withDepth++;
    Memo.Frame outer = r.cur;
    if (outer != null) {
      outer.tainted = true; // what runs under `with` is not recorded
    }
    r.cur = null;
    int c;
    try {
      c = execBlock(x.block(), l, r);
    } finally {
      r.cur = outer;
      r.withDepth--;
      r.memo = savedMemo;
      l[x.local()] = saved;
    }
    if (c == NORMAL || c == 0 || c == RETURN) {
      return c;
    }
    return c - 1;
  }

  private static Val upsert(Val node, Val.Str[] path, int i, Val v) {
    if (i == path.length) {
      return v;
    }
    Val.Obj copy = node instanceof Val.Obj o ? new Val.Obj(o.map) : new Val.Obj();
    copy.map.put(path[i], upsert(copy.map.get(path[i]), path, i + 1, v));
    return copy;
  }

  /** OPA's opa_value_merge: objects merge recursively, {@code a} wins on non-object values. */
  static Val merge(Val a, Val b) {
    if (a == null) {
      return b;
    }
    if (!(a instanceof Val.Obj x) || !(b instanceof Val.Obj y)) {
      return a;
    }
    Val.Obj out = new Val.Obj();
    for (Map.Entry<Val, Val> e : x.map.entrySet()) {
      Val other = y.map.get(e.getKey());
      out.map.put(e.getKey(), other == null ? e.getValue() : merge(e.getValue(), other));
    }
    for (Map.Entry<Val, Val> e : y.map.entrySet()) {
      out.map.putIfAbsent(e.getKey(), e.getValue());
    }
    return out;
  }

  static Val dot(Val src, Val key) {
    if (src == null || key == null) {
      return null;
    }
    if (src instanceof Val.Obj o) {
      return o.map.get(key);
    }
    if (src instanceof Val.Arr a) {
      if (key instanceof Val.Num n && n.isLong()) {
        long i = n.longValue();
        return i >= 0 && i < a.items.size() ? a.items.get((int) i) : null;
      }
      if (key instanceof Val.Num n) {
        Long i = n.asLongExact();
        return i != null && i >= 0 && i < a.items.size() ? a.items.get(i.intValue()) : null;
      }
      return null;
    }
    if (src instanceof Val.SetV set) {
      return set.set.contains(key) ? key : null;
    }
    return null;
  }

  // ------------------------------------------------------------------ calls

  private Val call(Ir.Call x, Val[] l, Run r) {
    Ir.Operand[] ops = x.args();
    if (x.func() >= 0) {
      Ir.Func f = funcs[x.func()];
      Val[] args = new Val[ops.length];
      for (int i = 0; i < ops.length; i++) {
        args[i] = read(ops[i], l);
      }
      return callFunc(f, args, r);
    }
    Val[] args = new Val[ops.length];
    for (int i = 0; i < ops.length; i++) {
      Val v = read(ops[i], l);
      if (v == null) {
        return null;
      }
      args[i] = v;
    }
    try {
      return x.builtin().apply(r, args);
    } catch (Builtins.BuiltinError | ArithmeticException | NumberFormatException e) {
      return null; // OPA's default (non-strict) mode: a builtin error makes the expression undefined
    } catch (PlanException e) {
      throw e;
    } catch (RuntimeException e) {
      // operands a builtin cannot take at all (a malformed plan calling it with the wrong number of
      // operands): the evaluation fails, and the engine denies with engine_error; never a crash
      throw new PlanException("builtin `" + x.name() + "` failed on " + args.length + " operand(s) at "
          + x.loc() + ": " + e, e);
    }
  }

  private Val callFunc(Ir.Func f, Val[] args, Run r) {
    if (f.params().length != 2) {
      return invoke(f, args, r); // a function: part of its caller's evaluation
    }
    int fi = f.index();
    Object m = r.memo[fi];
    Val v;
    if (m != null) {
      v = m == UNDEFINED ? null : (Val) m;
    } else {
      v = evalRule(f, args, r);
      r.memo[fi] = v == null ? UNDEFINED : v;
    }
    if (r.cur != null) {
      if (args[0] == r.input && args[1] == data) {
        r.cur.record(fi, v);
      } else {
        r.cur.tainted = true;
      }
    }
    return v;
  }

  /** A rule's value: from the cross-decision memo when cached, else evaluated. */
  private Val evalRule(Ir.Func f, Val[] args, Run r) {
    Memo.Frame outer = r.cur;
    int fi = f.index();
    if (memo == null || r.withDepth != 0 || args[0] != r.input || args[1] != data || !memo.cached(fi)) {
      r.cur = null; // the caller records this rule's result, not what it called
      try {
        return invoke(f, args, r);
      } finally {
        r.cur = outer;
      }
    }
    if (r.reads == null) {
      r.reads = memo.reads(r.input);
    }
    Memo.Ids fastKey = null;
    if (memo.fast(fi)) {
      Memo.Leaf last = memo.fastLast(fi, r.reads);
      if (last != null) {
        memo.hit(fi);
        r.hits++;
        return last.value;
      }
      fastKey = memo.fastKey(fi, r.reads);
      Memo.Leaf leaf = memo.fastGet(fi, fastKey, r.reads);
      if (leaf != null) {
        memo.hit(fi);
        r.hits++;
        return leaf.value;
      }
    }
    Memo.Ids key = memo.key(fi, r.reads);
    Memo.Node node = memo.root(fi, key, r.reads);
    r.cur = null;
    try {
      // replay the cached evaluations: each node names the rule they called next, with everything
      // read before it equal, so this calls only what an evaluation now would call too
      while (node instanceof Memo.Step s) {
        node = s.child(callFunc(funcs[s.callee], args, r));
      }
    } finally {
      r.cur = outer;
    }
    if (node instanceof Memo.Leaf leaf) {
      memo.hit(fi);
      r.hits++;
      if (fastKey != null) {
        memo.fastPut(fi, fastKey, leaf.value, r.reads);
      }
      return leaf.value;
    }
    memo.miss(fi);
    Memo.Frame frame = memo.frame();
    r.cur = frame;
    Val v;
    try {
      v = invoke(f, args, r);
    } finally {
      r.cur = outer;
    }
    if (!frame.tainted) {
      if (memo.put(fi, key, frame, v) && fastKey != null) {
        memo.fastPut(fi, fastKey, v, r.reads);
      }
    }
    return v;
  }

  /** Runs a function's blocks on fresh locals. */
  Val invoke(Ir.Func f, Val[] args, Run r) {
    r.step();
    Val[] l = new Val[f.localCount()];
    int[] ps = f.params();
    for (int i = 0; i < ps.length && i < args.length; i++) {
      l[ps[i]] = args[i];
    }
    for (Ir.Block b : f.blocks()) {
      int c = execBlock(b, l, r);
      if (c == RETURN) {
        Val v = r.ret;
        r.ret = null;
        return v;
      }
    }
    return l[f.ret()];
  }

  private int callDynamic(Ir.CallDynamic x, Val[] l, Run r) {
    List<String> path = new ArrayList<>(x.path().length);
    for (Ir.Operand o : x.path()) {
      if (!(read(o, l) instanceof Val.Str s)) {
        return 0;
      }
      path.add(s.value);
    }
    Ir.Func f = byPath.get(path);
    if (f == null) {
      return 0;
    }
    Val[] args = new Val[x.args().length];
    for (int i = 0; i < args.length; i++) {
      args[i] = l[x.args()[i]];
    }
    Val v = callFunc(f, args, r);
    if (v == null) {
      return 0;
    }
    l[x.result()] = v;
    return NORMAL;
  }

  private PlanException conflict(String what, Ir.Loc loc) {
    String file = loc.file() >= 0 && loc.file() < policy.files().size() ? policy.files().get(loc.file()) : "?";
    return new EvalError("eval_conflict_error", file + ":" + loc.row() + ": " + what);
  }

  /** An evaluation error OPA would raise too (conflicts), with its error code. */
  public static final class EvalError extends PlanException {
    private static final long serialVersionUID = 1L;
    private final String code;

    public EvalError(String code, String message) {
      super(message);
      this.code = code;
    }

    public String code() {
      return code;
    }
  }
}
