package io.vectorgate.proxy.adapter.qdrant;

import com.fasterxml.jackson.databind.JsonNode;
import io.vectorgate.proxy.adapter.http.RouteFields;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Every Qdrant request body (and nested request object) the adapter decodes, by its schema name in
 * Qdrant's OpenAPI spec (as generated into {@code qdrant_client.http.models}): the fields modelled
 * and the fields refused. The one place these lists live; {@code QdrantSpecFieldsTest} compares
 * them with the installed qdrant-client's models. Where the fields reach the policy input:
 * {@code filter} (and every prefetch's, at any depth) → {@code operation.filter},
 * {@code attributes.prefetch_filters} and {@code filter_fields}; {@code order_by} →
 * {@code attributes.order_by}; {@code group_by} → {@code attributes.group_by}; the facet {@code key}
 * → {@code attributes.facet_key} and {@code output_fields}; {@code lookup_from} /
 * {@code with_lookup} → refused unless they name the request's own collection (or, with
 * cross-collection lookups enabled, {@code attributes.lookup_collections}). Filter conditions have
 * their own closed world in {@link QdrantFilters}.
 */
final class QdrantFields {
  private QdrantFields() {}

  private static final Set<String> QUERY = Set.of("shard_key", "prefetch", "query", "using", "filter", "params",
      "score_threshold", "limit", "offset", "with_vector", "with_payload", "lookup_from");

  static final Map<String, RouteFields> SCHEMAS = List.of(
      RouteFields.of("QueryRequest", QUERY),
      RouteFields.of("QueryGroupsRequest", Set.of("shard_key", "prefetch", "query", "using", "filter", "params",
          "score_threshold", "with_vector", "with_payload", "lookup_from", "group_by", "group_size", "limit",
          "with_lookup")),
      RouteFields.of("Prefetch", Set.of("prefetch", "query", "using", "filter", "params", "score_threshold", "limit",
          "lookup_from")),
      RouteFields.of("QueryRequestBatch", Set.of("searches")),
      RouteFields.of("LookupLocation", Set.of("collection", "vector", "shard_key")),
      RouteFields.of("WithLookup", Set.of("collection", "with_payload", "with_vectors")),
      RouteFields.of("SearchMatrixRequest", Set.of("shard_key", "filter", "sample", "limit", "using")),
      RouteFields.of("ScrollRequest", Set.of("shard_key", "offset", "limit", "filter", "with_payload", "with_vector",
          "order_by")),
      RouteFields.of("OrderBy", Set.of("key", "direction", "start_from")),
      RouteFields.of("CountRequest", Set.of("shard_key", "filter", "exact")),
      RouteFields.of("FacetRequest", Set.of("shard_key", "key", "limit", "filter", "exact")),
      RouteFields.of("PointRequest", Set.of("shard_key", "ids", "with_payload", "with_vector")),
      RouteFields.of("PointsList", Set.of("points", "shard_key", "update_filter", "update_mode")),
      RouteFields.of("PointStruct", Set.of("id", "vector", "payload")),
      RouteFields.of("PointsBatch", Set.of("batch", "shard_key", "update_filter", "update_mode")),
      RouteFields.of("Batch", Set.of("ids", "vectors", "payloads")),
      RouteFields.of("PointIdsList", Set.of("points", "shard_key")),
      RouteFields.of("FilterSelector", Set.of("filter", "shard_key")),
      RouteFields.of("SetPayload", Set.of("payload", "points", "filter", "shard_key", "key")),
      RouteFields.of("DeletePayload", Set.of("keys", "points", "filter", "shard_key")),
      RouteFields.of("UpdateVectors", Set.of("points", "shard_key", "update_filter")),
      RouteFields.of("PointVectors", Set.of("id", "vector")),
      RouteFields.of("DeleteVectors", Set.of("points", "filter", "vector", "shard_key")))
      .stream().collect(Collectors.toUnmodifiableMap(RouteFields::schema, Function.identity()));

  /** Checks {@code node}'s fields against {@code schema}; {@code path} names where it is ("" at the top). */
  static void check(JsonNode node, String schema, String path) {
    RouteFields f = SCHEMAS.get(schema);
    if (f == null) {
      throw new IllegalArgumentException("no Qdrant schema `" + schema + "`");
    }
    f.check(node, path.isEmpty() ? "" : path + ".");
  }
}
