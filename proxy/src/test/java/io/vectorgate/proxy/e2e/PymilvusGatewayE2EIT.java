package io.vectorgate.proxy.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vectorgate.engine.EngineConfig;
import io.vectorgate.engine.EngineInUse;
import io.vectorgate.proxy.testing.GatewayFixture;
import io.vectorgate.proxy.testing.MilvusLite;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unmodified pymilvus, through the gateway, against Milvus Lite, with tokens from a real OIDC
 * provider and the sample organisation's policy (python/milvus_e2e.py drives the client), on the
 * default engine (plan); {@link PymilvusGatewayWasmE2EIT} runs the same suite with
 * {@code policy.engine: wasm}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PymilvusGatewayE2EIT {
  Path work;
  GatewayFixture env;

  /** The {@code policy.engine} this suite's gateway config names; null for none (the default engine). */
  String configuredEngine() {
    return null;
  }

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    work = dir;
    env = configuredEngine() == null ? GatewayFixture.start(work) : GatewayFixture.startOnEngine(work, configuredEngine());
  }

  @AfterAll
  void stop() {
    if (env != null) {
      env.close();
    }
  }

  /** The engine this suite's gateway must decide on. */
  EngineConfig.Engine expectedEngine() {
    return EngineConfig.Engine.defaultEngine();
  }

  @Test
  void theGatewayDecidesOnTheExpectedEngineWithoutAFallback() {
    EngineInUse in = env.engine().activeEngine().orElseThrow();
    assertEquals(expectedEngine(), in.engine(), in.toString());
    assertNull(in.fallback(), "the sample policy needs no fallback: " + in);
  }

  @Test
  void sampleOrganisationScenario() throws Exception {
    Path tokenFile = work.resolve("tokens.json");
    env.oidc.writeScenarioTokens(tokenFile);
    ObjectMapper json = new ObjectMapper();
    String out = MilvusLite.runPython(work, "milvus_e2e.py", "--gateway", env.address(),
        "--direct", env.milvus.address(), "--tokens", tokenFile.toString());
    JsonNode r = json.readTree(out.lines().reduce((a, b) -> b).orElseThrow());

    assertEquals(List.of("customers", "docs"), strings(r.get("admin_collections")));
    assertEquals(10, r.get("admin_count").asInt());
    assertTrue(r.get("admin_query_identical").asBoolean(), "admin query differs from Milvus Lite: " + r);

    // row filter: only the analyst's tenant; vectors stripped; otherwise identical to Milvus Lite
    assertEquals(List.of("acme"), strings(r.get("analyst_search_tenants")));
    assertEquals(5, r.get("analyst_search").get(0).size());
    assertFalse(r.get("analyst_search_has_vectors").asBoolean());
    assertTrue(r.get("analyst_search_identical_to_direct").asBoolean(), "filtered search differs: " + r);

    // masking per the sample PII config: email hashed, phone partial, ssn dropped
    JsonNode ada = r.get("analyst_customers").get(0);
    assertEquals("Ada Lovelace", ada.get("name").asText());
    assertTrue(ada.get("email").asText().startsWith("hmac:"), ada.toString());
    assertFalse(ada.get("phone").asText().equals("+44 20 7946 0001"), ada.toString());
    assertFalse(ada.has("ssn") && ada.get("ssn").asText().equals("123-45-6789"), ada.toString());

    for (String step : List.of("analyst_delete_all", "analyst_drop", "analyst_truncate")) {
      JsonNode s = r.get(step);
      assertFalse(s.get("ok").asBoolean(), step + " was allowed");
      assertTrue(s.get("error").asText().contains("denied by policy (decision "), step + ": " + s);
    }
    assertTrue(r.get("analyst_drop").get("error").asText().contains("destructive_requires_break_glass"),
        r.get("analyst_drop").toString());
    assertTrue(r.get("analyst_truncate").get("error").asText().contains("destructive_requires_break_glass"),
        r.get("analyst_truncate").toString());

    JsonNode bulk = r.get("engineer_bulk_delete");
    assertFalse(bulk.get("ok").asBoolean());
    assertTrue(bulk.get("error").asText().contains("approval_required"), bulk.toString());

    for (String[] t : new String[][] {{"invalid_token", "malformed_token"}, {"expired_token", "expired_token"},
        {"wrong_audience", "wrong_audience"}}) {
      JsonNode s = r.get(t[0]);
      assertFalse(s.get("ok").asBoolean(), t[0] + " was accepted");
      // refused in band (gRPC OK): Milvus's "not authenticated" code and the reason, which pymilvus shows at connect
      assertEquals("OK", s.get("status").get("grpc").asText(), s.toString());
      assertEquals(1400, s.get("status").get("code").asInt(), s.toString());
      assertTrue(s.get("status").get("reason").asText().startsWith("vectorgate: " + t[1] + ": "), s.toString());
      assertTrue(s.get("error").asText().contains("(code=1400, message=vectorgate: " + t[1] + ": "), s.toString());
    }
    assertEquals(10, r.get("docs_count_after").asInt(), "a refused request changed data");

    assertTrue(env.gateway.metrics().get("denied") >= 3, env.gateway.metrics().snapshot().toString());
    assertTrue(env.gateway.metrics().get("unauthenticated") >= 3, env.gateway.metrics().snapshot().toString());
    assertTrue(env.gateway.metrics().get("approval_required") >= 1, env.gateway.metrics().snapshot().toString());
  }

  private static List<String> strings(JsonNode n) {
    return java.util.stream.StreamSupport.stream(n.spliterator(), false).map(JsonNode::asText).toList();
  }
}
