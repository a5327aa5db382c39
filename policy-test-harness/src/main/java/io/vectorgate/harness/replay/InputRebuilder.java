package io.vectorgate.harness.replay;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Empty;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.vectorgate.engine.ContractJson;
import io.vectorgate.model.Operation;
import io.vectorgate.model.PolicyInput;
import io.vectorgate.model.RequestContext;
import io.vectorgate.model.Usage;
import io.vectorgate.model.DatabaseKind;
import io.vectorgate.proxy.adapter.AdapterException;
import io.vectorgate.proxy.adapter.AdapterRegistry;
import io.vectorgate.proxy.adapter.DatabaseAdapter;
import io.vectorgate.proxy.adapter.http.HttpDatabaseAdapter;
import io.vectorgate.proxy.adapter.milvus.CollectionSchemaCache;
import io.vectorgate.proxy.adapter.milvus.MilvusCall;
import io.vectorgate.proxy.adapter.milvus.MilvusRpcs;
import io.vectorgate.model.Obligations;
import io.vectorgate.proxy.adapter.http.HttpReply;
import io.vectorgate.proxy.adapter.http.HttpRequestView;
import io.vectorgate.proxy.enforce.ObligationException;
import io.vectorgate.proxy.enforce.ResponseTally;
import io.vectorgate.proxy.enforce.ValueMasker;
import java.io.IOException;
import java.math.BigDecimal;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Rebuilds a request's policy input the way the gateway built it: the recorded raw request goes
 * through the gateway's own adapter, built by the gateway's {@link AdapterRegistry} (Milvus:
 * protobuf JSON → the RPC's request message → {@link MilvusCall}; HTTP: {@link HttpRequests#view}),
 * and its {@link DatabaseAdapter#decode}; identity, connection and context come from the record. The
 * rebuilt operation is compared with the recorded one and every difference is reported as
 * {@link Drift}.
 *
 * <p>Names that need upstream state come from the recording ({@link RecordedState}): Milvus schemas
 * (wildcard expansion, aliases) and Chroma collection ids. Thread-safe.
 */
public final class InputRebuilder {
  private static final JsonNode EMPTY_OBJECT = ContractJson.mapper().createObjectNode();

  private final AdapterRegistry registry = AdapterRegistry.defaults();
  private final AdapterRegistry.UpstreamReads reads;
  private final DatabaseAdapter<MilvusCall, Message> milvus;
  private final HttpDatabaseAdapter chroma;
  private final HttpDatabaseAdapter qdrant;
  private final ValueMasker masker;
  private final Map<String, HttpDatabaseAdapter> pinecone = new ConcurrentHashMap<>();
  private final RecordedState state;

  /** The input rebuilt from one record, or why it could not be. */
  public record Rebuilt(RecordedRequest source, PolicyInput input, List<Drift> drift, ReplayError error,
      DatabaseAdapter.Handle<?> handle) {
    public boolean ok() {
      return error == null;
    }

    /** Drift not explained by vectors the recorder did not store. */
    public List<Drift> unexplainedDrift() {
      return drift.stream().filter(d -> !d.explained()).toList();
    }
  }

  /**
   * Replays with a masker of a random key: decode never masks, and masked values replayed by
   * {@link #enforce} compare only with each other (baseline and candidate of one replay).
   */
  public InputRebuilder(RecordedState state) {
    this(state, new ValueMasker(randomKey()));
  }

  /** Replays with the given masker (the gateway's key, to reproduce its masked values exactly). */
  public InputRebuilder(RecordedState state, ValueMasker masker) {
    this.state = Objects.requireNonNull(state, "state");
    this.masker = Objects.requireNonNull(masker, "masker");
    // what the gateway read from its upstreams comes from the recording; nothing is read live
    this.reads = new AdapterRegistry.UpstreamReads(
        new CollectionSchemaCache(state.milvusSchemas(), 1_000_000, Duration.ofDays(3650)), null, state.chromaNames(), null);
    this.milvus = registry.milvus(AdapterRegistry.Settings.of("replay", masker), reads);
    this.chroma = registry.http(DatabaseKind.CHROMA, AdapterRegistry.Settings.of("replay", masker), reads);
    this.qdrant = registry.http(DatabaseKind.QDRANT, AdapterRegistry.Settings.of("replay", masker), reads);
  }

  private static byte[] randomKey() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return key;
  }

  /** Rebuilds one record. Adapter refusals come back as {@link Rebuilt#error()}, not as exceptions. */
  public Rebuilt rebuild(RecordedRequest r) {
    if (r.request() == null) {
      return failed(r, "payload_not_recorded", "",
          "the request payload was not recorded (audit.record_payloads was false), so it cannot be replayed");
    }
    JsonNode omitted = Payloads.omitted(r.request());
    if (omitted != null) {
      return failed(r, "payload_omitted", "", "the gateway did not store the request payload ("
          + omitted.path(Payloads.OMITTED_MARKER).asText() + ", " + omitted.path("bytes").asLong() + " bytes)");
    }
    Payloads.Cleaned cleaned;
    Operation op;
    DatabaseAdapter.Handle<?> handle;
    try {
      switch (r.connection().kind()) {
        case MILVUS -> {
          RecordedCall call = milvusCall(r);
          cleaned = Payloads.forReading(call.message());
          handle = milvus.decode(new MilvusCall(call.rpc(), parse(call.rpc(), cleaned.node()), call.dbname()));
        }
        case CHROMA, QDRANT, PINECONE -> {
          cleaned = Payloads.withoutStrippedVectors(HttpRequests.isEnvelope(r.request()) ? r.request().get("body") : r.request());
          handle = http(r).decode(HttpRequests.view(r));
        }
        default -> {
          return failed(r, "unsupported_kind", "", "no adapter for connection kind " + r.connection().kind());
        }
      }
    } catch (AdapterException e) {
      return failed(r, e.code(), e.field(), e.getMessage());
    } catch (InvalidProtocolBufferException e) {
      return failed(r, AdapterException.MALFORMED_REQUEST, "", "recorded request is not valid protobuf JSON for its RPC: "
          + e.getMessage());
    } catch (io.vectorgate.harness.HarnessException e) {
      return failed(r, AdapterException.MALFORMED_REQUEST, "", e.getMessage());
    } catch (RuntimeException e) {
      // an adapter bug must not abort a whole replay; it is reported against this record with its cause's text
      return failed(r, "adapter_error", "", e.getClass().getSimpleName() + ": " + e.getMessage());
    }
    op = handle.operation();
    List<Drift> drift = r.operation() == null ? List.of() : diff(r.operation(), op, !cleaned.strippedPaths().isEmpty());
    if (r.connection().kind() == io.vectorgate.model.DatabaseKind.MILVUS && r.operation() != null
        && op.resource().collection() != null && !state.hasMilvusSchema(op.resource().database(), op.resource().collection())) {
      // offline for this collection: the gateway expanded wildcards and classified vector fields with the
      // schema it had; the harness has none, so those schema-dependent facts come from the record
      Operation rec = r.operation();
      op = new Operation(op.action(), op.resource(), op.filter(), op.limit(), op.offset(), rec.outputFields(),
          rec.vectorsRequested(), op.paging(), op.counts(), op.attributes(), op.protocol());
      drift = drift.stream().map(d -> d.explanation() == null
          && (d.pointer().startsWith("/output_fields") || d.pointer().equals("/vectors_requested"))
          ? new Drift(d.pointer(), d.recorded(), d.rebuilt(), Drift.SCHEMA_UNKNOWN) : d).toList();
    }
    PolicyInput input = PolicyInput.of(r.identity(), r.connection(), op, context(r));
    return new Rebuilt(r, input, drift, null, handle);
  }

  private record RecordedCall(String rpc, JsonNode message, String dbname) {}

  private static RecordedCall milvusCall(RecordedRequest r) {
    JsonNode req = r.request();
    String db = r.operation() == null ? null : r.operation().resource().database();
    if (req.isObject() && req.path("rpc").isTextual() && req.has("message")) {
      String rpc = req.get("rpc").textValue();
      rpc = rpc.substring(rpc.lastIndexOf('/') + 1);
      String header = req.path("dbname").isTextual() ? req.get("dbname").textValue() : db;
      return new RecordedCall(rpc, req.get("message"), header);
    }
    String rpc = r.rpcName();
    if (rpc == null) {
      throw new AdapterException(AdapterException.MALFORMED_REQUEST, "",
          "gRPC record without an RPC name (operation.protocol.rpc is missing)");
    }
    return new RecordedCall(rpc, req, db);
  }

  private static Message parse(String rpc, JsonNode json) throws InvalidProtocolBufferException {
    var spec = MilvusRpcs.find(rpc);
    if (spec.isEmpty()) {
      return Empty.getDefaultInstance(); // the adapter classifies an RPC the proto does not define as unknown
    }
    if (json != null && !json.isObject()) {
      throw new InvalidProtocolBufferException("expected a JSON object for " + rpc + ", got " + json.getNodeType());
    }
    return ProtoJson.parse(json == null ? EMPTY_OBJECT : json, spec.get().requestPrototype(), false);
  }

  private HttpDatabaseAdapter http(RecordedRequest r) {
    return switch (r.connection().kind()) {
      case CHROMA -> chroma;
      case QDRANT -> qdrant;
      case PINECONE -> {
        String index = r.operation() != null && r.operation().resource().collection() != null
            ? r.operation().resource().collection() : r.connection().name();
        yield pinecone.computeIfAbsent(index, i -> registry.http(DatabaseKind.PINECONE,
            AdapterRegistry.Settings.of(i, masker), reads));
      }
      default -> throw new IllegalStateException("not an HTTP kind: " + r.connection().kind());
    };
  }

  /**
   * Replays the stages after the decision for one set of obligations, with the adapter that decoded
   * {@code rb}: {@link DatabaseAdapter#applyRequestObligations} on the recorded request, then
   * {@link DatabaseAdapter#rewriteResponse} on the recorded response standing in for the upstream's
   * answer. Upstream reads (pre-reads of a row-filtered write) are answered from the recording only;
   * a read the recording cannot answer fails closed, as the gateway does when its upstream cannot be
   * read. Never throws for what the adapter refuses: that is {@link Enforced#refused()}.
   *
   * @throws IllegalArgumentException when {@code rb} was not rebuilt (it has an error)
   */
  public Enforced enforce(Rebuilt rb, Obligations obligations) {
    if (!rb.ok()) {
      throw new IllegalArgumentException("record " + rb.source().id() + " was not rebuilt: " + rb.error().code());
    }
    RecordedRequest r = rb.source();
    try {
      return switch (r.connection().kind()) {
        case MILVUS -> enforceMilvus(r, cast(rb.handle()), obligations);
        case CHROMA, QDRANT, PINECONE -> enforceHttp(r, http(r), castHttp(rb.handle()), obligations);
        default -> throw new IllegalStateException("rebuilt a record of kind " + r.connection().kind());
      };
    } catch (ObligationException e) {
      return refused(r, e.code(), "", e.getMessage());
    } catch (AdapterException e) {
      return refused(r, e.code(), e.field(), e.getMessage());
    } catch (RuntimeException e) {
      // an adapter bug must not abort a whole replay; it is reported against this record with its cause's text
      return refused(r, "adapter_error", "", e.getClass().getSimpleName() + ": " + e.getMessage());
    }
  }

  @SuppressWarnings("unchecked")
  private static DatabaseAdapter.Handle<MilvusCall> cast(DatabaseAdapter.Handle<?> h) {
    // the Milvus adapter made this handle in rebuild()
    return (DatabaseAdapter.Handle<MilvusCall>) h;
  }

  @SuppressWarnings("unchecked")
  private static DatabaseAdapter.Handle<HttpRequestView> castHttp(DatabaseAdapter.Handle<?> h) {
    // an HTTP adapter made this handle in rebuild()
    return (DatabaseAdapter.Handle<HttpRequestView>) h;
  }

  private Enforced enforceMilvus(RecordedRequest r, DatabaseAdapter.Handle<MilvusCall> h, Obligations ob) {
    DatabaseAdapter.Applied<MilvusCall> applied = milvus.applyRequestObligations(h, ob);
    JsonNode before = milvusJson(h.request());
    JsonNode forwarded = milvusJson(applied.forward());
    Operation again = redecode(() -> milvus.decode(applied.forward()).operation());
    ReplayError missing = responseMissing(r);
    if (missing != null) {
      return new Enforced(null, forwarded, pointers(before, forwarded), again, null, new ResponseTally(), missing);
    }
    JsonNode recorded = r.response();
    if (recorded.has("grpc_status") || (r.upstreamStatus() != null && !"OK".equals(r.upstreamStatus()))) {
      return new Enforced(null, forwarded, pointers(before, forwarded), again, null, new ResponseTally(),
          notReplayed(r, "upstream_error", "the recorded call failed upstream (" + (r.upstreamStatus() == null
              ? recorded.path("grpc_status").asText() : r.upstreamStatus()) + "); there is no answer to rewrite"));
    }
    var spec = MilvusRpcs.find(h.request().rpc());
    if (spec.isEmpty()) {
      return new Enforced(null, forwarded, pointers(before, forwarded), again, null, new ResponseTally(),
          notReplayed(r, "malformed_response", "RPC " + h.request().rpc() + " has no response message"));
    }
    Message response;
    try {
      JsonNode cleanedResponse = Payloads.forReading(recorded).node();
      response = ProtoJson.parse(cleanedResponse == null ? com.fasterxml.jackson.databind.node.NullNode.instance
          : cleanedResponse, spec.get().responsePrototype(), false);
    } catch (InvalidProtocolBufferException e) {
      return new Enforced(null, forwarded, pointers(before, forwarded), again, null, new ResponseTally(),
          notReplayed(r, "malformed_response", "recorded response is not valid protobuf JSON for "
              + h.request().rpc() + ": " + e.getMessage()));
    }
    DatabaseAdapter.Rewritten<Message> rw;
    try {
      rw = milvus.rewriteResponse(applied, response, ob);
    } catch (ObligationException e) {
      return new Enforced(null, forwarded, pointers(before, forwarded), again, null, new ResponseTally(),
          notReplayed(r, "response_unenforceable", e.code() + ": " + e.getMessage()));
    } catch (RuntimeException e) {
      return new Enforced(null, forwarded, pointers(before, forwarded), again, null, new ResponseTally(),
          notReplayed(r, "adapter_error", e.getClass().getSimpleName() + ": " + e.getMessage()));
    }
    return new Enforced(null, forwarded, pointers(before, forwarded), again, protoJson(rw.response()), rw.tally(), null);
  }

  private Enforced enforceHttp(RecordedRequest r, HttpDatabaseAdapter adapter, DatabaseAdapter.Handle<HttpRequestView> h,
      Obligations ob) {
    DatabaseAdapter.Applied<HttpRequestView> applied = adapter.applyRequestObligations(h, ob);
    JsonNode before = httpJson(h.request());
    JsonNode forwarded = httpJson(applied.forward());
    Operation again = redecode(() -> adapter.decode(applied.forward()).operation());
    ReplayError missing = responseMissing(r);
    if (missing != null) {
      return new Enforced(null, forwarded, pointers(before, forwarded), again, null, new ResponseTally(), missing);
    }
    int status;
    try {
      status = r.upstreamStatus() == null ? -1 : Integer.parseInt(r.upstreamStatus());
    } catch (NumberFormatException e) {
      status = -1;
    }
    if (status < 0) {
      return new Enforced(null, forwarded, pointers(before, forwarded), again, null, new ResponseTally(),
          notReplayed(r, "upstream_status_not_recorded", "the record has no numeric `upstream.status`, so the "
              + "recorded body cannot be read as the upstream's answer"));
    }
    if (status < 200 || status >= 300) {
      return new Enforced(null, forwarded, pointers(before, forwarded), again, null, new ResponseTally(),
          notReplayed(r, "upstream_error", "the upstream answered " + status + "; there is no result to rewrite"));
    }
    DatabaseAdapter.Rewritten<HttpReply> rw;
    try {
      rw = adapter.rewriteResponse(applied, new HttpReply(status, Payloads.withoutStrippedVectors(r.response()).node()), ob);
    } catch (ObligationException e) {
      return new Enforced(null, forwarded, pointers(before, forwarded), again, null, new ResponseTally(),
          notReplayed(r, "response_unenforceable", e.code() + ": " + e.getMessage()));
    } catch (RuntimeException e) {
      return new Enforced(null, forwarded, pointers(before, forwarded), again, null, new ResponseTally(),
          notReplayed(r, "adapter_error", e.getClass().getSimpleName() + ": " + e.getMessage()));
    }
    return new Enforced(null, forwarded, pointers(before, forwarded), again, rw.response().body(), rw.tally(), null);
  }

  /** Why the recorded response cannot stand in for the upstream's answer, or null when it can. */
  private static ReplayError responseMissing(RecordedRequest r) {
    if (r.response() == null) {
      return notReplayed(r, "payload_not_recorded", "the response payload was not recorded, so what the client would "
          + "see cannot be replayed");
    }
    JsonNode omitted = Payloads.omitted(r.response());
    if (omitted != null) {
      return notReplayed(r, "payload_omitted", "the gateway did not store the response payload ("
          + omitted.path(Payloads.OMITTED_MARKER).asText() + ", " + omitted.path("bytes").asLong() + " bytes)");
    }
    return null;
  }

  private static Operation redecode(java.util.function.Supplier<Operation> decode) {
    try {
      return decode.get();
    } catch (AdapterException e) {
      return null; // the adapter refuses its own rewrite (e.g. a field only the gateway sets); the JSON diff still shows it
    }
  }

  private static Enforced refused(RecordedRequest r, String code, String field, String message) {
    return new Enforced(new ReplayError(r.id(), r.location(), code, field, message), null, List.of(), null, null,
        new ResponseTally(), null);
  }

  private static ReplayError notReplayed(RecordedRequest r, String code, String message) {
    return new ReplayError(r.id(), r.location(), code, "response", message);
  }

  private static JsonNode milvusJson(MilvusCall call) {
    ObjectNode o = ContractJson.mapper().createObjectNode();
    o.put("rpc", call.rpc());
    o.set("message", protoJson(call.request()));
    return o;
  }

  private static JsonNode httpJson(HttpRequestView v) {
    ObjectNode o = ContractJson.mapper().createObjectNode();
    o.put("method", v.method());
    o.put("path", v.path());
    o.set("query", ContractJson.mapper().valueToTree(new java.util.TreeMap<>(v.query())));
    o.set("body", v.body());
    return o;
  }

  private static final JsonFormat.Printer PROTO_PRINTER = JsonFormat.printer().preservingProtoFieldNames()
      .omittingInsignificantWhitespace();

  static JsonNode protoJson(Message m) {
    try {
      return ContractJson.mapper().readTree(PROTO_PRINTER.print(m));
    } catch (IOException e) {
      throw new IllegalStateException("cannot print " + m.getDescriptorForType().getName() + " as JSON", e);
    }
  }

  /** JSON pointers where two trees differ (arrays of different sizes and scalars are one pointer). */
  public static List<String> pointers(JsonNode a, JsonNode b) {
    List<String> out = new ArrayList<>();
    pointers("", a, b, out);
    return out;
  }

  /** A number node with a decimal value (NaN and the infinities have none: they differ from every other number). */
  private static boolean finite(JsonNode n) {
    return !n.isFloatingPointNumber() || Double.isFinite(n.doubleValue());
  }

  private static void pointers(String ptr, JsonNode a, JsonNode b, List<String> out) {
    if (Objects.equals(a, b)) {
      return;
    }
    if (a != null && b != null && a.isNumber() && b.isNumber() && finite(a) && finite(b)
        && a.decimalValue().compareTo(b.decimalValue()) == 0) {
      return;
    }
    if (a != null && b != null && a.isArray() && b.isArray() && a.size() == b.size()) {
      for (int i = 0; i < a.size(); i++) {
        pointers(ptr + "/" + i, a.get(i), b.get(i), out);
      }
      return;
    }
    if (a instanceof ObjectNode oa && b instanceof ObjectNode ob) {
      TreeSet<String> keys = new TreeSet<>();
      oa.fieldNames().forEachRemaining(keys::add);
      ob.fieldNames().forEachRemaining(keys::add);
      for (String k : keys) {
        pointers(ptr + "/" + k.replace("~", "~0").replace("/", "~1"), oa.get(k), ob.get(k), out);
      }
      return;
    }
    out.add(ptr.isEmpty() ? "/" : ptr);
  }

  private static RequestContext context(RecordedRequest r) {
    if (r.context() != null) {
      try {
        RequestContext c = ContractJson.mapper().treeToValue(r.context(), RequestContext.class);
        if (c.time() != null) {
          return c;
        }
        return new RequestContext(r.time().toString(), c.timeNs() != 0 ? c.timeNs() : nanos(r), c.clientAddress(),
            c.requestId(), c.usage());
      } catch (JsonProcessingException e) {
        throw new io.vectorgate.harness.HarnessException(r.location(), "`context` does not have the contract's shape: "
            + e.getOriginalMessage(), e);
      }
    }
    return new RequestContext(r.time().toString(), nanos(r), r.clientAddress(), r.requestId(), Usage.NONE);
  }

  private static long nanos(RecordedRequest r) {
    return Math.addExact(Math.multiplyExact(r.time().getEpochSecond(), 1_000_000_000L), r.time().getNano());
  }

  private static Rebuilt failed(RecordedRequest r, String code, String field, String message) {
    return new Rebuilt(r, null, List.of(), new ReplayError(r.id(), r.location(), code, field, message), null);
  }

  /** Differences between the recorded and the rebuilt operation, as JSON pointers. */
  static List<Drift> diff(Operation recorded, Operation rebuilt, boolean stripped) {
    if (sameJson(recorded, rebuilt)) {
      return List.of(); // the usual case: the record holds what this adapter decoded
    }
    JsonNode a = ContractJson.mapper().valueToTree(recorded);
    JsonNode b = ContractJson.mapper().valueToTree(rebuilt);
    List<Drift> out = new ArrayList<>();
    for (String p : pointers(a, b)) {
      String ptr = p.equals("/") ? "" : p;
      boolean explained = stripped && (ptr.startsWith("/counts") || ptr.equals("/vectors_requested")
          || ptr.startsWith("/attributes/written_values"));
      out.add(new Drift(p, present(a.at(ptr)), present(b.at(ptr)), explained ? Drift.STRIPPED : null));
    }
    return out;
  }

  /**
   * Whether the two operations print as JSON trees that {@link #pointers} finds no difference in,
   * decided without printing them; false when unsure (then the trees are compared). Only
   * {@code filter} and {@code attributes} hold untyped values, which {@link #sameJson(Object, Object)} compares.
   */
  static boolean sameJson(Operation a, Operation b) {
    return a.action() == b.action() && a.resource().equals(b.resource()) && sameJson(a.filter(), b.filter())
        && Objects.equals(a.limit(), b.limit()) && Objects.equals(a.offset(), b.offset())
        && a.outputFields().equals(b.outputFields()) && a.vectorsRequested() == b.vectorsRequested()
        && a.paging() == b.paging() && a.counts().equals(b.counts()) && sameJson(a.attributes(), b.attributes())
        && Objects.equals(a.protocol(), b.protocol());
  }

  /**
   * Equal values, where numbers are equal by value as {@link #pointers} compares them (an {@code Integer}
   * read back from a recording and the {@code Long} the adapter decoded); maps and lists element by element.
   */
  static boolean sameJson(Object a, Object b) {
    if (a == null || b == null) {
      return a == b;
    }
    if (a instanceof String || a instanceof Boolean) {
      return a.equals(b);
    }
    if (a instanceof Number x && b instanceof Number y) {
      BigDecimal dx = decimal(x);
      BigDecimal dy = decimal(y);
      return dx != null && dy != null && dx.compareTo(dy) == 0;
    }
    if (a instanceof Map<?, ?> x && b instanceof Map<?, ?> y) {
      if (x.size() != y.size()) {
        return false;
      }
      for (Map.Entry<?, ?> e : x.entrySet()) {
        if (!(e.getKey() instanceof String) || !y.containsKey(e.getKey()) || !sameJson(e.getValue(), y.get(e.getKey()))) {
          return false;
        }
      }
      return true;
    }
    if (a instanceof List<?> x && b instanceof List<?> y) {
      if (x.size() != y.size()) {
        return false;
      }
      for (int i = 0; i < x.size(); i++) {
        if (!sameJson(x.get(i), y.get(i))) {
          return false;
        }
      }
      return true;
    }
    return false; // another type (a set, an array, a bean): unsure, the trees decide
  }

  /** The value Jackson's number node of {@code n} reports as {@code decimalValue()}, or null when there is none to compare. */
  private static BigDecimal decimal(Number n) {
    if (n instanceof Integer || n instanceof Long || n instanceof Short || n instanceof Byte) {
      return BigDecimal.valueOf(n.longValue());
    }
    if (n instanceof java.math.BigInteger i) {
      return new BigDecimal(i);
    }
    if (n instanceof BigDecimal d) {
      return d;
    }
    if ((n instanceof Double || n instanceof Float) && Double.isFinite(n.doubleValue())) {
      return BigDecimal.valueOf(n.doubleValue());
    }
    return null;
  }

  private static JsonNode present(JsonNode n) {
    return n.isMissingNode() ? null : n;
  }

}
