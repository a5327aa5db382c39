package io.vectorgate.proxy.dashboard;

import com.sun.net.httpserver.HttpHandler;
import io.vectorgate.approvals.ApprovalService;
import io.vectorgate.engine.PolicyEngine;
import io.vectorgate.model.DatabaseKind;
import io.vectorgate.proxy.config.ConfigException;
import io.vectorgate.proxy.identity.TokenVerifier;
import io.vectorgate.recorder.RecorderStats;
import io.vectorgate.recorder.RecordingStore;
import io.vectorgate.rollout.RolloutController;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Mounts the dashboard ({@code admin.dashboard:}) under {@code /dashboard} on the gateway's admin server. */
public final class Dashboard {
  public static final String PATH = Pages.BASE;
  private static final Logger LOG = LoggerFactory.getLogger(Dashboard.class);

  private Dashboard() {}

  /**
   * What the gateway gives the dashboard to show; every part but the groups is optional (null when
   * the gateway does not have it).
   *
   * @param approvals the approval service (null without {@code approvals:})
   * @param readAllGroups {@code approvals.admin.read_all_groups} (who sees every approval)
   * @param store the recording store (null without {@code recording.admin:})
   * @param recordingAuditors {@code recording.admin.auditor_groups}, the default auditor groups
   * @param engine the live policy engine (its active revision and bundle; null for a test double)
   * @param rollout the rollout controller (null: a static policy)
   * @param policyReaders {@code admin.reader_groups}: may open the policy page
   * @param policyOperators {@code admin.operator_groups}: may also pin, unpin and roll back
   * @param connectionKinds each configured connection's database kind (the sessions filter)
   * @param counters the gateway's request counters by outcome (null: none)
   * @param recorderStats the recorder's counters (null: recording off)
   * @param policySources where the active revision's Rego is, for "Explain" (null: not offered)
   */
  public record Sources(ApprovalService approvals, Set<String> readAllGroups, RecordingStore store,
      List<String> recordingAuditors, PolicyEngine engine, RolloutController rollout, Set<String> policyReaders,
      Set<String> policyOperators, Map<String, DatabaseKind> connectionKinds, Supplier<Map<String, Long>> counters,
      Supplier<RecorderStats> recorderStats, ActiveSources policySources) {
    /** Without "Explain". */
    public Sources(ApprovalService approvals, Set<String> readAllGroups, RecordingStore store,
        List<String> recordingAuditors, PolicyEngine engine, RolloutController rollout, Set<String> policyReaders,
        Set<String> policyOperators, Map<String, DatabaseKind> connectionKinds, Supplier<Map<String, Long>> counters,
        Supplier<RecorderStats> recorderStats) {
      this(approvals, readAllGroups, store, recordingAuditors, engine, rollout, policyReaders, policyOperators,
          connectionKinds, counters, recorderStats, null);
    }

    public Sources {
      readAllGroups = readAllGroups == null ? Set.of() : Set.copyOf(readAllGroups);
      recordingAuditors = recordingAuditors == null ? List.of() : List.copyOf(recordingAuditors);
      policyOperators = policyOperators == null ? Set.of() : Set.copyOf(policyOperators);
      Set<String> readers = new HashSet<>(policyReaders == null ? Set.of() : policyReaders);
      readers.addAll(policyOperators);
      policyReaders = Set.copyOf(readers);
      connectionKinds = connectionKinds == null ? Map.of() : Map.copyOf(connectionKinds);
    }
  }

  public static void mount(DashboardConfig cfg, BiConsumer<String, HttpHandler> mount, TokenVerifier verifier,
      String issuer, Sources src) {
    List<String> auditors = cfg.auditorGroups().isEmpty() ? src.recordingAuditors() : cfg.auditorGroups();
    if (src.approvals() != null && cfg.approverGroups().isEmpty()) {
      throw new ConfigException("admin.dashboard.approver_groups", "name the groups that may open the approvals page");
    }
    if (src.store() != null && auditors.isEmpty()) {
      throw new ConfigException("admin.dashboard.auditor_groups", "name the groups that may open the sessions pages"
          + " (or set recording.admin.auditor_groups)");
    }
    DashboardHandler h = new DashboardHandler(cfg, new OidcLogin(issuer, cfg.clientId(), verifier),
        new WebSessions(Clock.systemUTC(), Duration.ofMinutes(cfg.sessionMinutes())), src, Set.copyOf(auditors));
    mount.accept(PATH, h);
    LOG.info("event=dashboard_mounted path={} approvals={} sessions={} policy={} approver_groups={} auditor_groups={}"
        + " policy_reader_groups={} policy_operator_groups={}", PATH, src.approvals() != null, src.store() != null,
        src.rollout() != null ? "rollout" : "static", cfg.approverGroups(), auditors, src.policyReaders(),
        src.policyOperators());
  }
}
