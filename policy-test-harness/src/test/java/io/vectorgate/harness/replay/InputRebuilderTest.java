package io.vectorgate.harness.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.milvus.grpc.QueryRequest;
import io.milvus.grpc.SearchRequest;
import io.vectorgate.harness.GatewaySim;
import io.vectorgate.model.Action;
import io.vectorgate.model.Decision;
import io.vectorgate.model.Operation;
import io.vectorgate.model.ProtocolFacts;
import io.vectorgate.model.Resource;
import io.vectorgate.proxy.adapter.milvus.CollectionSchemaCache;
import io.vectorgate.proxy.adapter.milvus.MilvusAdapter;
import io.vectorgate.proxy.enforce.ValueMasker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Rebuilding operations from payloads as the gateway records them (GatewayRecording's shapes). */
class InputRebuilderTest {
  static final ObjectMapper M = new ObjectMapper();
  static final MilvusAdapter GATEWAY = new MilvusAdapter(new CollectionSchemaCache(
      (db, c) -> c.equals("docs") ? Optional.of(GatewaySim.docsSchema()) : Optional.empty(), 10, Duration.ofMinutes(1)),
      new ValueMasker("0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII)));

  static RecordedRequest record(String id, String rpc, Operation op, JsonNode request) {
    return new RecordedRequest(id, "test line 1", Instant.parse("2025-03-04T10:00:00Z"), "r1", "127.0.0.1:1",
        GatewaySim.user("alice", "analysts"), GatewaySim.MILVUS, op, Decision.deny("x", "y"), request, null, null);
  }

  /** The recorder's stripping of the stored payload, as the recorder does it for placeholder_group. */
  static JsonNode strippedLikeTheRecorder(JsonNode n) {
    ObjectNode o = (ObjectNode) n.deepCopy();
    if (o.has("placeholder_group")) {
      o.putObject("placeholder_group").put("vectorgate_stripped", "field");
    }
    return o;
  }

  @Test
  void searchRecordedWithoutItsVectorsRebuildsAndOnlyTheQueryCountDrifts() {
    SearchRequest s = GatewaySim.fixture("search_basic", SearchRequest.getDefaultInstance());
    Operation recorded = GATEWAY.decode("Search", s, null);
    JsonNode payload = strippedLikeTheRecorder(GatewaySim.protoJson(s));
    RecordedState state = new RecordedState();
    state.addMilvusSchema("default", "docs", GatewaySim.docsSchema());
    InputRebuilder.Rebuilt r = new InputRebuilder(state).rebuild(record("rec-x-1", "Search", recorded, payload));
    assertTrue(r.ok(), String.valueOf(r.error()));
    assertEquals(recorded.action(), r.input().operation().action());
    assertEquals(recorded.limit(), r.input().operation().limit());
    assertEquals(recorded.outputFields(), r.input().operation().outputFields());
    assertTrue(r.unexplainedDrift().isEmpty(), r.drift().toString());
    assertEquals("2025-03-04T10:00:00Z", r.input().context().time());
    assertEquals(1741082400000000000L, r.input().context().timeNs());
  }

  @Test
  void wildcardsExpandOnlyWithARecordedSchema() {
    QueryRequest q = GatewaySim.fixture("query_get", QueryRequest.getDefaultInstance());
    Operation recorded = GATEWAY.decode("Query", q, null);
    RecordedRequest rec = record("rec-x-2", "Query", recorded, GatewaySim.protoJson(q));
    RecordedState withSchema = new RecordedState();
    withSchema.addMilvusSchema("default", "docs", GatewaySim.docsSchema());
    InputRebuilder.Rebuilt online = new InputRebuilder(withSchema).rebuild(rec);
    assertEquals(List.of(), online.drift());
    InputRebuilder.Rebuilt offline = new InputRebuilder(new RecordedState()).rebuild(rec);
    assertTrue(offline.ok());
    // no schema recorded: the gateway's schema-aware facts come from the record, the difference is explained
    assertEquals(recorded.outputFields(), offline.input().operation().outputFields());
    // ... but without the primary key the adapter cannot tell a get by ids from a query: real drift, reported
    assertEquals(List.of("/action", "/counts/ids"), offline.unexplainedDrift().stream().map(Drift::pointer).toList());
    assertTrue(offline.drift().stream().anyMatch(d -> d.pointer().startsWith("/output_fields")
        && Drift.SCHEMA_UNKNOWN.equals(d.explanation())), offline.drift().toString());
    // an inline request (nothing recorded) stays unexpanded
    RecordedRequest inline = new RecordedRequest("inline", "t.yaml:1:1", rec.time(), null, null, rec.identity(),
        rec.connection(), null, null, M.createObjectNode().put("rpc", "Query").set("message", rec.request()), null, null);
    assertEquals(List.of("*"), new InputRebuilder(new RecordedState()).rebuild(inline).input().operation().outputFields());
  }

  @Test
  void omittedAndUnparseablePayloadsAreErrorsOfTheirRecord() throws Exception {
    Operation op = Operation.builder(Action.QUERY).resource(Resource.collection("default", "docs"))
        .protocol(ProtocolFacts.grpc("/milvus.proto.milvus.MilvusService/Query")).build();
    InputRebuilder rb = new InputRebuilder(new RecordedState());
    var big = rb.rebuild(record("rec-x-3", "Query", op, M.readTree("{\"vectorgate_omitted\":\"too_large\",\"bytes\":99999999}")));
    assertEquals("payload_omitted", big.error().code());
    assertTrue(big.error().toString().startsWith("rec-x-3 (test line 1): payload_omitted"), big.error().toString());
    assertNull(big.input());
    var bad = rb.rebuild(record("rec-x-4", "Query", op, M.readTree("{\"collection_name\":\"docs\",\"no_such\":1}")));
    assertEquals("malformed_request", bad.error().code());
    assertTrue(bad.error().message().contains("no_such"), bad.error().message());
    var unknownRpc = rb.rebuild(record("rec-x-5", "Frobnicate",
        Operation.builder(Action.UNKNOWN).protocol(ProtocolFacts.grpc("/milvus.proto.milvus.MilvusService/Frobnicate")).build(),
        M.readTree("{}")));
    assertTrue(unknownRpc.ok());
    assertEquals(Action.UNKNOWN, unknownRpc.input().operation().action());
  }

  @Test
  void equalOperationsHaveNoDriftAndNumberTypesAloneAreNoDrift() {
    Operation op = Operation.builder(Action.QUERY).resource(new Resource("default", "docs", List.of(), null))
        .filter("id > 1").limit(10L).outputFields(List.of("title")).attributes(java.util.Map.of("n", 3L)).build();
    assertEquals(List.of(), InputRebuilder.diff(op, op, false));
    Operation intAttr = Operation.builder(Action.QUERY).resource(new Resource("default", "docs", List.of(), null))
        .filter("id > 1").limit(10L).outputFields(List.of("title")).attributes(java.util.Map.of("n", 3)).build();
    assertTrue(!op.equals(intAttr), "an Integer read back from JSON is not equal to the decoded Long");
    assertEquals(List.of(), InputRebuilder.diff(op, intAttr, false));
    Operation other = Operation.builder(Action.QUERY).resource(new Resource("default", "docs", List.of(), null))
        .filter("id > 1").limit(11L).outputFields(List.of("title")).attributes(java.util.Map.of("n", 3L)).build();
    List<Drift> d = InputRebuilder.diff(op, other, false);
    assertEquals(List.of("/limit"), d.stream().map(Drift::pointer).toList());
    assertEquals(10, d.get(0).recorded().asInt());
    assertEquals(11, d.get(0).rebuilt().asInt());
  }
}
