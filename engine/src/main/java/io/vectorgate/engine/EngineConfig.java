package io.vectorgate.engine;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Load-time settings of a {@link PolicyEngine}. Immutable; build with {@link #builder()}.
 *
 * @param poolSize policy instances per active bundle (each is one compiled Wasm instance)
 * @param entrypoint the entrypoint {@code decide} evaluates
 * @param maxInputBytes largest input (UTF-8 JSON) that may reach the guest
 * @param maxInputDepth deepest nesting of arrays/objects an input may have
 * @param evaluationTimeout longest one evaluation may run before it is interrupted
 * @param borrowTimeout longest a decision waits for a free instance
 * @param initialMemoryPages guest memory at start, in 64 KiB pages
 * @param maxMemoryPages the most guest memory one instance may grow to, in 64 KiB pages
 * @param useCompiler compile Wasm to JVM bytecode (fast evaluation, slow build) or interpret
 * @param smokeInputJson input evaluated on every new instance before a bundle goes live; it must
 *     produce a defined result on {@code entrypoint}
 * @param warmupInputs inputs (JSON) that, with the smoke input, warm every new instance before it
 *     goes live (see {@code warmupIterations}); their results are not checked, only computed
 * @param warmupIterations evaluations per new instance at activation (and rebuild), cycling
 *     through the smoke input and {@code warmupInputs}, so the JIT compiles the classes generated
 *     for that instance before real decisions reach it; 0 turns warm-up off (so does
 *     {@code useCompiler = false}, see {@link #warmupEnabled()})
 * @param warmupBudget longest the warm-up of one activation (all instances, in parallel) may take;
 *     it stops after the evaluation running when the budget ends, so an activation is delayed by
 *     at most this plus one {@code evaluationTimeout}; zero turns warm-up off
 * @param decisionLogger receives every decision
 * @param metrics counts outcomes
 * @param engine which evaluator decides: {@link Engine#PLAN} (OPA's plan IR evaluated in Java, the
 *     default, see docs/engine.md) or {@link Engine#WASM} (opa-java-wasm)
 * @param planFallback with the plan engine, whether a bundle the plan engine cannot load (it carries
 *     no plan, or its plan needs a builtin only the Wasm engine has, or cannot be read) is served by
 *     the Wasm engine instead of being refused. True when the engine is the default (no
 *     {@code vectorgate.engine} / {@code VECTORGATE_ENGINE} / {@link Builder#engine} choice); an
 *     explicit choice of the plan engine refuses such a bundle (see {@link Builder#engine})
 * @param shadowRate with the plan engine, the share (0..1) of decisions also evaluated on the Wasm
 *     engine and compared; disagreements are counted ({@link EngineMetrics#shadowDisagreement}) and
 *     logged. 0 (the default) builds no Wasm instances at all in plan mode
 * @param planMemoEntries with the plan engine, cached results kept per rule across decisions
 *     (see {@code io.vectorgate.engine.plan.Memo}); 0 turns the cross-decision memo off
 */
public record EngineConfig(
    int poolSize,
    String entrypoint,
    int maxInputBytes,
    int maxInputDepth,
    Duration evaluationTimeout,
    Duration borrowTimeout,
    int initialMemoryPages,
    int maxMemoryPages,
    boolean useCompiler,
    String smokeInputJson,
    List<String> warmupInputs,
    int warmupIterations,
    Duration warmupBudget,
    DecisionLogger decisionLogger,
    EngineMetrics metrics,
    Engine engine,
    boolean planFallback,
    double shadowRate,
    int planMemoEntries) {

  /** The evaluator behind {@link PolicyEngine}; the gateway config key {@code engine:} names it. */
  public enum Engine {
    WASM, PLAN;

    /** {@code wasm} or {@code plan} (case-insensitive); anything else names the allowed values. */
    public static Engine parse(String name) {
      if (name != null) {
        for (Engine e : values()) {
          if (e.name().equalsIgnoreCase(name.strip())) {
            return e;
          }
        }
      }
      throw new IllegalArgumentException("engine must be `wasm` or `plan`, was `" + name + "`");
    }

    /**
     * The process default: the {@linkplain #explicitChoice() explicit choice} if there is one, else
     * {@link #PLAN}. Every {@link Builder} starts from it, so the CLI, the harness and rollout follow
     * one switch; the gateway's {@code policy.engine} key overrides it.
     */
    public static Engine defaultEngine() {
      return explicitChoice().orElse(PLAN);
    }

    /**
     * The engine this process was told to use: system property {@code vectorgate.engine}, else
     * environment variable {@code VECTORGATE_ENGINE}; empty when neither names one. An explicit
     * choice turns {@link EngineConfig#planFallback()} off by default.
     */
    public static java.util.Optional<Engine> explicitChoice() {
      String p = System.getProperty("vectorgate.engine");
      if (p != null && !p.isBlank()) {
        return java.util.Optional.of(parse(p));
      }
      String e = System.getenv("VECTORGATE_ENGINE");
      return e == null || e.isBlank() ? java.util.Optional.empty() : java.util.Optional.of(parse(e));
    }

    /** {@code wasm} or {@code plan}. */
    public String wireName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public static final String DEFAULT_ENTRYPOINT = "vectorgate/decision";

  /** A minimal valid {@code vectorgate/v1} input: describe on a Milvus connection. */
  public static final String DEFAULT_SMOKE_INPUT = "{\"contract\":\"vectorgate/v1\","
      + "\"identity\":{\"subject\":\"vectorgate-smoke\",\"groups\":[]},"
      + "\"connection\":{\"name\":\"smoke\",\"kind\":\"milvus\"},"
      + "\"operation\":{\"action\":\"describe\",\"resource\":{\"collection\":\"smoke\",\"partitions\":[]},"
      + "\"output_fields\":[],\"vectors_requested\":false,\"paging\":false,"
      + "\"counts\":{\"ids\":0,\"rows\":0,\"queries\":0},\"attributes\":{},"
      + "\"protocol\":{\"protocol\":\"grpc\",\"rpc\":\"/milvus.proto.milvus.MilvusService/DescribeCollection\"}},"
      + "\"context\":{\"time\":\"1970-01-01T00:00:00Z\",\"time_ns\":0,\"request_id\":\"smoke\","
      + "\"usage\":{\"requests_last_minute\":0,\"rows_last_hour\":0,\"vectors_last_hour\":0,\"pages_last_hour\":0}}}";

  public EngineConfig {
    if (poolSize < 1 || poolSize > 1024) {
      throw new IllegalArgumentException("poolSize must be 1..1024, was " + poolSize);
    }
    Objects.requireNonNull(entrypoint, "entrypoint");
    if (maxInputBytes < 2) {
      throw new IllegalArgumentException("maxInputBytes must be at least 2, was " + maxInputBytes);
    }
    if (maxInputDepth < 1) {
      throw new IllegalArgumentException("maxInputDepth must be positive, was " + maxInputDepth);
    }
    requirePositive(evaluationTimeout, "evaluationTimeout");
    requirePositive(borrowTimeout, "borrowTimeout");
    if (initialMemoryPages < 1 || maxMemoryPages < initialMemoryPages || maxMemoryPages > 65536) {
      throw new IllegalArgumentException("memory pages must satisfy 1 <= initial <= max <= 65536, was "
          + initialMemoryPages + ".." + maxMemoryPages);
    }
    Objects.requireNonNull(smokeInputJson, "smokeInputJson");
    Objects.requireNonNull(warmupInputs, "warmupInputs");
    warmupInputs = List.copyOf(warmupInputs); // also refuses null elements
    for (int i = 0; i < warmupInputs.size(); i++) {
      InputGuard.Problem p = InputGuard.checkRaw(warmupInputs.get(i), maxInputBytes, maxInputDepth);
      if (p != null) {
        throw new IllegalArgumentException("warmupInputs[" + i + "] is not a usable input: " + p.code() + ": " + p.message());
      }
    }
    if (warmupIterations < 0) {
      throw new IllegalArgumentException("warmupIterations must be >= 0, was " + warmupIterations);
    }
    Objects.requireNonNull(warmupBudget, "warmupBudget");
    if (warmupBudget.isNegative()) {
      throw new IllegalArgumentException("warmupBudget must not be negative, was " + warmupBudget);
    }
    Objects.requireNonNull(decisionLogger, "decisionLogger");
    Objects.requireNonNull(metrics, "metrics");
    Objects.requireNonNull(engine, "engine");
    if (planMemoEntries < 0) {
      throw new IllegalArgumentException("planMemoEntries must be >= 0, was " + planMemoEntries);
    }
    if (!(shadowRate >= 0 && shadowRate <= 1)) {
      throw new IllegalArgumentException("shadowRate must be within 0..1, was " + shadowRate);
    }
  }

  /**
   * Whether activations warm new instances: {@code warmupIterations > 0}, a non-zero budget, and the
   * Wasm compiler on. Only compiled instances have classes of their own for the JIT to learn; the
   * interpreter's code is shared by all instances and warms with any traffic.
   */
  public boolean warmupEnabled() {
    return useCompiler && warmupIterations > 0 && !warmupBudget.isZero();
  }

  /**
   * Representative {@code vectorgate/v1} inputs for warm-up (searches, a query, a get, an insert,
   * a delete and a describe over Milvus, Chroma and Qdrant connections): the engine's resource
   * {@code io/vectorgate/engine/warmup-inputs.json}.
   */
  public static List<String> defaultWarmupInputs() {
    return DefaultWarmup.INPUTS;
  }

  private static final class DefaultWarmup {
    static final List<String> INPUTS = load();

    private static List<String> load() {
      String name = "warmup-inputs.json";
      try (InputStream in = EngineConfig.class.getResourceAsStream(name)) {
        if (in == null) {
          throw new IllegalStateException("engine resource io/vectorgate/engine/" + name + " is missing");
        }
        JsonNode arr = ContractJson.mapper().readTree(in);
        if (arr == null || !arr.isArray()) {
          throw new IllegalStateException("engine resource io/vectorgate/engine/" + name + " is not a JSON array");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode n : arr) {
          out.add(ContractJson.mapper().writeValueAsString(n));
        }
        return List.copyOf(out);
      } catch (IOException e) {
        throw new UncheckedIOException("engine resource io/vectorgate/engine/" + name + " cannot be read", e);
      }
    }
  }

  private static void requirePositive(Duration d, String name) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, was " + d);
    }
  }

  /** Defaults, see {@link Builder}. */
  public static EngineConfig defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return new Builder().poolSize(poolSize).entrypoint(entrypoint).maxInputBytes(maxInputBytes)
        .maxInputDepth(maxInputDepth).evaluationTimeout(evaluationTimeout).borrowTimeout(borrowTimeout)
        .memoryPages(initialMemoryPages, maxMemoryPages).useCompiler(useCompiler)
        .smokeInputJson(smokeInputJson).warmupInputs(warmupInputs).warmupIterations(warmupIterations)
        .warmupBudget(warmupBudget).decisionLogger(decisionLogger).metrics(metrics).engine(engine)
        .planFallback(planFallback).shadowRate(shadowRate).planMemoEntries(planMemoEntries);
  }

  /**
   * Defaults: pool of {@code max(2, processors)}, entrypoint {@code vectorgate/decision}, inputs up
   * to 1 MiB and depth 64, 500 ms evaluation timeout, 100 ms borrow timeout, memory 32..512 pages
   * (2 MiB..32 MiB), the Wasm compiler on, {@link #DEFAULT_SMOKE_INPUT}, warm-up with
   * {@link #defaultWarmupInputs()} for up to {@value #DEFAULT_WARMUP_ITERATIONS} evaluations per
   * instance within {@link #DEFAULT_WARMUP_BUDGET}, no decision log, and a fresh
   * {@link LongAdderEngineMetrics}.
   */
  public static final int DEFAULT_WARMUP_ITERATIONS = 2000;
  /** Cached results per rule in the plan engine's cross-decision memo. */
  public static final int DEFAULT_PLAN_MEMO_ENTRIES = 256;
  public static final Duration DEFAULT_WARMUP_BUDGET = Duration.ofSeconds(2);

  public static final class Builder {
    private int poolSize = Math.max(2, Runtime.getRuntime().availableProcessors());
    private String entrypoint = DEFAULT_ENTRYPOINT;
    private int maxInputBytes = 1 << 20;
    private int maxInputDepth = 64;
    private Duration evaluationTimeout = Duration.ofMillis(500);
    private Duration borrowTimeout = Duration.ofMillis(100);
    private int initialMemoryPages = 32;
    private int maxMemoryPages = 512;
    private boolean useCompiler = true;
    private String smokeInputJson = DEFAULT_SMOKE_INPUT;
    private List<String> warmupInputs;
    private int warmupIterations = DEFAULT_WARMUP_ITERATIONS;
    private Duration warmupBudget = DEFAULT_WARMUP_BUDGET;
    private DecisionLogger decisionLogger = DecisionLogger.NONE;
    private EngineMetrics metrics;
    private Engine engine = Engine.defaultEngine();
    private boolean planFallback = Engine.explicitChoice().isEmpty();
    private double shadowRate;
    private int planMemoEntries = DEFAULT_PLAN_MEMO_ENTRIES;

    public Builder poolSize(int v) { this.poolSize = v; return this; }
    public Builder entrypoint(String v) { this.entrypoint = v; return this; }
    public Builder maxInputBytes(int v) { this.maxInputBytes = v; return this; }
    public Builder maxInputDepth(int v) { this.maxInputDepth = v; return this; }
    public Builder evaluationTimeout(Duration v) { this.evaluationTimeout = v; return this; }
    public Builder borrowTimeout(Duration v) { this.borrowTimeout = v; return this; }
    public Builder memoryPages(int initial, int max) {
      this.initialMemoryPages = initial;
      this.maxMemoryPages = max;
      return this;
    }
    public Builder useCompiler(boolean v) { this.useCompiler = v; return this; }
    public Builder smokeInputJson(String v) { this.smokeInputJson = v; return this; }
    public Builder warmupInputs(List<String> v) { this.warmupInputs = v; return this; }
    public Builder warmupIterations(int v) { this.warmupIterations = v; return this; }
    public Builder warmupBudget(Duration v) { this.warmupBudget = v; return this; }
    /** No warm-up: instances go live cold (the JIT then compiles them under real traffic). */
    public Builder noWarmup() { this.warmupIterations = 0; return this; }
    public Builder decisionLogger(DecisionLogger v) { this.decisionLogger = v; return this; }
    public Builder metrics(EngineMetrics v) { this.metrics = v; return this; }
    /**
     * Names the engine explicitly. An explicit {@link Engine#PLAN} refuses bundles the plan engine
     * cannot load (no Wasm fallback) unless {@link #planFallback(boolean)} turns it on afterwards.
     */
    public Builder engine(Engine v) {
      this.engine = v;
      this.planFallback = false;
      return this;
    }
    /** See {@link EngineConfig#planFallback()}; call after {@link #engine(Engine)}. */
    public Builder planFallback(boolean v) { this.planFallback = v; return this; }
    public Builder shadowRate(double v) { this.shadowRate = v; return this; }
    public Builder planMemoEntries(int v) { this.planMemoEntries = v; return this; }

    public EngineConfig build() {
      return new EngineConfig(poolSize, entrypoint, maxInputBytes, maxInputDepth, evaluationTimeout,
          borrowTimeout, initialMemoryPages, maxMemoryPages, useCompiler, smokeInputJson,
          warmupInputs == null ? defaultWarmupInputs() : warmupInputs, warmupIterations, warmupBudget,
          decisionLogger, metrics == null ? new LongAdderEngineMetrics() : metrics, engine, planFallback,
          shadowRate, planMemoEntries);
    }
  }
}
