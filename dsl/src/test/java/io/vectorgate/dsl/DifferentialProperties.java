package io.vectorgate.dsl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorgate.dsl.ast.PolicyFile;
import io.vectorgate.dsl.format.Formatter;
import io.vectorgate.engine.Evaluation;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;

/**
 * For generated DSL policies and generated inputs, the decision of the compiled Wasm (DSL → Rego
 * → opa build -t wasm → engine) equals the decision of {@link ReferenceInterpreter}. Each try
 * compiles several policies into one bundle to keep opa runs few.
 */
class DifferentialProperties {

  @Provide
  Arbitrary<List<PolicyFile>> policies() {
    return PolicyArbitraries.policies().list().ofMinSize(1).ofMaxSize(6);
  }

  @Provide
  Arbitrary<List<ObjectNode>> inputs() {
    return PolicyArbitraries.inputs().list().ofMinSize(20).ofMaxSize(30);
  }

  @Property(tries = 25, shrinking = ShrinkingMode.OFF)
  void opaTopdownDecisionEqualsReferenceInterpreter(@ForAll("policies") List<PolicyFile> generated,
      @ForAll("inputs") List<ObjectNode> inputs) throws Exception {
    List<PolicyFile> asts = new ArrayList<>();
    List<String> names = new ArrayList<>();
    List<String> texts = new ArrayList<>();
    compileAll(generated, asts, names, texts);
    List<List<JsonNode>> decisions = OpaEvalPolicies.decide(asts, names, inputs);
    for (int i = 0; i < asts.size(); i++) {
      ReferenceInterpreter ref = new ReferenceInterpreter(asts.get(i), names.get(i));
      for (int j = 0; j < inputs.size(); j++) {
        ObjectNode input = inputs.get(j);
        JsonNode expected = ReferenceInterpreter.decide(ref.contributions(input), input);
        JsonNode actual = ReferenceInterpreter.normalize(decisions.get(i).get(j));
        int k = i;
        assertEquals(expected, actual, () -> "policy:\n" + texts.get(k) + "\ninput: " + input);
      }
    }
  }

  private static void compileAll(List<PolicyFile> generated, List<PolicyFile> asts, List<String> names,
      List<String> texts) {
    for (int i = 0; i < generated.size(); i++) {
      String name = "gen" + i + ".vg";
      String text = Formatter.format(generated.get(i));
      DslCompiler.Compilation c = DslCompiler.compile(name, text);
      assertTrue(c.ok(), () -> "generated policy did not compile:\n" + text + c.report());
      asts.add(c.ast());
      names.add(name);
      texts.add(text);
    }
  }

  @Property(tries = 12, shrinking = ShrinkingMode.OFF)
  void wasmDecisionEqualsReferenceInterpreter(@ForAll("policies") List<PolicyFile> generated,
      @ForAll("inputs") List<ObjectNode> inputs) throws Exception {
    List<PolicyFile> asts = new ArrayList<>();
    List<String> names = new ArrayList<>();
    List<String> texts = new ArrayList<>();
    compileAll(generated, asts, names, texts);
    try (WasmPolicies wasm = WasmPolicies.build(asts, names)) {
      for (int i = 0; i < asts.size(); i++) {
        ReferenceInterpreter ref = new ReferenceInterpreter(asts.get(i), names.get(i));
        for (ObjectNode input : inputs) {
          JsonNode expected = ReferenceInterpreter.decide(ref.contributions(input), input);
          Evaluation ev = wasm.engine.evaluate(wasm.entrypoints.get(i), input.toString());
          assertTrue(ev.defined(), "wasm evaluation failed: " + ev.reasonCode() + " " + ev.message());
          JsonNode actual = ReferenceInterpreter.normalize(ev.result());
          int k = i;
          assertEquals(expected, actual, () -> "policy:\n" + texts.get(k) + "\ninput: " + input);
        }
      }
    }
  }
}
