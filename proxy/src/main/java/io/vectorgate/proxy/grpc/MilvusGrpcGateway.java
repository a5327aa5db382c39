package io.vectorgate.proxy.grpc;

import com.google.protobuf.Message;
import io.grpc.Context;
import io.grpc.HandlerRegistry;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyServerBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorgate.model.Connection;
import io.vectorgate.model.ProtocolFacts;
import io.vectorgate.proxy.adapter.AdapterException;
import io.vectorgate.proxy.adapter.milvus.MilvusCall;
import io.vectorgate.proxy.adapter.DatabaseAdapter;
import io.vectorgate.proxy.config.ConfigLoader;
import io.vectorgate.proxy.config.GatewayConfig.ListenerConfig;
import io.vectorgate.proxy.config.HealthConfig;
import io.vectorgate.proxy.connections.LiveRoute;
import io.vectorgate.proxy.identity.AuthenticationException;
import io.vectorgate.proxy.pipeline.ApprovalGate;
import io.vectorgate.proxy.pipeline.RequestLog;
import io.vectorgate.proxy.pipeline.RequestOutcome;
import io.vectorgate.proxy.pipeline.RequestPipeline;
import io.vectorgate.proxy.pipeline.Transport;
import io.vectorgate.proxy.recording.GatewayRecording;
import io.vectorgate.proxy.recording.GrpcConnections;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A gRPC server (grpc-netty) that serves {@code milvus.proto.milvus.MilvusService} to unmodified
 * Milvus clients. Framing only: every unary method of the service is parsed (metadata: a repeated
 * security-relevant key is refused, see {@link MilvusMetadata}), run through the one
 * {@link RequestPipeline} with the Milvus adapter, and answered as the pipeline decided. Streaming
 * and unknown methods are refused (fail closed) and counted. Refusals of served methods are
 * answered in band ({@link MilvusRefusals}), so pymilvus and the Java SDK show the reason code,
 * message and decision id and do not retry.
 *
 * <p>Requests are processed on a bounded worker pool, off the Netty event loop; a full pool
 * answers RESOURCE_EXHAUSTED. The upstream call is asynchronous: the worker is free once the
 * request is on its way, and the response is rewritten on the upstream transport thread (or on a
 * worker when recording is on or the response is large). The incoming call's deadline and
 * cancellation propagate to the upstream call through the gRPC {@link Context}.
 */
public final class MilvusGrpcGateway implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MilvusGrpcGateway.class);

  private final ListenerConfig listener;
  private final Connection connection;
  private final RequestPipeline pipeline;
  /** The connection's current route (adapter and upstream); each call takes it once (see {@link LiveRoute}). */
  private final LiveRoute<MilvusRoute> routes;
  private final ExecutorService workers;
  private final GatewayRecording recording;
  /** Upstream responses larger than this are rewritten on a worker, not on the upstream transport thread. */
  static final int INLINE_RESPONSE_BYTES = 256 * 1024;
  /** Where upstream responses are processed; see {@code GrpcExchange.forward}. */
  private final java.util.concurrent.Executor responseExecutor;
  private Server server;
  /** The shared event loops; null: grpc-netty's default group. */
  private GrpcEventLoops loops;

  /**
   * @param adapter the connection's Milvus adapter (from the {@link io.vectorgate.proxy.adapter.AdapterRegistry})
   * @param recording the session recording (connections are tracked on the transport; records are
   *     written by the pipeline's recorder)
   */
  public MilvusGrpcGateway(ListenerConfig listener, Connection connection, DatabaseAdapter<MilvusCall, Message> adapter,
      RequestPipeline pipeline, UpstreamMilvus upstream, ExecutorService workers, GatewayRecording recording) {
    this(listener, connection, LiveRoute.fixed(new MilvusRoute(adapter, upstream)), pipeline, workers, recording);
  }

  /** As above, with the route taken per call from {@code routes} (a connection that changes at run time). */
  public MilvusGrpcGateway(ListenerConfig listener, Connection connection, LiveRoute<MilvusRoute> routes,
      RequestPipeline pipeline, ExecutorService workers, GatewayRecording recording) {
    this.recording = recording;
    this.listener = listener;
    this.connection = connection;
    this.routes = routes;
    this.pipeline = pipeline;
    this.workers = workers;
    this.responseExecutor = recording.enabled() ? this::onWorker : Runnable::run;
  }

  /**
   * Runs upstream-response work on a worker. When the pool is full the upstream call has already
   * happened, so its answer is not dropped: it is processed on the calling (transport) thread and
   * counted.
   */
  private void onWorker(Runnable r) {
    try {
      workers.execute(r);
    } catch (RejectedExecutionException e) {
      pipeline.metrics().count("response_processed_inline");
      LOG.warn("event=response_processed_inline reason=workers_full");
      r.run();
    }
  }

  /** Serves on the gateway's shared event loops (call before {@link #start}). */
  public MilvusGrpcGateway eventLoops(GrpcEventLoops loops) {
    this.loops = loops;
    return this;
  }

  /** Binds the listener's address. */
  public void start() throws IOException {
    ConfigLoader.HostPort hp = ConfigLoader.hostPort(listener.address());
    NettyServerBuilder b = NettyServerBuilder.forAddress(new InetSocketAddress(hp.host(), hp.port()))
        .directExecutor()
        .maxInboundMessageSize(listener.maxInboundMessageBytes())
        .maxInboundMetadataSize(64 * 1024)
        // pymilvus pings every 10 s, also between calls; with the default policy (5 min) a call held
        // for approval would be cut off with GOAWAY too_many_pings
        .permitKeepAliveTime(5, TimeUnit.SECONDS)
        .permitKeepAliveWithoutCalls(true)
        .fallbackHandlerRegistry(new Registry());
    if (loops != null) {
      loops.serve(b);
    }
    if (recording.enabled()) {
      b.addTransportFilter(new GrpcConnections(recording));
    }
    if (listener.tls() != null) {
      b.sslContext(GrpcSslContexts.forServer(listener.tls().certFile().toFile(), listener.tls().keyFile().toFile()).build());
    }
    server = b.build().start();
    LOG.info("event=listener_started listener={} address={} port={} tls={} upstream={}", listener.name(),
        listener.address(), port(), listener.tls() != null, connection.name());
  }

  /** The bound port (useful with port 0). */
  public int port() {
    return server.getPort();
  }

  @Override
  public void close() {
    close(HealthConfig.DEFAULT_IN_FLIGHT_TIMEOUT_MS);
  }

  /** Stops accepting, waits up to {@code inFlightMillis} for calls in flight, then cancels the rest. */
  public void close(long inFlightMillis) {
    if (server != null) {
      server.shutdown();
      try {
        if (!server.awaitTermination(inFlightMillis, TimeUnit.MILLISECONDS)) {
          LOG.warn("event=listener_in_flight_cancelled listener={} in_flight_timeout_ms={}", listener.name(),
              inFlightMillis);
          server.shutdownNow();
        }
      } catch (InterruptedException e) {
        server.shutdownNow();
        Thread.currentThread().interrupt();
      }
    }
  }

  private final class Registry extends HandlerRegistry {
    @Override
    public ServerMethodDefinition<?, ?> lookupMethod(String methodName, String authority) {
      MethodDescriptor<Message, Message> m = MilvusMethods.byFullName(methodName);
      if (m == null) {
        return ServerMethodDefinition.create(rawMethod(methodName), refuse(Status.Code.UNIMPLEMENTED, "unknown_method",
            "unknown method `" + methodName + "`: the gateway serves only the MilvusService methods it knows"));
      }
      if (m.getType() != MethodDescriptor.MethodType.UNARY) {
        return ServerMethodDefinition.create(rawMethod(methodName), refuse(Status.Code.PERMISSION_DENIED,
            "streaming_method", "streaming method `" + methodName + "` is not served by the gateway (fail closed)"));
      }
      return ServerMethodDefinition.create(m, new UnaryHandler(m));
    }
  }

  /** A method the gateway does not serve: refused on the transport thread, counted as {@code code}, recorded. */
  private ServerCallHandler<InputStream, InputStream> refuse(Status.Code status, String code, String message) {
    return (call, headers) -> {
      LOG.warn("event=refused_method method={} reason={}", call.getMethodDescriptor().getFullMethodName(), code);
      GrpcExchange ex = new GrpcExchange(call, null, null, headers);
      ex.refusedAs = status;
      pipeline.refuse(new RequestLog(listener.name(), connection), ex, code, code, message, false);
      return new ServerCall.Listener<>() {};
    };
  }

  private static MethodDescriptor<InputStream, InputStream> rawMethod(String fullName) {
    MethodDescriptor.Marshaller<InputStream> raw = new MethodDescriptor.Marshaller<>() {
      @Override
      public InputStream stream(InputStream value) {
        return value;
      }

      @Override
      public InputStream parse(InputStream stream) {
        return new ByteArrayInputStream(new byte[0]);
      }
    };
    return MethodDescriptor.<InputStream, InputStream>newBuilder()
        .setType(MethodDescriptor.MethodType.UNKNOWN)
        .setFullMethodName(fullName)
        .setRequestMarshaller(raw)
        .setResponseMarshaller(raw)
        .build();
  }

  private final class UnaryHandler implements ServerCallHandler<Message, Message> {
    private final MethodDescriptor<Message, Message> method;
    private final String rpc;

    UnaryHandler(MethodDescriptor<Message, Message> method) {
      this.method = method;
      this.rpc = method.getBareMethodName();
    }

    @Override
    public ServerCall.Listener<Message> startCall(ServerCall<Message, Message> call, Metadata headers) {
      call.request(2);
      return new ServerCall.Listener<>() {
        private Message request;
        private final AtomicBoolean closed = new AtomicBoolean();

        @Override
        public void onMessage(Message message) {
          if (request != null) {
            close(Status.INTERNAL.withDescription("more than one request message for unary method " + rpc));
            return;
          }
          request = message;
        }

        @Override
        public void onHalfClose() {
          if (closed.get()) {
            return;
          }
          if (request == null) {
            close(Status.INTERNAL.withDescription("no request message for unary method " + rpc));
            return;
          }
          Message req = request;
          try {
            workers.execute(Context.current().wrap(() -> handle(call, headers, req)));
          } catch (RejectedExecutionException e) {
            pipeline.metrics().count("overloaded");
            close(Status.RESOURCE_EXHAUSTED.withDescription("the gateway is at capacity; retry later"));
          }
        }

        private void close(Status s) {
          if (closed.compareAndSet(false, true)) {
            call.close(s, new Metadata());
          }
        }
      };
    }

    /**
     * On a worker: parse the metadata, then the pipeline. A forwarded call returns the worker at
     * once; the pipeline finishes it when the upstream call ends.
     */
    private void handle(ServerCall<Message, Message> call, Metadata headers, Message request) {
      RequestLog log = new RequestLog(listener.name(), connection);
      GrpcExchange ex = new GrpcExchange(call, method, request, headers);
      MilvusMetadata md;
      try {
        md = MilvusMetadata.read(headers);
      } catch (MilvusMetadata.RepeatedKeyException e) {
        pipeline.refuse(log, ex, "rejected_request", MilvusMetadata.RepeatedKeyException.CODE,
            MilvusMetadata.RepeatedKeyException.CODE + ": " + e.getMessage(), true);
        return;
      } catch (RuntimeException e) {
        pipeline.failed(log, ex, e);
        return;
      }
      ex.forwardHeaders = md.forward();
      try {
        ex.route = routes.acquire(); // one adapter and upstream for the whole call; released when it is answered
      } catch (LiveRoute.Unavailable e) {
        pipeline.unavailable(log, ex, "connection_unavailable", e.code(), e.code() + ": " + e.getMessage());
        return;
      }
      pipeline.run(log, ex.route.route().adapter(), new MilvusCall(rpc, request, md.dbname()), ex);
    }
  }

  /** The exact request bytes, the client's deadline and its cancellation, for the approval gate. */
  private static ApprovalGate.Hold hold(String fullMethod, Message request) {
    Context ctx = Context.current();
    io.grpc.Deadline d = ctx.getDeadline();
    java.time.Instant deadline = d == null ? null
        : java.time.Instant.now().plusNanos(Math.max(0, d.timeRemaining(TimeUnit.NANOSECONDS)));
    return new ApprovalGate.Hold(fullMethod, request.toByteArray(), deadline, ctx::isCancelled);
  }

  /** The gRPC status of a request that did not end with an upstream answer. */
  static Status status(RequestOutcome outcome, String code) {
    return switch (outcome) {
      case UNAUTHENTICATED -> Status.UNAUTHENTICATED;
      case DENIED -> Status.PERMISSION_DENIED;
      case REFUSED -> AdapterException.UNSUPPORTED_OPERATION.equals(code) ? Status.PERMISSION_DENIED
          : Status.INVALID_ARGUMENT; // also schema_unavailable: pymilvus retries FAILED_PRECONDITION
      case IDENTITY_UNAVAILABLE, APPROVAL_INTERRUPTED, RECORDING_UNAVAILABLE, UPSTREAM_UNAVAILABLE -> Status.UNAVAILABLE;
      case CANCELLED -> Status.CANCELLED;
      case RESPONSE_UNENFORCEABLE, GATEWAY_ERROR, FORWARDED, APPROVED -> Status.INTERNAL;
    };
  }

  private static String clientAddress(ServerCall<?, ?> call) {
    SocketAddress a = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
    return a instanceof InetSocketAddress i ? i.getAddress().getHostAddress() : String.valueOf(a);
  }

  /**
   * One call's framing for the pipeline: where its credential is, how it goes upstream, how its
   * answer is written (in band for served methods, see {@link MilvusRefusals}).
   */
  private final class GrpcExchange implements Transport<MilvusCall, Message> {
    private final ServerCall<?, ?> call;
    private final MethodDescriptor<Message, Message> method;
    private final Message request;
    private final Metadata headers;
    /** The metadata forwarded upstream, rebuilt from the allow-list. */
    volatile Metadata forwardHeaders;
    /** For a method the gateway does not serve: the status it is refused with. */
    volatile Status.Code refusedAs;
    /** The route the call was decoded, forwarded and rewritten with (held until the call is answered). */
    volatile LiveRoute.Lease<MilvusRoute> route;
    /** The upstream's own error status, passed on as Milvus sent it. */
    private volatile Status upstreamError;
    private volatile Status status;
    private volatile Message answer;
    private volatile Message inBand;

    GrpcExchange(ServerCall<?, ?> call, MethodDescriptor<Message, Message> method, Message request, Metadata headers) {
      this.call = call;
      this.method = method;
      this.request = request;
      this.headers = headers;
    }

    @Override
    public String credential() throws AuthenticationException {
      return MilvusCredentials.token(headers);
    }

    @Override
    public ApprovalGate.Hold hold() {
      return MilvusGrpcGateway.hold(method.getFullMethodName(), request);
    }

    @Override
    public boolean cancelled() {
      return Context.current().isCancelled();
    }

    /**
     * The upstream call is asynchronous: the worker is free once the request is on its way. Its end
     * is processed on the upstream transport thread when recording is off and the response is at
     * most {@link #INLINE_RESPONSE_BYTES} (the rewrite is then short CPU work), on a worker
     * otherwise (appending to the recording may wait for the disk). The incoming call's deadline
     * and cancellation propagate through the gRPC {@link Context}.
     */
    @Override
    public void forward(MilvusCall forward, Consumer<UpstreamResult<Message>> done) {
      forward(forward, null, done);
    }

    /** One value exactly (a repeated key is dropped, like a malformed value). */
    @Override
    public String traceparent() {
      Iterable<String> values = headers.getAll(MilvusMetadata.TRACEPARENT);
      if (values == null) {
        return null;
      }
      java.util.Iterator<String> it = values.iterator();
      String first = it.hasNext() ? it.next() : null;
      return it.hasNext() ? null : first;
    }

    @Override
    public void forward(MilvusCall forward, String traceparent, Consumer<UpstreamResult<Message>> done) {
      Metadata out = forwardHeaders;
      if (traceparent != null) {
        out = new Metadata();
        out.merge(forwardHeaders);
        out.put(MilvusMetadata.TRACEPARENT, traceparent);
      }
      route.route().upstream().start(method, forward.request(), out, responseExecutor, (response, error) -> {
        Runnable r = () -> done.accept(result(response, error));
        if (!recording.enabled() && response != null && response.getSerializedSize() > INLINE_RESPONSE_BYTES) {
          onWorker(r); // too big to rewrite on the transport thread
        } else {
          r.run();
        }
      });
    }

    private UpstreamResult<Message> result(Message response, StatusRuntimeException error) {
      if (error == null) {
        return new UpstreamResult.Answered<>("OK", response);
      }
      Status s = UpstreamMilvus.clientStatus(error.getStatus());
      boolean milvusAnswer = UpstreamMilvus.isMilvusAnswer(error.getStatus());
      if (milvusAnswer) {
        upstreamError = s;
      }
      return new UpstreamResult.Failed<>(error.getStatus().getCode().name(), milvusAnswer ? "upstream_error"
          : "upstream_unavailable", String.valueOf(s.getDescription()), milvusAnswer);
    }

    @Override
    public void prepare(RequestLog log, Message response) {
      RequestOutcome outcome = log.outcome();
      answer = null;
      inBand = null;
      boolean asIs;
      if (refusedAs != null) {
        status = Status.fromCode(refusedAs).withDescription(log.message());
        return; // a method the gateway does not serve has no response type to answer in band
      }
      if (outcome != null && outcome.forwarded() && response != null) {
        status = Status.OK;
        answer = response;
        return;
      }
      if (outcome != null && outcome.forwarded() && upstreamError != null) {
        status = upstreamError; // Milvus's own error status, as Milvus sent it
        asIs = true;
      } else {
        RequestOutcome o = outcome == null ? RequestOutcome.GATEWAY_ERROR : outcome;
        status = MilvusGrpcGateway.status(o, log.code()).withDescription(log.message());
        // a call held for approval that the gateway had to drop while shutting down may be retried: the one
        // refusal left a gRPC UNAVAILABLE, which the clients retry
        asIs = o == RequestOutcome.APPROVAL_INTERRUPTED;
      }
      // a refusal is answered in band, in the RPC's own response type; the record and the request log keep
      // the gRPC status the gateway decided on
      inBand = asIs ? null : MilvusRefusals.inBand(method, status, log.requestId());
    }

    @Override
    @SuppressWarnings("unchecked")
    public void send() {
      LiveRoute.Lease<MilvusRoute> held = route;
      if (held != null) {
        route = null;
        held.close(); // the call is over: a replaced upstream may close
      }
      synchronized (this) {
        ServerCall<Object, Message> c = (ServerCall<Object, Message>) call;
        if (inBand != null) {
          c.sendHeaders(new Metadata());
          c.sendMessage(inBand);
          c.close(Status.OK, new Metadata());
          return;
        }
        if (status.isOk() && answer != null) {
          c.sendHeaders(new Metadata());
          c.sendMessage(answer);
        }
        c.close(status, new Metadata());
      }
    }

    @Override
    public String transport() {
      return "grpc";
    }

    @Override
    public String connectionId() {
      return call.getAttributes().get(GrpcConnections.CONNECTION_ID);
    }

    @Override
    public String clientAddress() {
      return MilvusGrpcGateway.clientAddress(call);
    }

    @Override
    public ProtocolFacts protocolFacts() {
      return ProtocolFacts.grpc(call.getMethodDescriptor().getFullMethodName());
    }

    @Override
    public JsonNode requestPayload() {
      return recording.protoPayload(request);
    }

    @Override
    public JsonNode responsePayload() {
      if (status.isOk() && answer != null) {
        return recording.protoPayload(answer);
      }
      ObjectNode err = JsonNodeFactory.instance.objectNode();
      err.put("grpc_status", status.getCode().name());
      if (status.getDescription() != null) {
        err.put("message", status.getDescription());
      }
      return err;
    }

    @Override
    public String logFields() {
      return "rpc=" + (method == null ? call.getMethodDescriptor().getFullMethodName() : method.getBareMethodName());
    }

    @Override
    public String status() {
      return status == null ? "-" : status.getCode().name();
    }
  }
}
