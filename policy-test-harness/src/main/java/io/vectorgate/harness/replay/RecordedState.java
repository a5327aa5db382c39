package io.vectorgate.harness.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.milvus.grpc.CollectionSchema;
import io.milvus.grpc.CreateCollectionRequest;
import io.milvus.grpc.DescribeCollectionResponse;
import io.vectorgate.model.DatabaseKind;
import io.vectorgate.proxy.adapter.chroma.CollectionLookup;
import io.vectorgate.proxy.adapter.milvus.SchemaLookup;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a recording tells about the upstream's state, so the replay can resolve names the way the
 * gateway did without asking a database:
 *
 * <ul>
 *   <li>Milvus collection schemas, from recorded {@code DescribeCollection} responses (also under the
 *       collection's aliases and canonical name) and {@code CreateCollection} requests; the gateway
 *       expands {@code *} output fields and resolves aliases with them.
 *   <li>Chroma collection ids → names, from recorded responses that carry collection objects
 *       ({@code id} + {@code name}).
 * </ul>
 *
 * <p>The last schema seen for a name wins. A collection the recording never described has no schema:
 * its wildcards stay unexpanded and its aliases unresolved (the "offline" behaviour, reported as drift
 * when the gateway had expanded them).
 */
public final class RecordedState {
  private static final Logger LOG = LoggerFactory.getLogger(RecordedState.class);

  private final Map<String, CollectionSchema> milvusSchemas = new ConcurrentHashMap<>();
  private final Map<String, String> chromaNames = new ConcurrentHashMap<>();

  private static String key(String... parts) {
    return String.join("\u0000", parts);
  }

  /** Learns from one recorded request (in seq order). */
  void learn(RecordedRequest r) {
    if (r.connection().kind() == DatabaseKind.MILVUS) {
      learnMilvus(r);
    } else if (r.connection().kind() == DatabaseKind.CHROMA && r.response() != null) {
      learnChroma(r);
    }
  }

  /** A recorded payload without its vector placeholders; a payload that is all placeholder reads as JSON null. */
  private static JsonNode jsonOf(JsonNode payload) {
    JsonNode n = Payloads.forReading(payload).node();
    return n == null ? com.fasterxml.jackson.databind.node.NullNode.instance : n;
  }

  private void learnMilvus(RecordedRequest r) {
    String rpc = r.rpcName();
    String db = r.operation() == null || r.operation().resource().database() == null
        ? "default" : r.operation().resource().database();
    try {
      if ("DescribeCollection".equals(rpc) && r.response() != null && r.request() != null) {
        DescribeCollectionResponse b = ProtoJson.parse(jsonOf(r.response()), DescribeCollectionResponse.getDefaultInstance(),
            true);
        CollectionSchema s = b.getSchema();
        if (!s.getName().isEmpty()) {
          String requested = r.request().path("collectionName").asText(r.request().path("collection_name").asText(""));
          putSchema(db, s.getName(), s);
          if (!requested.isEmpty()) {
            putSchema(db, requested, s);
          }
          for (String alias : b.getAliasesList()) {
            putSchema(db, alias, s);
          }
        }
      } else if ("CreateCollection".equals(rpc) && r.request() != null) {
        CreateCollectionRequest b = ProtoJson.parse(jsonOf(r.request()), CreateCollectionRequest.getDefaultInstance(), true);
        ByteString bytes = b.getSchema();
        if (!bytes.isEmpty()) {
          CollectionSchema s = CollectionSchema.parseFrom(bytes);
          putSchema(db, b.getCollectionName(), s.getName().isEmpty() ? s.toBuilder().setName(b.getCollectionName()).build() : s);
        }
      }
    } catch (InvalidProtocolBufferException e) {
      // A payload the adapter itself will refuse on replay; the schema is simply not learned.
      LOG.warn("event=schema_not_learned record={} rpc={} error={}", r.id(), rpc, e.getMessage());
    }
  }

  private void putSchema(String db, String collection, CollectionSchema s) {
    milvusSchemas.put(key(db, collection), s);
  }

  private void learnChroma(RecordedRequest r) {
    String path = HttpRequests.pathOf(r);
    if (path == null) {
      return;
    }
    List<String> seg = HttpRequests.segments(path);
    int t = seg.indexOf("tenants");
    int d = seg.indexOf("databases");
    if (t < 0 || d < 0 || t + 1 >= seg.size() || d + 1 >= seg.size() || !seg.contains("collections")) {
      return;
    }
    String tenant = seg.get(t + 1);
    String database = seg.get(d + 1);
    JsonNode body = r.response();
    if (body.isArray()) {
      body.forEach(n -> learnCollection(tenant, database, n));
    } else {
      learnCollection(tenant, database, body);
    }
  }

  private void learnCollection(String tenant, String database, JsonNode n) {
    if (n.path("id").isTextual() && n.path("name").isTextual()) {
      chromaNames.put(key(tenant, database, n.get("id").textValue()), n.get("name").textValue());
    }
  }

  /** Adds a schema (tests, or a schema file supplied offline). */
  public void addMilvusSchema(String database, String collection, CollectionSchema schema) {
    putSchema(database, collection, schema);
  }

  /** The Milvus schema source the replay's adapter reads. */
  public SchemaLookup milvusSchemas() {
    return (db, collection) -> Optional.ofNullable(milvusSchemas.get(key(db, collection)));
  }

  /** The Chroma id → name source the replay's adapter reads. */
  public CollectionLookup chromaNames() {
    return (tenant, database, id) -> Optional.ofNullable(chromaNames.get(key(tenant, database, id)));
  }

  /** Whether the recording described {@code collection} (by any of its names) in {@code database}. */
  public boolean hasMilvusSchema(String database, String collection) {
    return milvusSchemas.containsKey(key(database == null ? "default" : database, collection));
  }

  public int milvusSchemaCount() {
    return milvusSchemas.size();
  }

  public int chromaNameCount() {
    return chromaNames.size();
  }
}
