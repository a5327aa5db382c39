package io.vectorgate.proxy.fakes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Stands in for a Qdrant server (none can run here): the REST routes qdrant-client uses for
 * points, answered as the Qdrant 1.19 OpenAPI spec describes them ({@code {result, status, time}}
 * envelopes; ScoredPoint / Record shapes; {@code ErrorResponse} for errors) over in-memory
 * collections. Filters are evaluated with Qdrant's semantics for the conditions the gateway and
 * the tests use (match value / any / except, has_id, is_empty, nested filters; must, should,
 * must_not, min_should), and creating, deleting and checking a collection (the quick-start's
 * steps). The API key it expects is the gateway's credential.
 */
public final class QdrantFake extends FakeUpstream {
  private final String apiKey;
  /** collection → id → point {id, vector, payload}. */
  private final Map<String, TreeMap<Long, ObjectNode>> collections = new ConcurrentHashMap<>();

  public QdrantFake(String apiKey) throws IOException {
    this.apiKey = apiKey;
  }

  /** Adds (or replaces) a point. */
  public void put(String collection, long id, double[] vector, Map<String, Object> payload) {
    ObjectNode p = JSON.createObjectNode();
    p.put("id", id);
    ArrayNode v = p.putArray("vector");
    for (double d : vector) {
      v.add(d);
    }
    p.set("payload", JSON.valueToTree(payload));
    collections.computeIfAbsent(collection, k -> new TreeMap<>()).put(id, p);
  }

  public synchronized List<ObjectNode> points(String collection) {
    return List.copyOf(collections.getOrDefault(collection, new TreeMap<>()).values());
  }

  @Override
  protected synchronized Reply handle(Recorded r) {
    if (!apiKey.equals(r.headers().get("api-key"))) {
      return error(401, "Unauthorized: must provide an API key or an Authorization bearer token");
    }
    String[] s = r.path().substring(1).split("/");
    if (s.length == 1 && s[0].equals("collections") && r.method().equals("GET")) {
      ObjectNode result = JSON.createObjectNode();
      ArrayNode list = result.putArray("collections");
      collections.keySet().stream().sorted().forEach(n -> list.addObject().put("name", n));
      return ok(result);
    }
    if (s.length == 2 && s[0].equals("collections")) {
      return collection(r.method(), s[1]);
    }
    if (s.length == 3 && s[0].equals("collections") && s[2].equals("exists") && r.method().equals("GET")) {
      return ok(JSON.createObjectNode().put("exists", collections.containsKey(s[1]))); // CollectionExistence
    }
    if (s.length < 3 || !s[0].equals("collections")) {
      return error(404, "Not found: " + r.path());
    }
    String c = s[1];
    TreeMap<Long, ObjectNode> points = collections.get(c);
    if (points == null) {
      return error(404, "Not found: Collection `" + c + "` doesn't exist!");
    }
    String rest = String.join("/", java.util.Arrays.copyOfRange(s, 2, s.length));
    JsonNode b = r.body() == null ? JSON.createObjectNode() : r.body();
    return switch (r.method() + " " + rest) {
      case "POST points/query" -> query(points, b);
      case "POST points/query/groups" -> groups(points, b);
      case "POST points/scroll" -> scroll(points, b);
      case "POST points/count" -> ok(JSON.createObjectNode().put("count", select(points, b.get("filter")).size()));
      case "POST points" -> retrieve(points, b);
      case "PUT points" -> upsert(points, b);
      case "POST points/delete" -> delete(points, b);
      default -> error(404, "Not found: " + r.method() + " " + r.path());
    };
  }

  /** PUT (create), DELETE (delete) and GET (info) of one collection, as the Qdrant OpenAPI spec answers them. */
  private Reply collection(String method, String c) {
    return switch (method) {
      case "PUT" -> collections.putIfAbsent(c, new TreeMap<>()) == null ? ok(com.fasterxml.jackson.databind.node.BooleanNode.valueOf(true))
          : error(409, "Wrong input: Collection `" + c + "` already exists!");
      case "DELETE" -> ok(com.fasterxml.jackson.databind.node.BooleanNode.valueOf(collections.remove(c) != null));
      case "GET" -> collections.containsKey(c)
          ? ok(JSON.createObjectNode().put("status", "green").put("points_count", collections.get(c).size()))
          : error(404, "Not found: Collection `" + c + "` doesn't exist!");
      default -> error(404, "Not found: " + method + " /collections/" + c);
    };
  }

  private Reply query(TreeMap<Long, ObjectNode> points, JsonNode b) {
    JsonNode q = b.get("query");
    if (q != null && q.isObject() && q.has("nearest")) {
      q = q.get("nearest"); // NearestQuery; a bare vector is the short form of the same query
    }
    JsonNode vector = q;
    List<ObjectNode> hits = new ArrayList<>(select(points, b.get("filter")));
    List<double[]> scored = new ArrayList<>();
    for (int i = 0; i < hits.size(); i++) {
      double score = vector != null && vector.isArray() ? dot(hits.get(i).get("vector"), vector) : 0;
      scored.add(new double[] {score, i});
    }
    scored.sort(Comparator.comparingDouble((double[] x) -> -x[0]).thenComparingDouble(x -> hits.get((int) x[1]).get("id").asLong()));
    long limit = b.path("limit").asLong(10);
    long offset = b.path("offset").asLong(0);
    ArrayNode out = JSON.createArrayNode();
    for (int i = (int) offset; i < scored.size() && out.size() < limit; i++) {
      ObjectNode p = hits.get((int) scored.get(i)[1]);
      ObjectNode sp = JSON.createObjectNode();
      sp.set("id", p.get("id"));
      sp.put("version", 0);
      sp.put("score", scored.get(i)[0]);
      shape(sp, p, b.get("with_payload"), false, b.get("with_vector"));
      out.add(sp);
    }
    ObjectNode result = JSON.createObjectNode();
    result.set("points", out);
    return ok(result);
  }

  /**
   * {@code POST /collections/{c}/points/query/groups} (QueryGroupsRequest → GroupsResult): the
   * query's hits grouped by the payload value of {@code group_by}, at most {@code limit} groups
   * (default 10) of at most {@code group_size} hits (default 3), best group first.
   */
  private Reply groups(TreeMap<Long, ObjectNode> points, JsonNode b) {
    ObjectNode all = ((ObjectNode) b).deepCopy();
    all.put("limit", Integer.MAX_VALUE);
    all.remove("group_by");
    all.remove("group_size");
    JsonNode hits = query(points, all).body().get("result").get("points");
    String key = b.get("group_by").asText();
    long limit = b.path("limit").asLong(10);
    long size = b.path("group_size").asLong(3);
    java.util.LinkedHashMap<String, ArrayNode> byValue = new java.util.LinkedHashMap<>();
    java.util.Map<String, JsonNode> ids = new java.util.HashMap<>();
    for (JsonNode h : hits) {
      JsonNode v = points.get(h.get("id").asLong()).get("payload").get(key);
      if (v == null || !(v.isTextual() || v.isIntegralNumber())) {
        continue;
      }
      String k = v.toString();
      if (!byValue.containsKey(k) && byValue.size() == limit) {
        continue;
      }
      ArrayNode g = byValue.computeIfAbsent(k, x -> JSON.createArrayNode());
      ids.put(k, v);
      if (g.size() < size) {
        g.add(h);
      }
    }
    ArrayNode groups = JSON.createArrayNode();
    byValue.forEach((k, g) -> groups.addObject().<ObjectNode>set("id", ids.get(k)).set("hits", g));
    ObjectNode result = JSON.createObjectNode();
    result.set("groups", groups);
    return ok(result);
  }

  private Reply scroll(TreeMap<Long, ObjectNode> points, JsonNode b) {
    List<ObjectNode> hits = select(points, b.get("filter"));
    long limit = b.path("limit").asLong(10);
    long from = b.path("offset").asLong(Long.MIN_VALUE);
    ArrayNode out = JSON.createArrayNode();
    JsonNode next = JSON.nullNode();
    for (ObjectNode p : hits) {
      if (p.get("id").asLong() < from) {
        continue;
      }
      if (out.size() == limit) {
        next = p.get("id");
        break;
      }
      out.add(record(p, b));
    }
    ObjectNode result = JSON.createObjectNode();
    result.set("points", out);
    result.set("next_page_offset", next);
    return ok(result);
  }

  private Reply retrieve(TreeMap<Long, ObjectNode> points, JsonNode b) {
    ArrayNode out = JSON.createArrayNode();
    for (JsonNode id : b.path("ids")) {
      ObjectNode p = points.get(id.asLong());
      if (p != null) {
        out.add(record(p, b));
      }
    }
    return ok(out);
  }

  private ObjectNode record(ObjectNode p, JsonNode b) {
    ObjectNode rec = JSON.createObjectNode();
    rec.set("id", p.get("id"));
    shape(rec, p, b.get("with_payload"), true, b.get("with_vector"));
    return rec;
  }

  private static void shape(ObjectNode out, ObjectNode p, JsonNode withPayload, boolean payloadDefault, JsonNode withVector) {
    boolean payload = withPayload == null || withPayload.isNull() ? payloadDefault
        : !withPayload.isBoolean() || withPayload.booleanValue();
    if (payload) {
      ObjectNode pl = p.get("payload").deepCopy();
      if (withPayload != null && withPayload.isArray()) {
        Set<String> keep = new HashSet<>();
        withPayload.forEach(k -> keep.add(k.asText()));
        pl.retain(keep);
      } else if (withPayload != null && withPayload.has("include")) {
        Set<String> keep = new HashSet<>();
        withPayload.get("include").forEach(k -> keep.add(k.asText()));
        pl.retain(keep);
      } else if (withPayload != null && withPayload.has("exclude")) {
        withPayload.get("exclude").forEach(k -> pl.remove(k.asText()));
      }
      out.set("payload", pl);
    } else {
      out.putNull("payload");
    }
    if (withVector != null && withVector.isBoolean() && withVector.booleanValue()) {
      out.set("vector", p.get("vector"));
    } else {
      out.putNull("vector");
    }
  }

  private Reply upsert(TreeMap<Long, ObjectNode> points, JsonNode b) {
    JsonNode updateFilter = b.get("update_filter");
    for (JsonNode in : b.path("points")) {
      long id = in.get("id").asLong();
      ObjectNode existing = points.get(id);
      if (existing != null && updateFilter != null && !updateFilter.isNull() && !matches(updateFilter, existing)) {
        continue; // "points that don't match keep their current state"
      }
      ObjectNode p = JSON.createObjectNode();
      p.put("id", id);
      p.set("vector", in.get("vector"));
      p.set("payload", in.has("payload") && !in.get("payload").isNull() ? in.get("payload") : JSON.createObjectNode());
      points.put(id, p);
    }
    return ok(JSON.createObjectNode().put("operation_id", 1).put("status", "completed"));
  }

  private Reply delete(TreeMap<Long, ObjectNode> points, JsonNode b) {
    if (b.has("points")) {
      b.get("points").forEach(id -> points.remove(id.asLong()));
    } else {
      select(points, b.get("filter")).forEach(p -> points.remove(p.get("id").asLong()));
    }
    return ok(JSON.createObjectNode().put("operation_id", 2).put("status", "completed"));
  }

  private static List<ObjectNode> select(TreeMap<Long, ObjectNode> points, JsonNode filter) {
    return points.values().stream().filter(p -> filter == null || filter.isNull() || matches(filter, p)).toList();
  }

  // --- Qdrant filter semantics --------------------------------------------------------------

  static boolean matches(JsonNode f, ObjectNode point) {
    for (JsonNode c : clause(f.get("must"))) {
      if (!condition(c, point)) {
        return false;
      }
    }
    List<JsonNode> should = clause(f.get("should"));
    if (!should.isEmpty() && should.stream().noneMatch(c -> condition(c, point))) {
      return false;
    }
    for (JsonNode c : clause(f.get("must_not"))) {
      if (condition(c, point)) {
        return false;
      }
    }
    JsonNode ms = f.get("min_should");
    if (ms != null && !ms.isNull()) {
      long n = clause(ms.get("conditions")).stream().filter(c -> condition(c, point)).count();
      return n >= ms.path("min_count").asLong();
    }
    return true;
  }

  private static List<JsonNode> clause(JsonNode c) {
    return c == null || c.isNull() ? List.of() : c.isArray() ? values(c) : List.of(c);
  }

  private static boolean condition(JsonNode c, ObjectNode point) {
    JsonNode payload = point.get("payload");
    if (c.has("key")) {
      List<JsonNode> vs = values(payload.get(c.get("key").asText()));
      JsonNode m = c.path("match");
      if (m.has("value")) {
        return vs.stream().anyMatch(v -> same(v, m.get("value")));
      }
      if (m.has("any")) {
        return vs.stream().anyMatch(v -> contains(m.get("any"), v));
      }
      if (m.has("except")) {
        return !vs.isEmpty() && vs.stream().noneMatch(v -> contains(m.get("except"), v));
      }
      throw new IllegalArgumentException("the fake does not evaluate " + c);
    }
    if (c.has("has_id")) {
      return contains(c.get("has_id"), point.get("id"));
    }
    if (c.has("is_empty")) {
      return values(payload.get(c.get("is_empty").get("key").asText())).isEmpty();
    }
    return matches(c, point);
  }

  private static Reply ok(JsonNode result) {
    ObjectNode env = JSON.createObjectNode();
    env.set("result", result);
    env.put("status", "ok");
    env.put("time", 0.0001);
    return new Reply(200, env);
  }

  private static Reply error(int status, String message) {
    ObjectNode env = JSON.createObjectNode();
    env.putObject("status").put("error", message);
    env.put("time", 0.0);
    return new Reply(status, env);
  }
}
