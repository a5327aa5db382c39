package io.vectorgate.proxy.approval;

import io.vectorgate.approvals.ApprovalAudit;
import io.vectorgate.approvals.ApprovalNotifier;
import io.vectorgate.approvals.ApprovalService;
import io.vectorgate.approvals.ApprovalStore;
import io.vectorgate.approvals.Approval;
import io.vectorgate.approvals.LoggingApprovalAudit;
import io.vectorgate.approvals.StoreConfig;
import io.vectorgate.approvals.WebhookConfig;
import io.vectorgate.approvals.WebhookNotifier;
import io.vectorgate.approvals.admin.AdminServer;
import io.vectorgate.proxy.admin.OidcAdminAuthenticator;
import io.vectorgate.proxy.config.ApprovalsConfig;
import io.vectorgate.proxy.config.ConfigLoader;
import io.vectorgate.proxy.identity.TokenVerifier;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.function.Function;

/**
 * The approval workflow of one gateway instance, built from the {@code approvals:} config: the
 * store, the service (audit to the structured log until the recorder is wired), webhooks, the
 * gate and the admin API (authenticated by the gateway's own {@link TokenVerifier}).
 */
public final class Approvals implements AutoCloseable {
  private final ApprovalStore store;
  private final ApprovalService service;
  private final List<ApprovalNotifier> notifiers;
  private final HoldingApprovalGate gate;
  private final AdminServer admin;

  private Approvals(ApprovalStore store, ApprovalService service, List<ApprovalNotifier> notifiers,
      HoldingApprovalGate gate, AdminServer admin) {
    this.store = store;
    this.service = service;
    this.notifiers = notifiers;
    this.gate = gate;
    this.admin = admin;
  }

  /**
   * As {@link #start(ApprovalsConfig, TokenVerifier, Function, ApprovalAudit, Clock, int)} with the
   * default worker pool size ({@code limits.worker_threads} left unset).
   */
  public static Approvals start(ApprovalsConfig cfg, TokenVerifier verifier, Function<String, String> env,
      ApprovalAudit audit, Clock clock) throws IOException {
    return start(cfg, verifier, env, audit, clock, Math.max(4, 2 * Runtime.getRuntime().availableProcessors()));
  }

  /**
   * Opens the store, starts the service and the admin API. {@code audit} receives every transition;
   * {@code workerThreads} (the gateway's worker pool size) bounds the calls held at once
   * ({@link ApprovalsConfig#maxHeldCalls(int)}).
   */
  public static Approvals start(ApprovalsConfig cfg, TokenVerifier verifier, Function<String, String> env,
      ApprovalAudit audit, Clock clock, int workerThreads) throws IOException {
    int maxHeld = cfg.maxHeldCalls(workerThreads);
    ApprovalsConfig.Store s = cfg.store();
    StoreConfig sc = s.sqlite() != null ? StoreConfig.sqlite(s.sqlite())
        : StoreConfig.postgres(s.postgres(), s.user(),
            s.password() == null ? null : ConfigLoader.readSecret(s.password(), "approvals.store.password", env));
    List<ApprovalNotifier> notifiers = new ArrayList<>();
    for (int i = 0; i < cfg.webhooks().size(); i++) {
      ApprovalsConfig.Webhook w = cfg.webhooks().get(i);
      byte[] secret = w.secret() == null ? null
          : ConfigLoader.readSecret(w.secret(), "approvals.webhooks[" + i + "].secret", env).getBytes(StandardCharsets.UTF_8);
      notifiers.add(new WebhookNotifier(new WebhookConfig(URI.create(w.url()), w.format().equals("slack"), secret,
          w.maxAttempts(), null, null), clock));
    }
    ApprovalNotifier all = new ApprovalNotifier() {
      @Override
      public void notify(String event, Approval approval) {
        for (ApprovalNotifier n : notifiers) {
          n.notify(event, approval);
        }
      }
    };
    ApprovalStore store = ApprovalStore.open(sc);
    ApprovalService service = null;
    try {
      service = new ApprovalService(store, audit == null ? new LoggingApprovalAudit() : audit, all, clock,
          new ApprovalService.Settings(Duration.ofMillis(cfg.pollIntervalMillis()), Duration.ofSeconds(cfg.grantTtlSeconds()),
              cfg.maxUses()));
      HoldingApprovalGate gate = new HoldingApprovalGate(service, cfg.mode().equals("hold"),
          Duration.ofSeconds(cfg.maxWaitSeconds()), Duration.ofSeconds(cfg.grantBelowDeadlineSeconds()), clock, maxHeld);
      ConfigLoader.HostPort hp = ConfigLoader.hostPort(cfg.admin().address());
      AdminServer admin = new AdminServer(service, new OidcAdminAuthenticator(verifier),
          new HashSet<>(cfg.admin().readAllGroups()), hp.host(), hp.port());
      admin.start();
      return new Approvals(store, service, notifiers, gate, admin);
    } catch (IOException | RuntimeException e) {
      if (service != null) {
        service.close();
      }
      store.close();
      notifiers.forEach(ApprovalNotifier::close);
      throw e;
    }
  }

  public HoldingApprovalGate gate() {
    return gate;
  }

  public ApprovalService service() {
    return service;
  }

  public int adminPort() {
    return admin.port();
  }

  /** Serves another feature's admin routes (e.g. the sessions API) on the approvals admin server. */
  public void addAdminRoutes(String path, com.sun.net.httpserver.HttpHandler handler) {
    admin.addRoutes(path, handler);
  }

  /** Ends held calls (they answer with a retriable error), stops the admin API; approvals stay stored. */
  public void stopHolding() {
    service.close();
  }

  @Override
  public void close() {
    service.close();
    admin.close();
    notifiers.forEach(ApprovalNotifier::close);
    store.close();
  }
}
