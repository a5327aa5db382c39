package io.vectorgate.rollout;

import io.vectorgate.dsl.rego.OpaTool;
import io.vectorgate.engine.EngineConfig;
import io.vectorgate.engine.PolicyCompiler;
import io.vectorgate.engine.PolicyEngine;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/** A live engine, a git source on a test repository, the real pipeline and a controller. */
final class RolloutFixture implements AutoCloseable {
  static final PolicyCompiler COMPILER = PolicyCompiler.create();

  final PolicyEngine engine;
  final GitPolicySource source;
  final RolloutPipeline pipeline;
  final RolloutController controller;

  RolloutFixture(String instance, String repoUri, Path dir, RolloutState state, ImpactCheck impact, String subdir)
      throws IOException {
    this(instance, new GitSourceConfig(repoUri, "main", subdir, dir.resolve("mirror-" + instance), null), dir, state,
        impact);
  }

  RolloutFixture(String instance, GitSourceConfig sourceConfig, Path dir, RolloutState state, ImpactCheck impact)
      throws IOException {
    this(instance, sourceConfig, dir, state, impact, engineConfig());
  }

  /** As above, with the live engine's config (the pipeline's smoke and impact engines follow it). */
  RolloutFixture(String instance, GitSourceConfig sourceConfig, Path dir, RolloutState state, ImpactCheck impact,
      EngineConfig engineConfig) throws IOException {
    engine = new PolicyEngine(engineConfig);
    source = new GitPolicySource(sourceConfig);
    OpaTool opa = opa();
    pipeline = new RolloutPipeline(COMPILER, opa, List.of(new OpaPolicyTestRunner(opa)), impact,
        dir.resolve("work-" + instance), new RolloutMetrics());
    controller = new RolloutController(instance, source, pipeline, engine, state, Clock.systemUTC(), Duration.ofHours(1));
  }

  /** One interpreted instance; a generous evaluation timeout, since the shared test host is often loaded. */
  static EngineConfig engineConfig() {
    return EngineConfig.builder().poolSize(1).useCompiler(false).evaluationTimeout(java.time.Duration.ofSeconds(30))
        .build();
  }

  static OpaTool opa() {
    return new OpaTool(Path.of(System.getProperty("vectorgate.opa")));
  }

  @Override
  public void close() {
    controller.close();
    source.close();
    engine.close();
  }
}
