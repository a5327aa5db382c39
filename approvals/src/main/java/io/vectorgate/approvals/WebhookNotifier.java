package io.vectorgate.approvals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Posts notifications to a webhook on a background thread, with retries; a delivery that fails
 * every attempt is logged ({@code event=approval_webhook_failed}) and counted, nothing else.
 */
public final class WebhookNotifier implements ApprovalNotifier {
  private static final Logger LOG = LoggerFactory.getLogger(WebhookNotifier.class);
  public static final String SIGNATURE_HEADER = "X-Vectorgate-Signature";
  public static final String TIMESTAMP_HEADER = "X-Vectorgate-Timestamp";
  public static final String EVENT_HEADER = "X-Vectorgate-Event";

  private final WebhookConfig cfg;
  private final Clock clock;
  private final HttpClient http;
  private final ExecutorService sender;
  private final AtomicInteger delivered = new AtomicInteger();
  private final AtomicInteger failed = new AtomicInteger();

  public WebhookNotifier(WebhookConfig cfg, Clock clock) {
    this.cfg = cfg;
    this.clock = clock;
    this.http = HttpClient.newBuilder().connectTimeout(cfg.timeout()).build();
    this.sender = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "vectorgate-approval-webhook");
      t.setDaemon(true);
      return t;
    });
  }

  @Override
  public void notify(String event, Approval approval) {
    byte[] body = body(event, approval);
    sender.execute(() -> deliver(event, approval.id(), body));
  }

  /** The JSON body for {@code event}: the Vectorgate shape, or Slack's {@code text}. */
  byte[] body(String event, Approval a) {
    ObjectNode root = ApprovalJson.mapper().createObjectNode();
    if (cfg.slack()) {
      root.put("text", slackText(event, a));
    } else {
      root.put("event", "approval." + event);
      root.set("approval", ApprovalJson.mapper().valueToTree(a));
    }
    try {
      return ApprovalJson.mapper().writeValueAsBytes(root);
    } catch (IOException e) {
      throw new IllegalStateException("cannot serialize webhook body", e);
    }
  }

  static String slackText(String event, Approval a) {
    String what = a.summary().text() == null ? a.summary().action() : a.summary().text();
    return switch (event) {
      case "created" -> ":hourglass: Approval `" + a.id() + "` requested by " + a.requester().subject() + ": " + what
          + " (" + a.reason() + "). Needs " + a.minApprovals() + " of " + a.approverGroups() + " before "
          + a.expiresAt() + ". `vectorgate approvals approve " + a.id() + "`";
      default -> ":white_check_mark: Approval `" + a.id() + "` " + event + ": " + what
          + (a.resolution() == null ? "" : " (" + a.resolution() + ")");
    };
  }

  private void deliver(String event, String approvalId, byte[] body) {
    long backoff = cfg.initialBackoff().toMillis();
    for (int attempt = 1; attempt <= cfg.maxAttempts(); attempt++) {
      String ts = Long.toString(clock.instant().getEpochSecond());
      HttpRequest.Builder rb = HttpRequest.newBuilder(cfg.url()).timeout(cfg.timeout())
          .header("Content-Type", "application/json")
          .header(EVENT_HEADER, "approval." + event)
          .header(TIMESTAMP_HEADER, ts)
          .POST(HttpRequest.BodyPublishers.ofByteArray(body));
      if (cfg.secret() != null) {
        rb.header(SIGNATURE_HEADER, "v1=" + sign(cfg.secret(), ts, body));
      }
      String problem;
      try {
        HttpResponse<Void> r = http.send(rb.build(), HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() / 100 == 2) {
          delivered.incrementAndGet();
          LOG.info("event=approval_webhook_delivered approval_id={} kind={} attempt={} status={}", approvalId, event,
              attempt, r.statusCode());
          return;
        }
        problem = "HTTP " + r.statusCode();
      } catch (IOException e) {
        problem = e.toString();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        failed.incrementAndGet();
        LOG.warn("event=approval_webhook_failed approval_id={} kind={} attempt={} error=interrupted", approvalId, event,
            attempt, e);
        return;
      }
      LOG.warn("event=approval_webhook_attempt_failed approval_id={} kind={} attempt={} of={} error=\"{}\"", approvalId,
          event, attempt, cfg.maxAttempts(), problem);
      if (attempt == cfg.maxAttempts()) {
        failed.incrementAndGet();
        LOG.error("event=approval_webhook_failed approval_id={} kind={} attempts={} error=\"{}\"", approvalId, event,
            attempt, problem);
        return;
      }
      try {
        Thread.sleep(backoff);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        failed.incrementAndGet();
        LOG.warn("event=approval_webhook_failed approval_id={} kind={} error=interrupted", approvalId, event, e);
        return;
      }
      backoff = Math.min(backoff * 2, 30_000);
    }
  }

  /** Hex HMAC-SHA256 of {@code <timestamp>.<body>} under {@code secret}. */
  public static String sign(byte[] secret, String timestamp, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      mac.update(timestamp.getBytes(StandardCharsets.US_ASCII));
      mac.update((byte) '.');
      return HexFormat.of().formatHex(mac.doFinal(body));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  public int delivered() {
    return delivered.get();
  }

  public int failed() {
    return failed.get();
  }

  /** Waits up to {@code millis} for queued deliveries, then stops. */
  @Override
  public void close() {
    sender.shutdown();
    try {
      if (!sender.awaitTermination(10, TimeUnit.SECONDS)) {
        sender.shutdownNow();
      }
    } catch (InterruptedException e) {
      sender.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
