package io.vectorgate.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import io.vectorgate.model.RequestContext;
import io.vectorgate.model.Usage;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Example;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;

/**
 * Per-rule memoization across decisions: on random sequences of inputs (changing identities,
 * collections, actions, times, usage counters, request ids; inputs without a time, so that the
 * library's {@code now_ns} takes its {@code time.now_ns()} branch, with a clock of its own) a
 * memoized evaluator gives exactly the results of an unmemoized one, on the shipped library and
 * every DSL golden policy; and the memo does hit.
 */
class PlanMemoProperties {
  private static final Path ROOT = Path.of(System.getProperty("vectorgate.root"));
  private static final Map<String, PlanBundle> BUNDLES = new LinkedHashMap<>();

  @BeforeContainer
  static void compile() throws Exception {
    PlanCompiler c = new PlanCompiler(TestPolicies.opa(), BundleLimits.DEFAULTS);
    BUNDLES.put("library", c.compile(PolicyCompiler.CompileRequest.of(ROOT.resolve("rego-policies/src/main/rego"),
        ROOT.resolve("samples/org/data.json"))).orThrow());
    BUNDLES.put("multi-body deny", compileRego(MULTI_BODY_DENY));
    Path core = ROOT.resolve("rego-policies/src/main/rego/vectorgate/core.rego");
    try (Stream<Path> s = Files.list(ROOT.resolve("dsl/src/test/resources/golden"))) {
      for (Path g : s.filter(p -> p.toString().endsWith(".rego")).sorted().toList()) {
        BUNDLES.put(g.getFileName().toString(), c.compile(PolicyCompiler.CompileRequest.of(g, core)).orThrow());
      }
    }
  }

  /** One decision of a sequence: the input, and the clock {@code time.now_ns} reads. */
  record Step(PolicyInput input, long clock) {}

  @Property(tries = 60)
  void memoizedEqualsUnmemoized(@ForAll("sequences") List<Step> steps) throws Exception {
    List<Val> vals = new ArrayList<>();
    for (Step s : steps) {
      vals.add(Val.fromJson(ContractJson.mapper().valueToTree(s.input())));
    }
    long hits = 0;
    for (Map.Entry<String, PlanBundle> b : BUNDLES.entrySet()) {
      PlanEvaluator plain = new PlanEvaluator(b.getValue().policy(), b.getValue().data());
      Memo memo = new Memo(b.getValue().policy(), 8); // small, so the bound is exercised too
      PlanEvaluator memoized = new PlanEvaluator(b.getValue().policy(), b.getValue().data(), memo);
      for (int i = 0; i < vals.size(); i++) {
        long now = steps.get(i).clock();
        Val want = plain.evaluateValue(EngineConfig.DEFAULT_ENTRYPOINT, vals.get(i), now);
        Val got = memoized.evaluateValue(EngineConfig.DEFAULT_ENTRYPOINT, vals.get(i), now);
        assertEquals(want, got, b.getKey() + " input " + i + ": " + steps.get(i));
      }
      hits += memo.hits();
    }
    Statistics.label("memo hits").collect(hits > 0);
    Statistics.label("memo hits").coverage(c -> c.check(true).percentage(p -> p > 50));
  }

  /**
   * Sequences where a decision is either a new random input or the previous one with a new
   * context (as a client's next request: a later time, a new request id, moved usage counters),
   * so cached results are looked up across both kinds of change; a time of 0 means "not sent".
   */
  @Provide
  Arbitrary<List<Step>> sequences() {
    Arbitrary<PolicyInput> fresh = new PlanDifferentialProperties().inputs();
    Arbitrary<long[]> contexts = Arbitraries.longs().between(0, 14 * 86_400L).array(long[].class).ofSize(6);
    Arbitrary<Integer> kinds = Arbitraries.integers().between(0, 9);
    return Combinators.combine(fresh, contexts, kinds).as((in, c, kind) -> new Object[] {in, c, kind})
        .list().ofMinSize(2).ofMaxSize(25).map(raw -> {
          List<Step> out = new ArrayList<>();
          PolicyInput prev = null;
          for (Object[] o : raw) {
            long[] c = (long[]) o[1];
            int kind = (Integer) o[2];
            PolicyInput base = prev == null || kind < 4 ? (PolicyInput) o[0] : prev;
            long t = 1_767_225_600_000_000_000L + c[0] * 1_000_000_000L;
            long clock = 1_767_225_600_000_000_000L + c[1] * 1_000_000_000L;
            boolean sendsTime = kind != 9;
            RequestContext rc = new RequestContext(java.time.Instant.ofEpochSecond(t / 1_000_000_000L).toString(),
                sendsTime ? t : 0, "127.0.0.1", "req-" + c[2], new Usage(c[3] % 1300, c[4] % 6000, c[5] % 600, c[2] % 30));
            prev = PolicyInput.of(base.identity(), base.connection(), base.operation(), rc);
            out.add(new Step(prev, sendsTime ? t : clock));
          }
          return out;
        });
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

  private static PlanBundle compileRego(String rego) throws Exception {
    Path dir = Files.createTempDirectory("memo");
    Files.writeString(dir.resolve("p.rego"), rego);
    return new PlanCompiler(TestPolicies.opa(), BundleLimits.DEFAULTS).compile(PolicyCompiler.CompileRequest.of(dir))
        .orThrow();
  }

  private static Map<String, Integer> funcs(PlanBundle b) {
    Map<String, Integer> byName = new LinkedHashMap<>();
    for (Ir.Func f : b.policy().funcs()) {
      byName.put(f.name(), f.index());
    }
    return byName;
  }

  private static Val json(String s) throws Exception {
    return Val.fromJson(ContractJson.mapper().readTree(s));
  }

  @Example
  void withIsNeverCachedAndInputPathsAreFound() throws Exception {
    PlanBundle b = compileRego("""
        package vectorgate

        import rego.v1

        default admin := false

        admin if "admins" in input.identity.groups

        default mocked := false

        mocked if admin with input.identity.groups as ["admins"]

        decision := {"allow": admin, "mocked": mocked}
        """);
    Memo memo = new Memo(b.policy(), 16);
    Map<String, Integer> byName = funcs(b);
    int admin = byName.get("g0.data.vectorgate.admin");
    assertTrue(memo.cached(admin));
    assertEquals(List.of(List.of("identity", "groups")), memo.paths(admin));
    assertFalse(memo.cached(byName.get("g0.data.vectorgate.mocked")), "with is never cached");
    assertEquals(List.of(), memo.paths(byName.get("g0.data.vectorgate.decision")),
        "decision reads no input itself: it is keyed on the results of the rules it calls");
    PlanEvaluator memoized = new PlanEvaluator(b.policy(), b.data(), memo);
    for (int i = 0; i < 3; i++) {
      Val out = memoized.evaluateValue(EngineConfig.DEFAULT_ENTRYPOINT, json("{\"identity\": {\"groups\": []}}"), 0);
      assertEquals(json("{\"allow\": false, \"mocked\": true}"), out, "admin is false here but true under `with`");
    }
  }

  /**
   * The write-window shape of the shipped library: a clock rule that reads the request time, else
   * {@code time.now_ns()}. Its result is cached only when the evaluation did not run the builtin;
   * rules above it are keyed on its result, and rules that never call it are not re-evaluated when
   * the time changes.
   */
  private static final Val ALLOWED = new Val.Obj(Map.of(Val.str("allow"), Val.TRUE, Val.str("deny"), new Val.SetV()));

  @Example
  void aClockRuleIsReEvaluatedOnlyWhenItRanTheBuiltinAndItsCallersKeyOnItsResult() throws Exception {
    PlanBundle b = compileRego("""
        package vectorgate

        import rego.v1

        now_ns := t if {
        	t := input.time_ns
        	is_number(t)
        	t > 0
        } else := time.now_ns()

        hour := floor(now_ns / 3600000000000)

        night if hour % 24 < 6

        writer if "writers" in input.groups

        deny contains "night write" if {
        	input.action == "insert"
        	night
        }

        deny contains "not a writer" if {
        	input.action == "insert"
        	not writer
        }

        decision := {"allow": count(deny) == 0, "deny": deny}
        """);
    Memo memo = new Memo(b.policy(), 64);
    PlanEvaluator plain = new PlanEvaluator(b.policy(), b.data());
    PlanEvaluator memoized = new PlanEvaluator(b.policy(), b.data(), memo);
    long hour = 3_600_000_000_000L;
    long day = 24 * hour;
    // a read changes every decision (time, clock); decisions differ by action, groups, time of day
    for (int i = 0; i < 200; i++) {
      long t = 1000 * day + (i % 24) * hour + i;
      String action = i % 3 == 0 ? "search" : "insert";
      String groups = i % 5 == 0 ? "[]" : "[\"writers\"]";
      boolean sendsTime = i % 4 != 1;
      Val in = json("{\"action\": \"" + action + "\", \"groups\": " + groups
          + (sendsTime ? ", \"time_ns\": " + t : "") + "}");
      long clock = 2000 * day + ((i * 7) % 24) * hour + i;
      assertEquals(plain.evaluateValue(EngineConfig.DEFAULT_ENTRYPOINT, in, clock),
          memoized.evaluateValue(EngineConfig.DEFAULT_ENTRYPOINT, in, clock), "decision " + i + ": " + in);
    }
    Map<String, Integer> byName = funcs(b);
    assertTrue(memo.cached(byName.get("g0.data.vectorgate.now_ns")), "cacheable when the builtin is not run");
    Map<String, Long> before = memo.missesByRule();
    // searches at new times: deny never calls night, so nothing above the clock is re-evaluated
    for (int i = 0; i < 50; i++) {
      Val in = json("{\"action\": \"search\", \"groups\": [], \"time_ns\": " + (3000 * day + i * hour + i) + "}");
      assertEquals(ALLOWED, memoized.evaluateValue(EngineConfig.DEFAULT_ENTRYPOINT, in, 0));
    }
    assertEquals(before, memo.missesByRule(), "a time the evaluation never reads re-evaluates nothing");
    // inserts by a writer at new daytime minutes: the clock rules re-run, deny and decision do not
    // once their callees' results repeat
    for (int i = 0; i < 50; i++) {
      Val in = json("{\"action\": \"insert\", \"groups\": [\"writers\"], \"time_ns\": "
          + (4000 * day + 12 * hour + i * 60_000_000_000L) + "}");
      assertEquals(ALLOWED, memoized.evaluateValue(EngineConfig.DEFAULT_ENTRYPOINT, in, 0));
    }
    Map<String, Long> after = memo.missesByRule();
    assertEquals(before.get("g0.data.vectorgate.now_ns") + 50, after.get("g0.data.vectorgate.now_ns"));
    assertTrue(after.get("g0.data.vectorgate.deny") - before.get("g0.data.vectorgate.deny") <= 1,
        "deny is keyed on night's result, which stays false: " + before + " -> " + after);
    assertTrue(after.get("g0.data.vectorgate.decision") - before.get("g0.data.vectorgate.decision") <= 1);
    // without a time, the clock rule runs time.now_ns every decision and is never stored
    long nowMisses = after.get("g0.data.vectorgate.now_ns");
    for (int i = 0; i < 10; i++) {
      Val in = json("{\"action\": \"insert\", \"groups\": [\"writers\"]}");
      long clock = 5000 * day + (i < 5 ? 2 : 12) * hour;
      assertEquals(plain.evaluateValue(EngineConfig.DEFAULT_ENTRYPOINT, in, clock),
          memoized.evaluateValue(EngineConfig.DEFAULT_ENTRYPOINT, in, clock));
      assertEquals(nowMisses + i + 1, memo.missesByRule().get("g0.data.vectorgate.now_ns"),
          "time.now_ns ran, so nothing was stored");
    }
  }

  @Example
  void objectGetWithAPathOfConstantsThenAVariableReadsTheValueUnderTheConstantPrefix() throws Exception {
    PlanBundle b = compileRego("""
        package vectorgate

        import rego.v1

        usage(key) := object.get(input, ["context", "usage", key], 0)

        default over := false

        over if {
        	some k in ["rows"]
        	usage(k) > 10
        }

        decision := {"allow": over == false}
        """);
    Memo memo = new Memo(b.policy(), 16);
    int over = funcs(b).get("g0.data.vectorgate.over");
    assertEquals(List.of(List.of("context", "usage")), memo.paths(over),
        "the key is not a constant at the call: the whole usage object, but not the whole input");
    PlanEvaluator plain = new PlanEvaluator(b.policy(), b.data());
    PlanEvaluator memoized = new PlanEvaluator(b.policy(), b.data(), memo);
    for (int i = 0; i < 30; i++) {
      // a new request id every time; the usage changes every 10th request
      Val in = json("{\"context\": {\"request_id\": \"r" + i + "\", \"usage\": {\"rows\": " + (i / 10) * 6 + "}}}");
      assertEquals(plain.evaluateValue(EngineConfig.DEFAULT_ENTRYPOINT, in, 0),
          memoized.evaluateValue(EngineConfig.DEFAULT_ENTRYPOINT, in, 0), "request " + i);
    }
    assertEquals(3L, memo.missesByRule().get("g0.data.vectorgate.over"), "re-evaluated only when the usage changed");
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
  /**
   * A partial set rule of many bodies, as the library's deny: some read the usage counters (directly,
   * through a function, through a rule), some the identity or action only, one the clock (a
   * non-deterministic builtin, never stored), one a {@code with}, one a scan over the groups; two
   * add the same message. Its bodies become rules of their own (memoized each on its own reads).
   */
  static final String MULTI_BODY_DENY = """
      package vectorgate

      import rego.v1

      usage(key) := object.get(input, ["context", "usage", key], 0)

      busy if usage("requests_last_minute") > 500

      deny contains "too many rows" if input.context.usage.rows_last_hour > 2000

      deny contains sprintf("vectors %d", [usage("vectors_last_hour")]) if usage("vectors_last_hour") > 300

      deny contains "busy" if busy

      deny contains "no subject" if not input.identity.subject

      deny contains "no groups" if count(object.get(input, ["identity", "groups"], [])) == 0

      deny contains msg if {
      	some g in input.identity.groups
      	startswith(g, "ban")
      	msg := concat(" ", ["banned group", g])
      }

      deny contains "delete" if input.operation.action == "delete"

      deny contains "busy" if input.context.usage.requests_last_minute > 900

      deny contains "late" if time.now_ns() % 7 == 0

      deny contains "no action" if {
      	not input.operation.action with input.operation as {"action": input.identity.subject}
      }

      deny contains "odd request" if endswith(input.context.request_id, "7")

      decision := {"allow": count(deny) == 0, "deny": deny}
      """;

  @Example
  void aMultiBodyPartialSetRuleReRunsOnlyTheBodiesThatReadWhatChanged() throws Exception {
    PlanBundle b = BUNDLES.get("multi-body deny");
    Map<String, Integer> byName = funcs(b);
    List<String> bodies = byName.keySet().stream().filter(n -> n.startsWith("g0.data.vectorgate.deny#body")).toList();
    assertEquals(11, bodies.size(), "one rule per body: " + byName.keySet());
    Memo memo = new Memo(b.policy(), 64);
    PlanEvaluator plain = new PlanEvaluator(b.policy(), b.data());
    PlanEvaluator memoized = new PlanEvaluator(b.policy(), b.data(), memo);
    String fixed = "\"identity\": {\"subject\": \"ann\", \"groups\": [\"eng\", \"ban-x\"]},"
        + " \"operation\": {\"action\": \"search\"}";
    for (int i = 0; i < 40; i++) {
      // the same caller and action; the request id and the usage counters move every decision
      Val in = json("{" + fixed + ", \"context\": {\"request_id\": \"r" + i + "\", \"usage\": {"
          + "\"requests_last_minute\": " + (i * 37 % 1000) + ", \"rows_last_hour\": " + (i * 101 % 2500)
          + ", \"vectors_last_hour\": " + (i * 13 % 400) + "}}}");
      long clock = 1_000_000L + i;
      assertEquals(plain.evaluateValue(EngineConfig.DEFAULT_ENTRYPOINT, in, clock),
          memoized.evaluateValue(EngineConfig.DEFAULT_ENTRYPOINT, in, clock), "decision " + i);
    }
    Map<String, Long> misses = memo.missesByRule();
    int reRun = 0;
    for (String body : bodies) {
      List<List<String>> paths = memo.paths(byName.get(body));
      boolean readsContext = paths == null || paths.stream().anyMatch(p -> p.get(0).equals("context"));
      boolean clock = Stream.of(b.policy().funcs().get(byName.get(body)).blocks().get(1).stmts())
          .anyMatch(s -> s instanceof Ir.Call c && c.name().equals("time.now_ns"));
      long m = misses.getOrDefault(body, 0L);
      if (readsContext || clock) {
        reRun++;
      } else {
        // at most once per result of a rule it calls (busy: true or false)
        assertTrue(m <= 2, body + " reads " + paths + " only, which never changed, yet missed " + m + " times");
      }
    }
    assertTrue(reRun >= 4 && reRun < bodies.size(), "the usage and request id bodies are the changing ones: "
        + reRun + " of " + bodies.size());
    assertTrue(memo.hits() > 0);
  }

  @Example
  void theLibrarysDenyIsSplitAndMostOfItsBodiesDoNotReadTheUsage() {
    PlanBundle b = BUNDLES.get("library");
    Memo memo = new Memo(b.policy(), 16);
    int bodies = 0;
    int usage = 0;
    for (Ir.Func f : b.policy().funcs()) {
      if (f.name().startsWith("g0.data.vectorgate.library.deny#body")) {
        bodies++;
        List<List<String>> paths = memo.paths(f.index());
        if (paths == null || paths.stream().anyMatch(p -> p.size() >= 2 && p.get(0).equals("context")
            && p.get(1).equals("usage")) || paths.contains(List.of("context")) || paths.contains(List.of())) {
          usage++;
        }
      }
    }
    assertTrue(bodies > 10, "library.deny split into one rule per body, found " + bodies);
    assertTrue(usage > 0 && usage < bodies / 2, usage + " of " + bodies + " bodies read the usage counters");
  }

  @Example
  void aFunctionCalledWithAConstantReadsOnlyThePathThatConstantNames() throws Exception {
    PlanBundle b = compileRego(COUNTERS);
    Memo memo = new Memo(b.policy(), 16);
    Map<String, Integer> byName = funcs(b);
    List<List<String>> all = new ArrayList<>();
    for (String n : byName.keySet()) {
      if (n.startsWith("g0.data.vectorgate.deny#body") && memo.paths(byName.get(n)) != null) {
        all.addAll(memo.paths(byName.get(n)));
      }
    }
    assertTrue(all.containsAll(List.of(List.of("context", "usage", "rows"), List.of("context", "usage", "pages"),
        List.of("context", "usage", "requests"))), "usage(\"rows\") reads input.context.usage.rows: " + all);
    assertTrue(all.contains(List.of("context", "usage")), "usage(k) with k from a scan reads the whole usage: " + all);
    PlanEvaluator plain = new PlanEvaluator(b.policy(), b.data());
    PlanEvaluator memoized = new PlanEvaluator(b.policy(), b.data(), memo);
    for (int i = 0; i < 60; i++) {
      // rows moves every decision, pages every 20th, requests never: only the rows bodies re-run
      Val in = json("{\"context\": {\"request_id\": \"r" + i + "\", \"usage\": {\"rows\": " + i
          + ", \"pages\": " + (i / 20) + ", \"requests\": 1}}}");
      assertEquals(plain.evaluateValue(EngineConfig.DEFAULT_ENTRYPOINT, in, 0),
          memoized.evaluateValue(EngineConfig.DEFAULT_ENTRYPOINT, in, 0), "request " + i);
    }
    for (String n : byName.keySet()) {
      List<List<String>> paths = n.startsWith("g0.data.vectorgate.deny#body") ? memo.paths(byName.get(n)) : null;
      if (paths != null && paths.equals(List.of(List.of("context", "usage", "pages")))) {
        assertTrue(memo.missesByRule().getOrDefault(n, 0L) <= 3, n + " reads only pages, which changed twice: "
            + memo.missesByRule());
      }
      if (paths != null && paths.equals(List.of(List.of("context", "usage", "requests")))) {
        assertTrue(memo.missesByRule().getOrDefault(n, 0L) <= 1, n + " reads only requests, which never changed: "
            + memo.missesByRule());
      }
    }
  }

  /** Usage counters read through functions with constant keys, a dot on a parameter, a nested call, a scan. */
  static final String COUNTERS = """
      package vectorgate

      import rego.v1

      usage(key) := object.get(input, ["context", "usage", key], 0)

      dot(key) := input.context.usage[key]

      nested(key) := usage(key)

      deny contains sprintf("rows %v", [usage("rows")]) if usage("rows") > 10

      deny contains concat(" ", ["rows is", json.marshal(usage("rows"))]) if is_number(usage("rows"))

      deny contains "pages" if dot("pages") >= 1

      deny contains "requests" if nested("requests") == 1

      deny contains "not a number" if not is_number(usage("requests"))

      deny contains "generic" if {
      	some k in ["rows", "pages"]
      	usage(k) == 2
      }

      decision := {"allow": count(deny) == 0, "deny": deny}
      """;

  private static final com.fasterxml.jackson.databind.ObjectReader EXACT = ContractJson.mapper().reader()
      .with(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .with(com.fasterxml.jackson.databind.node.JsonNodeFactory.withExactBigDecimals(true));

  /**
   * The memo keys a counter by its value (an integer is its own id): on random sequences of usage
   * objects whose counters are absent, null, equal numbers of different text (1, 1.0, 1e0), strings,
   * integers at the edges of the directly keyed range and beyond int64, decimals, or a usage that is
   * not an object, memoized and unmemoized evaluation agree, on the shipped library (the analyst
   * search), the multi-body deny and {@link #COUNTERS}.
   */
  @Property(tries = 40)
  void countersOfEveryRepresentationAreKeyedExactly(@ForAll("usageSequences") List<String> usages) throws Exception {
    String search = Files.readString(ROOT.resolve("rego-policies/src/test/resources/examples/search.input.json"));
    com.fasterxml.jackson.databind.node.ObjectNode base = (com.fasterxml.jackson.databind.node.ObjectNode)
        EXACT.readTree(search);
    List<Val> vals = new ArrayList<>();
    for (int i = 0; i < usages.size(); i++) {
      com.fasterxml.jackson.databind.node.ObjectNode in = base.deepCopy();
      com.fasterxml.jackson.databind.node.ObjectNode ctx = (com.fasterxml.jackson.databind.node.ObjectNode) in.get("context");
      ctx.put("request_id", "r" + i);
      if (usages.get(i) == null) {
        ctx.remove("usage");
      } else {
        ctx.set("usage", EXACT.readTree(usages.get(i)));
      }
      vals.add(Val.fromJson(in));
    }
    List<PlanBundle> bundles = List.of(BUNDLES.get("library"), BUNDLES.get("multi-body deny"), compileRego(COUNTERS));
    for (PlanBundle b : bundles) {
      PlanEvaluator plain = new PlanEvaluator(b.policy(), b.data());
      PlanEvaluator memoized = new PlanEvaluator(b.policy(), b.data(), new Memo(b.policy(), 8));
      for (int i = 0; i < vals.size(); i++) {
        Val want;
        try {
          want = plain.evaluateValue(EngineConfig.DEFAULT_ENTRYPOINT, vals.get(i), 1_000_000L);
        } catch (io.vectorgate.engine.plan.PlanException e) {
          want = Val.str("error " + e.getMessage());
        }
        Val got;
        try {
          got = memoized.evaluateValue(EngineConfig.DEFAULT_ENTRYPOINT, vals.get(i), 1_000_000L);
        } catch (io.vectorgate.engine.plan.PlanException e) {
          got = Val.str("error " + e.getMessage());
        }
        assertEquals(want, got, "input " + i + " usage " + usages.get(i));
        if (want != null) {
          assertEquals(want.toString(), got.toString(), "the same text (1 and 1.0 print differently), input " + i);
        }
      }
    }
  }

  @Provide
  Arbitrary<List<String>> usageSequences() {
    Arbitrary<String> counter = Arbitraries.of("null", "0", "1", "1.0", "1e0", "10", "10.0", "11", "2", "2.0",
        "1300", "\"1\"", "\"11\"", "true", "[1]", "{}", "0.5", "-1", "-0", "1e400",
        "2305843009213693951", "2305843009213693952", "-2305843009213693952", "-2305843009213693953",
        "9223372036854775807", "-9223372036854775808", "12345678901234567890", "6000", "600");
    List<String> keys = List.of("requests_last_minute", "rows_last_hour", "vectors_last_hour", "pages_last_hour",
        "rows", "pages", "requests");
    Arbitrary<String> object = counter.injectNull(0.2).list().ofSize(keys.size()).map(cs -> {
      StringBuilder sb = new StringBuilder("{");
      for (int i = 0; i < cs.size(); i++) {
        if (cs.get(i) != null) {
          sb.append(sb.length() > 1 ? ", " : "").append('"').append(keys.get(i)).append("\": ").append(cs.get(i));
        }
      }
      return sb.append('}').toString();
    });
    Arbitrary<String> usage = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(12, object),
        net.jqwik.api.Tuple.of(1, Arbitraries.of("null", "\"busy\"", "[]", "[1, 2]", "{}", "7")),
        net.jqwik.api.Tuple.of(1, Arbitraries.just((String) null)));
    // repeats of the previous usage, so cached entries are looked up, not only stored
    return usage.list().ofMinSize(2).ofMaxSize(30).map(us -> {
      List<String> out = new ArrayList<>(us);
      for (int i = 1; i < out.size(); i += 3) {
        out.set(i, out.get(i - 1));
      }
      return out;
    });
  }
}
