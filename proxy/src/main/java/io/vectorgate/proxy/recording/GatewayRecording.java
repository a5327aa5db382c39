package io.vectorgate.proxy.recording;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Message;
import io.vectorgate.model.Action;
import io.vectorgate.model.Decision;
import io.vectorgate.model.FieldMask;
import io.vectorgate.model.Identity;
import io.vectorgate.model.LimitCap;
import io.vectorgate.model.Obligations;
import io.vectorgate.model.Operation;
import io.vectorgate.model.ProtocolFacts;
import io.vectorgate.model.Reason;
import io.vectorgate.proxy.config.ConfigLoader;
import io.vectorgate.proxy.config.RecordingConfig;
import io.vectorgate.proxy.pipeline.GatewayMetrics;
import io.vectorgate.recorder.Ack;
import io.vectorgate.recorder.ClientInfo;
import io.vectorgate.recorder.Enforcement;
import io.vectorgate.recorder.FsyncPolicy;
import io.vectorgate.recorder.OverflowPolicy;
import io.vectorgate.recorder.RecordDraft;
import io.vectorgate.recorder.Recorder;
import io.vectorgate.recorder.RecorderConfig;
import io.vectorgate.recorder.RecorderUnavailableException;
import io.vectorgate.recorder.SessionStart;
import io.vectorgate.recorder.index.IndexConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's side of the session log: opens the {@link Recorder} from the {@code recording:}
 * config, tracks client connections and the sessions on them (one per identity per connection),
 * turns what a listener saw into a {@link RecordDraft}, and applies the fail-closed check before a
 * request is forwarded. {@link #off()} is the no-op used when the config has no recording section.
 *
 * <p>Appends never wait for the disk unless {@code acknowledge: durable}: then {@link #append}
 * blocks until the record is written (fsynced under {@code every_record}) and reports a record that
 * could not be written, which the listener turns into an error instead of the response.
 */
public final class GatewayRecording implements AutoCloseable, io.vectorgate.proxy.pipeline.RequestRecorder {
  private static final Logger LOG = LoggerFactory.getLogger(GatewayRecording.class);
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  /** How long a durable acknowledgement may take before the request fails. */
  static final Duration DURABLE_WAIT = Duration.ofSeconds(30);
  private static final GatewayRecording OFF = new GatewayRecording(null, new GatewayMetrics(), false, 0);

  private final Recorder recorder;
  private final GatewayMetrics metrics;
  private final boolean durable;
  private final int maxPayloadBytes;
  private final AtomicLong connectionCounter = new AtomicLong();
  private final Map<String, String> connectionAddresses = new ConcurrentHashMap<>();
  /** connection id → (identity key → session id). */
  private final Map<String, Map<String, String>> sessions = new ConcurrentHashMap<>();

  private GatewayRecording(Recorder recorder, GatewayMetrics metrics, boolean durable, int maxPayloadBytes) {
    this.recorder = recorder;
    this.metrics = metrics;
    this.durable = durable;
    this.maxPayloadBytes = maxPayloadBytes;
  }

  /** Recording switched off: every method is a no-op, {@link #enabled()} is false. */
  public static GatewayRecording off() {
    return OFF;
  }

  /** Opens the recorder described by {@code cfg}; {@code env} resolves the PostgreSQL password secret. */
  public static GatewayRecording open(RecordingConfig cfg, Function<String, String> env, GatewayMetrics metrics)
      throws IOException {
    return new GatewayRecording(Recorder.open(recorderConfig(cfg, env)), metrics, cfg.acknowledge().equals("durable"),
        cfg.maxPayloadBytes());
  }

  /** Wraps an open recorder (tests, embedding). */
  public static GatewayRecording of(Recorder recorder, GatewayMetrics metrics, boolean durable, int maxPayloadBytes) {
    return new GatewayRecording(recorder, metrics, durable, maxPayloadBytes);
  }

  /** The recorder configuration the {@code recording:} section stands for. */
  public static RecorderConfig recorderConfig(RecordingConfig cfg, Function<String, String> env) {
    IndexConfig index = switch (cfg.index()) {
      case "none" -> IndexConfig.none();
      case "postgres" -> IndexConfig.postgres(cfg.postgres().url(), cfg.postgres().user(),
          cfg.postgres().password() == null ? null
              : ConfigLoader.readSecret(cfg.postgres().password(), "recording.postgres.password", env));
      default -> IndexConfig.sqlite(cfg.directory().resolve("index.sqlite"));
    };
    return RecorderConfig.builder(cfg.directory())
        .fsync(cfg.fsync().equals("interval") ? FsyncPolicy.INTERVAL : FsyncPolicy.EVERY_RECORD)
        .fsyncInterval(Duration.ofMillis(cfg.fsyncIntervalMillis()))
        .overflow(cfg.overflow().equals("drop") ? OverflowPolicy.DROP : OverflowPolicy.FAIL_CLOSED)
        .queueCapacity(cfg.queueSize())
        .segmentMaxBytes(cfg.segmentMaxBytes())
        .segmentMaxAge(Duration.ofSeconds(cfg.segmentMaxAgeSeconds()))
        .retentionMaxAge(cfg.retentionMaxAgeDays() == null ? null : Duration.ofDays(cfg.retentionMaxAgeDays()))
        .retentionMaxBytes(cfg.retentionMaxBytes())
        .recordPayloadsByDefault(cfg.recordPayloads())
        .index(index)
        .build();
  }

  @Override
  public boolean enabled() {
    return recorder != null;
  }

  // ------------------------------------------------------------------------------------ pipeline

  @Override
  public Failure writable() {
    try {
      checkWritable();
      return null;
    } catch (RecorderUnavailableException e) {
      return new Failure(e.code(), unavailableMessage(e));
    }
  }

  /**
   * The pipeline's record step, for every listener: the session record of the finished request
   * {@code log}, its payloads from {@code wire}. A request refused before any decision is recorded
   * with the refusal as its decision, and {@link #unknownOperation} when it never reached one.
   */
  @Override
  public Failure record(io.vectorgate.proxy.pipeline.RequestLog log, io.vectorgate.proxy.pipeline.Transport<?, ?> wire,
      boolean mayWait) {
    if (recorder == null) {
      return null;
    }
    RecorderUnavailableException failed = recordOrFailure(log.requestId(), metrics, () -> {
      ClientInfo client = client(wire.connectionId(), wire.clientAddress(), wire.transport());
      Operation op = log.operation() != null ? log.operation() : unknownOperation(wire.protocolFacts());
      var outcome = log.outcome();
      Decision decision = log.decision() != null ? log.decision()
          : refusal(log.code() == null ? "refused" : log.code(), String.valueOf(log.message()));
      String recorded = outcome == null ? "error" : outcome.recorded();
      RecordDraft draft = RecordDraft.builder()
          .time(log.received())
          .sessionId(session(client, log.identity(), log.received()))
          .requestId(log.requestId())
          .identity(log.identity())
          .client(client)
          .connection(log.connection())
          .operation(op)
          .request(wire.requestPayload())
          .decision(decision)
          .enforcement(enforcement(recorded, decision, op, log.filterAdded(), log.approvalId()))
          .upstream(log.upstreamStatus() == null ? null
              : new io.vectorgate.recorder.Upstream(log.upstreamStatus(), log.upstreamMicros()))
          .response(wire.responsePayload())
          .build();
      if (!mayWait) {
        appendNoWait(draft);
        return null;
      }
      return append(draft);
    });
    return failed == null ? null : new Failure(failed.code(), unavailableMessage(failed));
  }

  /** The recorder (null when off). */
  public Recorder recorder() {
    return recorder;
  }

  /**
   * The fail-closed check before a request is forwarded: throws when recording is impossible now
   * (queue full, disk failure, closed) and the overflow policy is {@code fail_closed}. Counted as
   * {@code recording_unavailable}.
   */
  public void checkWritable() throws RecorderUnavailableException {
    if (recorder == null) {
      return;
    }
    try {
      recorder.checkWritable();
    } catch (RecorderUnavailableException e) {
      metrics.count("recording_unavailable");
      LOG.warn("event=recording_unavailable code={} message=\"{}\"", e.code(), e.getMessage());
      throw e;
    }
  }

  /**
   * Runs one listener's record step. A record that cannot even be built (a bug, a missing class) is
   * a recording failure like a full queue or a failed disk: the caller fails the request closed.
   *
   * @return null when recorded, else why recording was impossible
   */
  public static RecorderUnavailableException recordOrFailure(String requestId, GatewayMetrics metrics,
      java.util.function.Supplier<RecorderUnavailableException> step) {
    try {
      return step.get();
    } catch (RuntimeException | LinkageError e) {
      LOG.error("event=recording_failed kind=request request_id={} error={}", requestId, e.toString(), e);
      metrics.count("recording_failed");
      return new RecorderUnavailableException("recorder_record_failed", "the request could not be recorded ("
          + e.getClass().getSimpleName() + ")", e);
    }
  }

  /** The client-facing text of a request refused because recording is impossible. */
  public static String unavailableMessage(RecorderUnavailableException e) {
    return "request refused: the gateway cannot record it (" + e.code() + ": " + e.getMessage()
        + "); requests are refused while recording is impossible";
  }

  // ------------------------------------------------------------------------------------ connections

  /** Registers a new client connection; returns its id (null when recording is off). */
  public String connectionOpened(String transport, SocketAddress remote) {
    if (recorder == null) {
      return null;
    }
    String id = transport + "-" + connectionCounter.incrementAndGet();
    connectionAddresses.put(id, address(remote));
    return id;
  }

  /** Ends every session of a closed connection. */
  public void connectionClosed(String connectionId) {
    if (recorder == null || connectionId == null) {
      return;
    }
    connectionAddresses.remove(connectionId);
    Map<String, String> s = sessions.remove(connectionId);
    if (s != null) {
      s.values().forEach(id -> endSession(id, "client_closed"));
    }
  }

  private void endSession(String sessionId, String reason) {
    recorder.endSession(sessionId, reason).whenComplete((ack, err) -> {
      if (err != null) {
        metrics.count("recording_failed");
        LOG.error("event=recording_failed kind=session_end session={} error=\"{}\"", sessionId, err.getMessage(),
            stackUnlessUnavailable(err));
      }
    });
  }

  /** The client facts of a request on {@code connectionId} ({@code fallbackAddress} when the connection is unknown). */
  public ClientInfo client(String connectionId, String fallbackAddress, String transport) {
    String a = connectionId == null ? null : connectionAddresses.get(connectionId);
    return new ClientInfo(a != null ? a : fallbackAddress, connectionId, transport);
  }

  /**
   * The session of {@code identity} on the client's connection, started on first use. A request
   * without a verified identity belongs to the connection's anonymous session.
   */
  public String session(ClientInfo client, Identity identity, Instant now) {
    if (recorder == null) {
      return null;
    }
    String conn = client.connectionId() == null ? "unknown:" + client.address() : client.connectionId();
    String key = identity == null ? "" : identity.issuer() + "\u0000" + identity.subject();
    Map<String, String> perConnection = sessions.computeIfAbsent(conn, k -> new ConcurrentHashMap<>());
    return perConnection.computeIfAbsent(key, k -> {
      var ticket = recorder.startSession(new SessionStart(now, identity, client));
      ticket.ack().whenComplete((ack, err) -> {
        if (err != null) {
          metrics.count("recording_failed");
          LOG.error("event=recording_failed kind=session_start session={} error=\"{}\"", ticket.sessionId(),
              err.getMessage(), stackUnlessUnavailable(err));
        }
      });
      return ticket.sessionId();
    });
  }

  // ------------------------------------------------------------------------------------ records

  /**
   * Appends one request record. With {@code acknowledge: queued} returns at once (failures are
   * logged and counted as {@code recording_failed}); with {@code durable} waits for the write and
   * returns the failure, which the caller answers instead of the response. Null means recorded
   * (or recording off, or dropped under the {@code drop} policy).
   */
  public RecorderUnavailableException append(RecordDraft draft) {
    return append(draft, durable);
  }

  /**
   * Appends without ever waiting, whatever {@code acknowledge} says: for records written on a
   * transport thread (refusals before a request reaches a worker), which must not block.
   */
  public void appendNoWait(RecordDraft draft) {
    append(draft, false);
  }

  private RecorderUnavailableException append(RecordDraft draft, boolean wait) {
    if (recorder == null) {
      return null;
    }
    CompletableFuture<Ack> f = recorder.append(draft, wait);
    if (!wait) {
      f.whenComplete((ack, err) -> {
        if (err != null) {
          failed(draft, err);
        } else if (!ack.written()) {
          metrics.count("recording_dropped");
        }
      });
      return null;
    }
    try {
      Ack ack = f.get(DURABLE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
      if (!ack.written()) {
        metrics.count("recording_dropped");
      }
      return null;
    } catch (ExecutionException e) {
      failed(draft, e.getCause());
      return e.getCause() instanceof RecorderUnavailableException u ? u
          : new RecorderUnavailableException("recorder_write_failed", "the record could not be written: "
              + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      failed(draft, e);
      return new RecorderUnavailableException("recorder_timeout", "the record was not written within "
          + DURABLE_WAIT.toSeconds() + " s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new RecorderUnavailableException("recorder_interrupted", "interrupted while waiting for the record", e);
    }
  }

  private void failed(RecordDraft d, Throwable err) {
    metrics.count("recording_failed");
    if (err instanceof RecorderUnavailableException u) {
      // recording is impossible right now (counted and reported by the recorder); no stack per request
      LOG.error("event=recording_failed kind=request request_id={} code={} error=\"{}\"", d.requestId(), u.code(),
          u.getMessage());
    } else {
      LOG.error("event=recording_failed kind=request request_id={} error=\"{}\"", d.requestId(), err.getMessage(), err);
    }
  }

  /** The cause to log with its stack, or null when recording is simply unavailable (reported by the recorder). */
  private static Throwable stackUnlessUnavailable(Throwable err) {
    return err instanceof RecorderUnavailableException ? null : err;
  }

  /** Whether {@code append} waits for the disk. */
  public boolean durable() {
    return durable;
  }

  // ------------------------------------------------------------------------------------ payloads

  /**
   * A protobuf message as JSON (proto field names, so the recorder's vector stripping sees
   * {@code placeholder_group}, {@code float_vector}, ...; see {@link ProtoJson}), or a size marker
   * when it is larger than {@code max_payload_bytes}. Null when recording is off or the message is
   * null. The node converts lazily, when the recorder serializes it.
   */
  public JsonNode protoPayload(Message m) {
    if (recorder == null || m == null) {
      return null;
    }
    int size = m.getSerializedSize();
    if (size > maxPayloadBytes) {
      return omitted("too_large", size);
    }
    // converted on the recorder's writer thread (messages are immutable), not on the request path
    return ProtoJson.lazy(m);
  }

  /** A JSON payload of {@code size} bytes on the wire, or a size marker when too large. */
  public JsonNode jsonPayload(JsonNode n, long size) {
    if (recorder == null || n == null) {
      return null;
    }
    return size > maxPayloadBytes ? omitted("too_large", size) : n;
  }

  /** {@code {"vectorgate_omitted": why, "bytes": n}}: a payload the gateway did not store. */
  public static ObjectNode omitted(String why, long bytes) {
    ObjectNode o = F.objectNode();
    o.put("vectorgate_omitted", why);
    o.put("bytes", bytes);
    return o;
  }

  // ------------------------------------------------------------------------------------ facts

  /** The decision recorded for a request the gateway refused before any policy decision. */
  public static Decision refusal(String code, String message) {
    return new Decision(false, List.of(new Reason(code, message)), Obligations.NONE, null, null);
  }

  /** The operation recorded when the adapter never produced one. */
  public static Operation unknownOperation(ProtocolFacts protocol) {
    return Operation.builder(Action.UNKNOWN).protocol(protocol).build();
  }

  /**
   * What enforcement did: {@code outcome} ({@code forwarded}, {@code approved}, {@code denied},
   * {@code refused}, {@code error}); for forwarded requests the filter added, masked fields,
   * stripped vectors and a clamped limit, from the decision's obligations.
   */
  public static Enforcement enforcement(String outcome, Decision decision, Operation op, Object filterAdded,
      String approvalId) {
    boolean forwarded = outcome.equals("forwarded") || outcome.equals("approved");
    if (!forwarded) {
      return new Enforcement(outcome, null, List.of(), false, null, null, approvalId);
    }
    Obligations o = decision.obligations();
    List<String> masked = new ArrayList<>();
    for (FieldMask m : o.mask()) {
      masked.add(m.path().isEmpty() ? m.field() : m.field() + "." + String.join(".", m.path()));
    }
    Long requested = null;
    Long clamped = null;
    LimitCap cap = o.limitCap();
    if (cap != null && op != null && op.limit() != null && op.limit() > cap.max()) {
      requested = op.limit();
      clamped = cap.max();
    }
    return new Enforcement(outcome, filterAdded, masked, o.stripVectors(), requested, clamped, approvalId);
  }

  private static String address(SocketAddress a) {
    if (a instanceof InetSocketAddress i) {
      String host = i.getAddress() == null ? i.getHostString() : i.getAddress().getHostAddress();
      return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + i.getPort();
    }
    return String.valueOf(a);
  }

  /** Ends every open session ({@code gateway_stopped}) and closes the recorder (drains its queue). */
  @Override
  public void close() throws IOException {
    if (recorder == null) {
      return;
    }
    for (Map<String, String> s : sessions.values()) {
      s.values().forEach(id -> endSession(id, "gateway_stopped"));
    }
    sessions.clear();
    recorder.close();
  }
}
