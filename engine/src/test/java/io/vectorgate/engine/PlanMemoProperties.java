package io.vectorgate.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectorgate.engine.plan.Ir;
import io.vectorgate.engine.plan.Memo;
import io.vectorgate.engine.plan.PlanBundle;
import io.vectorgate.engine.plan.PlanCompiler;
import io.vectorgate.engine.plan.PlanEvaluator;
import io.vectorgate.engine.plan.Val;
import io.vectorgate.model.PolicyInput;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Example;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;

/**
 * Per-rule memoization across decisions: on random sequences of inputs (changing identities,
 * collections, actions, times, usage counters) a memoized evaluator gives exactly the results of
 * an unmemoized one, on the shipped library and every DSL golden policy; and the memo does hit.
 */
class PlanMemoProperties {
  private static final Path ROOT = Path.of(System.getProperty("vectorgate.root"));
  private static final Map<String, PlanBundle> BUNDLES = new LinkedHashMap<>();

  @BeforeContainer
  static void compile() throws Exception {
    PlanCompiler c = new PlanCompiler(TestPolicies.opa(), BundleLimits.DEFAULTS);
    BUNDLES.put("library", c.compile(PolicyCompiler.CompileRequest.of(ROOT.resolve("rego-policies/src/main/rego"),
        ROOT.resolve("samples/org/data.json"))).orThrow());
    Path core = ROOT.resolve("rego-policies/src/main/rego/vectorgate/core.rego");
    try (Stream<Path> s = Files.list(ROOT.resolve("dsl/src/test/resources/golden"))) {
      for (Path g : s.filter(p -> p.toString().endsWith(".rego")).sorted().toList()) {
        BUNDLES.put(g.getFileName().toString(), c.compile(PolicyCompiler.CompileRequest.of(g, core)).orThrow());
      }
    }
  }

  @Property(tries = 60)
  void memoizedEqualsUnmemoized(@ForAll("sequences") List<PolicyInput> inputs) throws Exception {
    List<Val> vals = new ArrayList<>();
    for (PolicyInput in : inputs) {
      vals.add(Val.fromJson(ContractJson.mapper().valueToTree(in)));
    }
    long hits = 0;
    for (Map.Entry<String, PlanBundle> b : BUNDLES.entrySet()) {
      PlanEvaluator plain = new PlanEvaluator(b.getValue().policy(), b.getValue().data());
      Memo memo = new Memo(b.getValue().policy(), 8); // small, so the bound is exercised too
      PlanEvaluator memoized = new PlanEvaluator(b.getValue().policy(), b.getValue().data(), memo);
      for (int i = 0; i < vals.size(); i++) {
        long now = inputs.get(i).context().timeNs();
        Val want = plain.evaluateValue(EngineConfig.DEFAULT_ENTRYPOINT, vals.get(i), now);
        Val got = memoized.evaluateValue(EngineConfig.DEFAULT_ENTRYPOINT, vals.get(i), now);
        assertEquals(want, got, b.getKey() + " input " + i + ": " + inputs.get(i));
      }
      hits += memo.hits();
    }
    Statistics.label("memo hits").collect(hits > 0);
    Statistics.label("memo hits").coverage(c -> c.check(true).percentage(p -> p > 50));
  }

  @Provide
  Arbitrary<List<PolicyInput>> sequences() {
    return new PlanDifferentialProperties().inputs().list().ofMinSize(2).ofMaxSize(25);
  }

  @Example
  void aFieldOnlyCheckedForExistenceIsPartOfTheKey() throws Exception {
    Path dir = Files.createTempDirectory("memo");
    Files.writeString(dir.resolve("p.rego"), """
        package vectorgate

        import rego.v1

        default present := false

        present if {
        	x := input.a.b
        }

        decision := {"allow": present}
        """);
    PlanBundle b = new PlanCompiler(TestPolicies.opa(), BundleLimits.DEFAULTS)
        .compile(PolicyCompiler.CompileRequest.of(dir)).orThrow();
    PlanEvaluator memoized = new PlanEvaluator(b.policy(), b.data(), new Memo(b.policy(), 16));
    Val with = Val.fromJson(ContractJson.mapper().readTree("{\"a\": {\"b\": 1}}"));
    Val without = Val.fromJson(ContractJson.mapper().readTree("{\"a\": {\"c\": 1}}"));
    assertEquals(Val.TRUE, ((Val.Obj) memoized.evaluateValue(EngineConfig.DEFAULT_ENTRYPOINT, with, 0)).get("allow"));
    assertEquals(Val.FALSE, ((Val.Obj) memoized.evaluateValue(EngineConfig.DEFAULT_ENTRYPOINT, without, 0)).get("allow"),
        "input.a.b is gone, so `present` is false again");
  }

  @Example
  void equalNumbersWithDifferentTextAreDifferentKeys() throws Exception {
    Path dir = Files.createTempDirectory("memo");
    Files.writeString(dir.resolve("p.rego"), """
        package vectorgate

        import rego.v1

        shown := json.marshal(input.n)

        decision := {"allow": true, "shown": shown}
        """);
    PlanBundle b = new PlanCompiler(TestPolicies.opa(), BundleLimits.DEFAULTS)
        .compile(PolicyCompiler.CompileRequest.of(dir)).orThrow();
    PlanEvaluator memoized = new PlanEvaluator(b.policy(), b.data(), new Memo(b.policy(), 16));
    com.fasterxml.jackson.databind.ObjectReader exact = ContractJson.mapper().reader()
        .with(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .with(com.fasterxml.jackson.databind.node.JsonNodeFactory.withExactBigDecimals(true));
    Val one = Val.fromJson(exact.readTree("{\"n\": 1}"));
    Val oneDotZero = Val.fromJson(exact.readTree("{\"n\": 1.0}"));
    assertEquals(Val.str("1"), ((Val.Obj) memoized.evaluateValue(EngineConfig.DEFAULT_ENTRYPOINT, one, 0)).get("shown"));
    assertEquals(Val.str("1.0"), ((Val.Obj) memoized.evaluateValue(EngineConfig.DEFAULT_ENTRYPOINT, oneDotZero, 0))
        .get("shown"));
  }

  @Example
  void rulesReadingTheClockOrUsingWithAreNeverCachedAndPathsAreFound() throws Exception {
    Path dir = Files.createTempDirectory("memo");
    Files.writeString(dir.resolve("p.rego"), """
        package vectorgate

        import rego.v1

        admin if "admins" in input.identity.groups

        late if time.now_ns() > 0

        mocked if admin with input.identity.groups as ["admins"]

        decision := {"allow": admin, "late": late, "mocked": mocked}
        """);
    PlanBundle b = new PlanCompiler(TestPolicies.opa(), BundleLimits.DEFAULTS)
        .compile(PolicyCompiler.CompileRequest.of(dir)).orThrow();
    Memo memo = new Memo(b.policy(), 16);
    Map<String, Integer> byName = new LinkedHashMap<>();
    for (Ir.Func f : b.policy().funcs()) {
      byName.put(f.name(), f.index());
    }
    int admin = byName.get("g0.data.vectorgate.admin");
    assertTrue(memo.cached(admin));
    assertEquals(List.of(List.of("identity", "groups")), memo.paths(admin));
    assertFalse(memo.cached(byName.get("g0.data.vectorgate.late")), "time.now_ns is not deterministic");
    assertFalse(memo.cached(byName.get("g0.data.vectorgate.mocked")), "with is never cached");
    assertNull(memo.paths(byName.get("g0.data.vectorgate.decision")), "callers of uncached rules are not cached");
  }

  @Example
  void objectGetWithAConstantPathReadsOnlyThatPathAndTheTypeAbove() throws Exception {
    Path dir = Files.createTempDirectory("memo");
    Files.writeString(dir.resolve("p.rego"), """
        package vectorgate

        import rego.v1

        sub := object.get(input, ["identity", "subject"], "anon")

        default given := "error"

        given := object.get(input.x, "a", "none")

        decision := {"allow": true, "sub": sub, "given": given}
        """);
    PlanBundle b = new PlanCompiler(TestPolicies.opa(), BundleLimits.DEFAULTS)
        .compile(PolicyCompiler.CompileRequest.of(dir)).orThrow();
    Memo memo = new Memo(b.policy(), 16);
    Map<String, Integer> byName = new LinkedHashMap<>();
    for (Ir.Func f : b.policy().funcs()) {
      byName.put(f.name(), f.index());
    }
    assertEquals(List.of(List.of("identity", "subject")), memo.paths(byName.get("g0.data.vectorgate.sub")),
        "object.get(input, [\"identity\", \"subject\"], _) does not read the whole input");
    assertEquals(List.of(List.of("x", "a")), memo.paths(byName.get("g0.data.vectorgate.given")));
    assertTrue(memo.shapes(byName.get("g0.data.vectorgate.given")).contains(List.of("x")),
        "object.get fails on a non-object, so the type of input.x is part of the key");
    PlanEvaluator plain = new PlanEvaluator(b.policy(), b.data());
    PlanEvaluator memoized = new PlanEvaluator(b.policy(), b.data(), memo);
    // identity flips between an object and a string, x between an object and a number: each
    // change must be seen although the value at the object.get path stays absent
    List<String> seq = List.of("{\"identity\": {\"subject\": \"a\"}, \"x\": {}}", "{\"identity\": \"a\", \"x\": 5}",
        "{\"identity\": {\"subject\": \"a\"}, \"x\": {\"a\": 1}}", "{\"identity\": {}, \"x\": {}}",
        "{\"identity\": {\"subject\": \"b\"}, \"x\": 5}", "{\"identity\": {\"subject\": \"b\"}, \"x\": {}}",
        "{\"x\": [\"a\"]}", "{\"x\": {}}");
    for (String json : seq) {
      Val in = Val.fromJson(ContractJson.mapper().readTree(json));
      assertEquals(plain.evaluateValue(EngineConfig.DEFAULT_ENTRYPOINT, in, 0),
          memoized.evaluateValue(EngineConfig.DEFAULT_ENTRYPOINT, in, 0), json);
    }
    assertEquals(Val.str("none"), ((Val.Obj) memoized.evaluateValue(EngineConfig.DEFAULT_ENTRYPOINT,
        Val.fromJson(ContractJson.mapper().readTree("{\"x\": {}}")), 0)).get("given"));
    assertEquals(Val.str("error"), ((Val.Obj) memoized.evaluateValue(EngineConfig.DEFAULT_ENTRYPOINT,
        Val.fromJson(ContractJson.mapper().readTree("{\"x\": 5}")), 0)).get("given"),
        "object.get on a number is undefined, also right after a cached {} gave the default");
    assertTrue(memo.hits() > 0);
  }
}
