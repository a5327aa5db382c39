package io.vectorgate.proxy.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vectorgate.proxy.testing.MilvusLite;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The response guarantees with the unmodified chromadb client against the real Chroma through the
 * gateway (python/chroma_guarantees_e2e.py): the sample analyst asks for embeddings (include,
 * peek) and for more rows than the cap of 100 (a get of 300 ids, a get of everything, a query for
 * 300 results) and gets neither; docs stay confined to the analyst's tenant.
 */
class ChromaGuaranteesE2EIT {
  @TempDir
  static Path work;
  static ChromaGatewayFixture env;

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

  @Test
  void analystGetsNoVectorsAndNoMoreRowsThanTheCapWhateverItAsks() throws Exception {
    ObjectMapper json = new ObjectMapper();
    Path tokenFile = work.resolve("tokens.json");
    Files.writeString(tokenFile, json.writeValueAsString(Map.of("analyst", env.token("bob"))));
    String out = MilvusLite.runPython(work, "chroma_guarantees_e2e.py", "--gateway", "127.0.0.1:" + env.port(),
        "--direct", env.chroma.address(), "--tokens", tokenFile.toString());
    JsonNode r = json.readTree(out.lines().reduce((a, b) -> b).orElseThrow());
    for (String step : new String[] {"docs_get_include_embeddings", "docs_query_include_embeddings", "big_peek_300",
        "big_get_all", "big_query_300"}) {
      JsonNode s = r.get(step);
      assertTrue(s.get("ok").asBoolean(), step + " failed: " + s);
      assertTrue(s.get("value").get("embeddings_absent").asBoolean(), step + ": embeddings reached the analyst: " + s);
    }
    for (String step : new String[] {"big_peek_300", "big_get_300_ids", "big_get_all", "big_query_300"}) {
      JsonNode s = r.get(step);
      assertTrue(s.get("ok").asBoolean(), step + " failed: " + s);
      assertEquals(100, s.get("value").get("rows").asInt(), step + ": rows past the analyst's cap of 100: " + s);
    }
    assertEquals("[\"acme\"]", r.get("docs_get_include_embeddings").get("value").get("tenants").toString(), r.toString());
    assertEquals(5, r.get("docs_get_include_embeddings").get("value").get("rows").asInt(), r.toString());
    assertEquals("[\"acme\"]", r.get("docs_query_include_embeddings").get("value").get("tenants").toString(), r.toString());
  }
}
