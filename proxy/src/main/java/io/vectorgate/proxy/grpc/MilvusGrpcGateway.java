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
import io.vectorgate.model.Connection;
import io.vectorgate.model.Decision;
import io.vectorgate.model.Identity;
import io.vectorgate.model.Operation;
import io.vectorgate.proxy.adapter.AdapterException;
import io.vectorgate.proxy.adapter.milvus.ResponseRewrite;
import io.vectorgate.proxy.config.ConfigLoader;
import io.vectorgate.proxy.config.HealthConfig;
import io.vectorgate.proxy.config.GatewayConfig.ListenerConfig;
import io.vectorgate.proxy.connections.LiveRoute;
import io.vectorgate.proxy.enforce.ObligationException;
import io.vectorgate.proxy.identity.AuthenticationException;
import io.vectorgate.proxy.identity.TokenVerifier;
import io.vectorgate.proxy.pipeline.ApprovalGate;
import io.vectorgate.proxy.pipeline.Outcome;
import io.vectorgate.proxy.pipeline.RequestMeta;
import io.vectorgate.proxy.pipeline.RequestPipeline;
import io.vectorgate.proxy.recording.GatewayRecording;
import io.vectorgate.proxy.recording.GrpcConnections;
import io.vectorgate.recorder.RecordDraft;
import io.vectorgate.recorder.RecorderUnavailableException;
import io.vectorgate.recorder.Upstream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A gRPC server (grpc-netty) that serves {@code milvus.proto.milvus.MilvusService} to unmodified
 * Milvus clients. Every unary method of the service is served generically: metadata (a repeated
 * security-relevant key is refused, see {@link MilvusMetadata}) → token → identity → adapter
 * decode → policy → request obligations → upstream (gateway credential, metadata rebuilt from an
 * allow-list) → response rewrite. Streaming and unknown methods are refused (fail closed) and
 * counted. Refusals of served methods are answered in band ({@link MilvusRefusals}), so pymilvus
 * and the Java SDK show the reason code, message and decision id and do not retry.
 *
 * <p>Requests are processed on a bounded worker pool, off the Netty event loop; a full pool
 * answers RESOURCE_EXHAUSTED. The upstream call is asynchronous: the worker is free once the
 * request is on its way, and the response is rewritten on the upstream transport thread (or on a
 * worker when recording is on or the response is large). The incoming call's deadline and
 * cancellation propagate to the upstream call through the gRPC {@link Context}.
 */
public final class MilvusGrpcGateway implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MilvusGrpcGateway.class);
  private static final Logger REQUESTS = LoggerFactory.getLogger("io.vectorgate.requests");

  private final ListenerConfig listener;
  private final Connection connection;
  private final TokenVerifier verifier;
  private final RequestPipeline pipeline;
  /** The connection's current route; each call takes it once (see {@link LiveRoute}). */
  private final LiveRoute<MilvusRoute> routes;
  private final ExecutorService workers;
  private final GatewayRecording recording;
  /** Upstream responses larger than this are rewritten on a worker, not on the upstream transport thread. */
  static final int INLINE_RESPONSE_BYTES = 256 * 1024;
  /** Where upstream responses are processed; see {@code onUpstream}. */
  private final java.util.concurrent.Executor responseExecutor;
  private Server server;

  public MilvusGrpcGateway(ListenerConfig listener, Connection connection, TokenVerifier verifier,
      MilvusProtocol protocol, RequestPipeline pipeline, UpstreamMilvus upstream, ExecutorService workers) {
    this(listener, connection, verifier, protocol, pipeline, upstream, workers, GatewayRecording.off());
  }

  /** As above, recording every request (allowed or not) to {@code recording}. */
  public MilvusGrpcGateway(ListenerConfig listener, Connection connection, TokenVerifier verifier,
      MilvusProtocol protocol, RequestPipeline pipeline, UpstreamMilvus upstream, ExecutorService workers,
      GatewayRecording recording) {
    this(listener, connection, verifier, LiveRoute.fixed(new MilvusRoute(protocol, upstream)), pipeline, workers,
        recording);
  }

  /** As above, with the route taken per call from {@code routes} (a connection that changes at run time). */
  public MilvusGrpcGateway(ListenerConfig listener, Connection connection, TokenVerifier verifier,
      LiveRoute<MilvusRoute> routes, RequestPipeline pipeline, ExecutorService workers,
      GatewayRecording recording) {
    this.recording = recording;
    this.listener = listener;
    this.connection = connection;
    this.verifier = verifier;
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
        return ServerMethodDefinition.create(rawMethod(methodName), refuse(Status.UNIMPLEMENTED.withDescription(
            "unknown method `" + methodName + "`: the gateway serves only the MilvusService methods it knows"),
            "unknown_method"));
      }
      if (m.getType() != MethodDescriptor.MethodType.UNARY) {
        return ServerMethodDefinition.create(rawMethod(methodName), refuse(Status.PERMISSION_DENIED.withDescription(
            "streaming method `" + methodName + "` is not served by the gateway (fail closed)"), "streaming_method"));
      }
      return ServerMethodDefinition.create(m, new UnaryHandler(m));
    }
  }

  private ServerCallHandler<InputStream, InputStream> refuse(Status status, String metric) {
    return (call, headers) -> {
      pipeline.metrics().count(metric);
      LOG.warn("event=refused_method method={} reason={}", call.getMethodDescriptor().getFullMethodName(), metric);
      if (recording.enabled()) {
        try {
          recordRefusedMethod(call, status, metric);
        } catch (RuntimeException | LinkageError e) {
          LOG.error("event=recording_failed kind=refused_method error={}", e.toString(), e);
          pipeline.metrics().count("recording_failed");
        }
      }
      call.close(status, new Metadata());
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
      Exchange ex = new Exchange(call);
      call.request(2);
      return new ServerCall.Listener<>() {
        private Message request;

        @Override
        public void onMessage(Message message) {
          if (request != null) {
            ex.close(Status.INTERNAL.withDescription("more than one request message for unary method " + rpc));
            return;
          }
          request = message;
        }

        @Override
        public void onHalfClose() {
          if (ex.closed.get()) {
            return;
          }
          if (request == null) {
            ex.close(Status.INTERNAL.withDescription("no request message for unary method " + rpc));
            return;
          }
          Message req = request;
          try {
            workers.execute(Context.current().wrap(() -> handle(ex, headers, req)));
          } catch (RejectedExecutionException e) {
            pipeline.metrics().count("overloaded");
            ex.close(Status.RESOURCE_EXHAUSTED.withDescription("the gateway is at capacity; retry later"));
          }
        }
      };
    }

    /**
     * On a worker: everything up to the upstream call. A forwarded call returns the worker at once;
     * the response is processed by {@link #onUpstream} when the upstream call ends.
     */
    private void handle(Exchange ex, Metadata headers, Message request) {
      ex.start = System.nanoTime();
      ex.received = java.time.Instant.now();
      ex.requestId = newRequestId();
      Status status;
      try {
        ex.route = routes.acquire(); // released in finish
        status = process(ex, headers, request, ex.requestId);
      } catch (LiveRoute.Unavailable e) {
        pipeline.metrics().count("connection_unavailable");
        ex.refusal = e.code();
        status = Status.UNAVAILABLE.withDescription(e.code() + ": " + e.getMessage());
      } catch (RuntimeException | LinkageError e) {
        // a LinkageError (e.g. a class missing from a broken deployment) must still end the call:
        // left open, a client without a deadline would wait forever
        status = internalError(ex, e);
      }
      if (status != null) {
        finish(ex, headers, request, status);
      }
    }

    private Status internalError(Exchange ex, Throwable e) {
      LOG.error("event=request_failed request_id={} rpc={} error={}", ex.requestId, rpc, e.toString(), e);
      pipeline.metrics().count("internal_error");
      ex.internalError = true;
      ex.outcome = "error";
      ex.refusal = "gateway_error";
      return Status.INTERNAL.withDescription("gateway_error: the gateway failed to process the request");
    }

    /**
     * When the upstream call ended: on the upstream transport thread when recording is off and the
     * response is at most {@link #INLINE_RESPONSE_BYTES} (the rewrite is then short CPU work), on a
     * worker otherwise (appending to the recording may wait for the disk).
     */
    private void onUpstream(Exchange ex, Metadata headers, Message request, Message response,
        StatusRuntimeException error) {
      MilvusProtocol protocol = ex.route.route().protocol();
      Status status;
      try {
        ex.upstreamMicros = (System.nanoTime() - ex.upstreamStart) / 1000;
        if (error != null) {
          pipeline.metrics().count("upstream_error");
          ex.upstreamStatus = error.getStatus().getCode().name();
          status = UpstreamMilvus.clientStatus(error.getStatus());
          ex.statusAsIs = UpstreamMilvus.isMilvusAnswer(error.getStatus());
        } else {
          ex.upstreamStatus = "OK";
          ResponseRewrite rewrite = protocol.rewriteResponse(rpc, ex.operation, response, ex.decision.obligations());
          Message rewritten = rewrite.response();
          if (rewrite.rowsCut() > 0) {
            pipeline.metrics().count("response_rows_cut");
            LOG.warn("event=response_rows_cut request_id={} rpc={} rows_cut={} limit_cap={}", ex.requestId, rpc,
                rewrite.rowsCut(), ex.decision.obligations().limitCap().max());
          }
          if (rewrite.rowFilterDropped() > 0) { pipeline.metrics().count(io.vectorgate.proxy.enforce.ResponseTally.ROW_FILTER_RESPONSE_VIOLATION); }
          if (rewrite.vectorColumnsStripped() > 0) {
            pipeline.metrics().count("response_vectors_stripped");
          }
          protocol.afterSuccess(rpc, ex.forward, ex.dbname);
          pipeline.recordResult(ex.identity, rewrite.rows(), rewrite.vectors(), ex.operation.paging());
          ex.response = rewritten;
          status = Status.OK;
        }
      } catch (io.vectorgate.proxy.adapter.milvus.ResponseUnenforceableException e) {
        // the answer could not be held to the decision: it is not passed on
        pipeline.metrics().count("response_unenforceable");
        LOG.error("event=response_unenforceable request_id={} rpc={} message={}", ex.requestId, rpc, e.getMessage());
        ex.outcome = "error";
        ex.refusal = e.code();
        status = Status.INTERNAL.withDescription(e.code() + ": " + e.getMessage()); // answered in band with the request id
      } catch (RuntimeException | LinkageError e) {
        status = internalError(ex, e);
      }
      finish(ex, headers, request, status);
    }

    /** Records the call (when recording is on), answers the client, writes the request log line. Once per call. */
    private void finish(Exchange ex, Metadata headers, Message request, Status status) {
      if (!ex.finished.compareAndSet(false, true)) {
        LOG.error("event=request_finished_twice request_id={} rpc={} status={}", ex.requestId, rpc, status.getCode());
        return;
      }
      if (ex.route != null) {
        ex.route.close(); // the call is over: a replaced upstream may close
      }
      if (recording.enabled()) {
        Status sent = status;
        RecorderUnavailableException failed = GatewayRecording.recordOrFailure(ex.requestId, pipeline.metrics(),
            () -> record(ex, headers, request, ex.requestId, ex.received, sent));
        if (failed != null) {
          status = Status.UNAVAILABLE.withDescription(GatewayRecording.unavailableMessage(failed));
          ex.response = null;
        }
      }
      // a refusal is answered in band, in the RPC's own response type (see MilvusRefusals); the record above
      // and the request log below keep the gRPC status the gateway decided on
      Message inBand = ex.statusAsIs ? null : MilvusRefusals.inBand(method, status, ex.requestId);
      if (inBand != null) {
        ex.send(inBand);
        ex.close(Status.OK);
      } else {
        if (status.isOk() && ex.response != null) {
          ex.send(ex.response);
        }
        ex.close(status);
      }
      // as before the asynchronous upstream call: a request that failed inside the gateway logs no identity or decision
      Identity identity = ex.internalError ? null : ex.identity;
      Operation op = ex.internalError ? null : ex.operation;
      Decision decision = ex.internalError ? null : ex.decision;
      if (REQUESTS.isInfoEnabled()) {
        REQUESTS.info("event=request request_id={} subject={} rpc={} action={} collection={} decision_id={} revision={}"
                + " allow={} reasons={} status={} latency_us={}",
            ex.requestId, identity == null ? "-" : identity.subject(), rpc,
            op == null ? "-" : op.action().wireName(),
            op == null || op.resource().collection() == null ? "-" : op.resource().collection(),
            decision == null ? "-" : decision.decisionId(),
            decision == null || decision.revision() == null ? "-" : decision.revision(), decision != null && decision.allow(),
            decision == null ? "[]" : decision.reasonCodes(), status.getCode(),
            (System.nanoTime() - ex.start) / 1000);
      }
    }

    /** Returns the status to answer with, or null when the call went upstream (then {@link #onUpstream} answers). */
    private Status process(Exchange ex, Metadata headers, Message request, String requestId) {
      MilvusProtocol protocol = ex.route.route().protocol();
      UpstreamMilvus upstream = ex.route.route().upstream();
      MilvusMetadata md;
      try {
        md = MilvusMetadata.read(headers);
      } catch (MilvusMetadata.RepeatedKeyException e) {
        pipeline.metrics().count("rejected_request");
        LOG.info("event=refused_metadata request_id={} rpc={} key={}", requestId, rpc, e.key());
        ex.refusal = MilvusMetadata.RepeatedKeyException.CODE;
        return Status.INVALID_ARGUMENT.withDescription(MilvusMetadata.RepeatedKeyException.CODE + ": " + e.getMessage());
      }
      ex.dbname = md.dbname();
      Identity identity;
      try {
        identity = verifier.verify(MilvusCredentials.token(headers));
      } catch (AuthenticationException e) {
        boolean unavailable = e.code() == AuthenticationException.Code.PROVIDER_UNAVAILABLE;
        pipeline.metrics().count(unavailable ? "identity_unavailable" : "unauthenticated");
        LOG.info("event=unauthenticated request_id={} rpc={} code={} message={}", requestId, rpc, e.code().wire(), e.getMessage());
        ex.refusal = e.code().wire();
        return (unavailable ? Status.UNAVAILABLE : Status.UNAUTHENTICATED)
            .withDescription(e.code().wire() + ": " + e.getMessage());
      }
      ex.identity = identity;
      Operation op;
      try {
        op = protocol.decode(rpc, request, md.dbname());
      } catch (AdapterException e) {
        pipeline.metrics().count("rejected_request");
        ex.refusal = e.code();
        return adapterStatus(e);
      }
      ex.operation = op;
      Outcome outcome = pipeline.decide(identity, connection, op, new RequestMeta(requestId, clientAddress(ex.call)),
          () -> hold(rpc, request));
      ex.decision = outcome.decision();
      ex.outcome = "denied";
      if (outcome instanceof Outcome.Forward f) {
        ex.approvalId = f.approvalId();
      }
      if (outcome instanceof Outcome.Deny deny) {
        if (deny.decision().reasonCodes().contains("approval_interrupted")) {
          // a call held for approval that the gateway had to drop while shutting down may be retried: the one
          // refusal left a gRPC UNAVAILABLE, which the clients retry
          ex.statusAsIs = true;
          return Status.UNAVAILABLE.withDescription(deny.message());
        }
        return Status.PERMISSION_DENIED.withDescription(deny.message());
      }
      var obligations = outcome.decision().obligations();
      Message forward;
      try {
        forward = protocol.applyRequestObligations(rpc, request, md.dbname(), obligations);
      } catch (ObligationException e) {
        pipeline.metrics().count("obligation_unenforceable");
        ex.decision = new Decision(false, List.of(new io.vectorgate.model.Reason(e.code(), e.getMessage())),
            outcome.decision().obligations(), outcome.decision().decisionId(), outcome.decision().revision());
        return Status.PERMISSION_DENIED.withDescription("denied by policy (decision " + outcome.decision().decisionId()
            + "): " + e.code() + ": " + e.getMessage());
      } catch (AdapterException e) {
        pipeline.metrics().count("rejected_request");
        ex.outcome = "refused";
        ex.refusal = e.code();
        return adapterStatus(e);
      }
      if (Context.current().isCancelled()) {
        ex.outcome = "error";
        return Status.CANCELLED.withDescription("the client cancelled the call");
      }
      try {
        recording.checkWritable();
      } catch (RecorderUnavailableException e) {
        ex.outcome = "error";
        return Status.UNAVAILABLE.withDescription(GatewayRecording.unavailableMessage(e));
      }
      ex.forward = forward;
      ex.outcome = ex.approvalId != null ? "approved" : "forwarded";
      ex.upstreamStart = System.nanoTime();
      upstream.start(method, forward, md.forward(), responseExecutor, (response, error) -> {
        if (!recording.enabled() && response != null && response.getSerializedSize() > INLINE_RESPONSE_BYTES) {
          onWorker(() -> onUpstream(ex, headers, request, response, error)); // too big to rewrite on the transport thread
        } else {
          onUpstream(ex, headers, request, response, error);
        }
      });
      return null; // answered by onUpstream
    }

    /** Appends the request's record; returns the failure when a durable acknowledgement was required and failed. */
    private RecorderUnavailableException record(Exchange ex, Metadata headers, Message request, String requestId,
        java.time.Instant received, Status status) {
      io.vectorgate.recorder.ClientInfo client = recording.client(ex.call.getAttributes().get(GrpcConnections.CONNECTION_ID),
          clientAddress(ex.call), "grpc");
      Identity identity = ex.identity;
      Operation op = ex.operation != null ? ex.operation
          : GatewayRecording.unknownOperation(io.vectorgate.model.ProtocolFacts.grpc(method.getFullMethodName()));
      Decision decision = ex.decision != null ? ex.decision
          : GatewayRecording.refusal(ex.refusal == null ? status.getCode().name().toLowerCase(java.util.Locale.ROOT)
              : ex.refusal, String.valueOf(status.getDescription()));
      String outcome = ex.outcome != null ? ex.outcome : decision.allow() ? "error" : "refused";
      if (!status.isOk() && (outcome.equals("forwarded") || outcome.equals("approved")) && ex.upstreamStatus == null) {
        outcome = "error";
      }
      com.fasterxml.jackson.databind.JsonNode response;
      if (status.isOk() && ex.response != null) {
        response = recording.protoPayload(ex.response);
      } else {
        com.fasterxml.jackson.databind.node.ObjectNode err = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance
            .objectNode();
        err.put("grpc_status", status.getCode().name());
        if (status.getDescription() != null) {
          err.put("message", status.getDescription());
        }
        response = err;
      }
      RecordDraft draft = RecordDraft.builder()
          .time(received)
          .sessionId(recording.session(client, identity, received))
          .requestId(requestId)
          .identity(identity)
          .client(client)
          .connection(connection)
          .operation(op)
          .request(recording.protoPayload(request))
          .decision(decision)
          .enforcement(GatewayRecording.enforcement(outcome, decision, op, filterAdded(request, ex.forward),
              ex.approvalId))
          .upstream(ex.upstreamStatus == null ? null : new Upstream(ex.upstreamStatus, ex.upstreamMicros))
          .response(response)
          .build();
      return recording.append(draft);
    }
  }

  /** The filter the gateway sent instead of the client's ({@code expr} or {@code dsl}), or null when unchanged. */
  private static String filterAdded(Message request, Message forward) {
    if (forward == null || forward == request) {
      return null;
    }
    for (String name : List.of("expr", "dsl", "filter")) {
      com.google.protobuf.Descriptors.FieldDescriptor f = forward.getDescriptorForType().findFieldByName(name);
      if (f != null && f.getJavaType() == com.google.protobuf.Descriptors.FieldDescriptor.JavaType.STRING
          && !f.isRepeated()) {
        Object before = request.getField(f);
        Object after = forward.getField(f);
        if (!after.equals(before)) {
          return (String) after;
        }
      }
    }
    return null;
  }

  private void recordRefusedMethod(ServerCall<?, ?> call, Status status, String code) {
    java.time.Instant now = java.time.Instant.now();
    io.vectorgate.recorder.ClientInfo client = recording.client(call.getAttributes().get(GrpcConnections.CONNECTION_ID),
        clientAddress(call), "grpc");
    Operation op = GatewayRecording.unknownOperation(io.vectorgate.model.ProtocolFacts.grpc(
        call.getMethodDescriptor().getFullMethodName()));
    Decision d = GatewayRecording.refusal(code, String.valueOf(status.getDescription()));
    com.fasterxml.jackson.databind.node.ObjectNode err = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance
        .objectNode();
    err.put("grpc_status", status.getCode().name());
    err.put("message", String.valueOf(status.getDescription()));
    // on the transport thread: never wait for the disk here
    recording.appendNoWait(RecordDraft.builder().time(now).sessionId(recording.session(client, null, now))
        .requestId(newRequestId()).client(client).connection(connection).operation(op).decision(d)
        .enforcement(GatewayRecording.enforcement("refused", d, op, null, null)).response(err).build());
  }

  /** The exact request bytes, the client's deadline and its cancellation, for the approval gate. */
  private static ApprovalGate.Hold hold(String rpc, Message request) {
    Context ctx = Context.current();
    io.grpc.Deadline d = ctx.getDeadline();
    java.time.Instant deadline = d == null ? null
        : java.time.Instant.now().plusNanos(Math.max(0, d.timeRemaining(TimeUnit.NANOSECONDS)));
    return new ApprovalGate.Hold(MilvusMethods.SERVICE + "/" + rpc, request.toByteArray(), deadline, ctx::isCancelled);
  }

  /**
   * A random (version 4) UUID for correlation, from {@link java.util.concurrent.ThreadLocalRandom}:
   * request ids are not secrets, and {@link UUID#randomUUID()} takes a shared SecureRandom on
   * every request.
   */
  static String newRequestId() {
    java.util.concurrent.ThreadLocalRandom r = java.util.concurrent.ThreadLocalRandom.current();
    long hi = (r.nextLong() & ~0xF000L) | 0x4000L;
    long lo = (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(hi, lo).toString();
  }

  private static Status adapterStatus(AdapterException e) {
    Status s = switch (e.code()) {
      case AdapterException.UNSUPPORTED_OPERATION -> Status.PERMISSION_DENIED;
      case AdapterException.SCHEMA_UNAVAILABLE -> Status.INVALID_ARGUMENT; // pymilvus retries FAILED_PRECONDITION
      default -> Status.INVALID_ARGUMENT;
    };
    String where = e.field().isEmpty() ? "" : " at `" + e.field() + "`";
    return s.withDescription("request refused by the gateway: " + e.code() + where + ": " + e.getMessage());
  }

  private static String clientAddress(ServerCall<?, ?> call) {
    SocketAddress a = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
    return a instanceof InetSocketAddress i ? i.getAddress().getHostAddress() : String.valueOf(a);
  }

  /** One call's state shared between the transport callbacks and the worker. */
  private static final class Exchange {
    final ServerCall<Message, Message> call;
    final AtomicBoolean closed = new AtomicBoolean();
    volatile Identity identity;
    volatile Operation operation;
    volatile Decision decision;
    /** For the record: the refusal code before a decision, the outcome, what was forwarded and answered. */
    volatile String refusal;
    volatile String outcome;
    volatile String approvalId;
    volatile Message forward;
    volatile Message response;
    volatile String upstreamStatus;
    volatile long upstreamMicros;
    volatile long upstreamStart;
    /** Set on the worker before anything else reads them. */
    volatile long start;
    volatile java.time.Instant received;
    volatile String requestId;
    volatile boolean internalError;
    /**
     * Answer with the gRPC status itself, not in band: Milvus's own error status, or a refusal the
     * client is meant to retry (a held call dropped at shutdown).
     */
    volatile boolean statusAsIs;
    /** The one {@code dbname} the call was decoded, decided, forwarded and invalidated with. */
    volatile String dbname;
    /** The route the call was decoded, forwarded and rewritten with (held until the call is finished). */
    volatile LiveRoute.Lease<MilvusRoute> route;
    final AtomicBoolean finished = new AtomicBoolean();

    Exchange(ServerCall<Message, Message> call) {
      this.call = call;
    }

    synchronized void send(Message m) {
      if (!closed.get()) {
        call.sendHeaders(new Metadata());
        call.sendMessage(m);
      }
    }

    synchronized void close(Status s) {
      if (closed.compareAndSet(false, true)) {
        call.close(s, new Metadata());
      }
    }
  }
}
