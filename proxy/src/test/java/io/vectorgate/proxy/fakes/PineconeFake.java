package io.vectorgate.proxy.fakes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Stands in for one Pinecone index's data-plane host (Pinecone cannot run here): the vector
 * routes of the 2026-07 data-plane OpenAPI spec ({@code /query}, {@code /vectors/upsert|fetch|
 * delete|update|list}, {@code /describe_index_stats}) with the spec's response shapes and
 * {@code rpcStatus} errors, over in-memory namespaces. Metadata filters are evaluated with the
 * documented operators ($eq $ne $gt $gte $lt $lte $in $nin $exists $and $or). The API key it
 * expects is the gateway's credential.
 */
public final class PineconeFake extends FakeUpstream {
  private final String apiKey;
  /** namespace → id → record {id, values, metadata}. */
  private final Map<String, TreeMap<String, ObjectNode>> namespaces = new ConcurrentHashMap<>();

  public PineconeFake(String apiKey) throws IOException {
    this.apiKey = apiKey;
  }

  public void put(String namespace, String id, double[] values, Map<String, Object> metadata) {
    ObjectNode r = JSON.createObjectNode();
    r.put("id", id);
    ArrayNode v = r.putArray("values");
    for (double d : values) {
      v.add(d);
    }
    r.set("metadata", JSON.valueToTree(metadata));
    namespaces.computeIfAbsent(namespace, k -> new TreeMap<>()).put(id, r);
  }

  public synchronized List<ObjectNode> records(String namespace) {
    return List.copyOf(namespaces.getOrDefault(namespace, new TreeMap<>()).values());
  }

  @Override
  protected synchronized Reply handle(Recorded r) {
    if (!apiKey.equals(r.headers().get("api-key"))) {
      return new Reply(401, JSON.getNodeFactory().textNode("Unauthorized"));
    }
    JsonNode b = r.body() == null ? JSON.createObjectNode() : r.body();
    return switch (r.method() + " " + r.path()) {
      case "POST /query" -> query(b);
      case "POST /vectors/upsert" -> upsert(b);
      case "GET /vectors/fetch" -> fetch(r);
      case "POST /vectors/delete" -> delete(b);
      case "POST /vectors/update" -> update(b);
      case "GET /vectors/list" -> list(r);
      case "POST /describe_index_stats" -> stats(b);
      default -> error(404, 5, "Not Found: " + r.method() + " " + r.path());
    };
  }

  private TreeMap<String, ObjectNode> ns(String name) {
    return namespaces.computeIfAbsent(name == null ? "" : name, k -> new TreeMap<>());
  }

  private Reply query(JsonNode b) {
    String name = b.path("namespace").asText("");
    JsonNode vector = b.get("vector");
    JsonNode filter = b.get("filter");
    List<ObjectNode> hits = new ArrayList<>(ns(name).values().stream()
        .filter(x -> filter == null || filter.isNull() || matches(filter, x.get("metadata"))).toList());
    hits.sort(Comparator.comparingDouble((ObjectNode x) -> -dot(x.get("values"), vector)).thenComparing(x -> x.get("id").asText()));
    ArrayNode matches = JSON.createArrayNode();
    for (ObjectNode h : hits.subList(0, (int) Math.min(hits.size(), b.path("topK").asLong(10)))) {
      ObjectNode m = matches.addObject();
      m.set("id", h.get("id"));
      m.put("score", dot(h.get("values"), vector));
      m.set("values", b.path("includeValues").asBoolean(false) ? h.get("values") : JSON.createArrayNode());
      if (b.path("includeMetadata").asBoolean(false)) {
        m.set("metadata", h.get("metadata"));
      }
    }
    ObjectNode out = JSON.createObjectNode();
    out.set("matches", matches);
    out.put("namespace", name);
    out.putObject("usage").put("readUnits", 1);
    return new Reply(200, out);
  }

  private Reply upsert(JsonNode b) {
    TreeMap<String, ObjectNode> n = ns(b.path("namespace").asText(""));
    for (JsonNode v : b.path("vectors")) {
      ObjectNode rec = v.deepCopy();
      if (!rec.has("metadata")) {
        rec.putObject("metadata");
      }
      n.put(v.get("id").asText(), rec);
    }
    return new Reply(200, JSON.createObjectNode().put("upsertedCount", b.path("vectors").size()));
  }

  private Reply fetch(Recorded r) {
    String name = first(r, "namespace");
    ObjectNode out = JSON.createObjectNode();
    ObjectNode vectors = out.putObject("vectors");
    for (String id : r.query().getOrDefault("ids", List.of())) {
      ObjectNode rec = ns(name).get(id);
      if (rec != null) {
        vectors.set(id, rec.deepCopy());
      }
    }
    out.put("namespace", name == null ? "" : name);
    out.putObject("usage").put("readUnits", 1);
    return new Reply(200, out);
  }

  private Reply delete(JsonNode b) {
    TreeMap<String, ObjectNode> n = ns(b.path("namespace").asText(""));
    if (b.path("deleteAll").asBoolean(false)) {
      n.clear();
    } else if (b.has("ids")) {
      b.get("ids").forEach(id -> n.remove(id.asText()));
    } else if (b.has("filter")) {
      n.values().removeIf(x -> matches(b.get("filter"), x.get("metadata")));
    } else {
      return error(400, 3, "Invalid request: one of ids, deleteAll or filter is required");
    }
    return new Reply(200, JSON.createObjectNode());
  }

  /**
   * Update by {@code id} (values replace, {@code setMetadata} fields are added or overwritten; a
   * missing id changes nothing and still answers 200, as the spec says) or by {@code filter}
   * (metadata only); {@code dryRun} only counts. Answers {@code {"matchedRecords": n}}.
   */
  private Reply update(JsonNode b) {
    TreeMap<String, ObjectNode> n = ns(b.path("namespace").asText(""));
    boolean byId = b.hasNonNull("id");
    if (byId == b.hasNonNull("filter")) {
      return error(400, 3, "Invalid request: exactly one of id or filter is required");
    }
    if (!byId && (b.has("values") || b.has("sparseValues"))) {
      return error(400, 3, "Invalid request: an update by filter cannot change vector values");
    }
    List<ObjectNode> hits = byId
        ? (n.containsKey(b.get("id").asText()) ? List.of(n.get(b.get("id").asText())) : List.of())
        : n.values().stream().filter(x -> matches(b.get("filter"), x.get("metadata"))).toList();
    if (!b.path("dryRun").asBoolean(false)) {
      for (ObjectNode rec : hits) {
        if (b.has("values")) {
          rec.set("values", b.get("values").deepCopy());
        }
        if (b.has("sparseValues")) {
          rec.set("sparseValues", b.get("sparseValues").deepCopy());
        }
        if (b.get("setMetadata") instanceof ObjectNode set) {
          if (!(rec.get("metadata") instanceof ObjectNode)) {
            rec.putObject("metadata");
          }
          ((ObjectNode) rec.get("metadata")).setAll(set.deepCopy());
        }
      }
    }
    return new Reply(200, JSON.createObjectNode().put("matchedRecords", hits.size()));
  }

  private Reply list(Recorded r) {
    String name = first(r, "namespace");
    String prefix = first(r, "prefix");
    long limit = first(r, "limit") == null ? 100 : Long.parseLong(first(r, "limit"));
    ObjectNode out = JSON.createObjectNode();
    ArrayNode ids = out.putArray("vectors");
    for (String id : ns(name).keySet()) {
      if ((prefix == null || id.startsWith(prefix)) && ids.size() < limit) {
        ids.addObject().put("id", id);
      }
    }
    out.put("namespace", name == null ? "" : name);
    out.putObject("usage").put("readUnits", 1);
    return new Reply(200, out);
  }

  private Reply stats(JsonNode b) {
    JsonNode filter = b.get("filter");
    ObjectNode out = JSON.createObjectNode();
    ObjectNode nss = out.putObject("namespaces");
    long total = 0;
    for (Map.Entry<String, TreeMap<String, ObjectNode>> e : new TreeMap<>(namespaces).entrySet()) {
      long n = e.getValue().values().stream()
          .filter(x -> filter == null || filter.isNull() || matches(filter, x.get("metadata"))).count();
      nss.putObject(e.getKey()).put("vectorCount", n);
      total += n;
    }
    out.put("dimension", 4);
    out.put("indexFullness", 0.0);
    out.put("totalVectorCount", total);
    out.put("metric", "dotproduct");
    out.put("vectorType", "dense");
    return new Reply(200, out);
  }

  private static String first(Recorded r, String name) {
    List<String> v = r.query().get(name);
    return v == null || v.isEmpty() ? null : v.get(0);
  }

  // --- metadata filter semantics ------------------------------------------------------------

  static boolean matches(JsonNode f, JsonNode metadata) {
    for (Iterator<Map.Entry<String, JsonNode>> it = f.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      boolean ok;
      if (e.getKey().equals("$and")) {
        ok = true;
        for (JsonNode x : e.getValue()) {
          ok &= matches(x, metadata);
        }
      } else if (e.getKey().equals("$or")) {
        ok = false;
        for (JsonNode x : e.getValue()) {
          ok |= matches(x, metadata);
        }
      } else {
        ok = field(values(metadata == null ? null : metadata.get(e.getKey())), e.getValue());
      }
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private static boolean field(List<JsonNode> vs, JsonNode cond) {
    if (!cond.isObject()) {
      return vs.stream().anyMatch(v -> same(v, cond));
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = cond.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> op = it.next();
      JsonNode a = op.getValue();
      boolean ok = switch (op.getKey()) {
        case "$eq" -> vs.stream().anyMatch(v -> same(v, a));
        case "$ne" -> vs.stream().noneMatch(v -> same(v, a));
        case "$in" -> vs.stream().anyMatch(v -> contains(a, v));
        case "$nin" -> vs.stream().noneMatch(v -> contains(a, v));
        case "$exists" -> a.asBoolean() == !vs.isEmpty();
        case "$gt" -> vs.stream().anyMatch(v -> v.isNumber() && v.asDouble() > a.asDouble());
        case "$gte" -> vs.stream().anyMatch(v -> v.isNumber() && v.asDouble() >= a.asDouble());
        case "$lt" -> vs.stream().anyMatch(v -> v.isNumber() && v.asDouble() < a.asDouble());
        case "$lte" -> vs.stream().anyMatch(v -> v.isNumber() && v.asDouble() <= a.asDouble());
        default -> throw new IllegalArgumentException("unknown operator " + op.getKey());
      };
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private static Reply error(int status, int code, String message) {
    ObjectNode out = JSON.createObjectNode();
    out.put("code", code);
    out.put("message", message);
    out.putArray("details");
    return new Reply(status, out);
  }
}
