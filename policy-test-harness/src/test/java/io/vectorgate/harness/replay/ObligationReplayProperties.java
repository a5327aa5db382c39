package io.vectorgate.harness.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorgate.model.Obligations;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Hostile recordings: a recorded response mutated at random (any subtree replaced by another JSON
 * value) never aborts the replay. {@link InputRebuilder#enforce} either rewrites it or says per record
 * why it could not, and the request side (what the gateway would forward) does not depend on the
 * response at all.
 */
class ObligationReplayProperties {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<Object[]> CASES = load();
  private static final InputRebuilder REBUILDER =
      new InputRebuilder(ObligationReplayTest.corpusState(), ObligationReplayTest.CORPUS_MASKER);

  private static List<Object[]> load() {
    List<Object[]> out = new ArrayList<>();
    try {
      for (String kind : List.of("milvus", "chroma", "qdrant", "pinecone")) {
        JsonNode cases = JSON.readTree(Files.readAllBytes(
            io.vectorgate.harness.GatewaySim.ROOT.resolve("proxy/src/test/resources/obligation-corpus/" + kind + ".json")));
        for (JsonNode c : cases) {
          if (!c.has("expect_error") && c.has("upstream_response")) {
            out.add(new Object[] {kind, c});
          }
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the obligation corpus", e);
    }
    return out;
  }

  @Property(tries = 300)
  void aMutatedRecordedResponseIsRewrittenOrReportedNeverThrown(@ForAll @IntRange(min = 0, max = 1000) int pick,
      @ForAll long seed) throws IOException {
    Object[] picked = CASES.get(pick % CASES.size());
    String kind = (String) picked[0];
    JsonNode c = (JsonNode) picked[1];
    Obligations ob = c.has("obligations") ? JSON.treeToValue(c.get("obligations"), Obligations.class) : Obligations.NONE;
    ObjectNode upstream = c.get("upstream_response").deepCopy();
    upstream.set("body", mutate(upstream.get("body"), new Random(seed)));
    RecordedRequest original = ObligationReplayTest.record("rec-p", kind, c.get("request"), c.get("upstream_response"));
    RecordedRequest hostile = ObligationReplayTest.record("rec-p", kind, c.get("request"), upstream);
    Enforced clean = REBUILDER.enforce(REBUILDER.rebuild(original), ob);
    Enforced e = REBUILDER.enforce(REBUILDER.rebuild(hostile), ob);
    assertTrue(e.applied(), "request side refused: " + e.refused());
    assertEquals(clean.forwarded(), e.forwarded(), "the request side must not depend on the response");
    assertTrue((e.client() == null) != (e.responseNotReplayed() == null),
        "exactly one of a rewritten response or a reason: " + e);
    if (e.responseNotReplayed() != null) {
      assertEquals("rec-p", e.responseNotReplayed().recordId());
      assertNotNull(e.responseNotReplayed().code());
    }
  }

  /** Replaces one random subtree (possibly the root) with a random JSON value. */
  static JsonNode mutate(JsonNode root, Random rnd) {
    JsonNode copy = root == null ? JsonNodeFactory.instance.nullNode() : root.deepCopy();
    List<JsonNode> containers = new ArrayList<>();
    collect(copy, containers);
    if (containers.isEmpty() || rnd.nextInt(10) == 0) {
      return value(rnd, 2);
    }
    JsonNode target = containers.get(rnd.nextInt(containers.size()));
    if (target instanceof ObjectNode o && o.size() > 0) {
      List<String> names = new ArrayList<>();
      o.fieldNames().forEachRemaining(names::add);
      o.set(names.get(rnd.nextInt(names.size())), value(rnd, 2));
    } else if (target instanceof ArrayNode a && a.size() > 0) {
      a.set(rnd.nextInt(a.size()), value(rnd, 2));
    }
    return copy;
  }

  private static void collect(JsonNode n, List<JsonNode> out) {
    if (n.isContainerNode() && n.size() > 0) {
      out.add(n);
      n.forEach(child -> collect(child, out));
    }
  }

  private static JsonNode value(Random rnd, int depth) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    return switch (depth <= 0 ? rnd.nextInt(5) : rnd.nextInt(7)) {
      case 0 -> f.nullNode();
      case 1 -> f.textNode(rnd.nextBoolean() ? "" : "x\u0000\"" + rnd.nextInt());
      case 2 -> f.numberNode(rnd.nextBoolean() ? rnd.nextLong() : rnd.nextDouble() * 1e300);
      case 3 -> f.booleanNode(rnd.nextBoolean());
      case 4 -> f.numberNode(-1);
      case 5 -> {
        ArrayNode a = f.arrayNode();
        for (int i = rnd.nextInt(4); i > 0; i--) {
          a.add(value(rnd, depth - 1));
        }
        yield a;
      }
      default -> {
        ObjectNode o = f.objectNode();
        for (int i = rnd.nextInt(4); i > 0; i--) {
          o.set(List.of("ids", "metadatas", "embeddings", "result", "matches", "points", "fields_data", "k")
              .get(rnd.nextInt(8)), value(rnd, depth - 1));
        }
        yield o;
      }
    };
  }
}
