package io.vectorgate.proxy.adapter.milvus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.milvus.grpc.CollectionSchema;
import io.milvus.grpc.CreateCollectionRequest;
import io.milvus.grpc.CreateCredentialRequest;
import io.milvus.grpc.CreateDatabaseRequest;
import io.milvus.grpc.CreateIndexRequest;
import io.milvus.grpc.DataType;
import io.milvus.grpc.DeleteRequest;
import io.milvus.grpc.DropAliasRequest;
import io.milvus.grpc.DropCollectionRequest;
import io.milvus.grpc.DropPartitionRequest;
import io.milvus.grpc.DumpMessagesRequest;
import io.milvus.grpc.FieldSchema;
import io.milvus.grpc.GrantEntity;
import io.milvus.grpc.GrantorEntity;
import io.milvus.grpc.HybridSearchRequest;
import io.milvus.grpc.ImportRequest;
import io.milvus.grpc.InsertRequest;
import io.milvus.grpc.KeyValuePair;
import io.milvus.grpc.ObjectEntity;
import io.milvus.grpc.OperatePrivilegeRequest;
import io.milvus.grpc.PrivilegeEntity;
import io.milvus.grpc.QueryRequest;
import io.milvus.grpc.RenameCollectionRequest;
import io.milvus.grpc.RoleEntity;
import io.milvus.grpc.SearchRequest;
import io.milvus.grpc.ShowCollectionsRequest;
import io.milvus.grpc.TemplateValue;
import io.milvus.grpc.TruncateCollectionRequest;
import io.milvus.grpc.UpsertRequest;
import io.vectorgate.model.Action;
import io.vectorgate.model.Operation;
import io.vectorgate.proxy.adapter.AdapterException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MilvusAdapterDecodeTest {
  private final MilvusAdapter adapter = MilvusFixtures.adapter();

  @Test
  void pymilvusSearch() {
    SearchRequest r = MilvusFixtures.load("search_basic", SearchRequest.getDefaultInstance());
    Operation op = adapter.decode("Search", r, "sales");
    assertEquals(Action.SEARCH, op.action());
    assertEquals("sales", op.resource().database());
    assertEquals("docs", op.resource().collection());
    assertEquals("tenant == \"acme\" and year > 2020", op.filter());
    assertEquals(10L, op.limit());
    assertNull(op.offset());
    assertEquals(2, op.counts().queries());
    assertEquals(List.of("title", "vector"), op.outputFields());
    assertTrue(op.vectorsRequested());
    assertFalse(op.paging());
    assertEquals("COSINE", op.attributes().get("metric_type"));
    assertEquals("vector", op.attributes().get("anns_field"));
    assertEquals("/milvus.proto.milvus.MilvusService/Search", op.protocol().rpc());
    assertEquals("grpc", op.protocol().protocol());
  }

  @Test
  void searchWildcardExpandsFromTheSchemaAndTemplatesAreReported() {
    SearchRequest r = MilvusFixtures.load("search_templated", SearchRequest.getDefaultInstance());
    Operation op = adapter.decode("Search", r, null);
    assertEquals("default", op.resource().database());
    assertEquals(List.of("id", "tenant", "title", "vector", "$meta"), op.outputFields());
    assertTrue(op.vectorsRequested());
    assertEquals(5L, op.limit());
    assertEquals(20L, op.offset());
    assertEquals(Map.of("min_year", 2020L), op.attributes().get("filter_params"));
  }

  @Test
  void searchIteratorIsPaging() {
    Operation op = adapter.decode("Search", MilvusFixtures.load("search_iterator", SearchRequest.getDefaultInstance()), null);
    assertTrue(op.paging());
    assertNull(op.filter());
    assertEquals(100L, op.limit());
    assertFalse(op.vectorsRequested());
  }

  @Test
  void hybridSearchCollectsEverySubRequest() {
    Operation op = adapter.decode("HybridSearch", MilvusFixtures.load("hybrid_search", HybridSearchRequest.getDefaultInstance()), null);
    assertEquals(Action.SEARCH, op.action());
    assertEquals(15L, op.limit());
    assertEquals(0L, op.offset());
    assertEquals(List.of("tenant == \"acme\"", ""), op.filter());
    assertEquals(1, op.counts().queries());
    assertEquals("rrf", op.attributes().get("ranker"));
    assertEquals(2, ((List<?>) op.attributes().get("sub_requests")).size());
    assertEquals(List.of("title"), op.outputFields());
    assertFalse(op.vectorsRequested());
  }

  @Test
  void hybridSubRequestForAnotherCollectionIsRejected() {
    HybridSearchRequest r = MilvusFixtures.load("hybrid_search", HybridSearchRequest.getDefaultInstance());
    HybridSearchRequest bad = r.toBuilder().setRequests(1, r.getRequests(1).toBuilder().setCollectionName("secret")).build();
    AdapterException e = assertThrows(AdapterException.class, () -> adapter.decode("HybridSearch", bad, null));
    assertEquals("malformed_request", e.code());
    assertEquals("requests[1].collection_name", e.field());
  }

  @Test
  void queryVariants() {
    Operation q = adapter.decode("Query", MilvusFixtures.load("query_filter", QueryRequest.getDefaultInstance()), "db1");
    assertEquals(Action.QUERY, q.action());
    assertEquals(50L, q.limit());
    assertEquals(10L, q.offset());
    assertEquals(List.of("title", "tenant"), q.outputFields());
    assertFalse(q.vectorsRequested());

    Operation count = adapter.decode("Query", MilvusFixtures.load("query_count", QueryRequest.getDefaultInstance()), null);
    assertEquals(Action.COUNT, count.action());
    assertFalse(count.vectorsRequested());

    Operation get = adapter.decode("Query", MilvusFixtures.load("query_get", QueryRequest.getDefaultInstance()), null);
    assertEquals(Action.GET, get.action());
    assertEquals(3, get.counts().ids());
    assertTrue(get.vectorsRequested(), "get defaults to output_fields=[*], which includes the vector");

    Operation iter = adapter.decode("Query", MilvusFixtures.load("query_iterator", QueryRequest.getDefaultInstance()), null);
    assertEquals(Action.QUERY, iter.action());
    assertTrue(iter.paging());
    assertEquals(1000L, iter.limit());
  }

  @Test
  void getIsOnlyForThePrimaryKey() {
    QueryRequest notPk = QueryRequest.newBuilder().setCollectionName("docs").setExpr("tenant in [\"a\",\"b\"]").build();
    assertEquals(Action.QUERY, adapter.decode("Query", notPk, null).action());
    QueryRequest templated = QueryRequest.newBuilder().setCollectionName("docs").setExpr("id in {ids}")
        .putExprTemplateValues("ids", Templates.array(List.of(1L, 2L, 3L, 4L))).build();
    Operation op = adapter.decode("Query", templated, null);
    assertEquals(Action.GET, op.action());
    assertEquals(4, op.counts().ids());
    QueryRequest unknownCollection = QueryRequest.newBuilder().setCollectionName("nope").setExpr("id in [1]").build();
    assertEquals(Action.QUERY, adapter.decode("Query", unknownCollection, null).action(),
        "without a schema the primary key is unknown, so the broader action stays");
  }

  @Test
  void deleteVariants() {
    Operation ids = adapter.decode("Delete", MilvusFixtures.load("delete_ids", DeleteRequest.getDefaultInstance()), null);
    assertEquals(Action.DELETE, ids.action());
    assertEquals(2, ids.counts().ids());
    Operation filter = adapter.decode("Delete", MilvusFixtures.load("delete_filter", DeleteRequest.getDefaultInstance()), null);
    assertEquals(Action.DELETE, filter.action());
    assertEquals(List.of("p1"), filter.resource().partitions());
    for (String all : List.of("", "   ", "true", "1 == 1", "(TRUE)", "x > 3 or true", "not false", "\"a\" == \"a\"",
        "1 in [1, 2]", "{t}")) {
      DeleteRequest r = DeleteRequest.newBuilder().setCollectionName("docs").setExpr(all)
          .putExprTemplateValues("t", TemplateValue.newBuilder().setBoolVal(true).build()).build();
      assertEquals(Action.DELETE_ALL, adapter.decode("Delete", r, null).action(), "`" + all + "`");
    }
    for (String some : List.of("id >= 0", "true and x > 1", "1 == 2 or y == 1", "false")) {
      DeleteRequest r = DeleteRequest.newBuilder().setCollectionName("docs").setExpr(some).build();
      assertEquals(Action.DELETE, adapter.decode("Delete", r, null).action(), "`" + some + "`");
    }
  }

  @Test
  void insertAndUpsertReportRowsAndWrittenValues() {
    Operation ins = adapter.decode("Insert", MilvusFixtures.load("insert_rows", InsertRequest.getDefaultInstance()), null);
    assertEquals(Action.INSERT, ins.action());
    assertEquals(3, ins.counts().rows());
    @SuppressWarnings("unchecked")
    Map<String, List<Object>> written = (Map<String, List<Object>>) ins.attributes().get("written_values");
    assertEquals(List.of("acme", "globex"), written.get("tenant"));
    assertEquals(List.of(0L, 1L, 2L), written.get("id"));
    assertEquals(List.of("c0", "c1"), written.get("color"), "dynamic keys are reported by name");
    assertEquals(false, ins.attributes().get("written_values_truncated"));
    assertEquals(List.of("id", "tenant", "title", "vector", "$meta"), ins.attributes().get("fields"));

    Operation ups = adapter.decode("Upsert", MilvusFixtures.load("upsert_rows", UpsertRequest.getDefaultInstance()), null);
    assertEquals(Action.UPSERT, ups.action());
    assertEquals(2, ups.counts().rows());
  }

  @Test
  void writtenValuesAreBounded() {
    io.milvus.grpc.LongArray.Builder ids = io.milvus.grpc.LongArray.newBuilder();
    for (long i = 0; i < 100; i++) {
      ids.addData(i);
    }
    InsertRequest r = InsertRequest.newBuilder().setCollectionName("docs").setNumRows(100)
        .addFieldsData(io.milvus.grpc.FieldData.newBuilder().setFieldName("id").setType(DataType.Int64)
            .setScalars(io.milvus.grpc.ScalarField.newBuilder().setLongData(ids))).build();
    Operation op = adapter.decode("Insert", r, null);
    assertEquals(MilvusAdapter.MAX_WRITTEN_VALUES, ((List<?>) ((Map<?, ?>) op.attributes().get("written_values")).get("id")).size());
    assertEquals(true, op.attributes().get("written_values_truncated"));
  }

  @Test
  void insertWithColumnsOfTheWrongLengthIsMalformed() {
    InsertRequest r = MilvusFixtures.load("insert_rows", InsertRequest.getDefaultInstance()).toBuilder().setNumRows(5).build();
    AdapterException e = assertThrows(AdapterException.class, () -> adapter.decode("Insert", r, null));
    assertEquals("malformed_request", e.code());
    assertTrue(e.field().startsWith("fields_data["), e.field());
  }

  @Test
  void collectionAndIndexDdl() {
    CollectionSchema schema = CollectionSchema.newBuilder().setName("c1").setEnableDynamicField(true)
        .addFields(FieldSchema.newBuilder().setName("pk").setDataType(DataType.Int64).setIsPrimaryKey(true))
        .addFields(FieldSchema.newBuilder().setName("emb").setDataType(DataType.FloatVector)).build();
    Operation create = adapter.decode("CreateCollection", CreateCollectionRequest.newBuilder().setDbName("d")
        .setCollectionName("c1").setSchema(schema.toByteString()).setShardsNum(2).build(), null);
    assertEquals(Action.CREATE_COLLECTION, create.action());
    assertEquals("d", create.resource().database());
    assertEquals("c1", create.resource().collection());
    assertEquals(List.of("pk", "emb"), create.attributes().get("fields"));
    assertEquals(List.of("emb"), create.attributes().get("vector_fields"));
    assertEquals(2, create.attributes().get("shards_num"));

    Operation drop = adapter.decode("DropCollection", DropCollectionRequest.newBuilder().setCollectionName("c1").build(), "x");
    assertEquals(Action.DROP_COLLECTION, drop.action());
    assertEquals("x", drop.resource().database());

    Operation trunc = adapter.decode("TruncateCollection", MilvusFixtures.load("truncate_collection", TruncateCollectionRequest.getDefaultInstance()), null);
    assertEquals(Action.TRUNCATE_COLLECTION, trunc.action());
    assertEquals("docs", trunc.resource().collection());

    Operation rename = adapter.decode("RenameCollection", MilvusFixtures.load("rename_collection", RenameCollectionRequest.getDefaultInstance()), null);
    assertEquals(Action.RENAME_COLLECTION, rename.action());
    assertEquals("docs", rename.resource().collection());
    assertEquals("docs2", rename.attributes().get("new_name"));
    assertEquals("archive", rename.attributes().get("new_database"));

    Operation index = adapter.decode("CreateIndex", MilvusFixtures.load("create_index", CreateIndexRequest.getDefaultInstance()), null);
    assertEquals(Action.CREATE_INDEX, index.action());
    assertEquals("vidx", index.attributes().get("index_name"));
    assertEquals("vector", index.attributes().get("field_name"));
    assertEquals("HNSW", ((Map<?, ?>) index.attributes().get("extra_params")).get("index_type"));

    Operation part = adapter.decode("DropPartition", MilvusFixtures.load("drop_partition", DropPartitionRequest.getDefaultInstance()), null);
    assertEquals(Action.DELETE_ALL, part.action());
    assertEquals(List.of("p2024"), part.resource().partitions());

    Operation alias = adapter.decode("DropAlias", MilvusFixtures.load("drop_alias", DropAliasRequest.getDefaultInstance()), null);
    assertEquals(Action.ALTER_COLLECTION, alias.action());
    assertEquals("docs_alias", alias.attributes().get("alias"));
  }

  @Test
  void adminImportAndExport() {
    Operation user = adapter.decode("CreateCredential", MilvusFixtures.load("create_user", CreateCredentialRequest.getDefaultInstance()), null);
    assertEquals(Action.ADMIN, user.action());
    assertEquals("alice", user.attributes().get("username"));
    // secrets never reach the policy input: only that one is set (closed-world decoding models every field)
    assertEquals(MilvusAdapter.SECRET, user.attributes().get("password"));
    CreateCredentialRequest sent = MilvusFixtures.load("create_user", CreateCredentialRequest.getDefaultInstance());
    assertFalse(sent.getPassword().isEmpty());
    assertFalse(user.attributes().toString().contains(sent.getPassword()), "the password reached the policy input");

    Operation db = adapter.decode("CreateDatabase", MilvusFixtures.load("create_database", CreateDatabaseRequest.getDefaultInstance()), "other");
    assertEquals(Action.ADMIN, db.action());
    assertEquals("analytics", db.resource().database());

    Operation grant = adapter.decode("OperatePrivilege", OperatePrivilegeRequest.newBuilder()
        .setEntity(GrantEntity.newBuilder().setRole(RoleEntity.newBuilder().setName("reader"))
            .setObject(ObjectEntity.newBuilder().setName("Collection")).setObjectName("docs").setDbName("default")
            .setGrantor(GrantorEntity.newBuilder().setPrivilege(PrivilegeEntity.newBuilder().setName("Search"))))
        .build(), null);
    assertEquals(Action.ADMIN, grant.action());
    Map<?, ?> entity = (Map<?, ?>) grant.attributes().get("entity");
    assertEquals("docs", entity.get("object_name"));
    assertEquals(Map.of("name", "reader"), entity.get("role"));
    assertEquals("Grant", grant.attributes().get("type"));

    Operation imp = adapter.decode("Import", MilvusFixtures.load("bulk_import", ImportRequest.getDefaultInstance()), null);
    assertEquals(Action.IMPORT, imp.action());
    assertEquals(List.of("s3://bucket/a.parquet"), imp.attributes().get("files"));

    Operation dump = adapter.decode("DumpMessages", DumpMessagesRequest.newBuilder().setPchannel("by-dev-1").build(), null);
    assertEquals(Action.EXPORT, dump.action());

    Operation list = adapter.decode("ShowCollections", ShowCollectionsRequest.newBuilder().build(), "db7");
    assertEquals(Action.LIST, list.action());
    assertEquals("db7", list.resource().database());
  }

  @Test
  void unknownRpcIsUnknownAndWrongMessageTypeIsMalformed() {
    Operation op = adapter.decode("CreateSnapshot", ShowCollectionsRequest.getDefaultInstance(), null);
    assertEquals(Action.UNKNOWN, op.action());
    assertEquals("/milvus.proto.milvus.MilvusService/CreateSnapshot", op.protocol().rpc());
    AdapterException e = assertThrows(AdapterException.class,
        () -> adapter.decode("Search", QueryRequest.getDefaultInstance(), null));
    assertEquals("malformed_request", e.code());
  }

  @Test
  void databaseComesFromTheRequestThenTheHeaderThenDefault() {
    QueryRequest r = QueryRequest.newBuilder().setCollectionName("docs").setExpr("id > 1").build();
    assertEquals("default", adapter.decode("Query", r, null).resource().database());
    assertEquals("default", adapter.decode("Query", r, "").resource().database());
    assertEquals("hdr", adapter.decode("Query", r, "hdr").resource().database());
    assertEquals("req", adapter.decode("Query", r.toBuilder().setDbName("req").build(), "hdr").resource().database());
  }

  @Test
  void aliasesResolveToTheCanonicalCollection() {
    Operation op = adapter.decode("Query", QueryRequest.newBuilder().setCollectionName("docs_alias").setExpr("id > 0").build(), null);
    assertEquals("docs", op.resource().collection());
    assertEquals("docs_alias", op.attributes().get("requested_collection"));
  }

  @Test
  void malformedFiltersAndParametersAreRejectedWithTheirField() {
    AdapterException e1 = assertThrows(AdapterException.class, () -> adapter.decode("Query",
        QueryRequest.newBuilder().setCollectionName("docs").setExpr("a == \"x) or (1==1").build(), null));
    assertEquals("expr", e1.field());
    SearchRequest dup = MilvusFixtures.load("search_basic", SearchRequest.getDefaultInstance()).toBuilder()
        .addSearchParams(KeyValuePair.newBuilder().setKey("topk").setValue("100000")).build();
    AdapterException e2 = assertThrows(AdapterException.class, () -> adapter.decode("Search", dup, null));
    assertEquals("search_params.topk", e2.field());
    QueryRequest badLimit = QueryRequest.newBuilder().setCollectionName("docs")
        .addQueryParams(KeyValuePair.newBuilder().setKey("limit").setValue("ten")).build();
    AdapterException e3 = assertThrows(AdapterException.class, () -> adapter.decode("Query", badLimit, null));
    assertEquals("query_params.limit", e3.field());
    QueryRequest reserved = QueryRequest.newBuilder().setCollectionName("docs").setExpr("tenant == {vg_rf_0}")
        .putExprTemplateValues("vg_rf_0", TemplateValue.newBuilder().setStringVal("other").build()).build();
    AdapterException e4 = assertThrows(AdapterException.class, () -> adapter.decode("Query", reserved, null));
    assertEquals("reserved_name", e4.code());
  }

  @Test
  void schemaLookupFailureFailsClosed() {
    MilvusAdapter broken = new MilvusAdapter(new CollectionSchemaCache((db, c) -> {
      throw new java.io.IOException("upstream unavailable");
    }, 10, java.time.Duration.ofMinutes(1)), new io.vectorgate.proxy.enforce.ValueMasker(MilvusFixtures.KEY));
    AdapterException e = assertThrows(AdapterException.class,
        () -> broken.decode("Search", MilvusFixtures.load("search_basic", SearchRequest.getDefaultInstance()), null));
    assertEquals("schema_unavailable", e.code());
    assertTrue(e.getCause() instanceof java.io.IOException);
  }
}
