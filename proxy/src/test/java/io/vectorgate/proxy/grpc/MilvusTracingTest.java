package io.vectorgate.proxy.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Message;
import io.grpc.CallOptions;
import io.grpc.HandlerRegistry;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerMethodDefinition;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.milvus.grpc.ShowCollectionsRequest;
import io.milvus.grpc.ShowCollectionsResponse;
import io.vectorgate.proxy.e2e.OtlpReceiver;
import io.vectorgate.proxy.testing.GatewayFixture;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Trace context on the Milvus gRPC listener: the client's {@code traceparent} metadata is the
 * parent when it parses, the upstream call carries the gateway's own {@code traceparent} metadata
 * (never the client's value, which is not in {@link MilvusMetadata#FORWARDED}), and the spans are
 * exported over OTLP/HTTP to a loopback receiver. The upstream is a gRPC server in this test that
 * answers ShowCollections and keeps the metadata it received (Milvus Lite cannot show it); the
 * gateway fixture also starts Milvus Lite, unused here.
 */
class MilvusTracingTest {
  static final String CLIENT_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  static final Metadata.Key<String> TRACEPARENT = Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER);
  static final Pattern W3C = Pattern.compile("00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}");

  @TempDir
  Path work;

  /** Answers ShowCollections with an empty OK list; keeps each call's metadata. */
  static final class RecordingUpstream implements AutoCloseable {
    final BlockingQueue<Metadata> received = new LinkedBlockingQueue<>();
    final Server server;

    RecordingUpstream() throws Exception {
      server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
          .fallbackHandlerRegistry(new HandlerRegistry() {
            @Override
            public ServerMethodDefinition<?, ?> lookupMethod(String name, String authority) {
              MethodDescriptor<Message, Message> m = MilvusMethods.byFullName(name);
              return m == null ? null : ServerMethodDefinition.create(m, answer());
            }
          }).build().start();
    }

    private io.grpc.ServerCallHandler<Message, Message> answer() {
      return (serverCall, headers) -> {
        received.add(headers);
        serverCall.request(1);
        return new ServerCall.Listener<>() {
          @Override
          public void onHalfClose() {
            serverCall.sendHeaders(new Metadata());
            serverCall.sendMessage(ShowCollectionsResponse.newBuilder()
                .setStatus(io.milvus.grpc.Status.newBuilder().setCode(0)).build());
            serverCall.close(Status.OK, new Metadata());
          }
        };
      };
    }

    String address() {
      return "127.0.0.1:" + server.getPort();
    }

    @Override
    public void close() throws InterruptedException {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void theUpstreamGetsTheGatewaysTraceparentMetadataInTheClientsTrace() throws Exception {
    List<OtlpReceiver.SpanRow> spans;
    List<Metadata> seen = new java.util.ArrayList<>();
    try (RecordingUpstream upstream = new RecordingUpstream(); OtlpReceiver receiver = new OtlpReceiver()) {
      GatewayFixture env = GatewayFixture.start(work, upstream.address(), receiver.tracingYaml("vg-milvus"));
      ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", env.port()).usePlaintext().build();
      try {
        call(channel, env, List.of("00-" + CLIENT_TRACE + "-00f067aa0ba902b7-01"));
        call(channel, env, List.of("00-" + CLIENT_TRACE + "-not-a-span-id-01"));
        call(channel, env, List.of("00-" + CLIENT_TRACE + "-00f067aa0ba902b7-01", "00-" + CLIENT_TRACE + "-00f067aa0ba902b8-01"));
        for (int i = 0; i < 3; i++) {
          Metadata h = upstream.received.poll(30, TimeUnit.SECONDS);
          assertNotNull(h, "the upstream never received call " + i);
          seen.add(h);
        }
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        env.close(); // flushes the spans
      }
      spans = receiver.spans();
    }
    for (int i = 0; i < 3; i++) {
      List<String> values = new java.util.ArrayList<>();
      seen.get(i).getAll(TRACEPARENT).forEach(values::add);
      assertEquals(1, values.size(), "call " + i + ": exactly the gateway's traceparent: " + values);
      Matcher m = W3C.matcher(values.get(0));
      assertTrue(m.matches(), values.get(0));
      OtlpReceiver.SpanRow up = spans.stream().filter(s -> s.spanId().equals(m.group(2))).findFirst()
          .orElseThrow(() -> new AssertionError("the upstream span was not exported: " + values));
      assertEquals("upstream", up.name());
      assertEquals(m.group(1), up.traceId());
      OtlpReceiver.SpanRow server = spans.stream().filter(s -> s.spanId().equals(up.parentSpanId())).findFirst().orElseThrow();
      assertEquals(2, server.kind(), "SPAN_KIND_SERVER");
      assertEquals("milvus", server.attrs().get("vectorgate.database.kind"));
      assertEquals("forwarded", server.attrs().get("vectorgate.outcome"));
      assertTrue(server.attrs().containsKey("vectorgate.decision_id"), server.toString());
      if (i == 0) {
        assertEquals(CLIENT_TRACE, m.group(1), "the client's trace continues upstream");
        assertEquals("00f067aa0ba902b7", server.parentSpanId());
      } else {
        assertNotEquals(CLIENT_TRACE, m.group(1), "call " + i + ": a malformed or repeated traceparent is dropped");
        assertEquals("", server.parentSpanId());
      }
    }
  }

  @Test
  void theClientsTraceparentIsNotAmongTheForwardedMetadata() throws Exception {
    Metadata in = new Metadata();
    in.put(TRACEPARENT, "00-" + CLIENT_TRACE + "-00f067aa0ba902b7-01");
    in.put(Metadata.Key.of("dbname", Metadata.ASCII_STRING_MARSHALLER), "default");
    MilvusMetadata md = MilvusMetadata.read(in);
    assertNull(md.forward().get(TRACEPARENT), "copied from the client");
    assertEquals("default", md.forward().get(MilvusMetadata.DBNAME));
    assertFalse(MilvusMetadata.FORWARDED.contains("traceparent"));
  }

  private static void call(ManagedChannel channel, GatewayFixture env, List<String> traceparents) {
    Metadata h = new Metadata();
    h.put(MilvusCredentials.AUTHORIZATION, Base64.getEncoder().encodeToString(env.token("bob").getBytes(StandardCharsets.UTF_8)));
    h.put(Metadata.Key.of("dbname", Metadata.ASCII_STRING_MARSHALLER), "default");
    traceparents.forEach(v -> h.put(TRACEPARENT, v));
    ShowCollectionsResponse r = (ShowCollectionsResponse) ClientCalls.blockingUnaryCall(
        io.grpc.ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(h)),
        MilvusMethods.byName("ShowCollections"), CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS),
        ShowCollectionsRequest.getDefaultInstance());
    assertEquals(0, r.getStatus().getCode(), r.toString());
  }
}
