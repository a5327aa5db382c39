package io.vectorgate.proxy.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vectorgate.proxy.fakes.FakeGateway;
import io.vectorgate.proxy.fakes.QdrantFake;
import io.vectorgate.proxy.testing.MilvusLite;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The response guarantees with the unmodified qdrant-client (python/qdrant_guarantees_e2e.py)
 * through the gateway to {@link QdrantFake}, a fake written from the Qdrant OpenAPI spec (no
 * Qdrant server runs here). The sample analyst (cap 100, vectors stripped) asks for 50 groups of
 * 10: each field is within the cap, the answer per the spec is 500 points; the gateway bounds the
 * points of the answer by the cap and strips their vectors.
 */
class QdrantGuaranteesE2EIT {
  @TempDir
  static Path work;
  static QdrantFake qdrant;
  static FakeGateway env;

  @BeforeAll
  static void start() throws Exception {
    qdrant = new QdrantFake(FakeGateway.CREDENTIAL);
    for (int i = 0; i < 300; i++) {
      qdrant.put("kb_big", i, new double[] {i, 1.0, 0.5, 0.25}, Map.of("grp", "g" + (i % 30), "n", i));
    }
    env = FakeGateway.start(work, "qdrant", "qdrant-main", qdrant.address());
  }

  @AfterAll
  static void stop() {
    if (env != null) {
      env.close();
    }
    if (qdrant != null) {
      qdrant.close();
    }
  }

  @Test
  void groupsAreBoundedByTheCapInAllAndCarryNoVectors() throws Exception {
    ObjectMapper json = new ObjectMapper();
    Path tokens = work.resolve("tokens.json");
    Files.writeString(tokens, json.writeValueAsString(Map.of("analyst", env.token("bob"))));
    String out = MilvusLite.runPython(work, "qdrant_guarantees_e2e.py", "--gateway", "127.0.0.1:" + env.port(),
        "--tokens", tokens.toString());
    JsonNode r = json.readTree(out.lines().reduce((a, b) -> b).orElseThrow());
    assertEquals(100, r.get("points").asInt(), "group hits past the analyst's cap of 100: " + r);
    assertEquals(10, r.get("groups").asInt(), r.toString());
    assertEquals(0, r.get("vectors").asInt(), "vectors reached the analyst: " + r);
    assertEquals(100, r.get("query_points").asInt(), r.toString());
    assertEquals(0, r.get("query_vectors").asInt(), r.toString());
    var groupsUpstream = qdrant.requestsTo("POST", "/collections/kb_big/points/query/groups");
    assertEquals(1, groupsUpstream.size());
    assertTrue(groupsUpstream.get(0).body().get("limit").asInt() <= 100, groupsUpstream.get(0).body().toString());
  }
}
