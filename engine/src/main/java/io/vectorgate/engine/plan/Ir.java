package io.vectorgate.engine.plan;

import java.util.List;

/**
 * OPA's plan IR ({@code opa build -t plan}, Go package {@code v1/ir}) as immutable Java records.
 * String operands are resolved to their constant {@link Val} when read, and a call names its target
 * by index ({@link Call#func()} into {@link Policy#funcs()}) or by builtin, so the evaluator never
 * looks anything up by name.
 */
public final class Ir {
  private Ir() {}

  /** A planned policy: its plans (entrypoints) and functions (rules, user functions). */
  public record Policy(List<String> strings, List<String> builtins, List<Plan> plans, List<Func> funcs,
      List<String> files) {
    public Policy {
      strings = List.copyOf(strings);
      builtins = List.copyOf(builtins);
      plans = List.copyOf(plans);
      funcs = List.copyOf(funcs);
      files = List.copyOf(files);
    }

    public Plan plan(String name) {
      for (Plan p : plans) {
        if (p.name().equals(name)) {
          return p;
        }
      }
      return null;
    }
  }

  /** An entrypoint: blocks run in order; results are added with {@code ResultSetAddStmt}. */
  public record Plan(String name, List<Block> blocks, int localCount) {
    public Plan {
      blocks = List.copyOf(blocks);
    }
  }

  /**
   * A function: params (input and data first), a return local, blocks, and for rules the data path
   * ({@code path}, e.g. {@code [g0, vectorgate, decision]}) that dynamic calls resolve.
   */
  public record Func(int index, String name, int[] params, int ret, List<Block> blocks, List<String> path,
      int localCount) {
    public Func {
      blocks = List.copyOf(blocks);
      path = path == null ? null : List.copyOf(path);
    }
  }

  /**
   * A block: its statements and, parallel to them, each statement's {@link Op} ordinal (the
   * evaluator dispatches on it; Java 17 has no pattern switch).
   */
  public record Block(Stmt[] stmts, int[] ops) {}

  /** Statement kinds, named as in OPA's IR. */
  public enum Op {
    ReturnLocal, Call, CallDynamic, BlockStmt, Break, Dot, Len, Scan, Not, AssignInt, AssignVar,
    AssignVarOnce, ResetLocal, MakeNull, MakeNumberInt, MakeNumberRef, MakeArray, MakeObject, MakeSet,
    Equal, NotEqual, IsArray, IsObject, IsSet, IsDefined, IsUndefined, ArrayAppend, ObjectInsert,
    ObjectInsertOnce, ObjectMerge, SetAdd, With, Nop, ResultSetAdd;

    static final Op[] ALL = values();
  }

  /** The kind of {@code s}. */
  public static Op op(Stmt s) {
    String n = s.getClass().getSimpleName();
    return Op.valueOf(n);
  }

  /** An operand: a local or a constant (string from the static table, or a boolean). */
  public sealed interface Operand permits Local, Const {}

  public record Local(int index) implements Operand {}

  public record Const(Val value) implements Operand {}

  /** Source location of a statement (file index into {@link Policy#files()}, row, col). */
  public record Loc(int file, int row, int col) {}

  /** One statement. */
  public sealed interface Stmt permits ReturnLocal, Call, CallDynamic, BlockStmt, Break, Dot, Len, Scan,
      Not, AssignInt, AssignVar, AssignVarOnce, ResetLocal, MakeNull, MakeNumberInt, MakeNumberRef,
      MakeArray, MakeObject, MakeSet, Equal, NotEqual, IsArray, IsObject, IsSet, IsDefined, IsUndefined,
      ArrayAppend, ObjectInsert, ObjectInsertOnce, ObjectMerge, SetAdd, With, Nop, ResultSetAdd {
    Loc loc();
  }

  public record ReturnLocal(int source, Loc loc) implements Stmt {}

  /**
   * A call of a planned function ({@code func >= 0}) or a builtin ({@code builtin != null}); the
   * result goes to {@code result}, an undefined result makes the statement undefined.
   */
  public record Call(String name, int func, Builtins.Builtin builtin, Operand[] args, int result, Loc loc)
      implements Stmt {}

  public record CallDynamic(Operand[] path, int[] args, int result, Loc loc) implements Stmt {}

  public record BlockStmt(List<Block> blocks, Loc loc) implements Stmt {}

  public record Break(int index, Loc loc) implements Stmt {}

  public record Dot(Operand source, Operand key, int target, Loc loc) implements Stmt {}

  public record Len(Operand source, int target, Loc loc) implements Stmt {}

  public record Scan(int source, int key, int value, Block block, Loc loc) implements Stmt {}

  public record Not(Block block, Loc loc) implements Stmt {}

  public record AssignInt(long value, int target, Loc loc) implements Stmt {}

  public record AssignVar(Operand source, int target, Loc loc) implements Stmt {}

  public record AssignVarOnce(Operand source, int target, Loc loc) implements Stmt {}

  public record ResetLocal(int target, Loc loc) implements Stmt {}

  public record MakeNull(int target, Loc loc) implements Stmt {}

  public record MakeNumberInt(long value, int target, Loc loc) implements Stmt {}

  public record MakeNumberRef(Val.Num value, int target, Loc loc) implements Stmt {}

  public record MakeArray(int capacity, int target, Loc loc) implements Stmt {}

  public record MakeObject(int target, Loc loc) implements Stmt {}

  public record MakeSet(int target, Loc loc) implements Stmt {}

  public record Equal(Operand a, Operand b, Loc loc) implements Stmt {}

  public record NotEqual(Operand a, Operand b, Loc loc) implements Stmt {}

  public record IsArray(Operand source, Loc loc) implements Stmt {}

  public record IsObject(Operand source, Loc loc) implements Stmt {}

  public record IsSet(Operand source, Loc loc) implements Stmt {}

  public record IsDefined(int source, Loc loc) implements Stmt {}

  public record IsUndefined(int source, Loc loc) implements Stmt {}

  public record ArrayAppend(Operand value, int array, Loc loc) implements Stmt {}

  public record ObjectInsert(Operand key, Operand value, int object, Loc loc) implements Stmt {}

  public record ObjectInsertOnce(Operand key, Operand value, int object, Loc loc) implements Stmt {}

  public record ObjectMerge(int a, int b, int target, Loc loc) implements Stmt {}

  public record SetAdd(Operand value, int set, Loc loc) implements Stmt {}

  /** Upserts {@code value} at {@code path} (string constants) into {@code local} while {@code block} runs. */
  public record With(int local, Val.Str[] path, Operand value, Block block, Loc loc) implements Stmt {}

  public record Nop(Loc loc) implements Stmt {}

  public record ResultSetAdd(int value, Loc loc) implements Stmt {}
}
