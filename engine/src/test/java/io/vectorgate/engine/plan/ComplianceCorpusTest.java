package io.vectorgate.engine.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.vectorgate.engine.BundleLimits;
import io.vectorgate.engine.ContractJson;
import io.vectorgate.engine.OpaCli;
import io.vectorgate.engine.TestPolicies;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * OPA's own compliance corpus ({@code v1/test/cases/testdata/v1} of the pinned OPA module in the Go
 * module cache) through {@code opa build -t plan} and the plan evaluator.
 *
 * <p>Each case with a {@code data.<path> = <var>} query is built with the plan engine's
 * capabilities and evaluated; its result (or error code) must be the case's. Cases are skipped, by
 * reason, when they use a builtin the plan engine lacks (the build refuses it), give their input as
 * a Rego term, expect a builtin error only OPA's strict mode raises (the engine evaluates as OPA's
 * default mode does: such an expression is undefined), or use another query shape.
 *
 * <p>The test command runs the categories in {@link #SUBSET}; the whole corpus is
 * {@code -Dvectorgate.compliance=all} (see docs/engine.md), which writes
 * {@code target/plan-compliance.md}; {@code -Dvectorgate.compliance=cat1,cat2} runs chosen
 * categories. Every run case must pass.
 */
class ComplianceCorpusTest {
  static final Set<String> SUBSET = Set.of("aggregates", "comprehensions", "elsekeyword", "functions",
      "negation", "virtualdocs", "withkeyword", "partialsetdoc", "partialobjectdoc", "completedoc",
      "sets", "defaultkeyword", "every", "indirectreferences", "disjunction");
  private static final Pattern DATA_QUERY = Pattern.compile("data\\.([A-Za-z0-9_.]+) = ([A-Za-z_][A-Za-z0-9_]*)");
  private static final Pattern UNDEFINED_FN = Pattern.compile("undefined function ([A-Za-z0-9_.]+)");
  private static final YAMLMapper YAML = new YAMLMapper();

  @TempDir
  Path work;

  enum Outcome { PASS, FAIL, SKIP_BUILTIN, SKIP_INPUT_TERM, SKIP_STRICT_ERROR, SKIP_QUERY, SKIP_BUILD, SKIP_OPA_EXCEPTION }

  /**
   * Cases OPA itself exempts for its planned evaluation (internal/wasm/sdk/test/e2e/exceptions.yaml
   * of the same OPA version), with OPA's reason: topdown resolves a number key into base data
   * through its storage layer, the planned code does not (opa#3711).
   */
  static final Map<String, String> OPA_EXCEPTIONS = Map.of(
      "data/toplevel integer", "https://github.com/open-policy-agent/opa/issues/3711",
      "data/nested integer", "https://github.com/open-policy-agent/opa/issues/3711");

  record CaseResult(String category, String note, Outcome outcome, String detail) {}

  static Path corpus() {
    String v = TestPolicies.opa().run(null, List.of("version")).stdout().lines()
        .filter(l -> l.startsWith("Version:")).findFirst().orElseThrow().substring(8).strip();
    String modcache = System.getenv().getOrDefault("GOMODCACHE", System.getProperty("user.home") + "/go/pkg/mod");
    Path p = Path.of(modcache, "github.com/open-policy-agent/opa@v" + v, "v1/test/cases/testdata/v1");
    assertTrue(Files.isDirectory(p), "OPA's compliance corpus is missing at " + p
        + " (scripts/install-opa.sh puts the OPA module into the Go module cache; set GOMODCACHE if it is elsewhere)");
    return p;
  }

  @Test
  void everyRunCaseOfTheCorpusPasses() throws Exception {
    String selection = System.getProperty("vectorgate.compliance", "");
    boolean all = selection.equals("all");
    Set<String> chosen = selection.isBlank() || all ? SUBSET : Set.of(selection.split(","));
    Path root = corpus();
    OpaCli opa = TestPolicies.opa();
    PlanCompiler compiler = new PlanCompiler(opa, BundleLimits.DEFAULTS);
    Path caps = compiler.capabilities().writeTo(work.resolve("caps.json"));
    List<CaseResult> results = new ArrayList<>();
    List<Path> files;
    try (Stream<Path> s = Files.walk(root)) {
      files = s.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
    }
    int n = 0;
    for (Path f : files) {
      String category = root.relativize(f).getName(0).toString();
      if (!all && !chosen.contains(category)) {
        continue;
      }
      for (JsonNode c : YAML.readTree(f.toFile()).path("cases")) {
        results.add(run(opa, caps, category, c, work.resolve("c" + n++)));
      }
    }
    String report = report(results);
    if (all) {
      Files.writeString(Path.of("target/plan-compliance.md"), report);
    }
    List<String> failures = results.stream().filter(r -> r.outcome() == Outcome.FAIL)
        .map(r -> r.note() + ": " + r.detail()).toList();
    long passed = results.stream().filter(r -> r.outcome() == Outcome.PASS).count();
    assertTrue(passed >= (all ? 1000 : chosen == SUBSET ? 400 : 1), "too few cases ran: " + report);
    assertEquals(List.of(), failures, report);
  }

  private CaseResult run(OpaCli opa, Path caps, String category, JsonNode c, Path dir) throws IOException {
    String note = c.path("note").asText();
    if (OPA_EXCEPTIONS.containsKey(note)) {
      return new CaseResult(category, note, Outcome.SKIP_OPA_EXCEPTION, OPA_EXCEPTIONS.get(note));
    }
    Matcher q = DATA_QUERY.matcher(c.path("query").asText());
    if (!q.matches() || q.group(2).equals("input") || q.group(2).equals("data")) {
      return new CaseResult(category, note, Outcome.SKIP_QUERY, c.path("query").asText());
    }
    if (c.has("input_term")) {
      return new CaseResult(category, note, Outcome.SKIP_INPUT_TERM, "input given as a Rego term");
    }
    Files.createDirectories(dir);
    int i = 0;
    for (JsonNode m : c.path("modules")) {
      Files.writeString(dir.resolve("m" + i++ + ".rego"), m.asText());
    }
    if (c.has("data")) {
      Files.writeString(dir.resolve("data.json"), ContractJson.mapper().writeValueAsString(c.get("data")));
    }
    String entrypoint = q.group(1).replace('.', '/');
    Path out = dir.resolve("b.tar.gz");
    OpaCli.Result built = opa.run(null, List.of("build", "-t", "plan", "--capabilities", caps.toString(),
        "-e", entrypoint, "-o", out.toString(), dir.toString()));
    if (!built.ok()) {
      Matcher m = UNDEFINED_FN.matcher(built.stderr() + built.stdout());
      if (m.find()) {
        return new CaseResult(category, note, Outcome.SKIP_BUILTIN, m.group(1));
      }
      return new CaseResult(category, note, Outcome.SKIP_BUILD, firstLine(built.stderr() + built.stdout()));
    }
    PlanBundle bundle;
    try {
      bundle = PlanBundle.read(Files.readAllBytes(out), BundleLimits.DEFAULTS, Builtins.standard());
    } catch (PlanException e) {
      return new CaseResult(category, note, Outcome.FAIL, "plan not loadable: " + e.getMessage());
    }
    Val input = c.has("input") ? Val.fromJson(c.get("input")) : null;
    Instant now = Instant.now();
    Val got;
    String errorCode = null;
    try {
      got = new PlanEvaluator(bundle.policy(), bundle.data()).evaluateValue(entrypoint, input,
          now.getEpochSecond() * 1_000_000_000L + now.getNano());
    } catch (PlanEvaluator.EvalError e) {
      got = null;
      errorCode = e.code();
    } catch (RuntimeException | StackOverflowError e) {
      return new CaseResult(category, note, Outcome.FAIL, "evaluation failed: " + e);
    }
    String wantCode = c.path("want_error_code").asText(null);
    if (wantCode != null) {
      if (wantCode.equals(errorCode)) {
        return new CaseResult(category, note, Outcome.PASS, wantCode);
      }
      if (c.path("strict_error").asBoolean(false) && errorCode == null && got == null) {
        return new CaseResult(category, note, Outcome.SKIP_STRICT_ERROR, wantCode);
      }
      return new CaseResult(category, note, Outcome.FAIL, "want error " + wantCode + ", got "
          + (errorCode != null ? errorCode : got));
    }
    if (errorCode != null) {
      return new CaseResult(category, note, Outcome.FAIL, "unexpected error " + errorCode);
    }
    JsonNode want = c.path("want_result");
    Val expected = want.size() == 0 ? null : Val.fromJson(want.get(0).get(q.group(2)));
    Val actual = got;
    if (c.path("sort_bindings").asBoolean(false) && expected instanceof Val.Arr e && actual instanceof Val.Arr a) {
      // OPA's runner sorts a binding's array when the case says its order is not defined
      expected = new Val.Arr(sorted(e.items));
      actual = new Val.Arr(sorted(a.items));
    }
    if (expected == null ? actual == null : actual != null && opaEquals(actual, expected)) {
      return new CaseResult(category, note, Outcome.PASS, "");
    }
    return new CaseResult(category, note, Outcome.FAIL, "want " + (expected == null ? "undefined" : expected)
        + ", got " + (actual == null ? "undefined" : actual));
  }

  private static List<Val> sorted(List<Val> items) {
    List<Val> out = new ArrayList<>(items);
    java.util.Collections.sort(out);
    return out;
  }

  /**
   * Our value against the case's JSON: a set matches an array of the same elements in any order
   * (JSON has no sets), everything else matches structurally.
   */
  static boolean opaEquals(Val ours, Val want) {
    if (ours instanceof Val.SetV s && want instanceof Val.Arr a) {
      if (s.set.size() != a.items.size()) {
        return false;
      }
      List<Val> left = new ArrayList<>(a.items);
      for (Val x : s.set) {
        boolean found = false;
        for (int i = 0; i < left.size() && !found; i++) {
          if (opaEquals(x, left.get(i))) {
            left.remove(i);
            found = true;
          }
        }
        if (!found) {
          return false;
        }
      }
      return true;
    }
    if (ours instanceof Val.Arr x && want instanceof Val.Arr y) {
      if (x.items.size() != y.items.size()) {
        return false;
      }
      for (int i = 0; i < x.items.size(); i++) {
        if (!opaEquals(x.items.get(i), y.items.get(i))) {
          return false;
        }
      }
      return true;
    }
    if (ours instanceof Val.Obj x && want instanceof Val.Obj y) {
      if (x.map.size() != y.map.size()) {
        return false;
      }
      for (Map.Entry<Val, Val> e : x.map.entrySet()) {
        Val k = e.getKey() instanceof Val.Str ? e.getKey() : Val.str(e.getKey().toString());
        Val w = y.map.get(k);
        if (w == null || !opaEquals(e.getValue(), w)) {
          return false;
        }
      }
      return true;
    }
    return ours.equals(want);
  }

  private static String firstLine(String s) {
    return s.lines().filter(l -> !l.isBlank()).findFirst().orElse("").strip();
  }

  /** A markdown table: per category, cases by outcome. */
  static String report(List<CaseResult> results) {
    Map<String, Map<Outcome, Integer>> by = new TreeMap<>();
    Map<Outcome, Integer> total = new TreeMap<>();
    for (CaseResult r : results) {
      by.computeIfAbsent(r.category(), k -> new TreeMap<>()).merge(r.outcome(), 1, Integer::sum);
      total.merge(r.outcome(), 1, Integer::sum);
    }
    StringBuilder sb = new StringBuilder("| category |");
    for (Outcome o : Outcome.values()) {
      sb.append(' ').append(o.name().toLowerCase(java.util.Locale.ROOT)).append(" |");
    }
    sb.append("\n|---|").append("---:|".repeat(Outcome.values().length)).append('\n');
    by.forEach((cat, m) -> {
      sb.append("| ").append(cat).append(" |");
      for (Outcome o : Outcome.values()) {
        sb.append(' ').append(m.getOrDefault(o, 0)).append(" |");
      }
      sb.append('\n');
    });
    sb.append("| **total** |");
    for (Outcome o : Outcome.values()) {
      sb.append(' ').append(total.getOrDefault(o, 0)).append(" |");
    }
    sb.append('\n');
    Map<String, Integer> builtins = new TreeMap<>();
    results.stream().filter(r -> r.outcome() == Outcome.SKIP_BUILTIN).forEach(r -> builtins.merge(r.detail(), 1, Integer::sum));
    sb.append("\nSkipped for a builtin the plan engine lacks: ").append(builtins).append('\n');
    results.stream().filter(r -> r.outcome() == Outcome.FAIL)
        .forEach(r -> sb.append("\nFAIL ").append(r.note()).append(": ").append(r.detail()));
    results.stream().filter(r -> r.outcome() == Outcome.SKIP_BUILD)
        .forEach(r -> sb.append("\nSKIP_BUILD ").append(r.note()).append(": ").append(r.detail()));
    return sb.toString();
  }
}
