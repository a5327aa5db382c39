package io.vectorgate.proxy.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vectorgate.proxy.testing.MilvusLite;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The developer persona (sandbox `quick-starts`) runs Chroma's getting-started steps with the
 * chromadb client through the HTTP gateway to a real Chroma, twice: create, add (embeddings given),
 * query, delete by `where` (no approval in the sandbox), delete the collection. An analyst is refused.
 */
class DeveloperChromaQuickStartE2EIT {
  @TempDir
  static Path work;
  static ChromaGatewayFixture env;
  static final ObjectMapper JSON = new ObjectMapper();

  @BeforeAll
  static void start() throws Exception {
    env = ChromaGatewayFixture.start(work);
  }

  @AfterAll
  static void stop() {
    if (env != null) {
      env.close();
    }
  }

  private static JsonNode quickstart(String token) throws Exception {
    String out = MilvusLite.runPython(work, "quickstart_chroma.py", "--gateway", "127.0.0.1:" + env.port(), "--token", token);
    return JSON.readTree(out.lines().reduce((a, b) -> b).orElseThrow());
  }

  @Test
  void theDeveloperRunsItTwice() throws Exception {
    String frank = env.oidc.token("frank", List.of("developers"), null, 3600);
    for (int run = 1; run <= 2; run++) {
      JsonNode r = quickstart(frank);
      assertTrue(r.get("ok").asBoolean(), "run " + run + ": " + r);
      JsonNode s = r.get("run");
      assertEquals("[\"id1\",\"id2\"]", s.get("query_ids").toString(), s.toString());
      assertEquals("[\"id1\"]", s.get("left").toString(), s.toString());
      assertEquals("[]", s.get("collections_after").toString(), s.toString());
    }
  }

  @Test
  void aDocumentsOnlyAddIsRefusedSayingTheClientMustComputeTheEmbeddings() throws Exception {
    String frank = env.oidc.token("frank", List.of("developers"), null, 3600);
    String out = MilvusLite.runPython(work, "documents_only_chroma.py", "--gateway", "127.0.0.1:" + env.port(),
        "--token", frank, "--collection", "documents_only");
    JsonNode r = JSON.readTree(out.lines().reduce((a, b) -> b).orElseThrow());
    JsonNode add = r.get("add");
    assertFalse(add.get("ok").asBoolean(), r.toString());
    assertEquals("InvalidArgumentError", add.get("type").asText(), r.toString());
    assertEquals("request refused by the gateway: malformed_request at `embeddings`: `embeddings` is required for add: the gateway never computes embeddings, so the client must compute"
        + " them and send them (with chromadb: give the collection an embedding function on the client side, its"
        + " default or embedding_function= in get_collection / create_collection, or pass embeddings=)",
        add.get("error").asText(), r.toString());
  }

  @Test
  void anAnalystIsRefused() throws Exception {
    JsonNode r = quickstart(env.token("bob"));
    assertFalse(r.get("ok").asBoolean(), r.toString());
    assertTrue(r.get("error").asText().contains("no_allow_rule"), r.toString());
  }
}
