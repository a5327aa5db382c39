package io.vectorgate.proxy.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vectorgate.model.DatabaseKind;
import io.vectorgate.proxy.adapter.AdapterRegistry;
import io.vectorgate.proxy.adapter.chroma.CollectionLookup;
import io.vectorgate.proxy.adapter.pinecone.PineconeAdapter;
import io.vectorgate.proxy.enforce.JsonRowFilters;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the HTTP adapters read from their upstream with the gateway's credential: Chroma's
 * collection id → name lookups, and the rows a row-filtered write addresses by id (Chroma and
 * Pinecone pre-reads). The adapters themselves come from the
 * {@link io.vectorgate.proxy.adapter.AdapterRegistry}.
 */
public final class HttpUpstreamReads {
  private static final Logger LOG = LoggerFactory.getLogger(HttpUpstreamReads.class);

  private HttpUpstreamReads() {}

  /** The reads of a connection of {@code kind} over {@code upstream}, with {@code credential}. */
  public static AdapterRegistry.UpstreamReads of(DatabaseKind kind, HttpUpstream upstream, String credential) {
    return switch (kind) {
      case CHROMA -> new AdapterRegistry.UpstreamReads(null, null, chromaLookup(upstream, credential),
          upstreamReader(upstream, Map.of("x-chroma-token", credential)));
      case PINECONE -> new AdapterRegistry.UpstreamReads(null, null, null, upstreamReader(upstream,
          Map.of("api-key", credential, "x-pinecone-api-version", PineconeAdapter.API_VERSION)));
      default -> new AdapterRegistry.UpstreamReads(null, null, null, null);
    };
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
