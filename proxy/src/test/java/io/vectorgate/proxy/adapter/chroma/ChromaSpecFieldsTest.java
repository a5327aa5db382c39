package io.vectorgate.proxy.adapter.chroma;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vectorgate.proxy.adapter.AdapterException;
import io.vectorgate.proxy.adapter.http.RouteFields;
import io.vectorgate.proxy.e2e.ChromaServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Closed world against the real spec: reads the OpenAPI document of the real Chroma server
 * ({@code GET /openapi.json}) and fails when a field of a request body schema is in neither of
 * {@link ChromaFields}' lists (modelled / refused), when a list names a field the spec does not
 * define, or when a route the adapter accepts takes a body schema that has no list.
 */
class ChromaSpecFieldsTest {
  @TempDir
  static Path work;

  @Test
  void everyFieldOfEveryRouteBodyIsModelledOrRefused() throws Exception {
    JsonNode spec;
    try (ChromaServer chroma = ChromaServer.start(work)) {
      HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://" + chroma.address() + "/openapi.json")).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), r.body());
      spec = new ObjectMapper().readTree(r.body());
    }
    JsonNode schemas = spec.get("components").get("schemas");
    List<String> problems = new ArrayList<>();
    for (RouteFields f : ChromaFields.SCHEMAS.values()) {
      assertTrue(schemas.has(f.schema()), "the spec has no schema " + f.schema());
      Set<String> defined = properties(schemas, schemas.get(f.schema()), 0);
      for (String p : defined) {
        if (!f.modelled().contains(p) && !f.refused().containsKey(p)) {
          problems.add(f.schema() + "." + p + " is in neither list");
        }
      }
      for (String m : f.modelled()) {
        if (!defined.contains(m)) {
          problems.add(f.schema() + "." + m + " is modelled but the spec does not define it");
        }
      }
    }
    // every route the adapter accepts: its body schema has a list
    int routed = 0;
    for (var path : spec.get("paths").properties()) {
      for (var op : path.getValue().properties()) {
        JsonNode ref = op.getValue().at("/requestBody/content/application~1json/schema/$ref");
        if (ref.isMissingNode()) {
          continue;
        }
        List<String> segs = Arrays.stream(path.getKey().substring(1).split("/"))
            .map(s -> s.startsWith("{") ? (s.contains("collection_id") ? "a7df534d-1983-41a1-9e0d-79c59d3eae86" : "x1")
                : s).toList();
        try {
          ChromaRoute.match(op.getKey().toUpperCase(java.util.Locale.ROOT), segs);
        } catch (AdapterException e) {
          continue; // a route the gateway refuses (unknown_route) sends nothing upstream
        }
        routed++;
        String name = ref.asText().substring(ref.asText().lastIndexOf('/') + 1);
        if (!ChromaFields.SCHEMAS.containsKey(name)) {
          problems.add(op.getKey() + " " + path.getKey() + " takes " + name + ", which has no field list");
        }
      }
    }
    assertTrue(routed >= 10, "only " + routed + " routed body routes in the spec");
    assertEquals(List.of(), problems);
  }

  /** A schema's properties through $ref, allOf, oneOf and anyOf (the union: every field a body may carry). */
  static Set<String> properties(JsonNode schemas, JsonNode s, int depth) {
    Set<String> out = new TreeSet<>();
    if (s == null || depth > 8) {
      return out;
    }
    if (s.has("$ref")) {
      String ref = s.get("$ref").asText();
      return properties(schemas, schemas.get(ref.substring(ref.lastIndexOf('/') + 1)), depth + 1);
    }
    s.path("properties").fieldNames().forEachRemaining(out::add);
    for (String k : List.of("allOf", "oneOf", "anyOf")) {
      for (JsonNode part : s.path(k)) {
        if (!part.has("type") || part.path("type").asText().equals("object") || part.has("$ref") || part.has("properties")) {
          out.addAll(properties(schemas, part, depth + 1));
        }
      }
    }
    return out;
  }
}
