package io.vectorgate.engine.plan;

import com.fasterxml.jackson.databind.JsonNode;
import io.vectorgate.engine.ContractJson;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the JSON written by {@code opa build -t plan} ({@code plan.json}) into {@link Ir} records,
 * resolving every call to a planned function or a builtin of {@link Builtins}. A statement kind,
 * operand type or builtin it does not know is a {@link PlanException} naming the function and
 * statement, never a silently different evaluation.
 */
public final class IrReader {
  /** Locals per function; OPA's planner uses a few hundred at most, a hostile plan could ask for billions. */
  static final int MAX_LOCAL = 1 << 16;
  /** Nesting of blocks; deeper plans are refused rather than risking the reader's or evaluator's stack. */
  static final int MAX_DEPTH = 512;

  private final Builtins builtins;
  private int depth;
  private List<String> strings;
  private Map<String, Integer> funcIndex;
  private String where;
  private int maxLocal;

  public IrReader(Builtins builtins) {
    this.builtins = builtins;
  }

  public Ir.Policy read(byte[] planJson) {
    JsonNode root;
    try {
      root = ContractJson.mapper().readTree(planJson);
    } catch (IOException e) {
      throw new PlanException("plan.json is not JSON: " + e.getMessage(), e);
    }
    return read(root);
  }

  public Ir.Policy read(JsonNode root) {
    if (root == null || !root.isObject()) {
      throw new PlanException("plan.json is not a JSON object");
    }
    JsonNode st = root.path("static");
    strings = new ArrayList<>();
    for (JsonNode s : st.path("strings")) {
      strings.add(s.path("value").asText().intern()); // shared with input and data keys: equal keys compare by identity
    }
    List<String> files = new ArrayList<>();
    for (JsonNode s : st.path("files")) {
      files.add(s.path("value").asText());
    }
    List<String> bnames = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    for (JsonNode b : st.path("builtin_funcs")) {
      String name = b.path("name").asText();
      bnames.add(name);
      if (builtins.get(name) == null) {
        missing.add(name);
      }
    }
    if (!missing.isEmpty()) {
      throw new PlanException("the plan calls builtins the plan engine does not implement: " + missing);
    }
    JsonNode funcs = root.path("funcs").path("funcs");
    funcIndex = new HashMap<>();
    for (int i = 0; i < funcs.size(); i++) {
      funcIndex.put(funcs.get(i).path("name").asText(), i);
    }
    List<Ir.Func> fs = new ArrayList<>();
    for (int i = 0; i < funcs.size(); i++) {
      JsonNode f = funcs.get(i);
      where = "function `" + f.path("name").asText() + "`";
      maxLocal = 1;
      JsonNode ps = f.path("params");
      int[] params = new int[ps.size()];
      for (int p = 0; p < params.length; p++) {
        params[p] = local(ps.get(p));
      }
      int ret = local(f.path("return"));
      List<Ir.Block> blocks = blocks(f.path("blocks"));
      List<String> path = null;
      if (f.has("path")) {
        path = new ArrayList<>();
        for (JsonNode s : f.get("path")) {
          path.add(s.asText());
        }
      }
      fs.add(new Ir.Func(i, f.path("name").asText(), params, ret, blocks, path, maxLocal + 1));
    }
    List<Ir.Plan> plans = new ArrayList<>();
    for (JsonNode p : root.path("plans").path("plans")) {
      where = "plan `" + p.path("name").asText() + "`";
      maxLocal = 1;
      List<Ir.Block> blocks = blocks(p.path("blocks"));
      plans.add(new Ir.Plan(p.path("name").asText(), blocks, maxLocal + 1));
    }
    return BodySplit.split(new Ir.Policy(strings, bnames, plans, fs, files));
  }

  private List<Ir.Block> blocks(JsonNode arr) {
    List<Ir.Block> out = new ArrayList<>(arr.size());
    for (JsonNode b : arr) {
      out.add(block(b));
    }
    return out;
  }

  private Ir.Block block(JsonNode b) {
    if (++depth > MAX_DEPTH) {
      throw new PlanException(where + ": blocks nest deeper than " + MAX_DEPTH);
    }
    try {
      return blockBody(b);
    } finally {
      depth--;
    }
  }

  private Ir.Block blockBody(JsonNode b) {
    JsonNode stmts = b.path("stmts");
    Ir.Stmt[] out = new Ir.Stmt[stmts.size()];
    int[] ops = new int[out.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = stmt(stmts.get(i));
      ops[i] = Ir.op(out[i]).ordinal();
    }
    return new Ir.Block(out, ops);
  }

  private int local(JsonNode n) {
    if (!n.isIntegralNumber()) {
      throw new PlanException(where + ": expected a local index, got " + n);
    }
    if (!n.canConvertToInt() || n.intValue() < 0 || n.intValue() > MAX_LOCAL) {
      throw new PlanException(where + ": local " + n + " is outside 0.." + MAX_LOCAL);
    }
    int l = n.intValue();
    maxLocal = Math.max(maxLocal, l);
    return l;
  }

  private Ir.Operand operand(JsonNode n) {
    String type = n.path("type").asText();
    JsonNode v = n.path("value");
    return switch (type) {
      case "local" -> new Ir.Local(local(v));
      case "string_index" -> new Ir.Const(Val.str(string(v.intValue())));
      case "bool" -> new Ir.Const(Val.bool(v.booleanValue()));
      default -> throw new PlanException(where + ": unknown operand type `" + type + "`");
    };
  }

  private String string(int i) {
    if (i < 0 || i >= strings.size()) {
      throw new PlanException(where + ": string index " + i + " out of range");
    }
    return strings.get(i);
  }

  private Ir.Operand[] operands(JsonNode arr) {
    Ir.Operand[] out = new Ir.Operand[arr.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = operand(arr.get(i));
    }
    return out;
  }

  private Ir.Stmt stmt(JsonNode n) {
    String type = n.path("type").asText();
    JsonNode s = n.path("stmt");
    Ir.Loc loc = new Ir.Loc(s.path("file").asInt(), s.path("row").asInt(), s.path("col").asInt());
    switch (type) {
      case "ReturnLocalStmt":
        return new Ir.ReturnLocal(local(s.path("source")), loc);
      case "CallStmt": {
        String name = s.path("func").asText();
        Integer fi = funcIndex.get(name);
        Builtins.Builtin b = fi == null ? builtins.get(name) : null;
        if (fi == null && b == null) {
          throw new PlanException(where + ": call of unknown function or builtin `" + name + "`");
        }
        return new Ir.Call(name, fi == null ? -1 : fi, b, operands(s.path("args")), local(s.path("result")), loc);
      }
      case "CallDynamicStmt": {
        JsonNode as = s.path("args");
        int[] args = new int[as.size()];
        for (int i = 0; i < args.length; i++) {
          args[i] = local(as.get(i));
        }
        return new Ir.CallDynamic(operands(s.path("path")), args, local(s.path("result")), loc);
      }
      case "BlockStmt":
        return new Ir.BlockStmt(blocks(s.path("blocks")), loc);
      case "BreakStmt": {
        JsonNode idx = s.path("index");
        if (!idx.canConvertToInt() || idx.intValue() < 0) {
          throw new PlanException(where + ": break index " + idx + " is not a non-negative int");
        }
        return new Ir.Break(idx.intValue(), loc);
      }
      case "DotStmt":
        return new Ir.Dot(operand(s.path("source")), operand(s.path("key")), local(s.path("target")), loc);
      case "LenStmt":
        return new Ir.Len(operand(s.path("source")), local(s.path("target")), loc);
      case "ScanStmt":
        return new Ir.Scan(local(s.path("source")), local(s.path("key")), local(s.path("value")),
            block(s.path("block")), loc);
      case "NotStmt":
        return new Ir.Not(block(s.path("block")), loc);
      case "AssignIntStmt":
        return new Ir.AssignInt(s.path("value").asLong(), local(s.path("target")), loc);
      case "AssignVarStmt":
        return new Ir.AssignVar(operand(s.path("source")), local(s.path("target")), loc);
      case "AssignVarOnceStmt":
        return new Ir.AssignVarOnce(operand(s.path("source")), local(s.path("target")), loc);
      case "ResetLocalStmt":
        return new Ir.ResetLocal(local(s.path("target")), loc);
      case "MakeNullStmt":
        return new Ir.MakeNull(local(s.path("target")), loc);
      case "MakeNumberIntStmt":
        return new Ir.MakeNumberInt(s.path("value").asLong(), local(s.path("target")), loc);
      case "MakeNumberRefStmt": {
        JsonNode idx = s.has("index") ? s.get("index") : s.path("Index");
        String text = string(idx.asInt());
        Val.Num num;
        try {
          num = Val.Num.parse(text);
        } catch (NumberFormatException e) {
          throw new PlanException(where + ": number constant `" + text + "` is not a number", e);
        }
        return new Ir.MakeNumberRef(num, local(s.path("target")), loc);
      }
      case "MakeArrayStmt":
        // the capacity is a hint; a hostile one must not allocate
        return new Ir.MakeArray(Math.max(0, Math.min(s.path("capacity").asInt(), 64)), local(s.path("target")), loc);
      case "MakeObjectStmt":
        return new Ir.MakeObject(local(s.path("target")), loc);
      case "MakeSetStmt":
        return new Ir.MakeSet(local(s.path("target")), loc);
      case "EqualStmt":
        return new Ir.Equal(operand(s.path("a")), operand(s.path("b")), loc);
      case "NotEqualStmt":
        return new Ir.NotEqual(operand(s.path("a")), operand(s.path("b")), loc);
      case "IsArrayStmt":
        return new Ir.IsArray(operand(s.path("source")), loc);
      case "IsObjectStmt":
        return new Ir.IsObject(operand(s.path("source")), loc);
      case "IsSetStmt":
        return new Ir.IsSet(operand(s.path("source")), loc);
      case "IsDefinedStmt":
        return new Ir.IsDefined(local(s.path("source")), loc);
      case "IsUndefinedStmt":
        return new Ir.IsUndefined(local(s.path("source")), loc);
      case "ArrayAppendStmt":
        return new Ir.ArrayAppend(operand(s.path("value")), local(s.path("array")), loc);
      case "ObjectInsertStmt":
        return new Ir.ObjectInsert(operand(s.path("key")), operand(s.path("value")), local(s.path("object")), loc);
      case "ObjectInsertOnceStmt":
        return new Ir.ObjectInsertOnce(operand(s.path("key")), operand(s.path("value")),
            local(s.path("object")), loc);
      case "ObjectMergeStmt":
        return new Ir.ObjectMerge(local(s.path("a")), local(s.path("b")), local(s.path("target")), loc);
      case "SetAddStmt":
        return new Ir.SetAdd(operand(s.path("value")), local(s.path("set")), loc);
      case "WithStmt": {
        JsonNode p = s.path("path");
        Val.Str[] path = new Val.Str[p.size()];
        for (int i = 0; i < path.length; i++) {
          path[i] = Val.str(string(p.get(i).asInt()));
        }
        return new Ir.With(local(s.path("local")), path, operand(s.path("value")), block(s.path("block")), loc);
      }
      case "NopStmt":
        return new Ir.Nop(loc);
      case "ResultSetAddStmt":
        return new Ir.ResultSetAdd(local(s.path("value")), loc);
      default:
        throw new PlanException(where + ": unknown IR statement `" + type + "`");
    }
  }
}
