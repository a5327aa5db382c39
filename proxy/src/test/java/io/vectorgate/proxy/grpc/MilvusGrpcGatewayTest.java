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

/**
 * The listener's transport behaviour with a plain grpc-java client: auth, repeated metadata,
 * unknown methods, upstream failure. Refusals of served methods come back in band (gRPC OK, the
 * response's {@code status} set), unknown and streaming methods as gRPC statuses.
 */
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
    return showCollections(ch, h);
  }

  private static ShowCollectionsResponse showCollections(ManagedChannel ch, Metadata h) {
    return (ShowCollectionsResponse) ClientCalls.blockingUnaryCall(
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

  /** An in-band refusal: gRPC OK, the response's own status carries Milvus's code, the legacy code and the reason. */
  static io.milvus.grpc.Status refused(Message m, int code, io.milvus.grpc.ErrorCode legacy, String reasonStart) {
    io.milvus.grpc.Status st = ((ShowCollectionsResponse) m).getStatus();
    assertEquals(code, st.getCode(), st.toString());
    assertEquals(legacy, st.getErrorCode(), st.toString());
    assertTrue(st.getReason().startsWith("vectorgate: " + reasonStart), st.getReason());
    assertTrue(st.getReason().matches(".*\\(request [0-9a-f-]{36}\\)$"), st.getReason());
    assertEquals(0, ((ShowCollectionsResponse) m).getCollectionNamesCount());
    return st;
  }

  @Test
  void missingOrPasswordCredentialsAreRefusedInBand() {
    refused(showCollections(channel, (String) null), MilvusRefusals.NOT_AUTHENTICATED,
        io.milvus.grpc.ErrorCode.PermissionDenied, "missing_token: ");
    io.milvus.grpc.Status pw = refused(showCollections(channel, b64(GatewayFixture.MILVUS_CREDENTIAL)),
        MilvusRefusals.NOT_AUTHENTICATED, io.milvus.grpc.ErrorCode.PermissionDenied, "malformed_token: ");
    assertTrue(pw.getReason().contains("user:password"), pw.getReason());
    refused(showCollections(channel, "Bearer not.a.jwt"), MilvusRefusals.NOT_AUTHENTICATED,
        io.milvus.grpc.ErrorCode.PermissionDenied, "malformed_token: ");
  }

  /** Issue 14 finding 5: two `authorization` values (even equal ones) are refused, not "the last one wins". */
  @Test
  void repeatedSecurityMetadataIsRefusedNamingTheKey() {
    long before = env.gateway.metrics().get("rejected_request");
    String bob = b64(env.token("bob"));
    String alice = b64(env.token("alice"));
    for (String[] values : new String[][] {{bob, alice}, {alice, bob}, {bob, bob}}) {
      Metadata h = new Metadata();
      h.put(MilvusCredentials.AUTHORIZATION, values[0]);
      h.put(MilvusCredentials.AUTHORIZATION, values[1]);
      io.milvus.grpc.Status st = refused(showCollections(channel, h), MilvusRefusals.INVALID_PARAMETER,
          io.milvus.grpc.ErrorCode.IllegalArgument, "duplicate_metadata: metadata key `authorization` appears 2 times");
      assertTrue(st.getReason().contains("at most once"), st.getReason());
    }
    Metadata db = new Metadata();
    db.put(MilvusCredentials.AUTHORIZATION, bob);
    db.put(MilvusMetadata.DBNAME, "other");
    db.put(MilvusMetadata.DBNAME, "default");
    refused(showCollections(channel, db), MilvusRefusals.INVALID_PARAMETER, io.milvus.grpc.ErrorCode.IllegalArgument,
        "duplicate_metadata: metadata key `dbname` appears 2 times");
    assertEquals(before + 4, env.gateway.metrics().get("rejected_request"));
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
  void unavailableUpstreamIsRefusedInBandAsUnavailable(@TempDir Path other) throws Exception {
    try (GatewayFixture dead = GatewayFixture.start(other, "127.0.0.1:" + MilvusLite.freePort())) {
      ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", dead.port()).usePlaintext().build();
      try {
        refused(showCollections(ch, b64(dead.token("alice"))), MilvusRefusals.SERVICE_UNAVAILABLE,
            io.milvus.grpc.ErrorCode.UnexpectedError, "upstream_unavailable: upstream Milvus `lite` at 127.0.0.1:");
      } finally {
        ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }
}
