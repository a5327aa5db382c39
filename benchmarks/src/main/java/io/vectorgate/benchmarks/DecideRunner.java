package io.vectorgate.benchmarks;

import io.vectorgate.engine.CompileResult;
import io.vectorgate.engine.ContractJson;
import io.vectorgate.engine.EngineConfig;
import io.vectorgate.engine.PolicyCompiler;
import io.vectorgate.engine.PolicyEngine;
import io.vectorgate.model.PolicyInput;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * One engine deciding one workload of {@link DecideBenchmark} in a plain loop, for profiling (JFR)
 * and for {@link EngineAb}, which runs several builds of the engine side by side in one JVM. Public
 * static methods only, called reflectively across class loaders.
 */
public final class DecideRunner {
  private final PolicyEngine engine;
  private final PolicyInput[] inputs;
  private int next;

  private DecideRunner(PolicyEngine engine, PolicyInput[] inputs) {
    this.engine = engine;
    this.inputs = inputs;
  }

  /** Compiles the shipped library and starts {@code engine} (plan|wasm) on {@code workload}. */
  public static Object start(String root, String engine, String workload) throws Exception {
    Path r = Path.of(root);
    CompileResult compiled = PolicyCompiler.create()
        .compile(r.resolve("rego-policies/src/main/rego"), r.resolve("samples/org/data.json"));
    PolicyEngine e = PolicyEngine.start(EngineConfig.builder().poolSize(2)
        .engine(EngineConfig.Engine.parse(engine)).build(), compiled.orThrow());
    Path examples = r.resolve("rego-policies/src/test/resources/examples");
    PolicyInput search = ContractJson.mapper().readValue(Files.readString(examples.resolve("search.input.json")),
        PolicyInput.class);
    return new DecideRunner(e, DecideBenchmark.ring(workload, search, examples));
  }

  /** Decides {@code n} inputs of the ring; returns each decision's nanoseconds. */
  public static long[] run(Object runner, int n) {
    DecideRunner d = (DecideRunner) runner;
    long[] out = new long[n];
    for (int i = 0; i < n; i++) {
      PolicyInput in = d.inputs[d.next++ % d.inputs.length];
      long t0 = System.nanoTime();
      d.engine.decide(in);
      out[i] = System.nanoTime() - t0;
    }
    return out;
  }

  /** The runner's engine (shared by the threads of {@link EngineThreads}). */
  static PolicyEngine engine(Object runner) {
    return ((DecideRunner) runner).engine;
  }

  /** The runner's ring of inputs. */
  static PolicyInput[] inputs(Object runner) {
    return ((DecideRunner) runner).inputs;
  }

  /** The plan memo's hits and misses so far (empty for wasm). */
  public static Map<String, Long> memo(Object runner) {
    return ((DecideRunner) runner).engine.planMemoStats();
  }

  public static void close(Object runner) {
    ((DecideRunner) runner).engine.close();
  }

  /** Profiling entry: {@code root engine workload seconds}; prints p50/p99 every second. */
  public static void main(String[] args) throws Exception {
    Object r = start(args[0], args[1], args[2]);
    long end = System.nanoTime() + Long.parseLong(args[3]) * 1_000_000_000L;
    while (System.nanoTime() < end) {
      long[] t = run(r, 20_000);
      Arrays.sort(t);
      System.out.printf("p50=%.1fus p99=%.1fus memo=%s%n", t[t.length / 2] / 1e3, t[t.length * 99 / 100] / 1e3, memo(r));
    }
    close(r);
  }
}
