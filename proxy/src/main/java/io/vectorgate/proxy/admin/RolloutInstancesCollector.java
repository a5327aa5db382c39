package io.vectorgate.proxy.admin;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.vectorgate.rollout.RolloutState;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every instance sharing the rollout state, as it last reported there, read at scrape time so that
 * any one instance's {@code /metrics} shows whether all converged:
 *
 * <ul>
 *   <li>{@code vectorgate_policy_instance_revision_info{instance_id, revision}} 1;
 *   <li>{@code vectorgate_policy_instance_activation_timestamp_seconds{instance_id}}: when it applied
 *       that revision (absent when unknown: before its first activation, or a row of an older build);
 *   <li>{@code vectorgate_policy_instance_heartbeat_timestamp_seconds{instance_id}}: its last report
 *       (an instance that stopped stays in the state with an ageing heartbeat).
 * </ul>
 *
 * The label is {@code instance_id}, not {@code instance}, which Prometheus sets to the scrape
 * target. A state that cannot be read gives no samples for that scrape and one WARN line per outage.
 */
final class RolloutInstancesCollector implements MultiCollector {
  private static final Logger LOG = LoggerFactory.getLogger(RolloutInstancesCollector.class);

  private final Supplier<List<RolloutState.InstanceReport>> instances;
  private final AtomicBoolean unreadable = new AtomicBoolean();

  /** @param instances reads the shared state (throws {@link IllegalStateException} when it cannot) */
  RolloutInstancesCollector(Supplier<List<RolloutState.InstanceReport>> instances) {
    this.instances = instances;
  }

  @Override
  public MetricSnapshots collect() {
    var info = InfoSnapshot.builder().name("vectorgate_policy_instance_revision")
        .help("The policy revision each instance sharing the rollout state last reported as active");
    var activated = GaugeSnapshot.builder().name("vectorgate_policy_instance_activation_timestamp_seconds")
        .help("When each instance sharing the rollout state activated its revision (Unix time)");
    var heartbeat = GaugeSnapshot.builder().name("vectorgate_policy_instance_heartbeat_timestamp_seconds")
        .help("When each instance sharing the rollout state last reported (Unix time)");
    for (RolloutState.InstanceReport i : read()) {
      Labels id = Labels.of("instance_id", i.instanceId());
      info.dataPoint(InfoSnapshot.InfoDataPointSnapshot.builder()
          .labels(id.add("revision", i.activeRevision() == null ? "" : i.activeRevision())).build());
      if (i.activatedAt() != null) {
        activated.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(id)
            .value(i.activatedAt().toEpochMilli() / 1000.0).build());
      }
      heartbeat.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(id)
          .value(i.at().toEpochMilli() / 1000.0).build());
    }
    return new MetricSnapshots(info.build(), activated.build(), heartbeat.build());
  }

  private List<RolloutState.InstanceReport> read() {
    try {
      List<RolloutState.InstanceReport> all = instances.get();
      if (unreadable.getAndSet(false)) {
        LOG.info("event=rollout_state_recovered what=instances");
      }
      return all;
    } catch (IllegalStateException e) {
      if (!unreadable.getAndSet(true)) {
        LOG.warn("event=rollout_state_unreadable what=instances error={}", e.getMessage(), e);
      }
      return List.of();
    }
  }
}
