package io.vectorgate.proxy.dashboard;

import com.sun.net.httpserver.HttpHandler;
import io.vectorgate.approvals.ApprovalService;
import io.vectorgate.proxy.config.ConfigException;
import io.vectorgate.proxy.identity.TokenVerifier;
import io.vectorgate.recorder.RecordingStore;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Mounts the dashboard ({@code admin.dashboard:}) under {@code /dashboard} on the gateway's admin server. */
public final class Dashboard {
  public static final String PATH = Pages.BASE;
  private static final Logger LOG = LoggerFactory.getLogger(Dashboard.class);

  private Dashboard() {}

  /**
   * @param issuer the gateway's {@code identity.issuer} (the dashboard logs in against it)
   * @param approvals the approval service, or null without {@code approvals:}
   * @param readAllGroups {@code approvals.admin.read_all_groups} (who sees every approval)
   * @param store the recording store, or null without {@code recording:}
   * @param recordingAuditors {@code recording.admin.auditor_groups}, the default auditor groups
   */
  public static void mount(DashboardConfig cfg, BiConsumer<String, HttpHandler> mount, TokenVerifier verifier,
      String issuer, ApprovalService approvals, Set<String> readAllGroups, RecordingStore store,
      List<String> recordingAuditors) {
    List<String> auditors = cfg.auditorGroups().isEmpty() ? recordingAuditors : cfg.auditorGroups();
    if (approvals != null && cfg.approverGroups().isEmpty()) {
      throw new ConfigException("admin.dashboard.approver_groups", "name the groups that may open the approvals page");
    }
    if (store != null && auditors.isEmpty()) {
      throw new ConfigException("admin.dashboard.auditor_groups", "name the groups that may open the sessions pages"
          + " (or set recording.admin.auditor_groups)");
    }
    DashboardHandler h = new DashboardHandler(cfg, new OidcLogin(issuer, cfg.clientId(), verifier),
        new WebSessions(Clock.systemUTC(), Duration.ofMinutes(cfg.sessionMinutes())), approvals, readAllGroups, store,
        Set.copyOf(auditors));
    mount.accept(PATH, h);
    LOG.info("event=dashboard_mounted path={} approvals={} sessions={} approver_groups={} auditor_groups={}", PATH,
        approvals != null, store != null, cfg.approverGroups(), auditors);
  }
}
