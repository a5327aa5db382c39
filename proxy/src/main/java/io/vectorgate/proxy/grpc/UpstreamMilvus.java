package io.vectorgate.proxy.grpc;

import com.google.protobuf.Message;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.milvus.grpc.CollectionSchema;
import io.milvus.grpc.DescribeCollectionRequest;
import io.milvus.grpc.DescribeCollectionResponse;
import io.vectorgate.proxy.config.ConfigLoader;
import io.vectorgate.proxy.config.GatewayConfig.ConnectionConfig;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * The gateway's client to one upstream Milvus: a channel that always sends the gateway's own
 * credential in {@code authorization} (never the caller's), with deadlines and cancellation taken
 * from the current gRPC {@link io.grpc.Context} (the incoming call's).
 */
public final class UpstreamMilvus implements AutoCloseable {
  private final ManagedChannel channel;
  private final String name;
  private final String address;
  private final String authorization;
  private final long defaultTimeoutSeconds;

  public UpstreamMilvus(ConnectionConfig cfg, String credential, int maxInboundMessageBytes, Executor executor) {
    this(cfg, credential, maxInboundMessageBytes, executor, null);
  }

  /** As above, the channel's connection on the gateway's shared event loops ({@code null}: grpc-netty's own). */
  public UpstreamMilvus(ConnectionConfig cfg, String credential, int maxInboundMessageBytes, Executor executor,
      GrpcEventLoops loops) {
    ConfigLoader.HostPort hp = ConfigLoader.hostPort(cfg.upstream());
    NettyChannelBuilder b = NettyChannelBuilder.forAddress(hp.host(), hp.port())
        .maxInboundMessageSize(maxInboundMessageBytes)
        .executor(executor);
    if (loops != null) {
      loops.connect(b);
    }
    if (cfg.upstreamTls()) {
      b.useTransportSecurity();
    } else {
      b.usePlaintext();
    }
    this.channel = b.build();
    this.name = cfg.name();
    this.address = cfg.upstream();
    this.authorization = MilvusCredentials.headerValue(credential);
    this.defaultTimeoutSeconds = cfg.timeoutSeconds();
  }

  /**
   * Calls {@code rpc} upstream and waits. {@code forwardHeaders} are the client headers the gateway
   * passes on (never {@code authorization}); the gateway's credential is added here. Upstream
   * UNAVAILABLE is rethrown with a message naming the connection.
   */
  public Message call(io.grpc.MethodDescriptor<Message, Message> method, Message request, Metadata forwardHeaders) {
    Metadata headers = new Metadata();
    headers.merge(forwardHeaders);
    headers.removeAll(MilvusCredentials.AUTHORIZATION);
    headers.put(MilvusCredentials.AUTHORIZATION, authorization);
    CallOptions opts = CallOptions.DEFAULT.withDeadlineAfter(defaultTimeoutSeconds, TimeUnit.SECONDS);
    try {
      return ClientCalls.blockingUnaryCall(
          io.grpc.ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers)),
          method, opts, request);
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.UNAVAILABLE) {
        throw Status.UNAVAILABLE.withDescription("upstream Milvus `" + name + "` at " + address
            + " is unavailable: " + e.getStatus().getDescription()).withCause(e).asRuntimeException();
      }
      throw e;
    }
  }

  /** How an asynchronous upstream call ended: exactly one of {@code response} and {@code error} is set. */
  @FunctionalInterface
  public interface Completion {
    void done(Message response, StatusRuntimeException error);
  }

  /**
   * Starts {@code rpc} upstream and returns without waiting; {@code completion} runs exactly once,
   * on {@code callbackExecutor}, when the call ends. Deadline and cancellation come from the
   * current gRPC {@link io.grpc.Context} (the incoming call's), as for {@link #call}: cancelling
   * the incoming call cancels this one. {@code headers} are the client headers the gateway passes
   * on; they are modified here ({@code authorization} becomes the gateway's credential). Upstream
   * UNAVAILABLE is reported with a message naming the connection.
   */
  public void start(io.grpc.MethodDescriptor<Message, Message> method, Message request, Metadata headers,
      Executor callbackExecutor, Completion completion) {
    headers.removeAll(MilvusCredentials.AUTHORIZATION);
    headers.put(MilvusCredentials.AUTHORIZATION, authorization);
    CallOptions opts = CallOptions.DEFAULT.withDeadlineAfter(defaultTimeoutSeconds, TimeUnit.SECONDS)
        .withExecutor(callbackExecutor);
    ClientCall<Message, Message> call = channel.newCall(method, opts);
    call.start(new ClientCall.Listener<>() {
      private Message response;

      @Override
      public void onMessage(Message message) {
        if (response != null) {
          call.cancel("upstream sent more than one response to a unary call", null);
          return;
        }
        response = message;
      }

      @Override
      public void onClose(Status status, Metadata trailers) {
        if (!status.isOk()) {
          completion.done(null, mapped(status).asRuntimeException(trailers));
        } else if (response == null) {
          completion.done(null, Status.INTERNAL.withDescription("upstream Milvus `" + name
              + "` closed the call without a response").asRuntimeException());
        } else {
          completion.done(response, null);
        }
      }
    }, headers);
    try {
      call.request(2); // one response, and a second to detect a protocol violation
      call.sendMessage(request);
      call.halfClose();
    } catch (RuntimeException | Error e) {
      // the listener's onClose reports the cancellation (with this cause) to the completion
      call.cancel("the upstream call could not be sent", e);
    }
  }

  /**
   * The status the client gets for an upstream call that failed with {@code s} (as reported to a
   * {@link Completion}): an unreachable upstream is the gateway's refusal, reason code
   * {@code upstream_unavailable} naming the connection; any other status is Milvus's own answer and
   * reaches the client as Milvus sent it (clients rely on some, e.g. pymilvus ignores UNIMPLEMENTED
   * for AllocTimestamp).
   */
  public static Status clientStatus(Status s) {
    return s.getCode() == Status.Code.UNAVAILABLE
        ? Status.UNAVAILABLE.withDescription("upstream_unavailable: " + s.getDescription()).withCause(s.getCause())
        : s;
  }

  /** Whether {@code s} (an upstream failure) is answered as Milvus sent it rather than as the gateway's refusal. */
  public static boolean isMilvusAnswer(Status s) {
    return s.getCode() != Status.Code.UNAVAILABLE;
  }

  private Status mapped(Status s) {
    if (s.getCode() == Status.Code.UNAVAILABLE) {
      return Status.UNAVAILABLE.withDescription("upstream Milvus `" + name + "` at " + address
          + " is unavailable: " + s.getDescription()).withCause(s.asRuntimeException());
    }
    return s;
  }

  /** The schema of {@code db.collection} as the gateway sees it, for the adapter's schema cache. */
  public Optional<CollectionSchema> describeCollection(String db, String collection) {
    DescribeCollectionRequest.Builder req = DescribeCollectionRequest.newBuilder().setCollectionName(collection);
    if (db != null && !db.isEmpty()) {
      req.setDbName(db);
    }
    Metadata headers = new Metadata();
    if (db != null && !db.isEmpty()) {
      headers.put(Metadata.Key.of("dbname", Metadata.ASCII_STRING_MARSHALLER), db);
    }
    DescribeCollectionResponse resp =
        (DescribeCollectionResponse) call(MilvusMethods.byName("DescribeCollection"), req.build(), headers);
    if (resp.getStatus().getCode() != 0 || resp.getStatus().getErrorCode().getNumber() != 0 || !resp.hasSchema()) {
      return Optional.empty();
    }
    return Optional.of(resp.getSchema());
  }

  public String name() {
    return name;
  }

  @Override
  public void close() {
    channel.shutdown();
    try {
      if (!channel.awaitTermination(5, TimeUnit.SECONDS)) {
        channel.shutdownNow();
      }
    } catch (InterruptedException e) {
      channel.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
