package io.vectorgate.rego;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The sample organisation's data file follows the library's configuration schema; bad configs do not. */
class SampleOrgConfigTest {
  private final JsonNode sample = Examples.read(Examples.SAMPLE_DATA);

  @Test
  void sampleIsValid() {
    assertEquals(Set.of(), Examples.errors(Examples.CONFIG_SCHEMA, sample));
    JsonNode cfg = sample.get(RegoLibrary.CONFIG_KEY);
    assertEquals("tenant_id", cfg.at("/collections/docs/tenant_field").asText());
    assertEquals("profile", cfg.at("/collections/customers/pii/2/field").asText());
    assertTrue(cfg.at("/roles").has("analysts") && cfg.at("/roles").has("ml-engineers"));
  }

  @Test
  void misspelledKeyIsRejected() {
    ObjectNode bad = sample.deepCopy();
    ((ObjectNode) bad.get(RegoLibrary.CONFIG_KEY)).set("tenency", bad.at("/vectorgate_config/tenancy"));
    assertRejected(bad, "tenency");
  }

  @Test
  void badWindowUnknownActionAndNegativeCapAreRejected() {
    ObjectNode a = sample.deepCopy();
    ((ObjectNode) a.at("/vectorgate_config/write_window")).put("start", "7am");
    assertRejected(a, "start");
    ObjectNode b = sample.deepCopy();
    ((ObjectNode) b.at("/vectorgate_config/roles/analysts/grants/0")).putArray("actions").add("serach");
    assertRejected(b, "actions");
    ObjectNode c = sample.deepCopy();
    ((ObjectNode) c.at("/vectorgate_config/roles/analysts")).put("limit_cap", -1);
    assertRejected(c, "limit_cap");
  }

  private static void assertRejected(JsonNode config, String mentions) {
    Set<String> errors = Examples.errors(Examples.CONFIG_SCHEMA, config);
    assertFalse(errors.isEmpty(), "expected an error about " + mentions);
    assertTrue(errors.stream().anyMatch(e -> e.contains(mentions)), "errors should mention " + mentions + ": " + errors);
  }
}
