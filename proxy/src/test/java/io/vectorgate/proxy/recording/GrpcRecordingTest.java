package io.vectorgate.proxy.recording;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import com.google.protobuf.Message;
import io.grpc.CallOptions;
import io.grpc.stub.ClientCalls;
import io.vectorgate.proxy.grpc.MilvusMethods;
import io.vectorgate.proxy.grpc.MilvusCredentials;
import io.vectorgate.proxy.testing.GatewayFixture;
import io.vectorgate.recorder.RecordFormat;
import io.vectorgate.recorder.RecordingReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gRPC listener with recording on, against Milvus Lite: a call and its session are recorded
 * with the connection id, the session ends when the channel closes, and once recording is
 * impossible calls fail with UNAVAILABLE naming the recorder problem (counted).
 */
class GrpcRecordingTest {
  @TempDir
  static Path work;
  static GatewayFixture env;
  static Path dir;

  @BeforeAll
  static void start() throws Exception {
    dir = work.resolve("rec");
    env = GatewayFixture.start(work, null, """
        recording:
          directory: %s
          acknowledge: durable
        """.formatted(dir));
  }

  @AfterAll
  static void stop() {
    if (env != null) {
      env.close();
    }
  }

  /** One ShowCollections call with the gateway's own method descriptor (unshaded gRPC). */
  private static Message showCollections(ManagedChannel ch, String token) {
    Metadata md = new Metadata();
    md.put(MilvusCredentials.AUTHORIZATION, Base64.getEncoder().encodeToString(token.getBytes(StandardCharsets.UTF_8)));
    var method = MilvusMethods.byName("ShowCollections");
    Message req = (Message) method.parseRequest(new java.io.ByteArrayInputStream(new byte[0]));
    return ClientCalls.blockingUnaryCall(io.grpc.ClientInterceptors.intercept(ch,
        MetadataUtils.newAttachHeadersInterceptor(md)), method, CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS),
        req);
  }

  @Test
  void callsAreRecordedPerChannelAndRefusedWhileRecordingIsImpossible() throws Exception {
    ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", env.port()).usePlaintext().build();
    try {
      showCollections(ch, env.token("alice"));
      showCollections(ch, env.token("bob"));
    } finally {
      ch.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
    var recording = env.gateway.recording().orElseThrow();
    // the channel's close ends both sessions (the transport filter sees the connection go)
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    List<ObjectNode> all;
    do {
      recording.recorder().flush().get();
      all = entries();
    } while (all.stream().filter(e -> e.path("kind").asText().equals(RecordFormat.KIND_SESSION_END)).count() < 2
        && System.nanoTime() < deadline && sleep());
    List<ObjectNode> reqs = all.stream().filter(e -> e.path("kind").asText().equals(RecordFormat.KIND_REQUEST)).toList();
    assertEquals(2, reqs.size(), all.toString());
    assertEquals(reqs.get(0).at("/client/connection_id").asText(), reqs.get(1).at("/client/connection_id").asText());
    assertTrue(reqs.get(0).at("/client/address").asText().startsWith("127.0.0.1:"), reqs.get(0).toString());
    assertTrue(!reqs.get(0).path("session").asText().equals(reqs.get(1).path("session").asText()),
        "two identities on one channel share a session");
    List<ObjectNode> ends = all.stream().filter(e -> e.path("kind").asText().equals(RecordFormat.KIND_SESSION_END)).toList();
    assertEquals(2, ends.size(), all.toString());
    ends.forEach(e -> {
      assertEquals("client_closed", e.path("reason").asText());
      assertEquals(1, e.at("/counters/requests").asLong());
    });
    assertEquals("list", reqs.get(0).at("/operation/action").asText(), reqs.get(0).toString());
    assertEquals("OK", reqs.get(0).at("/upstream/status").asText(), reqs.get(0).toString());
    assertTrue(reqs.get(0).at("/response/status").isObject(), "the ShowCollections response as JSON: " + reqs.get(0));

    long before = env.gateway.metrics().get("recording_unavailable");
    recording.recorder().close();
    ManagedChannel ch2 = NettyChannelBuilder.forAddress("127.0.0.1", env.port()).usePlaintext().build();
    try {
      // refused in band (gRPC OK): Milvus's service-unavailable code, which no client retries by itself
      io.milvus.grpc.Status st = ((io.milvus.grpc.ShowCollectionsResponse) showCollections(ch2, env.token("alice")))
          .getStatus();
      assertEquals(io.vectorgate.proxy.grpc.MilvusRefusals.SERVICE_UNAVAILABLE, st.getCode(), st.toString());
      assertTrue(st.getReason().contains("recorder_closed"), st.getReason());
    } finally {
      ch2.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
    assertEquals(before + 1, env.gateway.metrics().get("recording_unavailable"));
  }

  private static boolean sleep() throws InterruptedException {
    Thread.sleep(50);
    return true;
  }

  private static List<ObjectNode> entries() throws Exception {
    List<ObjectNode> out = new ArrayList<>();
    new RecordingReader(dir).forEach(e -> {
      out.add(e.entry());
      return true;
    });
    return out;
  }
}
