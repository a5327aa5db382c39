package io.vectorgate.benchmarks;

import io.vectorgate.engine.EngineConfig;
import io.vectorgate.engine.Evaluation;
import io.vectorgate.engine.PolicyBundle;
import io.vectorgate.engine.PolicyEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Per-rule cost of a policy in the Wasm engine, for finding where decision time goes: compiles the
 * sources with one extra entrypoint per named rule, then evaluates every entrypoint on the same
 * input in interleaved rounds (so load on a shared machine hits all of them alike) and prints the
 * median and minimum microseconds of {@code PolicyEngine.evaluate} per entrypoint. Rule costs
 * overlap (a rule's time includes the rules it needs); the engine's fixed overhead is the cost of
 * the cheapest entrypoint. Not a JMH benchmark: a diagnostic, results are never assertions.
 *
 * <p>Usage: {@code RuleTimings <input.json> <seconds> <entrypoint,entrypoint,...> <source>...}
 */
public final class RuleTimings {
  private RuleTimings() {}

  /**
   * {@code opa build -t wasm --prune-unused}: without pruning, OPA turns every rule that depends on
   * an entrypoint into an entrypoint too, and a function among them fails the build.
   */
  private static PolicyBundle build(Path[] sources, String[] eps) throws Exception {
    String opa = System.getProperty("vectorgate.opa",
        Path.of(System.getProperty("vectorgate.root", ".")).resolve("tools/bin/opa").toString());
    Path out = Files.createTempFile("vectorgate-rule-timings", ".tar.gz");
    try {
      List<String> cmd = new ArrayList<>(List.of(opa, "build", "-t", "wasm", "--prune-unused", "--ignore",
          "*_test.rego", "-o", out.toString()));
      for (String ep : eps) {
        cmd.add("-e");
        cmd.add(ep);
      }
      Arrays.stream(sources).map(Path::toString).forEach(cmd::add);
      Process p = new ProcessBuilder(cmd).inheritIO().start();
      if (p.waitFor() != 0) {
        throw new IllegalStateException("opa build failed: " + cmd);
      }
      return PolicyBundle.read(out);
    } finally {
      Files.deleteIfExists(out);
    }
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 4) {
      System.err.println("usage: RuleTimings <input.json> <seconds> <entrypoint,...> <source>...");
      System.exit(2);
    }
    String input = Files.readString(Path.of(args[0]));
    long seconds = Long.parseLong(args[1]);
    String[] eps = args[2].split(",");
    Path[] sources = Arrays.stream(args, 3, args.length).map(Path::of).toArray(Path[]::new);
    PolicyBundle bundle = build(sources, eps);
    try (PolicyEngine engine = PolicyEngine.start(EngineConfig.builder().poolSize(1).entrypoint(eps[0]).build(),
        bundle)) {
      for (String ep : eps) {
        Evaluation ev = engine.evaluate(ep, input);
        String shown = String.valueOf(ev.result());
        System.err.printf("%-40s %s %s%n", ep, ev.status(), shown.length() > 160 ? shown.substring(0, 160) + "..." : shown);
      }
      List<List<Long>> samples = new ArrayList<>();
      for (int i = 0; i < eps.length; i++) {
        samples.add(new ArrayList<>());
      }
      long end = System.nanoTime() + seconds * 1_000_000_000L;
      long warmEnd = System.nanoTime() + Math.max(2, seconds / 3) * 1_000_000_000L;
      while (System.nanoTime() < end) {
        boolean warm = System.nanoTime() < warmEnd;
        for (int i = 0; i < eps.length; i++) {
          for (int k = 0; k < 20; k++) {
            long t0 = System.nanoTime();
            Evaluation ev = engine.evaluate(eps[i], input);
            long dt = System.nanoTime() - t0;
            if (ev.status() == Evaluation.Status.FAILED) {
              throw new IllegalStateException(eps[i] + ": " + ev.reasonCode() + " " + ev.message());
            }
            if (!warm) {
              samples.get(i).add(dt);
            }
          }
        }
      }
      System.out.printf("%-40s %10s %10s %8s%n", "entrypoint", "median_us", "min_us", "n");
      for (int i = 0; i < eps.length; i++) {
        long[] s = samples.get(i).stream().mapToLong(Long::longValue).sorted().toArray();
        System.out.printf("%-40s %10.1f %10.1f %8d%n", eps[i], s[s.length / 2] / 1000.0, s[0] / 1000.0, s.length);
      }
    }
  }
}
