package io.vectorgate.proxy.adapter.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.vectorgate.model.DatabaseKind;
import io.vectorgate.model.Obligations;
import io.vectorgate.model.Operation;
import io.vectorgate.proxy.adapter.DatabaseAdapter;
import io.vectorgate.proxy.enforce.ResponseTally;
import java.util.List;
import java.util.Objects;

/**
 * An {@link HttpApiAdapter} (Chroma, Qdrant, Pinecone) under the pipeline's {@link DatabaseAdapter}
 * contract: the route is matched once, in {@link #decode}, and kept in the handle for the later
 * stages.
 */
public final class HttpDatabaseAdapter implements DatabaseAdapter<HttpRequestView, HttpReply> {
  /** The body fields that carry a filter the row filter is combined into (Chroma {@code where}, Qdrant and Pinecone {@code filter}). */
  private static final List<String> FILTER_FIELDS = List.of("where", "filter");

  private final HttpApiAdapter api;

  public HttpDatabaseAdapter(HttpApiAdapter api) {
    this.api = Objects.requireNonNull(api, "api");
  }

  /** The API adapter underneath: its error shapes, credential headers and forwarded headers. */
  public HttpApiAdapter api() {
    return api;
  }

  @Override
  public DatabaseKind kind() {
    return api.kind();
  }

  @Override
  public Handle<HttpRequestView> decode(HttpRequestView request) {
    Object route = api.route(request);
    Operation op = api.decode(route, request);
    return new Handle<>(request, op, route);
  }

  @Override
  public Applied<HttpRequestView> applyRequestObligations(Handle<HttpRequestView> handle, Obligations obligations) {
    HttpRequestView forward = api.applyRequestObligations(handle.route(), handle.request(), handle.operation(),
        obligations);
    if (forward == handle.request()) {
      return Applied.unchanged(handle);
    }
    return new Applied<>(handle, forward, filterAdded(handle.request().body(), forward.body()));
  }

  /** The body's {@code where} / {@code filter} when the adapter changed it, or null. */
  private static JsonNode filterAdded(JsonNode before, JsonNode after) {
    if (after == null || !after.isObject()) {
      return null;
    }
    for (String name : FILTER_FIELDS) {
      JsonNode a = after.get(name);
      JsonNode b = before == null ? null : before.get(name);
      if (a != null && !a.equals(b)) {
        return a;
      }
    }
    return null;
  }

  /** Applies the guarantees, then counts what a success hands to the caller ({@link HttpApiAdapter#resultCounts}; no vectors when they were stripped). */
  @Override
  public Rewritten<HttpReply> rewriteResponse(Applied<HttpRequestView> applied, HttpReply response,
      Obligations obligations) {
    ResponseTally tally = new ResponseTally();
    JsonNode body = api.rewriteResponse(applied.handle().route(), applied.forward(), applied.handle().operation(),
        response.status(), response.body(), obligations, tally);
    HttpApiAdapter.ResultCounts counts = response.success()
        ? api.resultCounts(applied.handle().operation(), body) : HttpApiAdapter.ResultCounts.NONE;
    // stripped vectors do not reach the caller (Pinecone keeps zero placeholders the SDK requires)
    long vectors = obligations.stripVectors() ? 0 : counts.vectors();
    return new Rewritten<>(new HttpReply(response.status(), body), tally, counts.rows(), vectors, response.success());
  }
}
