package io.vectorgate.benchmarks;

import io.vectorgate.engine.CompileResult;
import io.vectorgate.engine.ContractJson;
import io.vectorgate.engine.EngineConfig;
import io.vectorgate.engine.PolicyCompiler;
import io.vectorgate.engine.PolicyEngine;
import io.vectorgate.model.Decision;
import io.vectorgate.model.PolicyInput;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * {@code PolicyEngine.decide} on the shipped Rego library with the sample organisation's data and
 * a ~1 KB analyst search input (rego-policies/src/test/resources/examples/search.input.json).
 * Setup checks the decision is the documented one, so a fast wrong run cannot pass.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class DecideBenchmark {
  private PolicyEngine engine;
  private PolicyInput input;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    Path root = Path.of(System.getProperty("vectorgate.root", "."));
    String sources = System.getProperty("vectorgate.bench.sources");
    Path[] paths = sources == null
        ? new Path[] {root.resolve("rego-policies/src/main/rego"), root.resolve("samples/org/data.json")}
        : java.util.Arrays.stream(sources.split(",")).map(Path::of).toArray(Path[]::new);
    CompileResult compiled = PolicyCompiler.create().compile(paths);
    engine = PolicyEngine.start(EngineConfig.builder().poolSize(Runtime.getRuntime().availableProcessors()).build(),
        compiled.orThrow());
    Path example = root.resolve("rego-policies/src/test/resources/examples/search.input.json");
    input = ContractJson.mapper().readValue(Files.readString(example), PolicyInput.class);
    Decision d = engine.decide(input);
    if (sources == null && (!d.allow() || d.obligations().rowFilter().isEmpty() || d.obligations().limitCap() == null)) {
      throw new IllegalStateException("benchmark policy gave an unexpected decision: " + d);
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    engine.close();
  }

  @Benchmark
  public Decision decide() {
    return engine.decide(input);
  }
}
