package io.vectorgate.engine.plan;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Splits each partial set rule of several bodies ({@code deny contains msg if ...} written many
 * times) into one rule per body, so the cross-decision {@link Memo} keys each body on what that body
 * read: when a changing value (a usage counter) is read by a few bodies only, a decision re-runs
 * those bodies and reuses the others' contributions.
 *
 * <p>The planner emits such a rule as {@code MakeSet ret}, one block per body that adds to
 * {@code ret} with {@code SetAddStmt}, then {@code ReturnLocal ret}. Body {@code i} becomes the rule
 * {@code name#body<i>} of the same parameters, locals and return local with the blocks
 * {@code [MakeSet ret], body, [ReturnLocal ret]}; the rule itself becomes, per body, a block that
 * calls it and adds each element of its result to {@code ret}. A set has no order and no conflicts,
 * so the union is the value the unsplit rule computes; a body that fails fails the rule as before,
 * and bodies run in the same order.
 *
 * <p>A rule is split only when the shape is exactly that and every body is self-contained: it
 * touches {@code ret} only as the set of a {@code SetAddStmt}, has no {@code ReturnLocalStmt}, and
 * reads no local (but the two parameters) before it wrote it: the planner reuses local numbers
 * across bodies, and a body's own rule starts with empty locals. Anything else (partial objects,
 * whose bodies can conflict; a plan not from the planner) is left as it is.
 */
final class BodySplit {
  private BodySplit() {}

  static Ir.Policy split(Ir.Policy policy) {
    List<Ir.Func> out = new ArrayList<>(policy.funcs());
    for (Ir.Func f : policy.funcs()) {
      if (splittable(f)) {
        int n = f.blocks().size() - 2;
        Ir.Block first = f.blocks().get(0);
        Ir.Block last = f.blocks().get(n + 1);
        int t = f.localCount();
        int k = t + 1;
        int v = t + 2;
        List<Ir.Block> parent = new ArrayList<>();
        parent.add(first);
        for (int i = 0; i < n; i++) {
          Ir.Block body = f.blocks().get(i + 1);
          int gi = out.size();
          out.add(new Ir.Func(gi, f.name() + "#body" + i, f.params(), f.ret(), List.of(first, body, last), null,
              f.localCount()));
          Ir.Loc loc = body.stmts().length > 0 ? body.stmts()[0].loc() : new Ir.Loc(-1, 0, 0);
          Ir.Block add = block(new Ir.SetAdd(new Ir.Local(v), f.ret(), loc));
          parent.add(block(
              new Ir.Call(f.name() + "#body" + i, gi, null,
                  new Ir.Operand[] {new Ir.Local(f.params()[0]), new Ir.Local(f.params()[1])}, t, loc),
              new Ir.Scan(t, k, v, add, loc)));
        }
        parent.add(last);
        out.set(f.index(), new Ir.Func(f.index(), f.name(), f.params(), f.ret(), parent, f.path(), v + 1));
      }
    }
    if (out.size() == policy.funcs().size()) {
      return policy;
    }
    return new Ir.Policy(policy.strings(), policy.builtins(), policy.plans(), out, policy.files());
  }

  private static Ir.Block block(Ir.Stmt... stmts) {
    int[] ops = new int[stmts.length];
    for (int i = 0; i < stmts.length; i++) {
      ops[i] = Ir.op(stmts[i]).ordinal();
    }
    return new Ir.Block(stmts, ops);
  }

  static boolean splittable(Ir.Func f) {
    List<Ir.Block> bs = f.blocks();
    if (f.params().length != 2 || bs.size() < 4) {
      return false;
    }
    int ret = f.ret();
    int in = f.params()[0];
    int data = f.params()[1];
    if (ret == in || ret == data || in == data) {
      return false;
    }
    Ir.Stmt[] first = bs.get(0).stmts();
    Ir.Stmt[] last = bs.get(bs.size() - 1).stmts();
    if (first.length != 1 || !(first[0] instanceof Ir.MakeSet m) || m.target() != ret
        || last.length != 1 || !(last[0] instanceof Ir.ReturnLocal r) || r.source() != ret) {
      return false;
    }
    for (int i = 1; i < bs.size() - 1; i++) {
      if (!new Body(ret, Set.of(in, data)).block(bs.get(i), Set.of(in, data))) {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether a body is self-contained: it reads no local before it wrote it (so what earlier bodies
   * left in the locals the planner reuses cannot matter), touches {@code ret} only as the set of a
   * {@code SetAddStmt}, and has no {@code ReturnLocalStmt}. Conservative: a local written inside a
   * nested block counts as written only inside that block.
   */
  private record Body(int ret, Set<Integer> params) {
    boolean block(Ir.Block b, Set<Integer> outer) {
      Set<Integer> w = new HashSet<>(outer);
      for (Ir.Stmt s : b.stmts()) {
        if (!stmt(s, w)) {
          return false;
        }
      }
      return true;
    }

    private boolean reads(Set<Integer> w, Ir.Operand... os) {
      for (Ir.Operand o : os) {
        if (o instanceof Ir.Local l && !read(w, l.index())) {
          return false;
        }
      }
      return true;
    }

    private boolean read(Set<Integer> w, int... ls) {
      for (int l : ls) {
        if (l == ret || !w.contains(l)) {
          return false;
        }
      }
      return true;
    }

    private boolean write(Set<Integer> w, int l) {
      if (l == ret || params.contains(l)) {
        return false;
      }
      w.add(l);
      return true;
    }

    private boolean stmt(Ir.Stmt s, Set<Integer> w) {
      if (s instanceof Ir.SetAdd x) {
        return x.set() == ret ? reads(w, x.value()) : reads(w, x.value()) && read(w, x.set());
      } else if (s instanceof Ir.Call x) {
        return reads(w, x.args()) && write(w, x.result());
      } else if (s instanceof Ir.CallDynamic x) {
        return reads(w, x.path()) && read(w, x.args()) && write(w, x.result());
      } else if (s instanceof Ir.BlockStmt x) {
        for (Ir.Block b : x.blocks()) {
          if (!block(b, w)) {
            return false;
          }
        }
        return true;
      } else if (s instanceof Ir.Break || s instanceof Ir.Nop) {
        return true;
      } else if (s instanceof Ir.Dot x) {
        return reads(w, x.source(), x.key()) && write(w, x.target());
      } else if (s instanceof Ir.Len x) {
        return reads(w, x.source()) && write(w, x.target());
      } else if (s instanceof Ir.Scan x) {
        if (!read(w, x.source())) {
          return false;
        }
        Set<Integer> inner = new HashSet<>(w);
        return write(inner, x.key()) && write(inner, x.value()) && block(x.block(), inner);
      } else if (s instanceof Ir.Not x) {
        return block(x.block(), w);
      } else if (s instanceof Ir.With x) {
        // the local is read (saved, upserted into) and restored after the block
        return reads(w, x.value()) && (params.contains(x.local()) || read(w, x.local())) && block(x.block(), w);
      } else if (s instanceof Ir.AssignInt x) {
        return write(w, x.target());
      } else if (s instanceof Ir.AssignVar x) {
        return reads(w, x.source()) && write(w, x.target());
      } else if (s instanceof Ir.AssignVarOnce x) {
        return reads(w, x.source()) && read(w, x.target()); // compares with what the target holds
      } else if (s instanceof Ir.ResetLocal x) {
        return write(w, x.target());
      } else if (s instanceof Ir.MakeNull x) {
        return write(w, x.target());
      } else if (s instanceof Ir.MakeNumberInt x) {
        return write(w, x.target());
      } else if (s instanceof Ir.MakeNumberRef x) {
        return write(w, x.target());
      } else if (s instanceof Ir.MakeArray x) {
        return write(w, x.target());
      } else if (s instanceof Ir.MakeObject x) {
        return write(w, x.target());
      } else if (s instanceof Ir.MakeSet x) {
        return write(w, x.target());
      } else if (s instanceof Ir.Equal x) {
        return reads(w, x.a(), x.b());
      } else if (s instanceof Ir.NotEqual x) {
        return reads(w, x.a(), x.b());
      } else if (s instanceof Ir.IsArray x) {
        return reads(w, x.source());
      } else if (s instanceof Ir.IsObject x) {
        return reads(w, x.source());
      } else if (s instanceof Ir.IsSet x) {
        return reads(w, x.source());
      } else if (s instanceof Ir.IsDefined x) {
        return read(w, x.source());
      } else if (s instanceof Ir.IsUndefined x) {
        return read(w, x.source());
      } else if (s instanceof Ir.ArrayAppend x) {
        return reads(w, x.value()) && read(w, x.array());
      } else if (s instanceof Ir.ObjectInsert x) {
        return reads(w, x.key(), x.value()) && read(w, x.object());
      } else if (s instanceof Ir.ObjectInsertOnce x) {
        return reads(w, x.key(), x.value()) && read(w, x.object());
      } else if (s instanceof Ir.ObjectMerge x) {
        return read(w, x.a(), x.b()) && write(w, x.target());
      }
      return false; // ReturnLocal, ResultSetAdd (only plans add results), anything new
    }
  }
}
