package io.vectorgate.proxy.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Message;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.milvus.grpc.ShowCollectionsRequest;
import io.milvus.grpc.ShowCollectionsResponse;
import io.vectorgate.model.Obligations;
import io.vectorgate.model.DatabaseKind;
import io.vectorgate.proxy.adapter.AdapterRegistry;
import io.vectorgate.proxy.adapter.DatabaseAdapter;
import io.vectorgate.proxy.adapter.milvus.MilvusCall;
import io.vectorgate.proxy.testing.GatewayFixture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gateway whose adapter fails with an Error a broken deployment produces (a class that
 * cannot be loaded) still ends the client's call with INTERNAL naming the request, before and
 * after the upstream call, instead of leaving it open until the client's deadline (or forever). An
 * upstream answer the decision cannot be applied to is answered with INTERNAL, never passed on.
 */
class BrokenProtocolTest {
  enum Fault { NONE, DECODE, REWRITE, UNENFORCEABLE }

  static volatile Fault fault = Fault.NONE;

  @TempDir
  static Path work;
  static GatewayFixture env;
  static ManagedChannel channel;

  @BeforeAll
  static void start() throws Exception {
    AdapterRegistry defaults = AdapterRegistry.defaults();
    env = GatewayFixture.start(work, null, "", defaults.with(DatabaseKind.MILVUS, (settings, reads) -> {
      DatabaseAdapter<MilvusCall, Message> real = defaults.milvus(settings, reads);
      return new DatabaseAdapter<MilvusCall, Message>() {
        @Override
        public DatabaseKind kind() {
          return DatabaseKind.MILVUS;
        }

        @Override
        public Handle<MilvusCall> decode(MilvusCall call) {
          if (fault == Fault.DECODE) {
            throw new NoClassDefFoundError("io/vectorgate/Missing (decode)");
          }
          return real.decode(call);
        }

        @Override
        public Applied<MilvusCall> applyRequestObligations(Handle<MilvusCall> handle, Obligations obligations) {
          return real.applyRequestObligations(handle, obligations);
        }

        @Override
        public Rewritten<Message> rewriteResponse(Applied<MilvusCall> applied, Message response, Obligations obligations) {
          if (fault == Fault.REWRITE) {
            throw new NoClassDefFoundError("io/vectorgate/Missing (rewrite)");
          }
          if (fault == Fault.UNENFORCEABLE) {
            throw new io.vectorgate.proxy.adapter.milvus.ResponseUnenforceableException("a column holds 2 values for 3 rows");
          }
          return real.rewriteResponse(applied, response, obligations);
        }
      };
    }));
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

  private static Message showCollections() {
    Metadata h = new Metadata();
    h.put(MilvusCredentials.AUTHORIZATION,
        Base64.getEncoder().encodeToString(env.token("bob").getBytes(StandardCharsets.UTF_8)));
    return ClientCalls.blockingUnaryCall(
        io.grpc.ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(h)),
        MilvusMethods.byName("ShowCollections"), CallOptions.DEFAULT.withDeadlineAfter(60, TimeUnit.SECONDS),
        ShowCollectionsRequest.getDefaultInstance());
  }

  private static void assertInternal(Fault f) {
    fault = f;
    long before = env.gateway.metrics().get("internal_error");
    try {
      // answered in band (gRPC OK), so clients do not retry: Milvus's internal-error code and the reason
      io.milvus.grpc.Status st = ((io.milvus.grpc.ShowCollectionsResponse) showCollections()).getStatus();
      assertEquals(MilvusRefusals.SERVICE_INTERNAL, st.getCode(), st.toString());
      assertTrue(st.getReason().startsWith("vectorgate: gateway_error: the gateway failed to process the request"
          + " (request "), st.toString());
      assertEquals(before + 1, env.gateway.metrics().get("internal_error"));
    } finally {
      fault = Fault.NONE;
    }
  }

  @Test
  void anErrorWhileDecodingEndsTheCallWithInternal() {
    assertInternal(Fault.DECODE);
    // the gateway still serves the next request
    assertTrue(showCollections() instanceof ShowCollectionsResponse);
  }

  @Test
  void anAnswerTheDecisionCannotBeAppliedToIsNotPassedOn() {
    fault = Fault.UNENFORCEABLE;
    long before = env.gateway.metrics().get("response_unenforceable");
    try {
      // answered in band like every gateway error: Milvus's internal-error code and the reason
      io.milvus.grpc.Status st = ((ShowCollectionsResponse) showCollections()).getStatus();
      assertEquals(MilvusRefusals.SERVICE_INTERNAL, st.getCode(), st.toString());
      assertTrue(st.getReason().startsWith("vectorgate: response_unenforceable: cannot enforce the decision on"
          + " the upstream's answer: a column holds 2 values for 3 rows (request "), st.toString());
      assertEquals(before + 1, env.gateway.metrics().get("response_unenforceable"));
    } finally {
      fault = Fault.NONE;
    }
    assertTrue(showCollections() instanceof ShowCollectionsResponse);
  }

  @Test
  void anErrorWhileRewritingTheResponseEndsTheCallWithInternal() {
    assertInternal(Fault.REWRITE);
    assertTrue(showCollections() instanceof ShowCollectionsResponse);
  }
}
