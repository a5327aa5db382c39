package io.vectorgate.benchmarks;

import io.vectorgate.engine.ActivationReport;
import io.vectorgate.engine.ContractJson;
import io.vectorgate.engine.EngineConfig;
import io.vectorgate.engine.PolicyBundle;
import io.vectorgate.engine.PolicyCompiler;
import io.vectorgate.engine.PolicyEngine;
import io.vectorgate.model.Decision;
import io.vectorgate.model.PolicyInput;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Latency of the first decisions after an activation, with or without the engine's warm-up: the
 * shipped Rego library with the sample organisation, deciding the analyst search of
 * {@code rego-policies/src/test/resources/examples/search.input.json} on one thread.
 *
 * <p>Args: {@code <warmup iterations per instance, 0 = off> <warmup budget ms> <decisions> <scenario>
 * [<engine> <block>]}, scenario {@code start} (a fresh JVM's first activation) or {@code swap} (a hot
 * swap in a JVM that already served {@code decisions × 10} decisions on the previous bundle: the JVM
 * is warm, the new instances' generated classes are not). With an engine ({@code plan} or
 * {@code wasm}) and a block size, the decisions are the analyst search with a changing context (new
 * time, request id and usage each call, {@link DecideBenchmark}'s {@code changing} ring) and the
 * line also has {@code blocks}: p50/p90/p99/max in µs of decisions 1..block, block+1..2·block, ...
 * (for the plan engine, activation builds a fresh memo, so the first decisions fill it). Prints one
 * JSON line. Every decision is checked (allowed,
 * with a row filter and a limit cap), so a fast wrong run cannot pass; the engine's fail-closed
 * denies (a cold evaluation can exceed the 500 ms evaluation timeout on a busy machine) are counted
 * as {@code fail_closed}.
 */
public final class FirstDecisions {
  private FirstDecisions() {}

  private static int failClosed;

  public static void main(String[] args) throws Exception {
    if (args.length != 4 && args.length != 6) {
      System.err.println("usage: FirstDecisions <warmup-iterations> <warmup-budget-ms> <decisions> <start|swap>"
          + " [<plan|wasm> <block>]");
      System.exit(2);
    }
    int iterations = Integer.parseInt(args[0]);
    long budgetMs = Long.parseLong(args[1]);
    int n = Integer.parseInt(args[2]);
    String scenario = args[3];
    if (!scenario.equals("start") && !scenario.equals("swap")) {
      throw new IllegalArgumentException("scenario must be start or swap, was `" + scenario + "`");
    }
    Path root = Path.of(System.getProperty("vectorgate.root", "."));
    Path examples = root.resolve("rego-policies/src/test/resources/examples");
    PolicyInput search = ContractJson.mapper().readValue(Files.readString(examples.resolve("search.input.json")),
        PolicyInput.class);
    int block = args.length == 6 ? Integer.parseInt(args[5]) : 0;
    PolicyInput[] inputs = block > 0 ? DecideBenchmark.ring("changing", search, examples) : new PolicyInput[] {search};
    PolicyCompiler compiler = PolicyCompiler.create();
    Path[] sources = {root.resolve("rego-policies/src/main/rego"), root.resolve("samples/org/data.json")};
    PolicyBundle first = compiler.compile(sources).orThrow();
    EngineConfig.Builder b = EngineConfig.builder().poolSize(Math.max(2, Runtime.getRuntime().availableProcessors()))
        .warmupIterations(iterations).warmupBudget(java.time.Duration.ofMillis(budgetMs));
    if (args.length == 6) {
      b.engine(EngineConfig.Engine.parse(args[4]));
    }
    EngineConfig cfg = b.build();
    try (PolicyEngine engine = new PolicyEngine(cfg)) {
      ActivationReport report;
      if (scenario.equals("swap")) {
        engine.activate(first);
        for (int i = 0; i < n * 10; i++) {
          check(engine.decide(inputs[i % inputs.length]));
        }
        // the same policy again: new instances, so new generated classes that the JIT has not seen
        report = engine.activate(compiler.compile(sources).orThrow());
      } else {
        report = engine.activate(first);
      }
      long[] us = new long[n];
      long[] ns = new long[n];
      long t0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        PolicyInput input = inputs[i % inputs.length];
        long s = System.nanoTime();
        Decision d = engine.decide(input);
        ns[i] = System.nanoTime() - s;
        us[i] = ns[i] / 1000;
        check(d);
      }
      long totalMs = (System.nanoTime() - t0) / 1_000_000;
      long[] sorted = us.clone();
      Arrays.sort(sorted);
      long firstHundred = 0;
      for (int i = 0; i < Math.min(100, n); i++) {
        firstHundred += us[i];
      }
      System.out.println(String.format(Locale.ROOT,
          "{\"scenario\":\"%s\",\"warmup_iterations\":%d,\"warmup_budget_ms\":%d,\"decisions\":%d,"
              + "\"activation_ms\":%d,\"warmup_ms\":%d,\"warmup_evaluations\":%d,"
              + "\"p50_us\":%d,\"p90_us\":%d,\"p99_us\":%d,\"max_us\":%d,\"first100_mean_us\":%d,\"decisions_ms\":%d,\"fail_closed\":%d%s}",
          scenario, iterations, budgetMs, n, report.buildMillis(), report.warmupMillis(), report.warmupEvaluations(),
          pct(sorted, 0.50), pct(sorted, 0.90), pct(sorted, 0.99), sorted[n - 1], firstHundred / Math.min(100, n), totalMs, failClosed,
          block > 0 ? ",\"engine\":\"" + args[4] + "\",\"blocks\":" + blocks(ns, block) : ""));
    }
  }

  /** Per block of {@code size} decisions, in order: p50/p90/p99/max in µs, as a JSON array. */
  private static String blocks(long[] ns, int size) {
    StringBuilder out = new StringBuilder("[");
    for (int from = 0; from < ns.length; from += size) {
      long[] s = Arrays.copyOfRange(ns, from, Math.min(ns.length, from + size));
      Arrays.sort(s);
      out.append(from == 0 ? "" : ",").append(String.format(Locale.ROOT,
          "{\"from\":%d,\"to\":%d,\"p50_us\":%.1f,\"p90_us\":%.1f,\"p99_us\":%.1f,\"max_us\":%.1f}", from + 1,
          from + s.length, pct(s, 0.50) / 1e3, pct(s, 0.90) / 1e3, pct(s, 0.99) / 1e3, s[s.length - 1] / 1e3));
    }
    return out.append("]").toString();
  }

  private static long pct(long[] sorted, double p) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
  }

  private static void check(Decision d) {
    if (!d.allow() && d.reasonCodes().size() == 1
        && List.of("engine_timeout", "pool_exhausted").contains(d.reasonCodes().get(0))) {
      failClosed++;
      return;
    }
    if (!d.allow() || d.obligations().rowFilter().isEmpty() || d.obligations().limitCap() == null) {
      throw new IllegalStateException("unexpected decision: " + d);
    }
  }
}
