package io.vectorgate.proxy.adapter.chroma;

import io.vectorgate.proxy.adapter.http.RouteFields;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Every Chroma request body the adapter decodes, by the schema name of Chroma's OpenAPI document
 * ({@code GET /openapi.json} of chroma 1.x): the fields modelled and the fields refused. The one
 * place these lists live; {@code ChromaSpecFieldsTest} compares them with the real server's spec.
 */
final class ChromaFields {
  private ChromaFields() {}

  static final Map<String, RouteFields> SCHEMAS = List.of(
      RouteFields.of("CreateTenantPayload", Set.of("name")),
      RouteFields.of("CreateDatabasePayload", Set.of("name")),
      RouteFields.of("UpdateTenantPayload", Set.of("resource_name")),
      RouteFields.of("CreateCollectionPayload", Set.of("name", "metadata", "configuration", "schema", "get_or_create")),
      RouteFields.of("UpdateCollectionPayload", Set.of("new_name", "new_metadata", "new_configuration")),
      RouteFields.of("ForkCollectionPayload", Set.of("new_name")),
      RouteFields.of("AddCollectionRecordsPayload", Set.of("ids", "embeddings", "metadatas", "documents", "uris")),
      RouteFields.of("UpsertCollectionRecordsPayload", Set.of("ids", "embeddings", "metadatas", "documents", "uris")),
      RouteFields.of("UpdateCollectionRecordsPayload", Set.of("ids", "embeddings", "metadatas", "documents", "uris")),
      RouteFields.of("DeleteCollectionRecordsPayload", Set.of("ids", "where", "where_document", "limit")),
      RouteFields.of("GetRequestPayload", Set.of("ids", "where", "where_document", "limit", "offset", "include")),
      RouteFields.of("QueryRequestPayload", Set.of("ids", "query_embeddings", "n_results", "where", "where_document",
          "include")),
      RouteFields.of("SearchRequestPayload", Set.of("searches", "read_level")),
      RouteFields.of("SearchPayload", Set.of("filter", "rank", "limit", "select"))
          .refusing("group_by", "grouping search results by a metadata key is not modelled by the policy input"))
      .stream().collect(Collectors.toUnmodifiableMap(RouteFields::schema, Function.identity()));

  /** The schema's fields; an unknown name is a programming error. */
  static RouteFields of(String schema) {
    RouteFields f = SCHEMAS.get(schema);
    if (f == null) {
      throw new IllegalArgumentException("no Chroma schema `" + schema + "`");
    }
    return f;
  }
}
