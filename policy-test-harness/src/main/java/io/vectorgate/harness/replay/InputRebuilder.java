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
import io.vectorgate.proxy.enforce.ValueMasker;
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
  private static final JsonFormat.Parser PROTO_JSON = JsonFormat.parser();

  private final AdapterRegistry registry = AdapterRegistry.defaults();
  private final AdapterRegistry.UpstreamReads reads;
  private final DatabaseAdapter<MilvusCall, Message> milvus;
  private final HttpDatabaseAdapter chroma;
  private final HttpDatabaseAdapter qdrant;
  private final ValueMasker masker;
  private final Map<String, HttpDatabaseAdapter> pinecone = new ConcurrentHashMap<>();
  private final RecordedState state;

  /** The input rebuilt from one record, or why it could not be. */
  public record Rebuilt(RecordedRequest source, PolicyInput input, List<Drift> drift, ReplayError error) {
    public boolean ok() {
      return error == null;
    }

    /** Drift not explained by vectors the recorder did not store. */
    public List<Drift> unexplainedDrift() {
      return drift.stream().filter(d -> !d.explained()).toList();
    }
  }

  public InputRebuilder(RecordedState state) {
    this.state = Objects.requireNonNull(state, "state");
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key); // decode never masks; the key only satisfies the constructor
    this.masker = new ValueMasker(key);
    // what the gateway read from its upstreams comes from the recording; nothing is read live
    this.reads = new AdapterRegistry.UpstreamReads(
        new CollectionSchemaCache(state.milvusSchemas(), 1_000_000, Duration.ofDays(3650)), null, state.chromaNames(), null);
    this.milvus = registry.milvus(AdapterRegistry.Settings.of("replay", masker), reads);
    this.chroma = registry.http(DatabaseKind.CHROMA, AdapterRegistry.Settings.of("replay", masker), reads);
    this.qdrant = registry.http(DatabaseKind.QDRANT, AdapterRegistry.Settings.of("replay", masker), reads);
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
    try {
      switch (r.connection().kind()) {
        case MILVUS -> {
          RecordedCall call = milvusCall(r);
          cleaned = Payloads.withoutStrippedVectors(call.message());
          op = milvus.decode(new MilvusCall(call.rpc(), parse(call.rpc(), cleaned.node()), call.dbname())).operation();
        }
        case CHROMA, QDRANT, PINECONE -> {
          cleaned = Payloads.withoutStrippedVectors(HttpRequests.isEnvelope(r.request()) ? r.request().get("body") : r.request());
          op = http(r).decode(HttpRequests.view(r)).operation();
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
    return new Rebuilt(r, input, drift, null);
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
    Message.Builder b = spec.get().requestPrototype().newBuilderForType();
    PROTO_JSON.merge(json == null ? "{}" : json.toString(), b);
    return b.build();
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
    return new Rebuilt(r, null, List.of(), new ReplayError(r.id(), r.location(), code, field, message));
  }

  /** Differences between the recorded and the rebuilt operation, as JSON pointers. */
  static List<Drift> diff(Operation recorded, Operation rebuilt, boolean stripped) {
    JsonNode a = ContractJson.mapper().valueToTree(recorded);
    JsonNode b = ContractJson.mapper().valueToTree(rebuilt);
    List<Drift> out = new ArrayList<>();
    diff("", a, b, out, stripped);
    return out;
  }

  private static void diff(String ptr, JsonNode a, JsonNode b, List<Drift> out, boolean stripped) {
    if (Objects.equals(a, b)) {
      return;
    }
    if (a != null && b != null && a.isNumber() && b.isNumber() && a.decimalValue().compareTo(b.decimalValue()) == 0) {
      return;
    }
    if (a != null && b != null && a.isArray() && b.isArray() && a.size() == b.size()) {
      for (int i = 0; i < a.size(); i++) {
        diff(ptr + "/" + i, a.get(i), b.get(i), out, stripped);
      }
      return;
    }
    if (a instanceof ObjectNode oa && b instanceof ObjectNode ob) {
      TreeSet<String> keys = new TreeSet<>();
      oa.fieldNames().forEachRemaining(keys::add);
      ob.fieldNames().forEachRemaining(keys::add);
      for (String k : keys) {
        diff(ptr + "/" + k.replace("~", "~0").replace("/", "~1"), oa.get(k), ob.get(k), out, stripped);
      }
      return;
    }
    boolean explained = stripped && (ptr.startsWith("/counts") || ptr.equals("/vectors_requested")
        || ptr.startsWith("/attributes/written_values"));
    out.add(new Drift(ptr.isEmpty() ? "/" : ptr, a, b, explained ? Drift.STRIPPED : null));
  }

}
