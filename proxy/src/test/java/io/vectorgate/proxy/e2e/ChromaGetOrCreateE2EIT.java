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
 * chromadb's {@code get_or_create_collection} through the HTTP gateway to a real Chroma
 * (python/get_or_create_chroma.py): answered as a get when the collection exists and the caller
 * may read it, as a create only when it does not exist and the caller may create it.
 */
class ChromaGetOrCreateE2EIT {
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

  private static JsonNode run(String token, String existing, String missing, boolean twice) throws Exception {
    List<String> args = new java.util.ArrayList<>(List.of("--gateway", "127.0.0.1:" + env.port(), "--direct",
        env.chroma.address(), "--token", token, "--existing", existing, "--missing", missing));
    if (twice) {
      args.add("--twice");
    }
    String out = MilvusLite.runPython(work, "get_or_create_chroma.py", args.toArray(String[]::new));
    return JSON.readTree(out.lines().reduce((a, b) -> b).orElseThrow());
  }

  @Test
  void anAnalystGetsAnExistingCollectionAndIsRefusedCreatingOne() throws Exception {
    JsonNode r = run(env.token("bob"), "docs", "analyst_new", false);
    JsonNode existing = r.get("existing");
    assertTrue(existing.get("ok").asBoolean(), r.toString());
    assertEquals("docs", existing.get("value").get("name").asText(), r.toString());
    assertEquals(r.get("direct_id").asText(), existing.get("value").get("id").asText(), r.toString());
    JsonNode missing = r.get("missing");
    assertFalse(missing.get("ok").asBoolean(), r.toString());
    // create's reason, in the chromadb client's own exception
    assertTrue(missing.get("error").asText().contains("no rule allows create_collection on collection analyst_new"),
        r.toString());
    assertFalse(r.get("missing_created").asBoolean(), r.toString());
  }

  @Test
  void aGetCollectionRefusedSaysWhichStepAndWhy() throws Exception {
    String out = MilvusLite.runPython(work, "refused_step.py", "chroma", "--gateway", "127.0.0.1:" + env.port(),
        "--token", env.token("bob"), "--collection", "notes");
    JsonNode r = JSON.readTree(out.lines().reduce((a, b) -> b).orElseThrow());
    assertFalse(r.get("ok").asBoolean(), r.toString());
    String e = r.get("error").asText();
    assertTrue(e.contains("denied by policy (decision "), e);
    assertTrue(e.contains("get of collection `notes` refused (chromadb gets a collection by name, with"
        + " get_collection, before add, get, query and delete on it): no_allow_rule: no rule allows describe on"
        + " collection notes for bob"), e);
  }

  @Test
  void theDeveloperCreatesInItsSandboxAndThenGets() throws Exception {
    String frank = env.oidc.token("frank", List.of("developers"), null, 3600);
    JsonNode r = run(frank, "docs_dev_existing", "my_collection_goc", true);
    assertTrue(r.get("existing").get("ok").asBoolean(), r.toString());
    assertEquals(r.get("direct_id").asText(), r.get("existing").get("value").get("id").asText(), r.toString());
    JsonNode first = r.get("missing");
    JsonNode again = r.get("missing_again");
    assertTrue(first.get("ok").asBoolean(), r.toString());
    assertTrue(again.get("ok").asBoolean(), r.toString());
    assertEquals("my_collection_goc", first.get("value").get("name").asText(), r.toString());
    assertEquals(first.get("value").get("id").asText(), again.get("value").get("id").asText(), r.toString());
    assertTrue(r.get("missing_created").asBoolean(), r.toString());
    assertFalse(r.get("missing_after_delete").asBoolean(), r.toString());
  }
}
