package io.vectorgate.proxy.adapter.qdrant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vectorgate.proxy.adapter.http.RouteFields;
import io.vectorgate.proxy.testing.MilvusLite;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Closed world against the spec: the installed qdrant-client's models are generated from Qdrant's
 * OpenAPI spec; for every schema in {@link QdrantFields} this fails when a field the spec defines
 * is in neither list (modelled / refused) or a list names a field the spec does not define.
 */
class QdrantSpecFieldsTest {
  @TempDir
  static Path work;

  @Test
  void everyFieldOfEveryRequestSchemaIsModelledOrRefused() throws Exception {
    List<String> args = new ArrayList<>(new TreeSet<>(QdrantFields.SCHEMAS.keySet()));
    String out = MilvusLite.runPython(work, "qdrant_schema_fields.py", args.toArray(String[]::new));
    JsonNode spec = new ObjectMapper().readTree(out.lines().reduce((a, b) -> b).orElseThrow());
    List<String> problems = new ArrayList<>();
    for (RouteFields f : QdrantFields.SCHEMAS.values()) {
      JsonNode defined = spec.get(f.schema());
      if (defined == null || defined.isNull()) {
        problems.add(f.schema() + " is not a schema of the spec");
        continue;
      }
      Set<String> names = new TreeSet<>();
      defined.forEach(n -> names.add(n.asText()));
      assertFalse(names.isEmpty(), f.schema());
      for (String p : names) {
        if (!f.modelled().contains(p) && !f.refused().containsKey(p)) {
          problems.add(f.schema() + "." + p + " is in neither list");
        }
      }
      for (String m : f.modelled()) {
        if (!names.contains(m)) {
          problems.add(f.schema() + "." + m + " is modelled but the spec does not define it");
        }
      }
    }
    assertEquals(List.of(), problems);
  }
}
