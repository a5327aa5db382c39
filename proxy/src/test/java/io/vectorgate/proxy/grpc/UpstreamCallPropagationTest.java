package io.vectorgate.proxy.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Message;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.HandlerRegistry;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.milvus.grpc.ShowCollectionsRequest;
import io.milvus.grpc.ShowCollectionsResponse;
import io.vectorgate.proxy.testing.GatewayFixture;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway's upstream call is asynchronous: the incoming call's deadline and cancellation still
 * reach the upstream call, and a call waiting on the upstream does not occupy a worker thread. The
 * upstream is a gRPC server on loopback that serves the MilvusService methods by holding every call
 * open until it is cancelled, and reports what it saw.
 */
class UpstreamCallPropagationTest {
  @TempDir
  static Path work;
  static HoldingUpstream upstream;
  static GatewayFixture env;
  static ManagedChannel channel;

  /** One call the holding upstream received: its deadline, and a latch that opens when it is cancelled. */
  record Held(String method, Deadline deadline, Metadata headers, CountDownLatch cancelled) {}

  static final Metadata.Key<String> CLIENT_REQUEST_ID = Metadata.Key.of("client-request-id", Metadata.ASCII_STRING_MARSHALLER);
  /** A response well over the size the gateway rewrites on the transport thread. */
  static final ShowCollectionsResponse BIG = bigResponse();

  private static ShowCollectionsResponse bigResponse() {
    ShowCollectionsResponse.Builder b = ShowCollectionsResponse.newBuilder()
        .setStatus(io.milvus.grpc.Status.newBuilder().setCode(0));
    for (int i = 0; i < 30_000; i++) {
      b.addCollectionNames("collection_" + i).addCollectionIds(i);
    }
    return b.build();
  }

  /**
   * Holds every unary MilvusService call open until the caller cancels it; answers ShowCollections
   * with {@link #BIG} at once when {@code client-request-id} is {@code answer-big}.
   */
  static final class HoldingUpstream implements AutoCloseable {
    final BlockingQueue<Held> received = new LinkedBlockingQueue<>();
    final Server server;

    HoldingUpstream() throws Exception {
      server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
          .fallbackHandlerRegistry(new HandlerRegistry() {
            @Override
            public ServerMethodDefinition<?, ?> lookupMethod(String name, String authority) {
              MethodDescriptor<Message, Message> m = MilvusMethods.byFullName(name);
              return m == null ? null : ServerMethodDefinition.create(m, hold(m));
            }
          }).build().start();
    }

    private ServerCallHandler<Message, Message> hold(MethodDescriptor<Message, Message> m) {
      return (call, headers) -> {
        if ("answer-big".equals(headers.get(CLIENT_REQUEST_ID)) && m.getBareMethodName().equals("ShowCollections")) {
          call.request(1);
          return new ServerCall.Listener<>() {
            @Override
            public void onHalfClose() {
              call.sendHeaders(new Metadata());
              call.sendMessage(BIG);
              call.close(Status.OK, new Metadata());
            }
          };
        }
        CountDownLatch cancelled = new CountDownLatch(1);
        received.add(new Held(m.getBareMethodName(), Context.current().getDeadline(), headers, cancelled));
        call.request(1);
        return new ServerCall.Listener<>() {
          @Override
          public void onCancel() {
            cancelled.countDown();
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

  @BeforeAll
  static void start() throws Exception {
    upstream = new HoldingUpstream();
    // one worker: a call waiting on the upstream must not hold it
    env = GatewayFixture.start(work, upstream.address(), """
        limits:
          worker_threads: 1
          queue_size: 1
        """);
    channel = NettyChannelBuilder.forAddress("127.0.0.1", env.port()).usePlaintext().build();
  }

  @AfterAll
  static void stop() throws Exception {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (env != null) {
      env.close();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  private static Metadata auth(String user) {
    Metadata h = new Metadata();
    h.put(MilvusCredentials.AUTHORIZATION, Base64.getEncoder().encodeToString(env.token(user).getBytes(StandardCharsets.UTF_8)));
    h.put(Metadata.Key.of("dbname", Metadata.ASCII_STRING_MARSHALLER), "default");
    return h;
  }

  private static ClientCall<Message, Message> showCollections(CallOptions opts, Metadata headers) {
    return io.grpc.ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers))
        .newCall(MilvusMethods.byName("ShowCollections"), opts);
  }

  private static Held nextHeld() throws InterruptedException {
    Held h = upstream.received.poll(30, TimeUnit.SECONDS);
    assertNotNull(h, "the upstream never received the forwarded call");
    return h;
  }

  /** Waits (bounded) until the gateway has counted {@code n} more upstream errors: it counts after answering. */
  private static void awaitUpstreamErrors(long before, long n) throws InterruptedException {
    for (int i = 0; i < 300 && env.gateway.metrics().get("upstream_error") < before + n; i++) {
      Thread.sleep(50);
    }
    assertEquals(before + n, env.gateway.metrics().get("upstream_error"));
  }

  @Test
  void theClientsDeadlineReachesTheUpstreamCallWhichEndsWithIt() throws Exception {
    upstream.received.clear();
    long before = env.gateway.metrics().get("upstream_error");
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> ClientCalls.blockingUnaryCall(
        io.grpc.ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(auth("bob"))),
        MilvusMethods.byName("ShowCollections"), CallOptions.DEFAULT.withDeadlineAfter(3, TimeUnit.SECONDS),
        ShowCollectionsRequest.getDefaultInstance()));
    assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode(), e.getStatus().toString());
    Held h = nextHeld();
    assertEquals("ShowCollections", h.method());
    assertNotNull(h.deadline(), "the upstream call carried no deadline");
    // the gateway's own timeout for this connection is 60 s: a deadline under 3 s is the client's
    assertTrue(h.deadline().timeRemaining(TimeUnit.MILLISECONDS) <= 3000, h.deadline().toString());
    assertTrue(h.cancelled().await(30, TimeUnit.SECONDS), "the upstream call was not ended at the deadline");
    awaitUpstreamErrors(before, 1);
    // the gateway's credential went upstream, not the client's token
    assertEquals(MilvusCredentials.headerValue(GatewayFixture.MILVUS_CREDENTIAL), h.headers().get(MilvusCredentials.AUTHORIZATION));
    assertEquals("default", h.headers().get(Metadata.Key.of("dbname", Metadata.ASCII_STRING_MARSHALLER)));
  }

  @Test
  void cancellingTheClientCallCancelsTheUpstreamCall() throws Exception {
    upstream.received.clear();
    long before = env.gateway.metrics().get("upstream_error");
    ClientCall<Message, Message> call = showCollections(CallOptions.DEFAULT.withDeadlineAfter(60, TimeUnit.SECONDS), auth("bob"));
    BlockingQueue<Status> closed = new LinkedBlockingQueue<>();
    call.start(new ClientCall.Listener<>() {
      @Override
      public void onClose(Status status, Metadata trailers) {
        closed.add(status);
      }
    }, new Metadata());
    call.request(1);
    call.sendMessage(ShowCollectionsRequest.getDefaultInstance());
    call.halfClose();
    Held h = nextHeld();
    assertEquals(1, h.cancelled().getCount(), "held before the client cancels");
    call.cancel("the client gives up", null);
    assertTrue(h.cancelled().await(30, TimeUnit.SECONDS), "the client's cancellation did not reach the upstream call");
    Status s = closed.poll(30, TimeUnit.SECONDS);
    assertNotNull(s);
    assertEquals(Status.Code.CANCELLED, s.getCode());
    awaitUpstreamErrors(before, 1);
  }

  @Test
  void callsWaitingOnTheUpstreamDoNotOccupyTheOnlyWorker() throws Exception {
    upstream.received.clear();
    List<ClientCall<Message, Message>> calls = new ArrayList<>();
    BlockingQueue<Status> closed = new LinkedBlockingQueue<>();
    try {
      for (int i = 0; i < 3; i++) {
        ClientCall<Message, Message> call = showCollections(CallOptions.DEFAULT.withDeadlineAfter(60, TimeUnit.SECONDS), auth("bob"));
        call.start(new ClientCall.Listener<>() {
          @Override
          public void onClose(Status status, Metadata trailers) {
            closed.add(status);
          }
        }, new Metadata());
        call.request(1);
        call.sendMessage(ShowCollectionsRequest.getDefaultInstance());
        call.halfClose();
        calls.add(call);
        nextHeld(); // forwarded: the worker went on to the next call
      }
      // with one worker and a queue of one, a blocking upstream call would leave no room for this one
      io.milvus.grpc.Status refused = ((ShowCollectionsResponse) ClientCalls.blockingUnaryCall(
          channel, MilvusMethods.byName("ShowCollections"), CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS),
          ShowCollectionsRequest.getDefaultInstance())).getStatus();
      assertEquals(MilvusRefusals.NOT_AUTHENTICATED, refused.getCode(), refused.toString());
      assertTrue(closed.isEmpty(), "the held calls are still open: " + closed);
      assertFalse(env.gateway.metrics().get("overloaded") > 0, "no call was refused for capacity");
    } finally {
      calls.forEach(c -> c.cancel("test over", null));
    }
    for (int i = 0; i < 3; i++) {
      Status s = closed.poll(30, TimeUnit.SECONDS);
      assertNotNull(s);
      assertEquals(Status.Code.CANCELLED, s.getCode());
    }
  }

  @Test
  void aLargeUpstreamResponseIsAnsweredInFull() {
    assertTrue(BIG.getSerializedSize() > MilvusGrpcGateway.INLINE_RESPONSE_BYTES, "test response too small");
    Metadata h = auth("bob");
    h.put(CLIENT_REQUEST_ID, "answer-big");
    Message m = ClientCalls.blockingUnaryCall(
        io.grpc.ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(h)),
        MilvusMethods.byName("ShowCollections"), CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS),
        ShowCollectionsRequest.getDefaultInstance());
    ShowCollectionsResponse r = (ShowCollectionsResponse) m;
    assertEquals(0, r.getStatus().getCode());
    assertEquals(BIG.getCollectionNamesCount(), r.getCollectionNamesCount());
    assertEquals(BIG.getCollectionNamesList(), r.getCollectionNamesList());
  }
}
