package io.vectorgate.proxy.recording;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.milvus.grpc.SearchRequest;
import io.vectorgate.approvals.ApprovalEvent;
import io.vectorgate.approvals.ApprovalStatus;
import io.vectorgate.model.Action;
import io.vectorgate.model.Decision;
import io.vectorgate.model.FieldMask;
import io.vectorgate.model.Identity;
import io.vectorgate.model.LimitCap;
import io.vectorgate.model.Obligations;
import io.vectorgate.model.Operation;
import io.vectorgate.proxy.pipeline.GatewayMetrics;
import io.vectorgate.recorder.ClientInfo;
import io.vectorgate.recorder.Enforcement;
import io.vectorgate.recorder.RecordFormat;
import io.vectorgate.recorder.Recorder;
import io.vectorgate.recorder.RecorderConfig;
import io.vectorgate.recorder.RecordingReader;
import io.vectorgate.recorder.index.IndexConfig;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sessions per identity per connection, payload conversion and limits, enforcement facts, the approval audit. */
class GatewayRecordingTest {
  @TempDir
  Path dir;

  private static Identity id(String subject) {
    return new Identity(subject, null, List.of("g"), null, "https://issuer", null);
  }

  private List<ObjectNode> entries() throws Exception {
    List<ObjectNode> out = new ArrayList<>();
    new RecordingReader(dir).forEach(e -> {
      out.add(e.entry());
      return true;
    });
    return out;
  }

  @Test
  void oneSessionPerIdentityPerConnectionEndedWhenTheConnectionCloses() throws Exception {
    GatewayMetrics metrics = new GatewayMetrics();
    Recorder rec = Recorder.open(RecorderConfig.builder(dir).index(IndexConfig.none()).build());
    try (GatewayRecording g = GatewayRecording.of(rec, metrics, false, 1024)) {
      String c1 = g.connectionOpened("grpc", new InetSocketAddress("127.0.0.1", 4000));
      String c2 = g.connectionOpened("grpc", new InetSocketAddress("127.0.0.1", 4001));
      assertNotEquals(c1, c2);
      ClientInfo client1 = g.client(c1, "fallback", "grpc");
      assertEquals("127.0.0.1:4000", client1.address());
      Instant now = Instant.parse("2025-01-02T03:04:05Z");
      String a1 = g.session(client1, id("alice"), now);
      assertEquals(a1, g.session(client1, id("alice"), now));
      String b1 = g.session(client1, id("bob"), now);
      String anon = g.session(client1, null, now);
      String a2 = g.session(g.client(c2, "fallback", "grpc"), id("alice"), now);
      assertEquals(4, java.util.Set.of(a1, b1, anon, a2).size());
      g.connectionClosed(c1);
      g.connectionClosed(c1); // closing twice ends nothing more
      rec.flush().get();
      List<ObjectNode> ends = entries().stream().filter(e -> e.path("kind").asText().equals(RecordFormat.KIND_SESSION_END)).toList();
      assertEquals(3, ends.size());
      ends.forEach(e -> assertEquals("client_closed", e.path("reason").asText()));
      assertEquals("fallback", g.client("unknown-conn", "fallback", "http").address());
      // a connection that closes before it was ready (a port probe) has no attributes
      new GrpcConnections(g).transportTerminated(null);
    }
    // close ends the remaining session with gateway_stopped
    List<ObjectNode> all = entries();
    assertTrue(all.stream().anyMatch(e -> e.path("reason").asText().equals("gateway_stopped")), all.toString());
  }

  @Test
  void payloadsUseProtoFieldNamesAndLargeOnesBecomeMarkers() throws Exception {
    Recorder rec = Recorder.open(RecorderConfig.builder(dir).index(IndexConfig.none()).build());
    try (GatewayRecording g = GatewayRecording.of(rec, new GatewayMetrics(), false, 64)) {
      SearchRequest small = SearchRequest.newBuilder().setCollectionName("docs").setDsl("id > 1").build();
      JsonNode lazy = g.protoPayload(small);
      assertTrue(lazy.isPojo(), "converted lazily, on the writer thread");
      JsonNode j = RecordFormat.mapper().valueToTree(((com.fasterxml.jackson.databind.node.POJONode) lazy).getPojo());
      assertEquals("docs", j.path("collection_name").asText());
      assertEquals("id > 1", j.path("dsl").asText());
      SearchRequest big = SearchRequest.newBuilder().setCollectionName("x".repeat(100)).build();
      JsonNode m = g.protoPayload(big);
      assertEquals("too_large", m.path("vectorgate_omitted").asText());
      assertEquals(big.getSerializedSize(), m.path("bytes").asInt());
      assertEquals("too_large", g.jsonPayload(j, 65).path("vectorgate_omitted").asText());
      assertEquals(j, g.jsonPayload(j, 64));
    }
    GatewayRecording off = GatewayRecording.off();
    assertFalse(off.enabled());
    assertNull(off.protoPayload(SearchRequest.getDefaultInstance()));
    assertNull(off.connectionOpened("http", null));
    assertNull(off.append(null));
  }

  @Test
  void enforcementNamesWhatTheObligationsDid() {
    Obligations o = new Obligations(List.of(new FieldMask("email", null, null), new FieldMask("profile",
        List.of("contact", "email"), null)), true, List.of(), new LimitCap(10, LimitCap.CapMode.CLAMP), null, null);
    Decision d = new Decision(true, List.of(), o, "d-1", "r-1");
    Operation op = Operation.builder(Action.SEARCH).limit(50L).build();
    Enforcement e = GatewayRecording.enforcement("forwarded", d, op, "tenant == \"acme\"", null);
    assertEquals(List.of("email", "profile.contact.email"), e.fieldsMasked());
    assertTrue(e.vectorsStripped());
    assertEquals(50L, e.limitRequested());
    assertEquals(10L, e.limitClamped());
    assertEquals("tenant == \"acme\"", e.filterAdded());
    Enforcement small = GatewayRecording.enforcement("approved", d, Operation.builder(Action.SEARCH).limit(5L).build(),
        null, "apr-1");
    assertNull(small.limitClamped());
    assertEquals("apr-1", small.approvalId());
    Enforcement denied = GatewayRecording.enforcement("denied", d, op, "ignored", null);
    assertTrue(denied.fieldsMasked().isEmpty());
    assertFalse(denied.vectorsStripped());
    assertNull(denied.filterAdded());
  }

  @Test
  void approvalTransitionsAreAppendedToTheLog() throws Exception {
    GatewayMetrics metrics = new GatewayMetrics();
    try (Recorder rec = Recorder.open(RecorderConfig.builder(dir).index(IndexConfig.none()).build())) {
      RecordingApprovalAudit audit = new RecordingApprovalAudit(rec, metrics);
      audit.record(new ApprovalEvent(ApprovalEvent.Kind.CREATED, "apr-1", Instant.parse("2025-01-02T03:04:05Z"), "carol",
          ApprovalStatus.PENDING, "bulk delete"));
      audit.record(new ApprovalEvent(ApprovalEvent.Kind.APPROVED, "apr-1", Instant.parse("2025-01-02T03:05:00Z"), "dave",
          ApprovalStatus.APPROVED, null));
      rec.flush().get();
      rec.close();
      audit.record(new ApprovalEvent(ApprovalEvent.Kind.USED, "apr-1", Instant.now(), "system", ApprovalStatus.APPROVED, null));
      assertEquals(1, metrics.get("recording_failed"), "a transition the closed recorder refused is counted");
    }
    List<ObjectNode> approvals = entries().stream().filter(e -> e.path("kind").asText().equals("approval")).toList();
    assertEquals(2, approvals.size());
    assertEquals("created", approvals.get(0).path("event").asText());
    assertEquals("carol", approvals.get(0).path("actor").asText());
    assertEquals("pending", approvals.get(0).path("status").asText());
    assertEquals("bulk delete", approvals.get(0).path("detail").asText());
    assertEquals("approved", approvals.get(1).path("event").asText());
    assertEquals("2025-01-02T03:05:00Z", approvals.get(1).path("time").asText());
  }
}
