package io.vectorgate.proxy.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vectorgate.model.DatabaseKind;
import io.vectorgate.proxy.adapter.chroma.ChromaAdapter;
import io.vectorgate.proxy.adapter.chroma.CollectionLookup;
import io.vectorgate.proxy.adapter.chroma.CollectionNames;
import io.vectorgate.proxy.adapter.http.HttpApiAdapter;
import io.vectorgate.proxy.adapter.pinecone.PineconeAdapter;
import io.vectorgate.proxy.adapter.qdrant.QdrantAdapter;
import io.vectorgate.proxy.config.ConfigException;
import io.vectorgate.proxy.config.GatewayConfig.ConnectionConfig;
import io.vectorgate.proxy.enforce.JsonRowFilters;
import io.vectorgate.proxy.enforce.ValueMasker;
import java.io.IOException;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which {@link HttpApiAdapter} serves a connection kind: {@link #defaults()} has Chroma, Qdrant
 * and Pinecone, so the listener routes every configured kind to its adapter; a kind without one
 * fails at start-up.
 */
public final class HttpAdapters {
  private static final Logger LOG = LoggerFactory.getLogger(HttpAdapters.class);
  /** Capacity of Chroma's collection id → name map per connection. */
  public static final int CHROMA_NAME_CAPACITY = 100_000;

  /** Builds the adapter of one connection. */
  @FunctionalInterface
  public interface Factory {
    HttpApiAdapter create(ConnectionConfig connection, ValueMasker masker, HttpUpstream upstream, String credential);
  }

  private final Map<DatabaseKind, Factory> factories;

  private HttpAdapters(Map<DatabaseKind, Factory> factories) {
    this.factories = factories;
  }

  /** Chroma, Qdrant and Pinecone. */
  public static HttpAdapters defaults() {
    Map<DatabaseKind, Factory> f = new EnumMap<>(DatabaseKind.class);
    f.put(DatabaseKind.CHROMA, (c, masker, upstream, credential) -> new ChromaAdapter(masker,
        new CollectionNames(CHROMA_NAME_CAPACITY), chromaLookup(upstream, credential),
        upstreamReader(upstream, Map.of("x-chroma-token", credential)), c.preReadIdCap()));
    f.put(DatabaseKind.QDRANT, (c, masker, upstream, credential) -> new QdrantAdapter(masker));
    // a Pinecone connection is one index (its own host); the connection name is the index name
    f.put(DatabaseKind.PINECONE, (c, masker, upstream, credential) -> new PineconeAdapter(c.name(), masker,
        upstreamReader(upstream, Map.of("api-key", credential, "x-pinecone-api-version", PineconeAdapter.API_VERSION)),
        c.preReadIdCap()));
    return new HttpAdapters(f);
  }

  /** A copy with {@code kind} served by {@code factory}. */
  public HttpAdapters with(DatabaseKind kind, Factory factory) {
    Map<DatabaseKind, Factory> f = new EnumMap<>(DatabaseKind.class);
    f.putAll(factories);
    f.put(kind, factory);
    return new HttpAdapters(f);
  }

  public boolean serves(DatabaseKind kind) {
    return factories.containsKey(kind);
  }

  /** The adapter of {@code connection}; a kind this build has no adapter for is a configuration error. */
  public HttpApiAdapter create(ConnectionConfig connection, ValueMasker masker, HttpUpstream upstream, String credential) {
    DatabaseKind kind = kindOf(connection.kind());
    Factory f = factories.get(kind);
    if (f == null) {
      throw new ConfigException("connections." + connection.name() + ".kind", "this build has no HTTP adapter for `"
          + connection.kind() + "`");
    }
    return f.create(connection, masker, upstream, credential);
  }

  public static DatabaseKind kindOf(String kind) {
    return DatabaseKind.valueOf(kind.toUpperCase(java.util.Locale.ROOT));
  }


  /**
   * The adapters' pre-reads (rows a row-filtered write addresses by id) as requests to
   * {@code upstream} with the gateway's credential {@code headers}; transport failures and
   * unreadable bodies become {@link IOException}s, which the adapters turn into
   * {@code row_filter_unverifiable}.
   */
  public static JsonRowFilters.UpstreamReader upstreamReader(HttpUpstream upstream, Map<String, String> headers) {
    ObjectMapper json = new ObjectMapper();
    return (method, segments, query, body) -> {
      Map<String, String> h = new java.util.LinkedHashMap<>(headers);
      byte[] bytes = null;
      if (body != null) {
        bytes = json.writeValueAsBytes(body);
        h.put("content-type", "application/json");
      }
      try {
        HttpUpstream.Response r = upstream.send(method, RequestTarget.canonical(segments, query), h, bytes);
        return new JsonRowFilters.UpstreamReader.Reply(r.status(), r.body().length == 0 ? null : json.readTree(r.body()));
      } catch (HttpUpstream.UpstreamException e) {
        throw new IOException(e.getMessage(), e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while reading from upstream `" + upstream.name() + "`", e);
      }
    };
  }

  /** Resolves an unseen Chroma collection id with {@code GET .../collections/by-id/{id}} on the upstream. */
  static CollectionLookup chromaLookup(HttpUpstream upstream, String credential) {
    ObjectMapper json = new ObjectMapper();
    return (tenant, database, id) -> {
      String target = RequestTarget.canonical(List.of("api", "v2", "tenants", tenant, "databases", database,
          "collections", "by-id", id), Map.of());
      try {
        HttpUpstream.Response r = upstream.send("GET", target, Map.of("x-chroma-token", credential), null);
        if (r.status() != 200) {
          return Optional.empty();
        }
        JsonNode n = json.readTree(r.body());
        return n.path("name").isTextual() ? Optional.of(n.get("name").textValue()) : Optional.empty();
      } catch (HttpUpstream.UpstreamException | IOException e) {
        LOG.warn("event=chroma_lookup_failed tenant={} database={} id={} error={}", tenant, database, id, e.toString());
        return Optional.empty();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Optional.empty();
      }
    };
  }
}
