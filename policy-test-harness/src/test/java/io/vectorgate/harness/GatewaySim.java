package io.vectorgate.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.milvus.grpc.CollectionSchema;
import io.milvus.grpc.DataType;
import io.milvus.grpc.DescribeCollectionRequest;
import io.milvus.grpc.DescribeCollectionResponse;
import io.milvus.grpc.FieldSchema;
import io.milvus.grpc.KeyValuePair;
import io.milvus.grpc.QueryRequest;
import io.vectorgate.engine.DecisionEngine;
import io.vectorgate.model.Connection;
import io.vectorgate.model.DatabaseKind;
import io.vectorgate.model.Decision;
import io.vectorgate.model.Identity;
import io.vectorgate.model.Operation;
import io.vectorgate.model.PolicyInput;
import io.vectorgate.model.RequestContext;
import io.vectorgate.model.Usage;
import io.vectorgate.proxy.adapter.AdapterException;
import io.vectorgate.proxy.adapter.chroma.ChromaAdapter;
import io.vectorgate.proxy.adapter.chroma.CollectionLookup;
import io.vectorgate.proxy.adapter.chroma.CollectionNames;
import io.vectorgate.proxy.adapter.http.HttpRequestView;
import io.vectorgate.proxy.adapter.milvus.CollectionSchemaCache;
import io.vectorgate.proxy.adapter.milvus.MilvusAdapter;
import io.vectorgate.proxy.enforce.ValueMasker;
import io.vectorgate.recorder.ClientInfo;
import io.vectorgate.recorder.Enforcement;
import io.vectorgate.recorder.RecordDraft;
import io.vectorgate.recorder.Recorder;
import io.vectorgate.recorder.RecorderConfig;
import io.vectorgate.recorder.SessionStart;
import io.vectorgate.recorder.SessionTicket;
import io.vectorgate.recorder.index.IndexConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Records traffic the way the gateway does until the gateway writes recordings itself: requests
 * (pymilvus-generated protobufs from the proxy's fixtures, Chroma HTTP requests) are decoded by the
 * real adapters, decided by a real engine, and appended with the recorder's own API; the payload is
 * protobuf → JSON ({@link JsonFormat}, proto field names, as {@code GatewayRecording} writes it) for gRPC
 * and {@code {method, path, body}} for HTTP.
 */
public final class GatewaySim implements AutoCloseable {
  public static final Path ROOT = Path.of(System.getProperty("vectorgate.root", ".."));
  public static final Path FIXTURES = ROOT.resolve("proxy/src/test/resources/milvus");
  public static final Connection MILVUS = new Connection("milvus-main", DatabaseKind.MILVUS);
  public static final Connection CHROMA = new Connection("chroma-main", DatabaseKind.CHROMA);
  static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Recorder recorder;
  private final DecisionEngine engine;
  private final MilvusAdapter milvus;
  private final ChromaAdapter chroma;
  private final Map<String, SessionTicket> sessions = new LinkedHashMap<>();
  private final List<String> ids = new ArrayList<>();
  private Instant clock = Instant.parse("2025-03-04T10:00:00Z");
  private int requestNo;

  public GatewaySim(Path dir, DecisionEngine engine) throws IOException {
    this.recorder = Recorder.open(RecorderConfig.builder(dir).index(IndexConfig.none()).build());
    this.engine = engine;
    this.milvus = new MilvusAdapter(new CollectionSchemaCache(
        (db, name) -> name.equals("docs") ? Optional.of(docsSchema()) : Optional.empty(), 100, Duration.ofMinutes(5)),
        new ValueMasker(KEY));
    this.chroma = new ChromaAdapter(new ValueMasker(KEY), new CollectionNames(100), CollectionLookup.NONE);
  }

  public static Identity user(String subject, String... groups) {
    return new Identity(subject, subject + "@example.com", List.of(groups), "acme", "https://idp.example", Map.of());
  }

  /** The schema of {@code docs} the pymilvus fixtures were written for. */
  public static CollectionSchema docsSchema() {
    return CollectionSchema.newBuilder()
        .setName("docs")
        .setEnableDynamicField(true)
        .addFields(FieldSchema.newBuilder().setName("id").setDataType(DataType.Int64).setIsPrimaryKey(true))
        .addFields(FieldSchema.newBuilder().setName("tenant").setDataType(DataType.VarChar))
        .addFields(FieldSchema.newBuilder().setName("title").setDataType(DataType.VarChar))
        .addFields(FieldSchema.newBuilder().setName("vector").setDataType(DataType.FloatVector))
        .addFields(FieldSchema.newBuilder().setName("$meta").setDataType(DataType.JSON).setIsDynamic(true))
        .build();
  }

  /** A pymilvus fixture message ({@code proxy/src/test/resources/milvus/NAME.bin}). */
  @SuppressWarnings("unchecked")
  public static <T extends Message> T fixture(String name, T prototype) {
    try (InputStream in = Files.newInputStream(FIXTURES.resolve(name + ".bin"))) {
      return (T) prototype.getParserForType().parseFrom(in.readAllBytes());
    } catch (IOException e) {
      throw new IllegalStateException("missing fixture " + name, e);
    }
  }

  /** A pymilvus-shaped Query on another collection. */
  public static QueryRequest query(String collection, String expr, long limit, String... fields) {
    QueryRequest.Builder b = QueryRequest.newBuilder().setCollectionName(collection).setExpr(expr)
        .addQueryParams(KeyValuePair.newBuilder().setKey("limit").setValue(Long.toString(limit)));
    for (String f : fields) {
      b.addOutputFields(f);
    }
    return b.build();
  }

  private String session(Identity who) {
    return sessions.computeIfAbsent(who.subject(), s -> recorder.startSession(
        new SessionStart(clock, who, new ClientInfo("127.0.0.1:5" + sessions.size(), "c" + sessions.size(), "grpc"))))
        .sessionId();
  }

  private RequestContext context() {
    clock = clock.plusSeconds(7);
    requestNo++;
    return new RequestContext(clock.toString(), clock.getEpochSecond() * 1_000_000_000L + clock.getNano(),
        "127.0.0.1:5000", "req-" + requestNo, Usage.NONE);
  }

  /** Sends one Milvus request through the simulated gateway; returns the record id. */
  public String milvus(Identity who, String rpc, Message request, Message response) {
    RequestContext ctx = context();
    Operation op;
    Decision d;
    try {
      op = milvus.decode(rpc, request, null);
      d = engine.decide(PolicyInput.of(who, MILVUS, op, ctx));
    } catch (AdapterException e) {
      op = Operation.builder(io.vectorgate.model.Action.UNKNOWN)
          .protocol(io.vectorgate.model.ProtocolFacts.grpc("/milvus.proto.milvus.MilvusService/" + rpc)).build();
      d = Decision.deny(e.code(), e.getMessage());
    }
    return append(who, MILVUS, ctx, op, d, protoJson(request), response == null ? null : protoJson(response));
  }

  /** Sends one Chroma request; the response teaches the adapter collection ids, as in the gateway. */
  public String chroma(Identity who, String method, String path, JsonNode body, JsonNode response) {
    return chroma(who, method, path, body, response, null);
  }

  /** Sends one Chroma request whose upstream answered {@code upstreamStatus} (recorded as the gateway does). */
  public String chroma(Identity who, String method, String path, JsonNode body, JsonNode response,
      String upstreamStatus) {
    RequestContext ctx = context();
    List<String> segs = new ArrayList<>();
    for (String s : path.split("/")) {
      if (!s.isEmpty()) {
        segs.add(s);
      }
    }
    HttpRequestView view = new HttpRequestView(method, path, segs, Map.of(), Map.of(), body);
    Operation op = chroma.decode(view);
    Decision d = engine.decide(PolicyInput.of(who, CHROMA, op, ctx));
    if (response != null) {
      chroma.rewriteResponse(view, op, 200, response.deepCopy(), d.obligations());
    }
    ObjectNode req = JSON.createObjectNode().put("method", method).put("path", path);
    if (body != null) {
      req.set("body", body);
    }
    return append(who, CHROMA, ctx, op, d, req, response, upstreamStatus);
  }

  /** Appends a raw entry (for hand-made records, e.g. hostile payloads). */
  public String append(Identity who, Connection c, RequestContext ctx, Operation op, Decision d, JsonNode request,
      JsonNode response) {
    return append(who, c, ctx, op, d, request, response, null);
  }

  /** Appends a raw entry with the upstream's status ({@code OK}, {@code 200}) as the gateway records it. */
  public String append(Identity who, Connection c, RequestContext ctx, Operation op, Decision d, JsonNode request,
      JsonNode response, String upstreamStatus) {
    String id;
    try {
      id = recorder.append(RecordDraft.builder()
          .time(Instant.parse(ctx.time()))
          .sessionId(session(who))
          .requestId(ctx.requestId())
          .identity(who)
          .client(new ClientInfo(ctx.clientAddress(), "c1", c.kind() == DatabaseKind.MILVUS ? "grpc" : "http"))
          .connection(c)
          .operation(op)
          .decision(d)
          .enforcement(d.allow() ? Enforcement.forwarded() : Enforcement.denied())
          .request(request)
          .response(response)
          .upstream(upstreamStatus == null ? null : new io.vectorgate.recorder.Upstream(upstreamStatus, 1000))
          .build()).get().recordId();
    } catch (Exception e) {
      throw new IllegalStateException("append failed", e);
    }
    ids.add(id);
    return id;
  }

  public RequestContext nextContext() {
    return context();
  }

  public static JsonNode protoJson(Message m) {
    try {
      // as the gateway records it (GatewayRecording): proto field names, so the recorder strips placeholder_group
      return JSON.readTree(JsonFormat.printer().preservingProtoFieldNames().omittingInsignificantWhitespace().print(m));
    } catch (InvalidProtocolBufferException | com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  public static DescribeCollectionRequest describeRequest(String collection) {
    return DescribeCollectionRequest.newBuilder().setCollectionName(collection).build();
  }

  public static DescribeCollectionResponse describeResponse(CollectionSchema schema) {
    return DescribeCollectionResponse.newBuilder().setSchema(schema).setCollectionName(schema.getName())
        .setCollectionID(42).build();
  }

  public List<String> ids() {
    return ids;
  }

  @Override
  public void close() throws IOException {
    sessions.keySet().forEach(s -> recorder.endSession(sessions.get(s).sessionId(), "client_closed"));
    recorder.close();
  }
}
