package io.vectorgate.harness;

import io.vectorgate.engine.EngineConfig;
import java.time.Duration;

/**
 * Engine settings for replays. The harness is not latency-bound, so it waits far longer than the
 * gateway for a free instance and for an evaluation: under load (a shared CI machine) the gateway's
 * 100 ms borrow and 500 ms evaluation limits would turn into spurious {@code pool_exhausted} /
 * {@code engine_timeout} denies that look like policy changes.
 */
public final class HarnessEngines {
  public static final Duration BORROW_TIMEOUT = Duration.ofSeconds(30);
  public static final Duration EVALUATION_TIMEOUT = Duration.ofSeconds(10);

  private HarnessEngines() {}

  public static EngineConfig config(int instances) {
    return EngineConfig.builder()
        .poolSize(Math.max(1, instances))
        .borrowTimeout(BORROW_TIMEOUT)
        .evaluationTimeout(EVALUATION_TIMEOUT)
        // a replay warms the JIT with its own traffic; a warm-up would only delay small suites
        .noWarmup()
        .build();
  }
}
