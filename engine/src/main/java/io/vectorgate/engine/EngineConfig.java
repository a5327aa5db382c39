package io.vectorgate.engine;

import java.time.Duration;
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
 * @param decisionLogger receives every decision
 * @param metrics counts outcomes
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
    DecisionLogger decisionLogger,
    EngineMetrics metrics) {

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
    Objects.requireNonNull(decisionLogger, "decisionLogger");
    Objects.requireNonNull(metrics, "metrics");
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
        .smokeInputJson(smokeInputJson).decisionLogger(decisionLogger).metrics(metrics);
  }

  /**
   * Defaults: pool of {@code max(2, processors)}, entrypoint {@code vectorgate/decision}, inputs up
   * to 1 MiB and depth 64, 500 ms evaluation timeout, 100 ms borrow timeout, memory 32..512 pages
   * (2 MiB..32 MiB), the Wasm compiler on, {@link #DEFAULT_SMOKE_INPUT}, no decision log, and a
   * fresh {@link LongAdderEngineMetrics}.
   */
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
    private DecisionLogger decisionLogger = DecisionLogger.NONE;
    private EngineMetrics metrics;

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
    public Builder decisionLogger(DecisionLogger v) { this.decisionLogger = v; return this; }
    public Builder metrics(EngineMetrics v) { this.metrics = v; return this; }

    public EngineConfig build() {
      return new EngineConfig(poolSize, entrypoint, maxInputBytes, maxInputDepth, evaluationTimeout,
          borrowTimeout, initialMemoryPages, maxMemoryPages, useCompiler, smokeInputJson,
          decisionLogger, metrics == null ? new LongAdderEngineMetrics() : metrics);
    }
  }
}
