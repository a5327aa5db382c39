package io.vectorgate.proxy.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorgate.model.Connection;
import io.vectorgate.model.ProtocolFacts;
import io.vectorgate.proxy.adapter.AdapterException;
import io.vectorgate.proxy.adapter.http.HttpApiAdapter;
import io.vectorgate.proxy.adapter.http.HttpApiAdapter.ErrorResponse;
import io.vectorgate.proxy.adapter.http.HttpDatabaseAdapter;
import io.vectorgate.proxy.adapter.http.HttpReply;
import io.vectorgate.proxy.adapter.http.HttpRequestView;
import io.vectorgate.proxy.identity.AuthenticationException;
import io.vectorgate.proxy.pipeline.ApprovalGate;
import io.vectorgate.proxy.pipeline.RequestLog;
import io.vectorgate.proxy.pipeline.RequestOutcome;
import io.vectorgate.proxy.pipeline.RequestPipeline;
import io.vectorgate.proxy.pipeline.Transport;
import io.vectorgate.proxy.recording.GatewayRecording;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The framing of the HTTP listener for one complete request: header checks, target
 * normalization, strict JSON; then the one {@link RequestPipeline} (authenticate, decode, decide,
 * apply obligations, forward, rewrite, record) with the connection's adapter, and the answer in
 * the target API's error shape. Runs on a worker thread (it blocks on the engine and the
 * upstream). Never forwards a request it has not fully examined; every refusal is counted.
 */
public final class HttpRequestProcessor {

  /** Headers that ask the server to treat the request as another method: always refused. */
  static final Set<String> METHOD_OVERRIDE_HEADERS = Set.of("x-http-method-override", "x-http-method",
      "x-method-override", "x-original-method");
  /** Headers that may carry the caller's token; never forwarded. */
  static final Set<String> TOKEN_HEADERS = Set.of("authorization", "x-chroma-token", "api-key");
  /** Client headers every adapter gets forwarded. */
  static final Set<String> BASE_FORWARDED = Set.of("accept", "user-agent", "x-pinecone-api-version");
  /**
   * The W3C trace context header. Never copied from the client: the pipeline parses the client's
   * value (dropping a malformed one) and the upstream gets the gateway's own, only with tracing on.
   */
  static final String TRACEPARENT = "traceparent";
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
  private final HttpDatabaseAdapter adapter;
  private final HttpApiAdapter api;
  private final RequestPipeline pipeline;
  private final HttpUpstream upstream;
  private final JsonBodies json;
  private final ObjectMapper responseMapper = new ObjectMapper();
  private final Map<String, String> credentialHeaders;
  private final GatewayRecording recording;

  /**
   * @param adapter the connection's adapter (from the {@link io.vectorgate.proxy.adapter.AdapterRegistry})
   * @param recording the session recording (connections are tracked here; records are written by the
   *     pipeline's recorder)
   */
  public HttpRequestProcessor(String listener, Connection connection, HttpDatabaseAdapter adapter,
      RequestPipeline pipeline, HttpUpstream upstream, JsonBodies json, String upstreamCredential,
      GatewayRecording recording) {
    this.recording = recording;
    this.listener = listener;
    this.connection = connection;
    this.adapter = adapter;
    this.api = adapter.api();
    this.pipeline = pipeline;
    this.upstream = upstream;
    this.json = json;
    this.credentialHeaders = Map.copyOf(api.upstreamCredentialHeaders(upstreamCredential));
  }

  /** Processes one request; never throws (internal failures are a 500 naming the request id). */
  public OutboundResponse process(InboundRequest in) {
    RequestLog log = new RequestLog(listener, connection);
    HttpExchange ex = new HttpExchange(in);
    HttpRequestView view;
    try {
      view = parse(in, ex);
    } catch (HttpRefusal r) {
      ex.refusal = r;
      pipeline.refuse(log, ex, "rejected_request", r.code(), r.getMessage(), true);
      return ex.out;
    } catch (RuntimeException e) {
      pipeline.failed(log, ex, e);
      return ex.out;
    }
    pipeline.run(log, adapter, view, ex);
    return ex.out;
  }

  /** Registers a client connection for recording; returns its id, or null when recording is off. */
  String connectionOpened(java.net.SocketAddress remote) {
    return recording.connectionOpened("http", remote);
  }

  /** Ends the recorded sessions of a closed client connection. */
  void connectionClosed(String connectionId) {
    recording.connectionClosed(connectionId);
  }

  private JsonNode parseOrMarker(byte[] body) {
    try {
      return responseMapper.readTree(body);
    } catch (IOException e) {
      return GatewayRecording.omitted("not_json", body.length);
    }
  }

  private static String rawPath(String target) {
    if (target == null) {
      return "/";
    }
    int q = target.indexOf('?');
    String p = q < 0 ? target : target.substring(0, q);
    return p.length() > 2048 ? p.substring(0, 2048) : p;
  }

  /**
   * The wire checks, in order: method, method overrides, content-encoding, the approval deadline,
   * the request-target, the Milvus REST prefix, the media type and strict JSON. Returns the request
   * view the adapter decodes (without the caller's credential headers and cookies).
   */
  private HttpRequestView parse(InboundRequest in, HttpExchange ex) throws HttpRefusal {
    Map<String, List<String>> headers = headers(in);
    ex.headers = headers;
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
    ex.deadline = deadline(first(headers, REQUEST_TIMEOUT_HEADER), ex.received);
    RequestTarget target = RequestTarget.parse(in.target());
    ex.target = target;
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
      ex.body = body;
    }
    HttpRequestView view = new HttpRequestView(method, target.path(), target.segments(), target.query(),
        viewHeaders(headers), body);
    ex.viewHeaders = view.headers();
    return view;
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
   * (any may be null), which is recorded. Called on the event loop (framing refusals, overload):
   * the record never waits for the disk.
   */
  public OutboundResponse refusal(int status, String code, String message, boolean close, String method, String target,
      String clientAddress, String connectionId, String protocol) {
    InboundRequest in = new InboundRequest(method == null ? "-" : method, target, List.of(), new byte[0],
        protocol == null ? "-" : protocol, clientAddress, connectionId);
    HttpExchange ex = new HttpExchange(in);
    ex.refusal = new HttpRefusal(status, code, message, close, null);
    pipeline.refuse(new RequestLog(listener, connection), ex, "rejected_request", code, message, false);
    return ex.out;
  }

  /** Counts a transport event (e.g. {@code overloaded}). */
  void count(String metric) {
    pipeline.metrics().count(metric);
  }

  /** The HTTP status of a request that did not end with an upstream answer. */
  static int status(RequestOutcome outcome, String code) {
    return switch (outcome) {
      case UNAUTHENTICATED -> 401;
      case DENIED -> 403;
      case REFUSED -> switch (code == null ? "" : code) {
        case "unknown_route", AdapterException.UNSUPPORTED_OPERATION -> 403;
        case AdapterException.SCHEMA_UNAVAILABLE -> 502;
        default -> 400;
      };
      case IDENTITY_UNAVAILABLE, APPROVAL_INTERRUPTED, RECORDING_UNAVAILABLE, CANCELLED -> 503;
      case UPSTREAM_UNAVAILABLE, RESPONSE_UNENFORCEABLE -> 502;
      case GATEWAY_ERROR, FORWARDED, APPROVED -> 500;
    };
  }

  /**
   * One request's framing for the pipeline: its credential headers, the upstream call (client
   * headers from the allow-list, the gateway's credential, the body byte for byte when unchanged),
   * and the answer in the API's shape.
   */
  private final class HttpExchange implements Transport<HttpRequestView, HttpReply> {
    final InboundRequest in;
    final java.time.Instant received = java.time.Instant.now();
    Map<String, List<String>> headers = Map.of();
    Map<String, List<String>> viewHeaders;
    RequestTarget target;
    JsonNode body;
    java.time.Instant deadline;
    /** A refusal of the wire checks, with its status and whether the connection closes. */
    HttpRefusal refusal;
    /** The status answered when the upstream failed without an answer to pass on. */
    int upstreamFailure = 502;
    /** The upstream's status of an error answer that is passed on without its (non-JSON) body. */
    int passedOn;
    OutboundResponse out;
    JsonNode outBody;
    JsonNode rewritten;

    HttpExchange(InboundRequest in) {
      this.in = in;
    }

    @Override
    public String credential() throws AuthenticationException {
      return token(headers);
    }

    /** An approval is bound to the method, the normalized target and the body exactly as sent. */
    @Override
    public ApprovalGate.Hold hold() {
      return ApprovalGate.Hold.http(in.method(), target.canonical(), in.body(), deadline, in.clientGone());
    }

    @Override
    public boolean cancelled() {
      return in.clientGone().getAsBoolean();
    }

    @Override
    public void forward(HttpRequestView forward, Consumer<UpstreamResult<HttpReply>> done) {
      done.accept(send(forward, null));
    }

    @Override
    public void forward(HttpRequestView forward, String traceparent, Consumer<UpstreamResult<HttpReply>> done) {
      done.accept(send(forward, traceparent));
    }

    /** One value exactly (a repeated header is dropped, like a malformed one). */
    @Override
    public String traceparent() {
      List<String> v = headers.get(TRACEPARENT);
      return v != null && v.size() == 1 ? v.get(0) : null;
    }

    private UpstreamResult<HttpReply> send(HttpRequestView forward, String traceparent) {
      Map<String, String> upHeaders = new LinkedHashMap<>();
      Set<String> extra = api.forwardedHeaders();
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
      if (traceparent != null) {
        upHeaders.put(TRACEPARENT, traceparent);
      }
      HttpUpstream.Response resp;
      try {
        resp = upstream.send(forward.method(), RequestTarget.canonical(forward.segments(), forward.query()), upHeaders,
            upBody);
      } catch (HttpUpstream.UpstreamException e) {
        upstreamFailure = e.status();
        return new UpstreamResult.Failed<>(null, "upstream_unavailable", e.getMessage(), false);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        upstreamFailure = 503;
        return new UpstreamResult.Failed<>(null, "shutting_down", "the gateway is shutting down", false);
      }
      String status = Integer.toString(resp.status());
      if (resp.contentEncoding().isPresent() && !resp.contentEncoding().get().equalsIgnoreCase("identity")) {
        return new UpstreamResult.Failed<>(status, "upstream_encoded_body", "the upstream answered with"
            + " content-encoding `" + resp.contentEncoding().get() + "`, which the gateway cannot inspect", false);
      }
      JsonNode respBody = null;
      if (resp.body().length > 0) {
        try {
          respBody = responseMapper.readTree(resp.body());
        } catch (IOException e) {
          if (resp.status() >= 200 && resp.status() < 300) {
            return new UpstreamResult.Failed<>(status, "upstream_unreadable", "the upstream answered " + resp.status()
                + " with a body that is not JSON; the gateway does not pass on what it cannot inspect", false);
          }
          // a non-JSON error body (e.g. a plain 404) carries no rows: its status is passed on, without the body
          passedOn = resp.status();
          return new UpstreamResult.Failed<>(status, "upstream_error", "the upstream answered " + resp.status(), true);
        }
      }
      return new UpstreamResult.Answered<>(status, new HttpReply(resp.status(), respBody));
    }

    @Override
    public void prepare(RequestLog log, HttpReply reply) {
      RequestOutcome outcome = log.outcome() == null ? RequestOutcome.GATEWAY_ERROR : log.outcome();
      rewritten = null;
      if (outcome.forwarded() && reply != null) {
        rewritten = reply.body();
        byte[] b = reply.body() == null ? new byte[0] : writeResponse(reply.body());
        out = new OutboundResponse(reply.status(), b.length == 0 ? Map.of() : Map.of("content-type", "application/json"),
            b, false);
        return;
      }
      ErrorResponse e;
      boolean close = false;
      Map<String, String> extraHeaders = Map.of();
      if (outcome.forwarded()) {
        e = api.rejection(passedOn, log.code(), log.message());
      } else if (refusal != null && outcome == RequestOutcome.REFUSED) {
        e = api.rejection(refusal.status(), refusal.code(), refusal.getMessage());
        close = refusal.closeConnection();
      } else {
        switch (outcome) {
          case DENIED -> e = api.denial(log.decision(), log.message());
          case APPROVAL_INTERRUPTED -> {
            // the gateway stopped holding (shutdown): the approval stays pending, the identical retry finds it
            e = api.rejection(503, "approval_interrupted", log.message());
            extraHeaders = Map.of("retry-after", "1");
            close = true;
          }
          case UPSTREAM_UNAVAILABLE -> {
            e = api.rejection(upstreamFailure, log.code(), log.message());
            close = "shutting_down".equals(log.code());
          }
          case GATEWAY_ERROR -> e = api.rejection(500, "gateway_error", "gateway error (request " + log.requestId()
              + ")");
          default -> e = api.rejection(HttpRequestProcessor.status(outcome, log.code()), log.code(), log.message());
        }
      }
      outBody = e.body();
      byte[] b = e.body() == null ? new byte[0] : writeResponse(e.body());
      Map<String, String> h = new LinkedHashMap<>(extraHeaders);
      h.put("content-type", "application/json");
      out = new OutboundResponse(e.status(), Map.copyOf(h), b, close);
    }

    @Override
    public void send() {
      // the listener writes {@link #out} on the event loop when process returns
    }

    @Override
    public String transport() {
      return "http";
    }

    @Override
    public String connectionId() {
      return in.connectionId();
    }

    @Override
    public String clientAddress() {
      return in.clientAddress();
    }

    private String path() {
      return target != null ? target.path() : rawPath(in.target());
    }

    @Override
    public ProtocolFacts protocolFacts() {
      return ProtocolFacts.http(in.method(), path());
    }

    @Override
    public JsonNode requestPayload() {
      ObjectNode req = JsonNodeFactory.instance.objectNode();
      req.put("method", in.method());
      req.put("path", path());
      if (target != null && !target.query().isEmpty()) {
        req.set("query", responseMapper.valueToTree(target.query()));
      }
      if (viewHeaders != null && !viewHeaders.isEmpty()) {
        req.set("headers", responseMapper.valueToTree(viewHeaders));
      }
      if (body != null) {
        req.set("body", recording.jsonPayload(body, in.body().length));
      } else if (in.body().length > 0) {
        req.set("body", GatewayRecording.omitted("not_json", in.body().length));
      }
      return req;
    }

    @Override
    public JsonNode responsePayload() {
      if (rewritten != null) {
        return recording.jsonPayload(rewritten, out.body().length);
      }
      return out.body().length == 0 ? null : outBody != null ? outBody : parseOrMarker(out.body());
    }

    @Override
    public String logFields() {
      return "protocol=" + in.protocol() + " method=" + in.method() + " path=" + (target == null ? "-" : target.path());
    }

    @Override
    public String status() {
      return out == null ? "-" : Integer.toString(out.status());
    }
  }

  private byte[] writeResponse(JsonNode n) {
    try {
      return responseMapper.writeValueAsBytes(n);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize a response", e);
    }
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
