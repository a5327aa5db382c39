package io.vectorgate.proxy.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Message;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.milvus.grpc.ShowCollectionsRequest;
import io.milvus.grpc.ShowCollectionsResponse;
import io.vectorgate.proxy.testing.GatewayFixture;
import io.vectorgate.proxy.testing.MilvusLite;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The listener's transport behaviour with a plain grpc-java client: auth, unknown methods, upstream failure. */
class MilvusGrpcGatewayTest {
  @TempDir
  static Path work;
  static GatewayFixture env;
  static ManagedChannel channel;

  @BeforeAll
  static void start() throws Exception {
    env = GatewayFixture.start(work);
    channel = NettyChannelBuilder.forAddress("127.0.0.1", env.port()).usePlaintext().build();
  }

  @AfterAll
  static void stop() throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (env != null) {
      env.close();
    }
  }

  private static Message showCollections(ManagedChannel ch, String authorization) {
    Metadata h = new Metadata();
    if (authorization != null) {
      h.put(MilvusCredentials.AUTHORIZATION, authorization);
    }
    return ClientCalls.blockingUnaryCall(
        io.grpc.ClientInterceptors.intercept(ch, MetadataUtils.newAttachHeadersInterceptor(h)),
        MilvusMethods.byName("ShowCollections"), CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS),
        ShowCollectionsRequest.getDefaultInstance());
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void validTokenIsServedFromTheUpstream() {
    Message m = showCollections(channel, b64(env.token("bob")));
    assertTrue(m instanceof ShowCollectionsResponse);
    assertEquals(0, ((ShowCollectionsResponse) m).getStatus().getCode());
  }

  @Test
  void missingOrPasswordCredentialsAreUnauthenticated() {
    StatusRuntimeException none = assertThrows(StatusRuntimeException.class, () -> showCollections(channel, null));
    assertEquals(Status.Code.UNAUTHENTICATED, none.getStatus().getCode());
    assertTrue(none.getStatus().getDescription().startsWith("missing_token: "), none.getStatus().toString());

    StatusRuntimeException pw = assertThrows(StatusRuntimeException.class,
        () -> showCollections(channel, b64(GatewayFixture.MILVUS_CREDENTIAL)));
    assertEquals(Status.Code.UNAUTHENTICATED, pw.getStatus().getCode());
    assertTrue(pw.getStatus().getDescription().contains("user:password"), pw.getStatus().toString());

    StatusRuntimeException bearer = assertThrows(StatusRuntimeException.class,
        () -> showCollections(channel, "Bearer not.a.jwt"));
    assertEquals(Status.Code.UNAUTHENTICATED, bearer.getStatus().getCode());
  }

  @Test
  void unknownMethodsFailClosedAndAreCounted() {
    MethodDescriptor.Marshaller<InputStream> raw = new MethodDescriptor.Marshaller<>() {
      @Override
      public InputStream stream(InputStream value) {
        return value;
      }

      @Override
      public InputStream parse(InputStream stream) {
        return stream;
      }
    };
    MethodDescriptor<InputStream, InputStream> unknown = MethodDescriptor.<InputStream, InputStream>newBuilder()
        .setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName("milvus.proto.milvus.MilvusService/SetRLSPrincipalTags")
        .setRequestMarshaller(raw).setResponseMarshaller(raw).build();
    long before = env.gateway.metrics().get("unknown_method");
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> ClientCalls.blockingUnaryCall(
        channel, unknown, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), new ByteArrayInputStream(new byte[0])));
    assertEquals(Status.Code.UNIMPLEMENTED, e.getStatus().getCode());
    assertTrue(e.getStatus().getDescription().contains("SetRLSPrincipalTags"), e.getStatus().toString());
    assertEquals(before + 1, env.gateway.metrics().get("unknown_method"));
  }

  @Test
  void unavailableUpstreamIsReportedAsUnavailable(@TempDir Path other) throws Exception {
    try (GatewayFixture dead = GatewayFixture.start(other, "127.0.0.1:" + MilvusLite.freePort())) {
      ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", dead.port()).usePlaintext().build();
      try {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
            () -> showCollections(ch, b64(dead.token("alice"))));
        assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().startsWith("upstream Milvus `lite` at 127.0.0.1:"), e.getStatus().toString());
      } finally {
        ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }
}
