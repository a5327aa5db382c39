package io.vectorgate.proxy.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.milvus.v2.client.ConnectConfig;
import io.milvus.v2.client.MilvusClientV2;
import io.milvus.v2.service.collection.request.CreateCollectionReq;
import io.milvus.v2.service.collection.request.DropCollectionReq;
import io.milvus.v2.service.collection.request.HasCollectionReq;
import io.milvus.v2.service.vector.request.DeleteReq;
import io.milvus.v2.service.vector.request.InsertReq;
import io.milvus.v2.service.vector.request.QueryReq;
import io.milvus.v2.service.vector.request.SearchReq;
import io.milvus.v2.service.vector.request.data.FloatVec;
import io.milvus.v2.service.vector.response.DeleteResp;
import io.milvus.v2.service.vector.response.InsertResp;
import io.milvus.v2.service.vector.response.QueryResp;
import io.milvus.v2.service.vector.response.SearchResp;
import io.vectorgate.proxy.testing.GatewayFixture;
import io.vectorgate.proxy.testing.MilvusLite;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sample organisation's developer persona (group `developers`, sandbox `quick-starts`) runs the
 * published quick-starts of pymilvus and the Milvus Java SDK through the gateway to Milvus Lite, start
 * to finish and twice (the second run's pre-clean drops the first run's collection), with only the
 * address and the token changed; the same quick-start as an analyst is refused.
 */
class DeveloperQuickStartE2EIT {
  @TempDir
  static Path work;
  static GatewayFixture env;
  static final ObjectMapper JSON = new ObjectMapper();

  @BeforeAll
  static void start() throws Exception {
    env = GatewayFixture.start(work);
    // the admin loads the sample data through the gateway (with a 30 s client timeout): this also warms the
    // token verifier and the engine, so the quick-starts' own 10 s connect deadline is not spent on a cold start
    MilvusLite.runPython(work, "load_sample.py", "--uri", "http://" + env.address(), "--token", env.token("alice"));
  }

  @AfterAll
  static void stop() {
    if (env != null) {
      env.close();
    }
  }

  private static String developer() {
    return env.oidc.token("frank", List.of("developers"), null, 3600);
  }

  private static JsonNode pymilvusQuickStart(String token) throws Exception {
    String out = MilvusLite.runPython(work, "quickstart_pymilvus.py", "--uri", "http://" + env.address(), "--token", token);
    return JSON.readTree(out.lines().reduce((a, b) -> b).orElseThrow());
  }

  @Test
  void pymilvusQuickStartRunsTwiceInTheSandbox() throws Exception {
    for (int run = 1; run <= 2; run++) {
      JsonNode r = pymilvusQuickStart(developer());
      assertTrue(r.get("ok").asBoolean(), "run " + run + ": " + r);
      JsonNode s = r.get("run");
      assertEquals(run == 2, s.has("pre_clean"), "run " + run + ": " + s);
      assertEquals(3, s.get("insert").asInt(), s.toString());
      assertEquals("[\"biology\"]", s.get("filtered_search_subjects").toString(), s.toString());
      assertEquals("[0,1,2]", s.get("query_history").toString(), s.toString());
      assertEquals("[0,2]", s.get("get_ids").toString(), s.toString());
      // delete by ids and delete by filter (a bulk delete elsewhere) both ran, without an approval
      assertEquals("[1]", s.get("left").toString(), s.toString());
    }
  }

  @Test
  void anInsertRefusedAtTheDescribePymilvusMakesFirstSaysSo() throws Exception {
    // the analyst may not read `notes`: pymilvus's insert fails at its own DescribeCollection
    String out = MilvusLite.runPython(work, "refused_step.py", "milvus", "--uri", "http://" + env.address(),
        "--token", env.token("bob"), "--collection", "notes");
    JsonNode r = JSON.readTree(out.lines().reduce((a, b) -> b).orElseThrow());
    // pymilvus's MilvusException for a failed describe
    assertEquals("DescribeCollectionException", r.get("type").asText(), r.toString());
    String e = r.get("error").asText();
    assertTrue(e.contains("denied by policy (decision "), e);
    assertTrue(e.contains("describe of collection `notes` refused (pymilvus and the Milvus Java SDK describe a"
        + " collection on their own before insert, upsert, delete, query and search"), e);
    assertTrue(e.contains("no_allow_rule: no rule allows describe on collection notes for bob"), e);
  }

  @Test
  void theQuickStartAsAnAnalystIsRefused() throws Exception {
    JsonNode r = pymilvusQuickStart(env.token("bob"));
    assertFalse(r.get("ok").asBoolean(), r.toString());
    assertTrue(r.get("error").asText().contains("no_allow_rule"), r.toString());
  }

  @Test
  void javaSdkQuickStartRunsInTheSandbox() {
    MilvusClientV2 frank = new MilvusClientV2(ConnectConfig.builder().uri("http://" + env.address()).token(developer()).build());
    try {
      for (int run = 1; run <= 2; run++) {
        String name = "quick_setup";
        if (frank.hasCollection(HasCollectionReq.builder().collectionName(name).build())) {
          frank.dropCollection(DropCollectionReq.builder().collectionName(name).build());
        }
        frank.createCollection(CreateCollectionReq.builder().collectionName(name).dimension(5).build());
        List<com.google.gson.JsonObject> rows = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
          com.google.gson.JsonObject row = new com.google.gson.JsonObject();
          row.addProperty("id", i);
          com.google.gson.JsonArray v = new com.google.gson.JsonArray();
          for (int d = 0; d < 5; d++) {
            v.add((float) (i + d) / 10);
          }
          row.add("vector", v);
          row.addProperty("color", i % 2 == 0 ? "red" : "blue");
          rows.add(row);
        }
        InsertResp ins = frank.insert(InsertReq.builder().collectionName(name).data(rows).build());
        assertEquals(6, ins.getInsertCnt());
        SearchResp hits = frank.search(SearchReq.builder().collectionName(name)
            .data(List.of(new FloatVec(new float[] {0.1f, 0.2f, 0.3f, 0.4f, 0.5f}))).topK(3)
            .outputFields(List.of("color")).build());
        assertEquals(3, hits.getSearchResults().get(0).size());
        QueryResp red = frank.query(QueryReq.builder().collectionName(name).filter("color == \"red\"")
            .outputFields(List.of("id")).build());
        assertEquals(3, red.getQueryResults().size());
        DeleteResp del = frank.delete(DeleteReq.builder().collectionName(name).filter("color == \"blue\"").build());
        assertEquals(3, del.getDeleteCnt());
        frank.dropCollection(DropCollectionReq.builder().collectionName(name).build());
        assertFalse(frank.hasCollection(HasCollectionReq.builder().collectionName(name).build()));
      }
      // outside the sandbox the controls stay: the sample collections are not his
      MilvusClientV2 f = frank;
      assertThrows(Exception.class, () -> f.dropCollection(DropCollectionReq.builder().collectionName("docs").build()));
    } finally {
      frank.close();
    }
  }
}
