package io.vectorgate.approvals;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Webhook delivery to a real HTTP receiver on loopback: signature, retries, Slack shape, failure isolation. */
class WebhookNotifierTest {
  private static final byte[] SECRET = "webhook-secret-0123456789abcdef".getBytes(StandardCharsets.UTF_8);

  record Received(String event, String timestamp, String signature, byte[] body) {}

  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final AtomicInteger failFirst = new AtomicInteger();
  private HttpServer receiver;

  @TempDir
  Path dir;

  private URI startReceiver() throws Exception {
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext("/hook", ex -> {
      byte[] body = ex.getRequestBody().readAllBytes();
      int status = failFirst.getAndDecrement() > 0 ? 500 : 204;
      if (status == 204) {
        received.add(new Received(ex.getRequestHeaders().getFirst(WebhookNotifier.EVENT_HEADER),
            ex.getRequestHeaders().getFirst(WebhookNotifier.TIMESTAMP_HEADER),
            ex.getRequestHeaders().getFirst(WebhookNotifier.SIGNATURE_HEADER), body));
      }
      ex.sendResponseHeaders(status, -1);
      ex.close();
    });
    receiver.start();
    return URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook");
  }

  @AfterEach
  void stop() {
    if (receiver != null) {
      receiver.stop(0);
    }
  }

  private ApprovalService service(ApprovalNotifier n, RecordingAudit audit) {
    return new ApprovalService(ApprovalStore.open(StoreConfig.sqlite(dir.resolve("a.db"))), audit, n, Clock.systemUTC(),
        ApprovalService.Settings.DEFAULTS);
  }

  @Test
  void createdAndResolvedAreDeliveredSignedAfterRetries() throws Exception {
    URI url = startReceiver();
    failFirst.set(2);
    WebhookNotifier hook = new WebhookNotifier(new WebhookConfig(url, false, SECRET, 4, Duration.ofMillis(20), null),
        Clock.systemUTC());
    Approval a;
    try (ApprovalService svc = service(hook, new RecordingAudit())) {
      a = svc.request(ApprovalServiceContract.bulkDelete("fp", 1, 600)).approval();
      svc.approve(a.id(), ApprovalServiceContract.ERIN, "ok", 1);
    } finally {
      hook.close();
    }
    assertEquals(2, received.size(), "deliveries: " + received);
    assertEquals(2, hook.delivered());
    assertEquals(0, hook.failed());
    assertEquals(List.of("approval.created", "approval.approved"), received.stream().map(Received::event).toList());
    for (Received r : received) {
      assertEquals("v1=" + WebhookNotifier.sign(SECRET, r.timestamp(), r.body()), r.signature());
    }
    JsonNode created = ApprovalJson.mapper().readTree(received.get(0).body());
    assertEquals("approval.created", created.get("event").asText());
    assertEquals(a.id(), created.get("approval").get("id").asText());
    assertEquals("bob", created.get("approval").get("requester").get("subject").asText());
    assertEquals("pending", created.get("approval").get("status").asText());
    assertEquals("approved", ApprovalJson.mapper().readTree(received.get(1).body()).get("approval").get("status").asText());
  }

  @Test
  void slackShapeCarriesOneTextLine() throws Exception {
    URI url = startReceiver();
    WebhookNotifier hook = new WebhookNotifier(new WebhookConfig(url, true, null, 1, null, null), Clock.systemUTC());
    try (ApprovalService svc = service(hook, new RecordingAudit())) {
      svc.request(ApprovalServiceContract.bulkDelete("fp", 1, 600));
    } finally {
      hook.close();
    }
    assertEquals(1, received.size());
    JsonNode body = ApprovalJson.mapper().readTree(received.get(0).body());
    assertEquals(1, body.size());
    String text = body.get("text").asText();
    assertTrue(text.contains("requested by bob") && text.contains("delete from docs where id >= 5")
        && text.contains("[db-admins]"), text);
    assertEquals(null, received.get(0).signature());
  }

  @Test
  void anUnreachableWebhookNeverChangesTheOutcome() throws Exception {
    URI dead;
    try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      dead = URI.create("http://127.0.0.1:" + s.getLocalPort() + "/hook");
    }
    WebhookNotifier hook = new WebhookNotifier(new WebhookConfig(dead, false, SECRET, 2, Duration.ofMillis(10),
        Duration.ofSeconds(1)), Clock.systemUTC());
    RecordingAudit audit = new RecordingAudit();
    Approval a;
    try (ApprovalService svc = service(hook, audit)) {
      a = svc.request(ApprovalServiceContract.bulkDelete("fp", 2, 600)).approval();
      Approval after = svc.approve(a.id(), ApprovalServiceContract.ERIN, null, 1);
      assertEquals(ApprovalStatus.PENDING, after.status(), "a failed notification approved something");
      assertEquals(ApprovalStatus.REJECTED, svc.reject(a.id(), ApprovalServiceContract.FRANK, "no").status());
    } finally {
      hook.close();
    }
    assertEquals(2, hook.failed());
    assertEquals(0, hook.delivered());
    assertEquals(List.of(ApprovalEvent.Kind.CREATED, ApprovalEvent.Kind.VOTED, ApprovalEvent.Kind.REJECTED), audit.kinds(a.id()));
  }
}
