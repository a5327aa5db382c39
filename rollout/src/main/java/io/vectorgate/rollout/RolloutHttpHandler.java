package io.vectorgate.rollout;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP endpoints of rollout for a JDK {@code HttpServer} (the gateway mounts it under
 * {@code /admin/policy/}):
 *
 * <ul>
 *   <li>{@code POST /admin/policy/webhook}: a push event; authenticated by {@link WebhookSignature}
 *       over the raw body (at most 1 MiB). 202 and a check is queued; 401 without a valid signature
 *       (nothing is triggered); 413 when too large; 405 for other methods.
 *   <li>{@code GET /admin/policy/status}: the controller's status as JSON; needs
 *       {@code Authorization: Bearer <admin token>} accepted by {@code adminAuth} (401 otherwise).
 * </ul>
 */
public final class RolloutHttpHandler implements HttpHandler {
  private static final Logger LOG = LoggerFactory.getLogger(RolloutHttpHandler.class);
  public static final String WEBHOOK_PATH = "/admin/policy/webhook";
  public static final String STATUS_PATH = "/admin/policy/status";
  static final int MAX_BODY = 1024 * 1024;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final RolloutController controller;
  private final WebhookSignature webhook;
  private final Predicate<String> adminAuth;

  /**
   * @param webhook the webhook secret's verifier (null: the webhook endpoint answers 404)
   * @param adminAuth accepts the bearer token of an admin (null: the status endpoint answers 404)
   */
  public RolloutHttpHandler(RolloutController controller, WebhookSignature webhook, Predicate<String> adminAuth) {
    this.controller = controller;
    this.webhook = webhook;
    this.adminAuth = adminAuth;
  }

  /**
   * Only the webhook, answering at whatever path it is mounted on (the gateway's admin API mounts
   * it at {@code /v1/policy/webhook}, outside OIDC: the HMAC signature is its authentication).
   */
  public static HttpHandler webhookOnly(RolloutController controller, WebhookSignature webhook) {
    RolloutHttpHandler h = new RolloutHttpHandler(controller, java.util.Objects.requireNonNull(webhook, "webhook"), null);
    return ex -> {
      try (ex) {
        h.webhook(ex);
      }
    };
  }

  /** Accepts exactly {@code token} (constant-time comparison). */
  public static Predicate<String> bearer(String token) {
    byte[] want = token.getBytes(StandardCharsets.UTF_8);
    return given -> given != null && MessageDigest.isEqual(want, given.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getPath();
      if (WEBHOOK_PATH.equals(path) && webhook != null) {
        webhook(ex);
      } else if (STATUS_PATH.equals(path) && adminAuth != null) {
        status(ex);
      } else {
        send(ex, 404, error("not_found", "no such endpoint"));
      }
    }
  }

  private void webhook(HttpExchange ex) throws IOException {
    if (!"POST".equals(ex.getRequestMethod())) {
      ex.getResponseHeaders().set("Allow", "POST");
      send(ex, 405, error("method_not_allowed", "use POST"));
      return;
    }
    byte[] body;
    try (InputStream in = ex.getRequestBody()) {
      body = in.readNBytes(MAX_BODY + 1);
    }
    if (body.length > MAX_BODY) {
      send(ex, 413, error("too_large", "webhook body over " + MAX_BODY + " bytes"));
      return;
    }
    if (!webhook.verify(body, ex.getRequestHeaders().getFirst(WebhookSignature.HEADER))) {
      LOG.warn("event=policy_webhook_rejected remote={} reason=bad_signature", ex.getRemoteAddress());
      send(ex, 401, error("unauthenticated", "missing or invalid " + WebhookSignature.HEADER));
      return;
    }
    String event = ex.getRequestHeaders().getFirst("X-GitHub-Event");
    LOG.info("event=policy_webhook_accepted remote={} github_event={}", ex.getRemoteAddress(), event);
    if ("ping".equals(event)) {
      send(ex, 200, JSON.createObjectNode().put("status", "pong"));
      return;
    }
    controller.trigger();
    send(ex, 202, JSON.createObjectNode().put("status", "check_queued"));
  }

  private void status(HttpExchange ex) throws IOException {
    if (!"GET".equals(ex.getRequestMethod())) {
      ex.getResponseHeaders().set("Allow", "GET");
      send(ex, 405, error("method_not_allowed", "use GET"));
      return;
    }
    String auth = ex.getRequestHeaders().getFirst("Authorization");
    String token = auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7) ? auth.substring(7).trim() : null;
    if (!adminAuth.test(token)) {
      ex.getResponseHeaders().set("WWW-Authenticate", "Bearer");
      send(ex, 401, error("unauthenticated", "an admin bearer token is required"));
      return;
    }
    send(ex, 200, statusJson(controller.status()));
  }

  /** The status as JSON (the shape the admin API and {@code vectorgate policy status --json} print). */
  public static ObjectNode statusJson(RolloutController.Status s) {
    ObjectNode o = JSON.createObjectNode();
    o.put("instance", s.instanceId());
    o.put("source", s.source());
    o.put("active_revision", s.activeRevision());
    o.put("latest_seen", s.latestSeen());
    o.put("last_check", s.lastCheck() == null ? null : s.lastCheck().toString());
    s.pin().ifPresentOrElse(p -> o.set("pin", JSON.createObjectNode().put("revision", p.revision()).put("by", p.by())
        .put("reason", p.reason()).put("at", p.at().toString())), () -> o.putNull("pin"));
    s.lastFailure().ifPresentOrElse(f -> o.set("last_failure", failureJson(f.revision(), f.failure())
        .put("at", f.at().toString())), () -> o.putNull("last_failure"));
    s.brokenHead().ifPresentOrElse(f -> o.set("broken_head", failureJson(f.revision(), f.failure())
        .put("at", f.at().toString())), () -> o.putNull("broken_head"));
    s.brokenPin().ifPresentOrElse(f -> o.set("broken_pin", failureJson(f.revision(), f.failure())
        .put("at", f.at().toString())), () -> o.putNull("broken_pin"));
    ArrayNode inst = o.putArray("instances");
    s.instances().forEach(i -> inst.addObject().put("instance", i.instanceId()).put("source", i.source())
        .put("active_revision", i.activeRevision()).put("failed_revision", i.failedRevision())
        .put("failed_stage", i.failedStage()).put("failed_message", i.failedMessage()).put("at", i.at().toString())
        .put("activated_at", i.activatedAt() == null ? null : i.activatedAt().toString()));
    ArrayNode hist = o.putArray("history");
    s.history().forEach(h -> hist.addObject().put("at", h.at().toString()).put("by", h.instanceId())
        .put("revision", h.revision()).put("outcome", h.outcome().wireName()).put("stage", h.stage())
        .put("message", h.message()));
    ObjectNode m = o.putObject("metrics");
    s.metrics().forEach(m::put);
    return o;
  }

  static ObjectNode failureJson(String revision, StageFailure f) {
    ObjectNode o = JSON.createObjectNode();
    o.put("revision", revision);
    o.put("stage", f.stage().wireName());
    o.put("message", f.message());
    ArrayNode ps = o.putArray("problems");
    f.problems().forEach(p -> ps.addObject().put("file", p.file()).put("line", p.line()).put("column", p.column())
        .put("message", p.message()));
    ArrayNode ts = o.putArray("failed_tests");
    f.failedTests().forEach(ts::add);
    return o;
  }

  private static ObjectNode error(String code, String message) {
    return JSON.createObjectNode().put("error", code).put("message", message);
  }

  private static void send(HttpExchange ex, int status, ObjectNode body) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(body);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }
}
