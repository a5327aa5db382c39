package io.vectorgate.engine.plan;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.vectorgate.engine.ContractJson;
import io.vectorgate.engine.PolicyCompiler;
import io.vectorgate.engine.TestPolicies;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * A plan.json can come from a bundle server: reading a mutated plan either succeeds or fails with a
 * {@link PlanException}, and evaluating whatever was read fails, if at all, with a
 * {@link PlanException} (the engine turns both into a refused activation or a fail-closed deny),
 * never with another exception, an allocation of billions of locals or a runaway stack.
 */
class IrReaderProperties {
  private static JsonNode plan;

  @BeforeContainer
  static void compile() throws Exception {
    Path root = Path.of(System.getProperty("vectorgate.root"));
    PolicyCompiler.CompileRequest req = PolicyCompiler.CompileRequest.of(root.resolve("rego-policies/src/main/rego"));
    byte[] planJson = TestPolicies.compiler().compile(req).orThrow().plan().orElseThrow();
    plan = ContractJson.mapper().readTree(planJson);
  }

  /** Every object node of the plan, in document order. */
  private static List<ObjectNode> objects(JsonNode n, List<ObjectNode> out) {
    if (n instanceof ObjectNode o) {
      out.add(o);
    }
    n.forEach(c -> objects(c, out));
    return out;
  }

  @Property(tries = 300)
  void mutatedPlansLoadOrFailWithAPlanException(@ForAll("mutations") List<int[]> mutations) {
    JsonNode copy = plan.deepCopy();
    List<ObjectNode> nodes = objects(copy, new ArrayList<>());
    for (int[] m : mutations) {
      ObjectNode o = nodes.get(Math.floorMod(m[0], nodes.size()));
      List<String> fields = new ArrayList<>();
      o.fieldNames().forEachRemaining(fields::add);
      if (fields.isEmpty()) {
        continue;
      }
      String f = fields.get(Math.floorMod(m[1], fields.size()));
      switch (Math.floorMod(m[2], 6)) {
        case 0 -> o.remove(f);
        case 1 -> o.set(f, IntNode.valueOf(m[3]));
        case 2 -> o.set(f, TextNode.valueOf("ReturnLocalStmt"));
        case 3 -> o.set(f, IntNode.valueOf(Integer.MAX_VALUE));
        case 4 -> o.set(f, IntNode.valueOf(-1));
        default -> o.set(f, ContractJson.mapper().createArrayNode());
      }
    }
    Ir.Policy p;
    try {
      p = new IrReader(Builtins.standard()).read(copy);
    } catch (PlanException refused) {
      return;
    }
    PlanEvaluator ev = new PlanEvaluator(p, new Val.Obj());
    for (Ir.Plan entry : p.plans()) {
      try {
        ev.evaluate(entry, new Val.Obj(), 0, System.nanoTime() + 2_000_000_000L);
      } catch (PlanException failed) {
        // fail-closed: the engine denies with engine_error
      }
    }
  }

  @Provide
  Arbitrary<List<int[]>> mutations() {
    return Arbitraries.integers().array(int[].class).ofSize(4).list().ofMinSize(1).ofMaxSize(4);
  }

  /**
   * A builtin called with fewer operands than it takes (found by the property above: a call to a
   * collection builtin left with no operands threw ArrayIndexOutOfBoundsException): every builtin
   * call of the library, stripped of its operands, loads or is refused, and evaluating it fails only
   * with a {@link PlanException} naming the builtin.
   */
  @Example
  void builtinsCalledWithoutTheirOperandsFailAsPlanExceptions() {
    int stripped = 0;
    List<String> failures = new ArrayList<>();
    for (ObjectNode call : objects(plan, new ArrayList<>())) {
      JsonNode stmt = call.get("stmt");
      if (!"CallStmt".equals(call.path("type").asText()) || stmt == null || stmt.path("func").asText().startsWith("g0.")
          || !stmt.path("args").isArray() || stmt.path("args").isEmpty()) {
        continue;
      }
      ArrayNode saved = ((ArrayNode) stmt.get("args")).deepCopy();
      ((ObjectNode) stmt).set("args", ContractJson.mapper().createArrayNode());
      try {
        Ir.Policy p = new IrReader(Builtins.standard()).read(plan);
        PlanEvaluator ev = new PlanEvaluator(p, new Val.Obj());
        for (Ir.Plan entry : p.plans()) {
          try {
            ev.evaluate(entry, new Val.Obj(), 0, System.nanoTime() + 2_000_000_000L);
          } catch (PlanException failed) {
            if (failed.getMessage().contains("builtin `")
                && !failed.getMessage().contains("`" + stmt.path("func").asText() + "`")) {
              failures.add(failed.getMessage());
            }
          }
        }
      } catch (PlanException refused) {
        // refused at load: fine
      } catch (RuntimeException other) {
        failures.add(stmt.path("func").asText() + ": " + other);
      } finally {
        ((ObjectNode) stmt).set("args", saved);
      }
      stripped++;
    }
    assertTrue(stripped > 10, "the library calls builtins: " + stripped);
    assertTrue(failures.isEmpty(), String.join("\n", failures));
  }

  @Example
  void hostileLocalsAndNestingAreRefused() {
    ObjectNode huge = plan.deepCopy();
    ((ObjectNode) huge.at("/funcs/funcs/0")).put("return", 2_000_000_000);
    PlanException e = assertThrows(PlanException.class, () -> new IrReader(Builtins.standard()).read(huge));
    assertTrue(e.getMessage().contains("outside 0.."), e.getMessage());

    ObjectNode deep = ContractJson.mapper().createObjectNode();
    deep.putObject("static").putArray("strings").addObject().put("value", "result");
    ObjectNode block = ContractJson.mapper().createObjectNode();
    ObjectNode cur = block;
    for (int i = 0; i < 1000; i++) {
      ArrayNode stmts = cur.putArray("stmts");
      ObjectNode not = stmts.addObject().put("type", "NotStmt").putObject("stmt");
      cur = not.putObject("block");
    }
    deep.putObject("plans").putArray("plans").addObject().put("name", "p").putArray("blocks").add(block);
    PlanException d = assertThrows(PlanException.class, () -> new IrReader(Builtins.standard()).read(deep));
    assertTrue(d.getMessage().contains("deeper than"), d.getMessage());
  }
}
