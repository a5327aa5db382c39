package io.vectorgate.harness;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.milvus.grpc.DeleteRequest;
import io.milvus.grpc.InsertRequest;
import io.milvus.grpc.QueryRequest;
import io.milvus.grpc.SearchRequest;
import io.vectorgate.engine.DecisionEngine;
import io.vectorgate.model.Decision;
import io.vectorgate.model.Identity;
import io.vectorgate.model.Operation;
import io.vectorgate.model.ProtocolFacts;
import io.vectorgate.model.RequestContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A short recorded session through the simulated gateway (Milvus and Chroma), decided by the
 * baseline (the sample organisation's policy). {@link #affected} are the requests the candidate ({@link Policies#candidate}) newly denies.
 */
public final class SampleTraffic {
  public static final Identity ALICE = GatewaySim.user("alice", "analysts");
  public static final Identity BOB = GatewaySim.user("bob", "ml-engineers");
  public static final Identity CAROL = GatewaySim.user("carol", "admins");
  public static final Identity DAVE = GatewaySim.user("dave");
  public static final String CHROMA_ID = "3f2a9c1e-8d4b-4e6f-9a1b-2c3d4e5f6a7b";
  static final String CHROMA_BASE = "/api/v2/tenants/default_tenant/databases/default_database/collections";

  public final List<String> all = new ArrayList<>();
  public final List<String> affected = new ArrayList<>();
  public String describe;
  public String queryGet;
  public String chromaQuery;
  public String hostile;
  public String unrecorded;
  public String tampered;

  /** Records the session into {@code dir} with decisions from {@code baseline}. */
  public static SampleTraffic record(Path dir, DecisionEngine baseline) throws Exception {
    ObjectMapper json = new ObjectMapper();
    SampleTraffic t = new SampleTraffic();
    try (GatewaySim gw = new GatewaySim(dir, baseline)) {
      t.describe = gw.milvus(CAROL, "DescribeCollection", GatewaySim.describeRequest("docs"),
          GatewaySim.describeResponse(GatewaySim.docsSchema()));
      gw.milvus(ALICE, "Search", GatewaySim.fixture("search_basic", SearchRequest.getDefaultInstance()), null);
      t.affected.add(gw.milvus(ALICE, "Query", GatewaySim.query("kb_articles", "id > 0", 10, "title", "body"), null));
      gw.milvus(BOB, "Query", GatewaySim.query("kb_articles", "id > 0", 10, "title"), null);
      // the policy audits `customers` without payloads: the gateway stores no request to replay
      t.unrecorded = gw.milvus(ALICE, "Query", GatewaySim.query("customers", "id > 0", 10, "email"), null);
      t.queryGet = gw.milvus(ALICE, "Query", GatewaySim.fixture("query_get", QueryRequest.getDefaultInstance()), null);
      gw.milvus(DAVE, "Delete", GatewaySim.fixture("delete_ids", DeleteRequest.getDefaultInstance()), null);
      gw.milvus(BOB, "Insert", GatewaySim.fixture("insert_rows", InsertRequest.getDefaultInstance()), null);
      t.affected.add(gw.milvus(ALICE, "Query", GatewaySim.query("kb_articles", "title like \"a%\"", 5, "title"), null));
      // Chroma: an admin creates `customers` (the response teaches its id), then an analyst queries it
      ObjectNode created = json.createObjectNode().put("id", CHROMA_ID).put("name", "kb_faq");
      gw.chroma(CAROL, "POST", CHROMA_BASE, json.createObjectNode().put("name", "kb_faq"), created);
      ObjectNode q = json.createObjectNode();
      var emb = q.putArray("query_embeddings").addArray();
      for (int i = 0; i < 8; i++) {
        emb.add(0.125 * i);
      }
      q.put("n_results", 5);
      t.chromaQuery = gw.chroma(ALICE, "POST", CHROMA_BASE + "/" + CHROMA_ID + "/query", q, null);
      t.affected.add(t.chromaQuery);
      // a request the gateway refused because the adapter could not read it (recorded as such)
      RequestContext ctx = gw.nextContext();
      ObjectNode bad = json.createObjectNode().put("collectionName", "docs").put("notAField", 1);
      t.hostile = gw.append(ALICE, GatewaySim.MILVUS, ctx,
          Operation.builder(io.vectorgate.model.Action.UNKNOWN)
              .protocol(ProtocolFacts.grpc("/milvus.proto.milvus.MilvusService/Query")).build(),
          Decision.deny("malformed_request", "unknown field notAField"), bad, null);
      // a record whose stored operation differs from what its payload decodes to (drift)
      ctx = gw.nextContext();
      QueryRequest drifting = GatewaySim.query("docs", "id > 5", 20, "title");
      Operation recordedOp = Operation.builder(io.vectorgate.model.Action.QUERY)
          .resource(io.vectorgate.model.Resource.collection("default", "docs")).limit(999L)
          .protocol(ProtocolFacts.grpc("/milvus.proto.milvus.MilvusService/Query")).build();
      t.tampered = gw.append(BOB, GatewaySim.MILVUS, ctx, recordedOp, baseline.decide(io.vectorgate.model.PolicyInput.of(BOB,
          GatewaySim.MILVUS, recordedOp, ctx)), GatewaySim.protoJson(drifting), null);
      t.all.addAll(gw.ids());
    }
    return t;
  }
}
