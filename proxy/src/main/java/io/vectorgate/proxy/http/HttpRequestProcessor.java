package io.vectorgate.proxy.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vectorgate.model.Connection;
import io.vectorgate.model.Decision;
import io.vectorgate.model.Identity;
import io.vectorgate.model.Obligations;
import io.vectorgate.model.Operation;
import io.vectorgate.proxy.adapter.AdapterException;
import io.vectorgate.proxy.adapter.http.HttpApiAdapter;
import io.vectorgate.proxy.adapter.http.HttpApiAdapter.ErrorResponse;
import io.vectorgate.proxy.adapter.http.HttpRequestView;
import io.vectorgate.proxy.enforce.ObligationException;
import io.vectorgate.proxy.identity.AuthenticationException;
import io.vectorgate.proxy.identity.TokenVerifier;
import io.vectorgate.proxy.pipeline.ApprovalGate;
import io.vectorgate.proxy.pipeline.Outcome;
import io.vectorgate.proxy.pipeline.RequestMeta;
import io.vectorgate.proxy.pipeline.RequestPipeline;
import io.vectorgate.proxy.recording.GatewayRecording;
import io.vectorgate.recorder.ClientInfo;
import io.vectorgate.recorder.RecordDraft;
import io.vectorgate.recorder.RecorderUnavailableException;
import io.vectorgate.recorder.Upstream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transport-independent work of the HTTP listener for one complete request: header checks,
 * target normalization, strict JSON, identity, adapter decode, policy, request obligations,
 * upstream call with the gateway's credential, response rewrite. Runs on a worker thread (it
 * blocks on the engine and the upstream). Never forwards a request it has not fully examined;
 * every refusal is answered in the target API's error shape and counted.
 */
public final class HttpRequestProcessor {
  private static final Logger LOG = LoggerFactory.getLogger(HttpRequestProcessor.class);
  private static final Logger REQUESTS = LoggerFactory.getLogger("io.vectorgate.requests");

  /** Headers that ask the server to treat the request as another method: always refused. */
  static final Set<String> METHOD_OVERRIDE_HEADERS = Set.of("x-http-method-override", "x-http-method",
      "x-method-override", "x-original-method");
  /** Headers that may carry the caller's token; never forwarded. */
  static final Set<String> TOKEN_HEADERS = Set.of("authorization", "x-chroma-token", "api-key");
  /** Client headers every adapter gets forwarded. */
  static final Set<String> BASE_FORWARDED = Set.of("accept", "user-agent", "x-pinecone-api-version");
  /** Headers that must appear at most once: one list for both transports (credentials, database, framing, forwarded). */
  private static final Set<String> SINGLETON_HEADERS = io.vectorgate.proxy.identity.SingletonKeys.HTTP;
  /** Methods any of the served APIs use. */
  private static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE");
  private static final String MILVUS_REST_PREFIX = "/v2/vectordb";
  /**
   * The client's deadline for a request held for approval: whole seconds, 1 to 86400, digits only
   * (the HTTP counterpart of a gRPC deadline). Without it a held request waits up to
   * {@code approvals.max_wait_seconds}.
   */
  static final String REQUEST_TIMEOUT_HEADER = "x-request-timeout";
  static final long MAX_REQUEST_TIMEOUT_SECONDS = 86_400;

  private final String listener;
  private final Connection connection;
  private final TokenVerifier verifier;
  private final HttpApiAdapter adapter;
  private final RequestPipeline pipeline;
  private final HttpUpstream upstream;
  private final JsonBodies json;
  private final ObjectMapper responseMapper = new ObjectMapper();
  private final Map<String, String> credentialHeaders;
  private final GatewayRecording recording;

  public HttpRequestProcessor(String listener, Connection connection, TokenVerifier verifier, HttpApiAdapter adapter,
      RequestPipeline pipeline, HttpUpstream upstream, JsonBodies json, String upstreamCredential) {
    this(listener, connection, verifier, adapter, pipeline, upstream, json, upstreamCredential, GatewayRecording.off());
  }

  /** As above, recording every request (allowed or not) to {@code recording}. */
  public HttpRequestProcessor(String listener, Connection connection, TokenVerifier verifier, HttpApiAdapter adapter,
      RequestPipeline pipeline, HttpUpstream upstream, JsonBodies json, String upstreamCredential,
      GatewayRecording recording) {
    this.recording = recording;
    this.listener = listener;
    this.connection = connection;
    this.verifier = verifier;
    this.adapter = adapter;
    this.pipeline = pipeline;
    this.upstream = upstream;
    this.json = json;
    this.credentialHeaders = Map.copyOf(adapter.upstreamCredentialHeaders(upstreamCredential));
  }

  /** Processes one request; never throws (internal failures are a 500 naming the request id). */
  public OutboundResponse process(InboundRequest in) {
    long start = System.nanoTime();
    java.time.Instant received = java.time.Instant.now();
    String requestId = UUID.randomUUID().toString();
    Trace t = new Trace();
    OutboundResponse out;
    try {
      out = handle(in, requestId, received, t);
    } catch (HttpRefusal r) {
      pipeline.metrics().count("rejected_request");
      t.reason = r.code();
      LOG.info("event=http_refused request_id={} listener={} code={} message={}", requestId, listener, r.code(),
          r.getMessage());
      out = error(adapter.rejection(r.status(), r.code(), r.getMessage()), r.closeConnection());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      out = error(adapter.rejection(503, "shutting_down", "the gateway is shutting down"), true);
    } catch (RuntimeException e) {
      LOG.error("event=request_failed request_id={} listener={} error={}", requestId, listener, e.toString(), e);
      pipeline.metrics().count("internal_error");
      out = error(adapter.rejection(500, "gateway_error", "gateway error (request " + requestId + ")"), false);
      t.outcome = "error";
      t.reason = "gateway_error";
      t.response = null;
    }
    if (recording.enabled()) {
      OutboundResponse sent = out;
      RecorderUnavailableException failed = GatewayRecording.recordOrFailure(requestId, pipeline.metrics(),
          () -> record(in, t, requestId, received, sent, true));
      if (failed != null) {
        out = error(adapter.rejection(503, failed.code(), GatewayRecording.unavailableMessage(failed)), false);
      }
    }
    REQUESTS.info("event=request request_id={} listener={} protocol={} method={} path={} subject={} action={}"
            + " collection={} decision_id={} revision={} allow={} reasons={} status={} latency_us={}",
        requestId, listener, in.protocol(), in.method(), t.path == null ? "-" : t.path,
        t.identity == null ? "-" : t.identity.subject(), t.op == null ? "-" : t.op.action().wireName(),
        t.op == null || t.op.resource().collection() == null ? "-" : t.op.resource().collection(),
        t.decision == null ? "-" : t.decision.decisionId(),
        t.decision == null || t.decision.revision() == null ? "-" : t.decision.revision(),
        t.decision != null && t.decision.allow(),
        t.decision == null ? (t.reason == null ? "[]" : "[" + t.reason + "]") : t.decision.reasonCodes(),
        out.status(), (System.nanoTime() - start) / 1000);
    return out;
  }

  private static final class Trace {
    String path;
    Identity identity;
    Operation op;
    Decision decision;
    String reason;
    /** For the record: the normalized target, the body and headers the adapter saw, what happened. */
    RequestTarget target;
    JsonNode body;
    Map<String, List<String>> headers;
    HttpRequestView forward;
    JsonNode response;
    String outcome;
    String approvalId;
    Integer upstreamStatus;
    long upstreamMicros;
  }

  /** Registers a client connection for recording; returns its id, or null when recording is off. */
  String connectionOpened(java.net.SocketAddress remote) {
    return recording.connectionOpened("http", remote);
  }

  /** Ends the recorded sessions of a closed client connection. */
  void connectionClosed(String connectionId) {
    recording.connectionClosed(connectionId);
  }

  /** Appends the request's record; returns the failure when a durable acknowledgement was required and failed. */
  private RecorderUnavailableException record(InboundRequest in, Trace t, String requestId, java.time.Instant received,
      OutboundResponse out, boolean mayWait) {
    ClientInfo client = recording.client(in.connectionId(), in.clientAddress(), "http");
    String path = t.target != null ? t.target.path() : rawPath(in.target());
    Operation op = t.op != null ? t.op
        : GatewayRecording.unknownOperation(io.vectorgate.model.ProtocolFacts.http(in.method(), path));
    Decision decision = t.decision != null ? t.decision
        : GatewayRecording.refusal(t.reason == null ? "refused" : t.reason, errorMessage(out));
    String outcome = t.outcome != null ? t.outcome : decision.allow() ? "error" : "refused";
    com.fasterxml.jackson.databind.node.ObjectNode req = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance
        .objectNode();
    req.put("method", in.method());
    req.put("path", path);
    if (t.target != null && !t.target.query().isEmpty()) {
      req.set("query", responseMapper.valueToTree(t.target.query()));
    }
    if (t.headers != null && !t.headers.isEmpty()) {
      req.set("headers", responseMapper.valueToTree(t.headers));
    }
    if (t.body != null) {
      req.set("body", recording.jsonPayload(t.body, in.body().length));
    } else if (in.body().length > 0) {
      req.set("body", GatewayRecording.omitted("not_json", in.body().length));
    }
    JsonNode response;
    if (t.response != null) {
      response = recording.jsonPayload(t.response, out.body().length);
    } else if (out.body().length == 0) {
      response = null;
    } else {
      response = parseOrMarker(out.body());
    }
    RecordDraft draft = RecordDraft.builder()
        .time(received)
        .sessionId(recording.session(client, t.identity, received))
        .requestId(requestId)
        .identity(t.identity)
        .client(client)
        .connection(connection)
        .operation(op)
        .request(req)
        .decision(decision)
        .enforcement(GatewayRecording.enforcement(outcome, decision, op, filterAdded(t), t.approvalId))
        .upstream(t.upstreamStatus == null ? null : new Upstream(Integer.toString(t.upstreamStatus), t.upstreamMicros))
        .response(response)
        .build();
    if (!mayWait) {
      recording.appendNoWait(draft);
      return null;
    }
    return recording.append(draft);
  }

  /** The filter the gateway sent instead of the client's ({@code where}/{@code filter} of the body), or null. */
  private static Object filterAdded(Trace t) {
    if (t.forward == null || t.forward.body() == null || !t.forward.body().isObject()) {
      return null;
    }
    for (String name : List.of("where", "filter")) {
      JsonNode after = t.forward.body().get(name);
      JsonNode before = t.body == null ? null : t.body.get(name);
      if (after != null && !after.equals(before)) {
        return after;
      }
    }
    return null;
  }

  private JsonNode parseOrMarker(byte[] body) {
    try {
      return responseMapper.readTree(body);
    } catch (IOException e) {
      return GatewayRecording.omitted("not_json", body.length);
    }
  }

  private String errorMessage(OutboundResponse out) {
    JsonNode n = out.body().length == 0 ? null : parseOrMarker(out.body());
    return n == null ? "refused with status " + out.status() : n.toString();
  }

  private static String rawPath(String target) {
    if (target == null) {
      return "/";
    }
    int q = target.indexOf('?');
    String p = q < 0 ? target : target.substring(0, q);
    return p.length() > 2048 ? p.substring(0, 2048) : p;
  }

  private OutboundResponse handle(InboundRequest in, String requestId, java.time.Instant received, Trace t)
      throws HttpRefusal, InterruptedException {
    Map<String, List<String>> headers = headers(in);
    String method = in.method();
    if (!METHODS.contains(method)) {
      throw new HttpRefusal(405, "method_not_allowed", "method `" + method + "` is not served");
    }
    for (String h : METHOD_OVERRIDE_HEADERS) {
      if (headers.containsKey(h)) {
        throw new HttpRefusal(400, "method_override", "header `" + h + "` asks for another method; method overrides"
            + " are refused");
      }
    }
    String encoding = first(headers, "content-encoding");
    if (encoding != null && !encoding.strip().equalsIgnoreCase("identity")) {
      throw new HttpRefusal(415, "encoded_body", "content-encoding `" + encoding + "`: the gateway inspects every body"
          + " and does not accept encoded ones");
    }
    java.time.Instant deadline = deadline(first(headers, REQUEST_TIMEOUT_HEADER), received);
    RequestTarget target = RequestTarget.parse(in.target());
    t.path = target.path();
    t.target = target;
    if (target.path().equals(MILVUS_REST_PREFIX) || target.path().startsWith(MILVUS_REST_PREFIX + "/")) {
      throw new HttpRefusal(403, "milvus_rest_not_supported", "the Milvus RESTful API (`/v2/vectordb/...`) is not"
          + " served by this gateway; use the Milvus gRPC listener");
    }
    JsonNode body = null;
    if (in.body().length > 0) {
      String ct = first(headers, "content-type");
      if (ct == null || !isJson(ct)) {
        throw new HttpRefusal(415, "unsupported_media_type", "a request body must be `application/json`, got "
            + (ct == null ? "no content-type" : "`" + ct + "`"));
      }
      body = json.parse(in.body());
      t.body = body;
    }
    String token;
    try {
      token = token(headers);
      t.identity = verifier.verify(token);
    } catch (AuthenticationException e) {
      boolean unavailable = e.code() == AuthenticationException.Code.PROVIDER_UNAVAILABLE;
      pipeline.metrics().count(unavailable ? "identity_unavailable" : "unauthenticated");
      t.reason = e.code().wire();
      LOG.info("event=unauthenticated request_id={} listener={} code={} message={}", requestId, listener,
          e.code().wire(), e.getMessage());
      return error(adapter.rejection(unavailable ? 503 : 401, e.code().wire(), e.code().wire() + ": " + e.getMessage()),
          false);
    }
    HttpRequestView view = new HttpRequestView(method, target.path(), target.segments(), target.query(),
        viewHeaders(headers), body);
    t.headers = view.headers();
    Operation op;
    try {
      op = adapter.decode(view);
    } catch (AdapterException e) {
      return adapterRefusal(e, t);
    }
    t.op = op;
    // an approval is bound to the method, the normalized target and the body exactly as sent
    ApprovalGate.Hold hold = ApprovalGate.Hold.http(method, target.canonical(), in.body(), deadline, in.clientGone());
    Outcome outcome = pipeline.decide(t.identity, connection, op, new RequestMeta(requestId, in.clientAddress()), hold);
    t.decision = outcome.decision();
    t.outcome = "denied";
    if (outcome instanceof Outcome.Deny deny) {
      if (deny.decision().reasonCodes().contains("approval_interrupted")) {
        // the gateway stopped holding (shutdown): the approval stays pending, the identical retry finds it
        ErrorResponse e = adapter.rejection(503, "approval_interrupted", deny.message());
        byte[] b = e.body() == null ? new byte[0] : writeResponse(e.body());
        return new OutboundResponse(503, Map.of("content-type", "application/json", "retry-after", "1"), b, true);
      }
      return error(adapter.denial(deny.decision(), deny.message()), false);
    }
    if (outcome instanceof Outcome.Forward f) {
      t.approvalId = f.approvalId();
    }
    Obligations obligations = outcome.decision().obligations();
    HttpRequestView forward;
    try {
      forward = adapter.applyRequestObligations(view, op, obligations);
    } catch (ObligationException e) {
      pipeline.metrics().count("obligation_unenforceable");
      Decision d = outcome.decision();
      Decision denied = new Decision(false, List.of(new io.vectorgate.model.Reason(e.code(), e.getMessage())),
          Obligations.NONE, d.decisionId(), d.revision());
      t.decision = denied;
      return error(adapter.denial(denied, "denied by policy (decision " + d.decisionId() + "): " + e.code() + ": "
          + e.getMessage()), false);
    } catch (AdapterException e) {
      t.outcome = "refused";
      return adapterRefusal(e, t);
    }
    try {
      recording.checkWritable();
    } catch (RecorderUnavailableException e) {
      t.outcome = "error";
      return error(adapter.rejection(503, e.code(), GatewayRecording.unavailableMessage(e)), false);
    }
    t.forward = forward;
    t.outcome = t.approvalId != null ? "approved" : "forwarded";
    Map<String, String> upHeaders = new LinkedHashMap<>();
    Set<String> extra = adapter.forwardedHeaders();
    for (Map.Entry<String, List<String>> h : headers.entrySet()) {
      String n = h.getKey();
      if ((BASE_FORWARDED.contains(n) || extra.contains(n)) && !TOKEN_HEADERS.contains(n)
          && !HttpUpstream.RESTRICTED.contains(n) && !h.getValue().isEmpty()) {
        upHeaders.put(n, String.join(", ", h.getValue()));
      }
    }
    byte[] upBody = upstreamBody(in.body(), body, forward.body());
    if (upBody != null) {
      upHeaders.put("content-type", "application/json");
    }
    upHeaders.putAll(credentialHeaders);
    HttpUpstream.Response resp;
    long upStart = System.nanoTime();
    try {
      resp = upstream.send(forward.method(), RequestTarget.canonical(forward.segments(), forward.query()), upHeaders,
          upBody);
      t.upstreamStatus = resp.status();
      t.upstreamMicros = (System.nanoTime() - upStart) / 1000;
    } catch (HttpUpstream.UpstreamException e) {
      t.upstreamMicros = (System.nanoTime() - upStart) / 1000;
      t.outcome = "error";
      pipeline.metrics().count("upstream_error");
      LOG.warn("event=upstream_error request_id={} listener={} error={}", requestId, listener, e.getMessage(), e);
      return error(adapter.rejection(e.status(), "upstream_unavailable", e.getMessage()), false);
    }
    if (resp.contentEncoding().isPresent() && !resp.contentEncoding().get().equalsIgnoreCase("identity")) {
      pipeline.metrics().count("upstream_error");
      return error(adapter.rejection(502, "upstream_encoded_body", "the upstream answered with content-encoding `"
          + resp.contentEncoding().get() + "`, which the gateway cannot inspect"), false);
    }
    JsonNode respBody = null;
    if (resp.body().length > 0) {
      try {
        respBody = responseMapper.readTree(resp.body());
      } catch (IOException e) {
        if (resp.status() >= 200 && resp.status() < 300) {
          pipeline.metrics().count("upstream_error");
          return error(adapter.rejection(502, "upstream_unreadable", "the upstream answered " + resp.status()
              + " with a body that is not JSON; the gateway does not pass on what it cannot inspect"), false);
        }
        // a non-JSON error body (e.g. a plain 404) carries no rows: pass its status on, without the body
        return error(adapter.rejection(resp.status(), "upstream_error", "the upstream answered " + resp.status()), false);
      }
    }
    JsonNode rewritten;
    io.vectorgate.proxy.enforce.ResponseTally tally = new io.vectorgate.proxy.enforce.ResponseTally();
    try {
      rewritten = adapter.rewriteResponse(forward, op, resp.status(), respBody, obligations, tally);
      if (tally.rowFilterDropped() > 0) {
        pipeline.metrics().count(io.vectorgate.proxy.enforce.ResponseTally.ROW_FILTER_RESPONSE_VIOLATION);
      }
      if (tally.rowsCut() > 0) {
        pipeline.metrics().count(io.vectorgate.proxy.enforce.ResponseTally.RESPONSE_ROWS_CUT);
      }
    } catch (ObligationException e) {
      pipeline.metrics().count("obligation_unenforceable");
      return error(adapter.rejection(502, e.code(), "the response could not be rewritten as the policy requires: "
          + e.getMessage()), false);
    }
    if (resp.status() >= 200 && resp.status() < 300) {
      HttpApiAdapter.ResultCounts counts = adapter.resultCounts(op, rewritten);
      pipeline.recordResult(t.identity, counts.rows(), counts.vectors(), op.paging());
    }
    t.response = rewritten;
    byte[] out = rewritten == null ? new byte[0] : writeResponse(rewritten);
    return new OutboundResponse(resp.status(), out.length == 0 ? Map.of() : Map.of("content-type", "application/json"),
        out, false);
  }

  /**
   * The body for the upstream: the client's bytes exactly as sent when the request obligations left
   * the JSON tree unchanged (an approved request is forwarded byte for byte, and nothing is
   * re-serialized); the re-serialized tree only when the gateway changed it (row filter, clamp).
   * A tree the adapter returned as the very instance it was given is re-serialized too: the
   * comparison could not tell an in-place change.
   */
  byte[] upstreamBody(byte[] sent, JsonNode parsed, JsonNode forward) {
    if (forward == null) {
      return null;
    }
    if (parsed != null && forward != parsed && forward.equals(parsed) && sent.length > 0) {
      return sent;
    }
    return json.write(forward);
  }

  /**
   * The client's deadline from {@code X-Request-Timeout} (whole seconds after {@code received}), or
   * null without the header. Strict: optional surrounding whitespace, then 1 to 6 ASCII digits
   * without sign or leading zero, at most 86400; anything else is a 400 {@code bad_request_timeout}.
   */
  static java.time.Instant deadline(String header, java.time.Instant received) throws HttpRefusal {
    if (header == null) {
      return null;
    }
    String v = header.strip();
    boolean digits = !v.isEmpty() && v.length() <= 6 && v.charAt(0) != '0';
    for (int i = 0; digits && i < v.length(); i++) {
      char c = v.charAt(i);
      digits = c >= '0' && c <= '9';
    }
    if (!digits || Long.parseLong(v) > MAX_REQUEST_TIMEOUT_SECONDS) {
      throw new HttpRefusal(400, "bad_request_timeout", "header `" + REQUEST_TIMEOUT_HEADER + "` must be whole seconds"
          + " between 1 and " + MAX_REQUEST_TIMEOUT_SECONDS + ", was `" + (header.length() > 40
          ? header.substring(0, 40) + "..." : header) + "`");
    }
    return received.plusSeconds(Long.parseLong(v));
  }

  /**
   * The answer to a request the transport refused (framing, size): shaped like the API's errors,
   * counted, logged.
   */
  public OutboundResponse refusal(int status, String code, String message, boolean close) {
    return refusal(status, code, message, close, null, null, null, null, null);
  }

  /**
   * As {@link #refusal(int, String, String, boolean)}, with what is known of the refused request
   * (any may be null), which is recorded.
   */
  public OutboundResponse refusal(int status, String code, String message, boolean close, String method, String target,
      String clientAddress, String connectionId, String protocol) {
    pipeline.metrics().count("rejected_request");
    LOG.info("event=http_refused listener={} code={} message={}", listener, code, message);
    OutboundResponse out = error(adapter.rejection(status, code, message), close);
    if (recording.enabled()) {
      Trace t = new Trace();
      t.reason = code;
      InboundRequest in = new InboundRequest(method == null ? "-" : method, target, List.of(), new byte[0],
          protocol == null ? "-" : protocol, clientAddress, connectionId);
      // called on the event loop (framing refusals, overload): never wait for the disk here
      try {
        record(in, t, UUID.randomUUID().toString(), java.time.Instant.now(), out, false);
      } catch (RuntimeException | LinkageError e) {
        LOG.error("event=recording_failed kind=refusal code={} error={}", code, e.toString(), e);
        pipeline.metrics().count("recording_failed");
      }
    }
    return out;
  }

  /** Counts a transport event (e.g. {@code overloaded}). */
  void count(String metric) {
    pipeline.metrics().count(metric);
  }

  private OutboundResponse adapterRefusal(AdapterException e, Trace t) {
    pipeline.metrics().count("rejected_request");
    t.reason = e.code();
    int status = switch (e.code()) {
      case "unknown_route", AdapterException.UNSUPPORTED_OPERATION -> 403;
      case AdapterException.SCHEMA_UNAVAILABLE -> 502;
      default -> 400;
    };
    String where = e.field().isEmpty() ? "" : " at `" + e.field() + "`";
    return error(adapter.rejection(status, e.code(), "request refused by the gateway: " + e.code() + where + ": "
        + e.getMessage()), false);
  }

  private byte[] writeResponse(JsonNode n) {
    try {
      return responseMapper.writeValueAsBytes(n);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize a response", e);
    }
  }

  private OutboundResponse error(ErrorResponse e, boolean close) {
    byte[] b = e.body() == null ? new byte[0] : writeResponse(e.body());
    return new OutboundResponse(e.status(), Map.of("content-type", "application/json"), b, close);
  }

  /**
   * Lower-cased names; a singleton header that repeats is refused (ambiguous), even with equal
   * values, so every header forwarded upstream carries the one value the gateway saw.
   */
  private static Map<String, List<String>> headers(InboundRequest in) throws HttpRefusal {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : in.headers()) {
      String name = e.getKey().toLowerCase(Locale.ROOT);
      if (name.startsWith(":")) {
        continue; // HTTP/2 pseudo-headers were already turned into method and target
      }
      out.computeIfAbsent(name, k -> new ArrayList<>()).add(e.getValue());
    }
    for (Map.Entry<String, List<String>> h : out.entrySet()) {
      if (h.getValue().size() > 1 && SINGLETON_HEADERS.contains(h.getKey())) {
        throw new HttpRefusal(400, "duplicate_header",
            io.vectorgate.proxy.identity.SingletonKeys.message("header", h.getKey(), h.getValue().size()), true, null);
      }
    }
    return out;
  }

  private static Map<String, List<String>> viewHeaders(Map<String, List<String>> headers) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    headers.forEach((k, v) -> {
      if (!TOKEN_HEADERS.contains(k) && !k.equals("cookie")) {
        out.put(k, List.copyOf(v));
      }
    });
    return out;
  }

  /**
   * The caller's token: {@code Authorization: Bearer <t>}, or the client's native key header
   * ({@code X-Chroma-Token}, {@code Api-Key}). Several different tokens are ambiguous and refused.
   */
  static String token(Map<String, List<String>> headers) throws AuthenticationException {
    String found = null;
    String source = null;
    for (String h : List.of("authorization", "x-chroma-token", "api-key")) {
      String v = first(headers, h);
      if (v == null) {
        continue;
      }
      String tok = v.strip();
      if (h.equals("authorization")) {
        if (!tok.regionMatches(true, 0, "Bearer ", 0, 7)) {
          throw new AuthenticationException(AuthenticationException.Code.MALFORMED_TOKEN,
              "the `authorization` header must be `Bearer <token>`");
        }
        tok = tok.substring(7).strip();
      }
      if (tok.isEmpty()) {
        throw new AuthenticationException(AuthenticationException.Code.MISSING_TOKEN, "header `" + h + "` is empty");
      }
      if (found != null && !found.equals(tok)) {
        throw new AuthenticationException(AuthenticationException.Code.MALFORMED_TOKEN, "headers `" + source
            + "` and `" + h + "` carry different tokens");
      }
      found = tok;
      source = h;
    }
    if (found == null) {
      throw new AuthenticationException(AuthenticationException.Code.MISSING_TOKEN,
          "no access token: send your OIDC access token as `Authorization: Bearer <token>` (or in `X-Chroma-Token` /"
              + " `Api-Key`)");
    }
    return found;
  }

  private static String first(Map<String, List<String>> headers, String name) {
    List<String> v = headers.get(name);
    return v == null || v.isEmpty() ? null : v.get(0);
  }

  private static boolean isJson(String contentType) {
    String ct = contentType.toLowerCase(Locale.ROOT).strip();
    int semi = ct.indexOf(';');
    String type = (semi < 0 ? ct : ct.substring(0, semi)).strip();
    if (!type.equals("application/json")) {
      return false;
    }
    if (semi < 0) {
      return true;
    }
    String params = ct.substring(semi + 1).strip();
    return params.isEmpty() || params.replace(" ", "").equals("charset=utf-8");
  }
}
