package io.vectorgate.harness.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The recorder's vector placeholders become zero vectors of the recorded shape, or disappear. */
class PayloadsTest {
  static final ObjectMapper M = new ObjectMapper();

  @Test
  void restoresShapesTheMarkerDescribes() throws Exception {
    JsonNode in = M.readTree("""
        {"query_embeddings": {"vectorgate_stripped": "field", "count": 2},
         "embedding": {"vectorgate_stripped": "field", "count": 3},
         "data": [{"vectorgate_stripped": "vector", "dim": 4}],
         "many": {"vectorgate_stripped": "vectors", "count": 2, "dim": 2},
         "fieldsData": [{"fieldName": "v", "vectors": {"vectorgate_stripped": "field"}}],
         "keep": [1, 2]}""");
    Payloads.Cleaned c = Payloads.withoutStrippedVectors(in);
    assertEquals(M.readTree("""
        {"query_embeddings": [[0.0], [0.0]], "embedding": [0.0, 0.0, 0.0], "data": [[0.0, 0.0, 0.0, 0.0]],
         "many": [[0.0, 0.0], [0.0, 0.0]], "fieldsData": [{"fieldName": "v"}], "keep": [1, 2]}"""), c.node());
    assertEquals(List.of("$.query_embeddings", "$.embedding", "$.data[0]", "$.many", "$.fieldsData[0].vectors"),
        c.strippedPaths());
    assertEquals("field", in.path("embedding").path("vectorgate_stripped").asText(), "input unchanged");
  }

  @Test
  void refusesToSynthesizeHugeShapes() throws Exception {
    JsonNode in = M.readTree("{\"v\": {\"vectorgate_stripped\": \"vectors\", \"count\": 100000, \"dim\": 100000}}");
    assertEquals(M.readTree("{}"), Payloads.withoutStrippedVectors(in).node());
  }

  @Test
  void forReadingCopiesOnlyWhenAMarkerHasToBeReplaced() throws Exception {
    JsonNode plain = M.readTree("{\"a\": [1, {\"b\": \"x\"}], \"c\": {\"d\": null}}");
    Payloads.Cleaned same = Payloads.forReading(plain);
    assertSame(plain, same.node());
    assertEquals(List.of(), same.strippedPaths());
    JsonNode marked = M.readTree("{\"a\": [1, {\"v\": {\"vectorgate_stripped\": \"vector\", \"dim\": 2}}]}");
    Payloads.Cleaned cleaned = Payloads.forReading(marked);
    assertEquals(Payloads.withoutStrippedVectors(marked), cleaned);
    assertNotSame(marked, cleaned.node());
    assertEquals(List.of("$.a[1].v"), cleaned.strippedPaths());
    assertEquals("vector", marked.at("/a/1/v/vectorgate_stripped").asText(), "input unchanged");
    JsonNode whole = M.readTree("{\"vectorgate_stripped\": \"field\"}");
    assertEquals(Payloads.withoutStrippedVectors(whole), Payloads.forReading(whole));
    assertNull(Payloads.forReading(null).node());
  }
}
