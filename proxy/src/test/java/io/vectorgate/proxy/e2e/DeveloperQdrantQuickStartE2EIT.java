package io.vectorgate.proxy.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vectorgate.proxy.fakes.FakeGateway;
import io.vectorgate.proxy.fakes.QdrantFake;
import io.vectorgate.proxy.testing.MilvusLite;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The developer persona (sandbox `quick-starts`) runs the qdrant-client quick-start, unchanged but
 * for the URL and the API key (the OIDC token), through the HTTP gateway, twice. No Qdrant server
 * can run here: the upstream is {@link QdrantFake}, written from the Qdrant OpenAPI spec.
 */
class DeveloperQdrantQuickStartE2EIT {
  @TempDir
  static Path work;
  static QdrantFake qdrant;
  static FakeGateway env;
  static final ObjectMapper JSON = new ObjectMapper();

  @BeforeAll
  static void start() throws Exception {
    qdrant = new QdrantFake(FakeGateway.CREDENTIAL);
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

  private static JsonNode quickstart(String token) throws Exception {
    String out = MilvusLite.runPython(work, "quickstart_qdrant.py", "--gateway", "127.0.0.1:" + env.port(), "--token", token);
    return JSON.readTree(out.lines().reduce((a, b) -> b).orElseThrow());
  }

  @Test
  void theDeveloperRunsItTwice() throws Exception {
    String frank = env.oidc.token("frank", List.of("developers"), null, 3600);
    for (int run = 1; run <= 2; run++) {
      JsonNode r = quickstart(frank);
      assertTrue(r.get("ok").asBoolean(), "run " + run + ": " + r);
      JsonNode s = r.get("run");
      assertEquals(3, s.get("search").size(), s.toString());
      assertEquals("[{\"city\":\"London\"}]", s.get("filtered").toString(), s.toString());
      assertTrue(qdrant.points("test_collection").isEmpty(), "the quick-start's last step deletes its collection");
    }
  }

  @Test
  void anAnalystIsRefused() throws Exception {
    JsonNode r = quickstart(env.token("bob"));
    assertFalse(r.get("ok").asBoolean(), r.toString());
    assertTrue(r.get("error").asText().contains("no_allow_rule"), r.toString());
  }
}
