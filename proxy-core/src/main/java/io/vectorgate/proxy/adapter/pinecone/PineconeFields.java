package io.vectorgate.proxy.adapter.pinecone;

import com.fasterxml.jackson.databind.JsonNode;
import io.vectorgate.proxy.adapter.http.RouteFields;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Every Pinecone data-plane request body the adapter decodes, by its schema name in Pinecone's
 * data-plane OpenAPI spec (API version 2026-07): the fields modelled and the fields refused. The one
 * place these lists live. The installed SDK (pinecone 10.x) builds its bodies by hand and ships no
 * generated models, so no test compares these lists with the spec automatically; they were written
 * from the spec's schemas.
 */
final class PineconeFields {
  private PineconeFields() {}

  static final Map<String, RouteFields> SCHEMAS = List.of(
      RouteFields.of("QueryRequest", Set.of("namespace", "topK", "filter", "includeValues", "includeMetadata", "vector",
          "sparseVector", "id", "scanFactor", "maxCandidates")),
      RouteFields.of("UpsertRequest", Set.of("vectors", "namespace")),
      RouteFields.of("Vector", Set.of("id", "values", "sparseValues", "metadata")),
      RouteFields.of("FetchByMetadataRequest", Set.of("namespace", "filter", "limit", "paginationToken")),
      RouteFields.of("DeleteRequest", Set.of("ids", "deleteAll", "namespace", "filter")),
      RouteFields.of("UpdateRequest", Set.of("id", "values", "sparseValues", "setMetadata", "namespace", "filter",
          "dryRun")),
      RouteFields.of("DescribeIndexStatsRequest", Set.of("filter")),
      RouteFields.of("CreateNamespaceRequest", Set.of("name", "schema")))
      .stream().collect(Collectors.toUnmodifiableMap(RouteFields::schema, Function.identity()));

  /** Checks {@code node}'s fields against {@code schema}; {@code path} names where it is ("" at the top). */
  static void check(JsonNode node, String schema, String path) {
    RouteFields f = SCHEMAS.get(schema);
    if (f == null) {
      throw new IllegalArgumentException("no Pinecone schema `" + schema + "`");
    }
    f.check(node, path.isEmpty() ? "" : path + ".");
  }
}
