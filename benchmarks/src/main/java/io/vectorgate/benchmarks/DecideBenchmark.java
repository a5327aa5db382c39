package io.vectorgate.benchmarks;

import io.vectorgate.engine.CompileResult;
import io.vectorgate.engine.ContractJson;
import io.vectorgate.engine.EngineConfig;
import io.vectorgate.engine.PolicyCompiler;
import io.vectorgate.engine.PolicyEngine;
import io.vectorgate.model.Decision;
import io.vectorgate.model.PolicyInput;
import io.vectorgate.model.RequestContext;
import io.vectorgate.model.Usage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * {@code PolicyEngine.decide} on the shipped Rego library with the sample organisation's data.
 *
 * <p>Engines: {@code wasm} (opa-java-wasm) and {@code plan} (OPA's plan IR evaluated in Java).
 * Workloads, each a ring of {@value #RING} prepared inputs cycled through:
 *
 * <ul>
 *   <li>{@code fixed}: the ~1 KB analyst search (examples/search.input.json), the same input every
 *       call;
 *   <li>{@code changing}: the same search with a context that changes on every call, as in the
 *       gateway: the time advances, the request id is new, the usage counters move;
 *   <li>{@code mixed}: every worked example of the contract (identities, collections and actions
 *       vary), each with a changing context;
 *   <li>{@code gateway}: {@code changing} with a new {@code Operation} (and its resource, counts and
 *       protocol facts) in every input, as the gateway builds one per request; the identity and the
 *       connection stay the same instances, as the gateway's token cache and listener give them.
 *       (In {@code changing} and {@code mixed} the operation instances repeat, so the engine's reuse
 *       of unchanged records also covers the operation there.)
 * </ul>
 *
 * <p>Setup checks the decisions: the analyst search must be the documented allow with a row
 * filter and a limit cap, and with the plan engine every input of the ring must decide exactly as
 * the Wasm engine does (decision ids aside), so a fast wrong run cannot pass.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class DecideBenchmark {
  static final int RING = 4096;

  @Param({"wasm", "plan"})
  public String engine;

  @Param({"changing"})
  public String workload;

  private PolicyEngine policyEngine;
  private PolicyInput[] inputs;
  private final AtomicInteger next = new AtomicInteger();

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    Path root = Path.of(System.getProperty("vectorgate.root", "."));
    String sources = System.getProperty("vectorgate.bench.sources");
    Path[] paths = sources == null
        ? new Path[] {root.resolve("rego-policies/src/main/rego"), root.resolve("samples/org/data.json")}
        : java.util.Arrays.stream(sources.split(",")).map(Path::of).toArray(Path[]::new);
    CompileResult compiled = PolicyCompiler.create().compile(paths);
    EngineConfig.Engine which = EngineConfig.Engine.parse(engine);
    policyEngine = start(which, compiled);
    Path examples = root.resolve("rego-policies/src/test/resources/examples");
    PolicyInput search = read(examples.resolve("search.input.json"));
    inputs = ring(workload, search, examples);

    Decision d = policyEngine.decide(search);
    if (sources == null && (!d.allow() || d.obligations().rowFilter().isEmpty() || d.obligations().limitCap() == null)) {
      throw new IllegalStateException("benchmark policy gave an unexpected decision: " + d);
    }
    if (which != EngineConfig.Engine.WASM) {
      try (PolicyEngine oracle = start(EngineConfig.Engine.WASM, compiled)) {
        for (int i = 0; i < Math.min(inputs.length, 512); i++) {
          Decision want = strip(oracle.decide(inputs[i]));
          Decision got = strip(policyEngine.decide(inputs[i]));
          if (!want.equals(got)) {
            throw new IllegalStateException("engine " + engine + " disagrees with wasm on input " + i
                + ": want " + want + ", got " + got);
          }
        }
      }
    }
  }

  private static PolicyEngine start(EngineConfig.Engine which, CompileResult compiled) throws Exception {
    return PolicyEngine.start(EngineConfig.builder().poolSize(Runtime.getRuntime().availableProcessors())
        .engine(which).build(), compiled.orThrow());
  }

  private static Decision strip(Decision d) {
    return d.withIdentity(null, null);
  }

  private static PolicyInput read(Path p) throws IOException {
    return ContractJson.mapper().readValue(Files.readString(p), PolicyInput.class);
  }

  /** The prepared inputs of a workload. */
  static PolicyInput[] ring(String workload, PolicyInput search, Path examples) throws IOException {
    List<PolicyInput> bases = new ArrayList<>();
    switch (workload) {
      case "fixed" -> {
        return new PolicyInput[] {search};
      }
      case "changing", "gateway" -> bases.add(search);
      case "mixed" -> {
        try (Stream<Path> s = Files.list(examples)) {
          for (Path p : s.filter(f -> f.getFileName().toString().endsWith(".input.json")).sorted().toList()) {
            bases.add(read(p));
          }
        }
      }
      default -> throw new IllegalArgumentException("unknown workload " + workload);
    }
    PolicyInput[] out = new PolicyInput[RING];
    Instant t0 = Instant.parse("2026-12-07T10:00:00Z"); // a Monday inside the write window
    for (int i = 0; i < RING; i++) {
      PolicyInput b = bases.get(i % bases.size());
      RequestContext c = Objects.requireNonNullElse(b.context(), new RequestContext(null, 0, null, null, null));
      Instant t = t0.plusMillis(7L * i);
      Usage u = new Usage(i % 50, (i * 13L) % 5_000, (i * 7L) % 500, i % 20);
      RequestContext fresh = new RequestContext(t.toString(), t.getEpochSecond() * 1_000_000_000L + t.getNano(),
          c.clientAddress(), "req-" + i, u);
      io.vectorgate.model.Operation op = workload.equals("gateway")
          ? ContractJson.mapper().treeToValue(ContractJson.mapper().valueToTree(b.operation()),
              io.vectorgate.model.Operation.class) : b.operation();
      if (workload.equals("gateway") && (op == b.operation() || op.resource() == b.operation().resource())) {
        throw new IllegalStateException("the gateway workload needs a new operation per input");
      }
      out[i] = PolicyInput.of(b.identity(), b.connection(), op, fresh);
    }
    return out;
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    java.util.Map<String, Long> memo = policyEngine.planMemoStats();
    if (!memo.isEmpty()) {
      long hits = memo.get("hits");
      long all = hits + memo.get("misses");
      // read by engine-bench.sh: the memo hit rate of this trial (warm-up included)
      System.out.printf("memo-stats engine=%s workload=%s hits=%d lookups=%d hit_rate=%.4f%n", engine, workload, hits,
          all, all == 0 ? 0.0 : (double) hits / all);
    }
    policyEngine.close();
  }

  @Benchmark
  public Decision decide() {
    PolicyInput in = inputs[(next.getAndIncrement() & Integer.MAX_VALUE) % inputs.length];
    return policyEngine.decide(in);
  }
}
