package io.vectorgate.harness.impact;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.milvus.grpc.DataType;
import io.milvus.grpc.FieldData;
import io.milvus.grpc.LongArray;
import io.milvus.grpc.QueryResults;
import io.milvus.grpc.ScalarField;
import io.milvus.grpc.StringArray;
import io.vectorgate.engine.PolicyEngine;
import io.vectorgate.harness.GatewaySim;
import io.vectorgate.harness.Policies;
import io.vectorgate.harness.replay.Replayer;
import io.vectorgate.harness.replay.Traffic;
import io.vectorgate.harness.report.ImpactReports;
import io.vectorgate.model.Identity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A candidate that lowers the analysts' cap, masks {@code title} and adds a row filter on
 * {@code kb_faq}: impact analysis replays the obligations through the adapters on the recorded
 * requests and responses and names, per record, what changes in the forwarded request and in what
 * the client would see (real engine, real adapters, the recorder's own files).
 */
class ImpactEffectsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CAP = "cap limit 100 when action in [\"search\", \"query\", \"get\"] and analyst and not "
      + "(ml_engineer or admin) reason \"role_limit_cap\"";
  private static final String CHROMA_ID = "5e1b0c2d-7a3f-4c9e-8b6d-1f2e3d4c5b6a";
  private static final String CHROMA_BASE = "/api/v2/tenants/default_tenant/databases/default_database/collections";

  @TempDir static Path tmp;
  static PolicyEngine baseline;
  static PolicyEngine candidate;
  static String milvusQuery;
  static String milvusNoResponse;
  static String chromaGet;
  static ImpactReport report;

  static Path candidatePolicy(Path dir) throws Exception {
    Files.createDirectories(dir);
    String text = Files.readString(Policies.SAMPLE);
    if (!text.contains(CAP)) {
      throw new IllegalStateException("samples/org/policy.vg no longer has the cap the candidate changes: " + CAP);
    }
    Files.writeString(dir.resolve("policy.vg"), text.replace(CAP, CAP.replace("cap limit 100", "cap limit 2"))
        + "\nmask title using hash on collection \"docs\", \"kb_faq\" when action in [\"search\", \"query\", \"get\"] "
        + "reason \"title_masked\"\n"
        + "filter rows tenant_id == identity.tenant on collection \"kb_faq\" when action in [\"search\", \"query\", \"get\"] "
        + "reason \"kb_tenant_row_filter\" else deny reason \"tenant_claim_missing\" \"kb_faq is multi-tenant\"\n");
    return dir;
  }

  static QueryResults threeTitles() {
    return QueryResults.newBuilder().setCollectionName("docs")
        .addFieldsData(FieldData.newBuilder().setType(DataType.Int64).setFieldName("id")
            .setScalars(ScalarField.newBuilder().setLongData(LongArray.newBuilder().addData(1).addData(2).addData(3))))
        .addFieldsData(FieldData.newBuilder().setType(DataType.VarChar).setFieldName("title")
            .setScalars(ScalarField.newBuilder().setStringData(StringArray.newBuilder().addData("a").addData("b").addData("c"))))
        .addOutputFields("id").addOutputFields("title").build();
  }

  @BeforeAll
  static void setUp() throws Exception {
    baseline = Policies.engine(Policies.baseline(tmp.resolve("baseline")), tmp.resolve("work"));
    candidate = Policies.engine(candidatePolicy(tmp.resolve("candidate")), tmp.resolve("work"));
    Identity alice = GatewaySim.user("alice", "analysts");
    Identity admin = GatewaySim.user("carol", "admins");
    try (GatewaySim gw = new GatewaySim(tmp.resolve("recording"), baseline)) {
      gw.milvus(admin, "DescribeCollection", GatewaySim.describeRequest("docs"),
          GatewaySim.describeResponse(GatewaySim.docsSchema()));
      milvusQuery = gw.milvus(alice, "Query", GatewaySim.query("docs", "id > 0", 10, "id", "title"), threeTitles());
      milvusNoResponse = gw.milvus(alice, "Query", GatewaySim.query("docs", "id > 1", 10, "id", "title"), null);
      ObjectNode created = JSON.createObjectNode().put("id", CHROMA_ID).put("name", "kb_faq");
      gw.chroma(admin, "POST", CHROMA_BASE, JSON.createObjectNode().put("name", "kb_faq"), created, "200");
      ObjectNode get = JSON.createObjectNode();
      get.putArray("ids").add("1").add("2");
      get.putArray("include").add("metadatas");
      JsonNode answer = JSON.readTree("""
          {"ids": ["1", "2"], "metadatas": [{"tenant_id": "acme", "title": "x"}, {"tenant_id": "globex", "title": "y"}],
           "documents": null, "embeddings": null, "uris": null, "include": ["metadatas"]}""");
      chromaGet = gw.chroma(alice, "POST", CHROMA_BASE + "/" + CHROMA_ID + "/get", get, answer, "200");
    }
    Traffic traffic = Traffic.load(tmp.resolve("recording"));
    report = ImpactAnalyzer.analyze(traffic, baseline, "baseline", "b", candidate, "candidate", "c",
        ImpactExpectations.none(), 2, Replayer.Progress.NONE);
  }

  @AfterAll
  static void tearDown() {
    baseline.close();
    candidate.close();
  }

  static Map<String, Change> byRecord() {
    return report.changes().stream().collect(Collectors.toMap(c -> c.source().id(), Function.identity()));
  }

  static List<String> effects(Change c) {
    return c.effects().stream().map(Effect::toString).toList();
  }

  @Test
  void milvusQueryNamesTheClampedLimitTheRowsCutAndTheMaskedColumn() {
    Change c = byRecord().get(milvusQuery);
    assertEquals(ChangeKind.OBLIGATIONS_CHANGED, c.kind(), ImpactReports.terminal(report));
    assertEquals(List.of("limit_cap", "mask"), c.aspects().stream().sorted().toList());
    List<String> e = effects(c);
    // the adapter does not decode its own template-bound rewrite, so the limit is named by its key/value entry
    assertTrue(e.contains("forward_limit (/message/query_params/0/value: \"10\" -> \"2\")"), e.toString());
    assertTrue(e.contains("response_rows_cut (rows cut 0 -> 1)"), e.toString());
    // the Milvus rewrite does not count masked values; the masked title column shows as changed values
    assertTrue(e.stream().anyMatch(s -> s.startsWith("response_changed (") && s.contains("/fields_data/1/scalars")),
        e.toString());
    assertTrue(e.stream().noneMatch(s -> s.startsWith("response_not_replayed")), e.toString());
  }

  @Test
  void aRecordWithoutItsResponseSaysSoAndStillShowsTheForwardedRequest() {
    List<String> e = effects(byRecord().get(milvusNoResponse));
    assertTrue(e.contains("forward_limit (/message/query_params/0/value: \"10\" -> \"2\")"), e.toString());
    assertTrue(e.stream().anyMatch(s -> s.startsWith("response_not_replayed (payload_not_recorded:")), e.toString());
    assertTrue(e.stream().noneMatch(s -> s.startsWith("response_rows") || s.startsWith("response_changed")), e.toString());
  }

  @Test
  void chromaGetNamesTheRowFilterTheLimitTheDroppedRowAndTheMaskedValue() {
    Change c = byRecord().get(chromaGet);
    assertEquals(ChangeKind.OBLIGATIONS_CHANGED, c.kind(), ImpactReports.terminal(report));
    assertEquals(List.of("limit_cap", "mask", "row_filter"), c.aspects().stream().sorted().toList());
    List<String> e = effects(c);
    assertTrue(e.stream().anyMatch(s -> s.startsWith("forward_row_filter (filter none -> ") && s.contains("acme")),
        e.toString());
    assertTrue(e.contains("forward_limit (limit 100 -> 2)"), e.toString());
    assertTrue(e.contains("response_rows_filtered (rows outside the row filter 0 -> 1)"), e.toString());
    assertTrue(e.contains("response_values_masked (values masked 0 -> 1)"), e.toString());
  }

  @Test
  void reportsNameTheEffectsPerRecordAndExpectationsKeepTheirMeaning() throws Exception {
    JsonNode json = JSON.readTree(ImpactReports.json(report));
    JsonNode rec = null;
    for (JsonNode n : json.get("changed_records")) {
      if (n.get("record").asText().equals(chromaGet)) {
        rec = n;
      }
    }
    assertTrue(rec != null && rec.get("effects").isArray(), json.toPrettyString());
    assertTrue(rec.get("effects").findValuesAsText("kind").contains("response_rows_filtered"), rec.toString());
    assertTrue(ImpactReports.terminal(report).contains("response_rows_cut (rows cut 0 -> 1)"), ImpactReports.terminal(report));
    // an obligations_changed entry still covers these changes: effects are not change kinds
    Path ok = tmp.resolve("intended.yaml");
    Files.writeString(ok, """
        version: vectorgate-impact-expectations/v1
        intended:
          - change: obligations_changed
            obligation: limit_cap
        """);
    ImpactReport r = ImpactAnalyzer.analyze(Traffic.load(tmp.resolve("recording")), baseline, "baseline", "b", candidate,
        "candidate", "c", ImpactExpectations.read(ok), 2, Replayer.Progress.NONE);
    assertEquals(0, r.unexpectedChanges(), ImpactReports.terminal(r));
    assertTrue(r.passed(), ImpactReports.terminal(r));
  }
}
