package io.vectorgate.proxy.admin;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.vectorgate.engine.EngineMetrics;
import io.vectorgate.engine.LongAdderEngineMetrics;
import io.vectorgate.engine.PolicyEngine;
import io.vectorgate.proxy.pipeline.GatewayMetrics;
import io.vectorgate.rollout.RolloutController;
import io.vectorgate.rollout.RolloutMetrics;
import io.vectorgate.rollout.Stage;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;

/**
 * The gateway's metrics in the Prometheus text format (io.prometheus prometheus-metrics), read at
 * scrape time from the counters the gateway already keeps:
 *
 * <ul>
 *   <li>{@code vectorgate_requests_total{outcome}}: every {@link GatewayMetrics} counter except the
 *       recording ones ({@code allowed}, {@code denied}, {@code unauthenticated}, ...);
 *   <li>{@code vectorgate_recording_events_total{event}}: {@code recording_failed}, {@code recording_dropped}, ...;
 *   <li>{@code vectorgate_policy_active_revision_info{engine, plan_fallback, revision, source}} 1
 *       ({@code engine}: {@code plan} or {@code wasm}, the engine deciding for the revision;
 *       {@code plan_fallback}: whether that is Wasm because the plan engine could not take it);
 *   <li>{@code vectorgate_policy_rollout_checks_total}, {@code vectorgate_policy_rollout_activations_total},
 *       {@code vectorgate_policy_rollout_failures_total{stage}} (every stage, zeros included),
 *       {@code vectorgate_policy_last_activation_timestamp_seconds} and
 *       {@code vectorgate_policy_last_failure_timestamp_seconds} (absent until it happened),
 *       {@code vectorgate_policy_head_broken} and {@code vectorgate_policy_pin_broken} (0 or 1);
 *   <li>every instance sharing the rollout state: {@code vectorgate_policy_instance_revision_info{instance_id,
 *       revision}}, {@code vectorgate_policy_instance_activation_timestamp_seconds{instance_id}} and
 *       {@code vectorgate_policy_instance_heartbeat_timestamp_seconds{instance_id}};
 *   <li>{@code vectorgate_engine_decisions_total{result}}, {@code vectorgate_engine_fail_closed_total{reason}},
 *       {@code vectorgate_engine_activations_total{result}}, {@code vectorgate_engine_decision_log_dropped_total}.
 * </ul>
 */
public final class GatewayPrometheus {
  public static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

  /**
   * @param engine the live engine (null: an engine without revision or counters, e.g. a test double)
   * @param rollout the rollout controller (null: a static policy; its revision is reported with {@code source="static"})
   */
  public GatewayPrometheus(GatewayMetrics gateway, PolicyEngine engine, RolloutController rollout) {
    CounterWithCallback.builder().name("vectorgate_requests").help("Gateway requests by outcome")
        .labelNames("outcome").callback(cb -> gateway.snapshot().forEach((k, v) -> {
          if (!k.startsWith("recording_")) {
            cb.call(v, k);
          }
        })).register(registry);
    CounterWithCallback.builder().name("vectorgate_recording_events").help("Session recording problems by kind")
        .labelNames("event").callback(cb -> gateway.snapshot().forEach((k, v) -> {
          if (k.startsWith("recording_")) {
            cb.call(v, k);
          }
        })).register(registry);
    // the source's description is fixed; read it once (status() queries the shared state)
    String source = rollout == null ? "static" : rollout.status().source();
    if (engine != null) {
      registry.register(() -> {
        io.vectorgate.engine.EngineInUse in = engine.activeEngine().orElse(null);
        return InfoSnapshot.builder().name("vectorgate_policy_active_revision")
            .help("The policy revision the gateway decides with (the commit SHA under git rollout), the engine"
                + " deciding for it, and whether that is Wasm because the plan engine could not take it")
            .dataPoint(InfoSnapshot.InfoDataPointSnapshot.builder()
                .labels(Labels.of("revision", in == null ? "" : in.revision(), "source", source,
                    "engine", in == null ? "" : in.engine().wireName(),
                    "plan_fallback", in != null && in.fellBack() ? "true" : "false")).build())
            .build();
      });
    }
    if (rollout != null) {
      RolloutMetrics m = rollout.metrics();
      CounterWithCallback.builder().name("vectorgate_policy_rollout_checks").help("Rollout checks run")
          .callback(cb -> cb.call(m.checks())).register(registry);
      CounterWithCallback.builder().name("vectorgate_policy_rollout_activations")
          .help("Policy revisions activated by rollout").callback(cb -> cb.call(m.successes())).register(registry);
      CounterWithCallback.builder().name("vectorgate_policy_rollout_failures")
          .help("Rollout checks that failed, by pipeline stage").labelNames("stage").callback(cb -> {
            for (Stage s : Stage.values()) {
              cb.call(m.failures(s), s.wireName());
            }
          }).register(registry);
      GaugeWithCallback.builder().name("vectorgate_policy_head_broken")
          .help("1 while the branch head failed a rollout stage and an earlier revision serves")
          .callback(cb -> cb.call(m.headBroken() ? 1 : 0)).register(registry);
      GaugeWithCallback.builder().name("vectorgate_policy_pin_broken")
          .help("1 while the stored pin failed a rollout stage and the branch is followed instead")
          .callback(cb -> cb.call(m.pinBroken() ? 1 : 0)).register(registry);
      GaugeWithCallback.builder().name("vectorgate_policy_last_activation_timestamp_seconds")
          .help("When this instance last activated a policy revision (Unix time)")
          .callback(cb -> m.lastSuccess().ifPresent(t -> cb.call(t.toEpochMilli() / 1000.0))).register(registry);
      GaugeWithCallback.builder().name("vectorgate_policy_last_failure_timestamp_seconds")
          .help("When a rollout check last failed at any stage (Unix time)")
          .callback(cb -> m.lastFailure().ifPresent(t -> cb.call(t.toEpochMilli() / 1000.0))).register(registry);
      registry.register(new RolloutInstancesCollector(rollout::instances));
    }
    EngineMetrics em = engine == null ? null : engine.config().metrics();
    if (em instanceof LongAdderEngineMetrics e) {
      CounterWithCallback.builder().name("vectorgate_engine_decisions").help("Engine decisions by result")
          .labelNames("result").callback(cb -> {
            cb.call(e.allowed(), "allowed");
            cb.call(e.denied(), "denied");
          }).register(registry);
      CounterWithCallback.builder().name("vectorgate_engine_fail_closed")
          .help("Decisions that failed closed, by reason code").labelNames("reason").callback(cb -> {
            for (Map.Entry<String, Long> en : e.snapshot().entrySet()) {
              if (en.getKey().startsWith("fail_closed.")) {
                cb.call(en.getValue(), en.getKey().substring("fail_closed.".length()));
              }
            }
          }).register(registry);
      CounterWithCallback.builder().name("vectorgate_engine_activations").help("Engine bundle activations by result")
          .labelNames("result").callback(cb -> {
            cb.call(e.activations(), "succeeded");
            cb.call(e.activationFailures(), "failed");
          }).register(registry);
      CounterWithCallback.builder().name("vectorgate_engine_decision_log_dropped")
          .help("Decision log events dropped (queue full, write failure, closed)")
          .callback(cb -> cb.call(e.decisionLogDroppedCount())).register(registry);
    }
  }

  /** Writes every metric in the Prometheus text format (version 0.0.4). */
  public void write(OutputStream out) throws IOException {
    writer.write(out, registry.scrape());
  }

  /** The exposition as a string (for tests and the CLI). */
  public String scrape() {
    var buf = new java.io.ByteArrayOutputStream();
    try {
      write(buf);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("writing metrics to memory failed", e);
    }
    return buf.toString(java.nio.charset.StandardCharsets.UTF_8);
  }
}
