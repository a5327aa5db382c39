package io.vectorgate.proxy.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vectorgate.proxy.fakes.FakeGateway;
import io.vectorgate.proxy.fakes.PineconeFake;
import io.vectorgate.proxy.testing.MilvusLite;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The developer persona (sandbox `quick-starts`) runs the Pinecone SDK quick-start
 * (python/quickstart_pinecone.py: upsert, stats, filtered query, fetch, delete) through the HTTP
 * gateway, twice, with only the host and the API key (the OIDC token) changed. The index
 * `quickstart` already exists: the gateway serves Pinecone's data plane, not the control plane
 * that creates indexes. No Pinecone server can run here: the upstream is {@link PineconeFake}, a
 * fake written from the data-plane OpenAPI spec. An analyst is refused.
 */
class DeveloperPineconeQuickStartE2EIT {
  @TempDir
  static Path work;
  static PineconeFake pinecone;
  static FakeGateway env;
  static final ObjectMapper JSON = new ObjectMapper();

  @BeforeAll
  static void start() throws Exception {
    pinecone = new PineconeFake(FakeGateway.CREDENTIAL);
    env = FakeGateway.start(work, "pinecone", "quickstart", pinecone.address());
  }

  @AfterAll
  static void stop() {
    if (env != null) {
      env.close();
    }
    if (pinecone != null) {
      pinecone.close();
    }
  }

  private static JsonNode quickstart(String token) throws Exception {
    String out = MilvusLite.runPython(work, "quickstart_pinecone.py", "--gateway", "127.0.0.1:" + env.port(),
        "--token", token);
    return JSON.readTree(out.lines().reduce((a, b) -> b).orElseThrow());
  }

  @Test
  void theDeveloperRunsItTwice() throws Exception {
    String frank = env.oidc.token("frank", List.of("developers"), null, 3600);
    for (int run = 1; run <= 2; run++) {
      JsonNode r = quickstart(frank);
      assertTrue(r.get("ok").asBoolean(), "run " + run + ": " + r);
      JsonNode s = r.get("run");
      assertFalse(s.has("pre_clean"), "the quick-start's last step leaves nothing behind: " + s);
      assertEquals(4, s.get("upsert").asInt(), s.toString());
      assertEquals(4, s.get("count").asInt(), s.toString());
      assertEquals("[\"vec2\",\"vec4\"]", s.get("query_ids").toString(), s.toString());
      assertEquals("[\"vec1\",\"vec2\"]", s.get("fetch_ids").toString(), s.toString());
      assertEquals("[]", s.get("fetch_after_delete").toString(), s.toString());
      assertTrue(pinecone.records("example-namespace").isEmpty(), "run " + run + " left records behind");
    }
  }

  @Test
  void anAnalystIsRefused() throws Exception {
    JsonNode r = quickstart(env.token("bob"));
    assertFalse(r.get("ok").asBoolean(), r.toString());
    assertTrue(r.get("error").asText().contains("no_allow_rule"), r.toString());
    assertTrue(pinecone.records("example-namespace").isEmpty(), "the analyst wrote records");
  }
}
