package io.vectorgate.proxy.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vectorgate.proxy.enforce.ResponseTally;
import io.vectorgate.proxy.testing.GatewayFixture;
import io.vectorgate.proxy.testing.MilvusLite;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The row filter re-checked on a real upstream's answer (python/milvus_row_filter_recheck_e2e.py):
 * a test policy (e2e-rego/region-guard) gives analysts the row filter {@code region != "eu"} on
 * kb_regions, whose rows were inserted directly into Milvus Lite with {@code region} as a string
 * or an array. Milvus Lite selects the array rows for {@code !=} (the script shows it without the
 * gateway); Milvus's filter never selects an array for {@code ==}/{@code !=} and the gateway's row
 * filter semantics say an array satisfies no condition, so the gateway drops those rows from
 * query, get and search answers and counts {@code row_filter_response_violation}.
 */
class PymilvusRowFilterRecheckE2EIT {
  @TempDir
  static Path work;
  static GatewayFixture env;
  static JsonNode r;

  @BeforeAll
  static void start() throws Exception {
    Path rego = Path.of(PymilvusRowFilterRecheckE2EIT.class.getResource("/e2e-rego/region-guard").toURI());
    env = GatewayFixture.startWithRego(work, List.of(rego));
    Path tokenFile = work.resolve("tokens.json");
    ObjectMapper json = new ObjectMapper();
    Files.writeString(tokenFile, json.writeValueAsString(Map.of("analyst", env.token("bob"))));
    String out = MilvusLite.runPython(work, "milvus_row_filter_recheck_e2e.py", "--upstream", env.milvus.address(),
        "--gateway", env.address(), "--tokens", tokenFile.toString());
    r = json.readTree(out.lines().reduce((a, b) -> b).orElseThrow());
  }

  @AfterAll
  static void stop() {
    if (env != null) {
      env.close();
    }
  }

  @Test
  void milvusLiteItselfSelectsTheArrayRowsForNotEqual() {
    // the provocation is real: without the gateway, the injected filter returns rows 3 and 4
    assertEquals(List.of(1, 3, 4), ints(ok("upstream_ne")), r.toString());
  }

  @Test
  void rowsCarryingTheFieldOutsideTheFilterAreDroppedFromEveryAnswer() {
    JsonNode q = ok("query_with_region");
    assertEquals(List.of(1), ids(q), q.toString());
    assertEquals("us", q.get(0).get("region").asText());
    assertEquals(List.of(1), ints(ok("get_with_region")), r.toString());
    JsonNode s = ok("search_with_region");
    assertEquals(1, s.size(), s.toString());
    assertEquals(List.of(1), ids(s.get(0)), s.toString());
    // query, get and search each had dropped rows
    assertEquals(3, env.gateway.metrics().get(ResponseTally.ROW_FILTER_RESPONSE_VIOLATION),
        env.gateway.metrics().snapshot().toString());
  }

  @Test
  void rowsThatDoNotCarryTheFieldAreNotJudged() {
    // the documented limit (docs/adapters/milvus.md): the gateway does not add `region` upstream,
    // so where the client did not select it only the injected filter applies
    assertEquals(List.of(1, 3, 4), ints(ok("query_without_region")), r.toString());
  }

  private static List<Integer> ids(JsonNode rows) {
    List<Integer> out = new ArrayList<>();
    rows.forEach(row -> out.add(row.get("id").asInt()));
    return out;
  }

  private static List<Integer> ints(JsonNode values) {
    List<Integer> out = new ArrayList<>();
    values.forEach(v -> out.add(v.asInt()));
    return out;
  }

  private static JsonNode ok(String step) {
    JsonNode s = r.get(step);
    assertTrue(s.get("ok").asBoolean(), step + " failed: " + s);
    return s.get("value");
  }
}
