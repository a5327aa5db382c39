package io.vectorgate.proxy.adapter.milvus;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.milvus.grpc.CollectionSchema;
import io.milvus.grpc.DeleteRequest;
import io.milvus.grpc.FieldData;
import io.milvus.grpc.FieldSchema;
import io.milvus.grpc.HybridSearchRequest;
import io.milvus.grpc.InsertRequest;
import io.milvus.grpc.KeyValuePair;
import io.milvus.grpc.PlaceholderGroup;
import io.milvus.grpc.QueryRequest;
import io.milvus.grpc.QueryResults;
import io.milvus.grpc.RenameCollectionRequest;
import io.milvus.grpc.SearchRequest;
import io.milvus.grpc.SearchResults;
import io.milvus.grpc.SubSearchRequest;
import io.milvus.grpc.TemplateValue;
import io.milvus.grpc.UpsertRequest;
import io.vectorgate.model.Action;
import io.vectorgate.model.Counts;
import io.vectorgate.model.LimitCap;
import io.vectorgate.model.Obligations;
import io.vectorgate.model.Operation;
import io.vectorgate.model.ProtocolFacts;
import io.vectorgate.model.Resource;
import io.vectorgate.model.RowFilter;
import io.vectorgate.proxy.adapter.AdapterException;
import io.vectorgate.proxy.adapter.FilterFields;
import io.vectorgate.proxy.enforce.LimitCaps;
import io.vectorgate.proxy.enforce.ObligationException;
import io.vectorgate.proxy.enforce.ValueMasker;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The Milvus protocol adapter (MilvusService, proto 2.6): decodes requests into {@link Operation}s,
 * applies request obligations (row filter, limit cap) and response obligations (mask, drop, strip
 * vectors). Pure: protobuf messages in, protobuf messages out; the only state is the injected
 * schema cache. See {@code docs/adapters/milvus.md}.
 */
public final class MilvusAdapter {
  /** The database Milvus uses when neither the request nor the {@code dbname} header names one. */
  public static final String DEFAULT_DATABASE = "default";
  /** Most distinct values per column reported in {@code attributes.written_values}. */
  public static final int MAX_WRITTEN_VALUES = 64;
  /** Longest string reported in {@code attributes.written_values}; longer ones mark truncation. */
  public static final int MAX_WRITTEN_STRING = 1024;
  /** Most distinct fields reported in {@code attributes.filter_fields}; a filter naming more is refused. */
  public static final int MAX_FILTER_FIELDS = FilterFields.MAX_FIELDS;
  /** Default for the most primary keys an upsert under a row filter may address (the pre-read's size). */
  public static final int DEFAULT_MAX_PRE_READ_IDS = 16_384;

  private static final Set<String> SCHEMA_CHANGING = Set.of(
      "CreateCollection", "DropCollection", "AlterCollection", "AlterCollectionField", "AddCollectionField",
      "AddCollectionFunction", "AlterCollectionFunction", "DropCollectionFunction", "RenameCollection",
      "CreateAlias", "AlterAlias", "DropAlias", "DropDatabase");
  private static final Set<String> SECRET_FIELDS = Set.of("password", "oldPassword", "newPassword");
  /** What a set secret field (a password) becomes in the policy input. */
  static final String SECRET = "[secret]";
  /** Deeper than any request message of the 2.6 proto nests (RestoreRBAC's grants: 5 levels). */
  static final int MAX_ATTRIBUTE_DEPTH = 12;

  private final CollectionSchemaCache schemas;
  private final ResultRewriter rewriter;
  private final RowFilterBinding binding;
  private final RowReader rows;
  private final int maxPreReadIds;

  /** An adapter without a row reader: an upsert under a row filter is refused ({@code row_filter_unverifiable}). */
  public MilvusAdapter(CollectionSchemaCache schemas, ValueMasker masker) {
    this(schemas, masker, RowFilterBinding.TEMPLATE);
  }

  /** An adapter without a row reader: an upsert under a row filter is refused ({@code row_filter_unverifiable}). */
  public MilvusAdapter(CollectionSchemaCache schemas, ValueMasker masker, RowFilterBinding binding) {
    this(schemas, masker, binding, null, DEFAULT_MAX_PRE_READ_IDS);
  }

  /**
   * @param rows reads the rows an upsert under a row filter addresses (the pre-read); null refuses such upserts
   * @param maxPreReadIds the most distinct primary keys such an upsert may address (1..16,384, Milvus's query limit)
   */
  public MilvusAdapter(CollectionSchemaCache schemas, ValueMasker masker, RowFilterBinding binding, RowReader rows,
      int maxPreReadIds) {
    this.schemas = Objects.requireNonNull(schemas, "schemas");
    this.rewriter = new ResultRewriter(Objects.requireNonNull(masker, "masker"));
    this.binding = Objects.requireNonNull(binding, "binding");
    if (maxPreReadIds < 1 || maxPreReadIds > DEFAULT_MAX_PRE_READ_IDS) {
      throw new IllegalArgumentException("maxPreReadIds must be 1.." + DEFAULT_MAX_PRE_READ_IDS + ", got " + maxPreReadIds);
    }
    this.rows = rows;
    this.maxPreReadIds = maxPreReadIds;
  }

  // ============================================================================================
  // decode
  // ============================================================================================

  /**
   * Decodes one request.
   *
   * @param rpc the short method name, e.g. {@code Search}
   * @param request the parsed request message (the generated class of that RPC's input type)
   * @param dbnameHeader the {@code dbname} call metadata, or null
   * @return the operation; {@link Action#UNKNOWN} for an RPC the 2.6 proto does not define
   * @throws AdapterException when the request carries unknown fields or cannot be understood
   */
  public Operation decode(String rpc, Message request, String dbnameHeader) {
    Objects.requireNonNull(rpc, "rpc");
    Objects.requireNonNull(request, "request");
    ProtocolFacts facts = ProtocolFacts.grpc("/" + MilvusRpcs.SERVICE + "/" + rpc);
    Optional<MilvusRpcs.Rpc> spec = MilvusRpcs.find(rpc);
    if (spec.isEmpty() || spec.get().action() == Action.UNKNOWN) {
      return Operation.builder(Action.UNKNOWN).protocol(facts).build();
    }
    String expected = spec.get().requestPrototype().getDescriptorForType().getFullName();
    String actual = request.getDescriptorForType().getFullName();
    if (!expected.equals(actual)) {
      throw new AdapterException(AdapterException.MALFORMED_REQUEST, "",
          "RPC " + rpc + " takes " + expected + ", got " + actual);
    }
    ProtoGuard.check(request);
    String db = effectiveDatabase(request, dbnameHeader);
    Operation.Builder op = switch (rpc) {
      case "Search" -> decodeSearch((SearchRequest) request, db);
      case "HybridSearch" -> decodeHybrid((HybridSearchRequest) request, db);
      case "Query" -> decodeQuery((QueryRequest) request, db);
      case "Insert" -> {
        InsertRequest r = (InsertRequest) request;
        yield decodeWrite(Action.INSERT, db, r.getCollectionName(), r.getPartitionName(), r.getFieldsDataList(),
            r.getNumRows(), r.hasNamespace() ? r.getNamespace() : null, setFields(r, WRITE_EXTRAS));
      }
      case "Upsert" -> {
        UpsertRequest r = (UpsertRequest) request;
        Map<String, Object> extra = setFields(r, WRITE_EXTRAS);
        extra.put("partial_update", r.getPartialUpdate());
        yield decodeWrite(Action.UPSERT, db, r.getCollectionName(), r.getPartitionName(), r.getFieldsDataList(),
            r.getNumRows(), r.hasNamespace() ? r.getNamespace() : null, extra);
      }
      case "Delete" -> decodeDelete((DeleteRequest) request, db);
      case "RenameCollection" -> decodeRename((RenameCollectionRequest) request, db);
      default -> decodeGeneric(spec.get().action(), request, db);
    };
    return op.protocol(facts).build();
  }

  private static String effectiveDatabase(Message request, String header) {
    for (String name : List.of("db_name", "dbName")) {
      FieldDescriptor fd = DescriptorFields.named(request.getDescriptorForType(), name);
      if (fd != null && !fd.isRepeated() && fd.getJavaType() == FieldDescriptor.JavaType.STRING) {
        String v = (String) request.getField(fd);
        if (!v.isEmpty()) {
          return v;
        }
      }
    }
    return header == null || header.isEmpty() ? DEFAULT_DATABASE : header;
  }

  // --- search ---------------------------------------------------------------------------------

  private Operation.Builder decodeSearch(SearchRequest r, String db) {
    Target t = target(db, r.getCollectionName(), true);
    SearchFacts s = searchFacts(r, "");
    List<String> outputs = expandOutputs(r.getOutputFieldsList(), t.schema());
    Map<String, Object> attrs = new LinkedHashMap<>(s.attributes());
    t.addAttributes(attrs);
    if (r.getSubReqsCount() > 0) {
      attrs.put("sub_requests", r.getSubReqsCount());
      attrs.put("sub_reqs", setFields(r, "sub_reqs").get("sub_reqs"));
      List<String> subFilters = new ArrayList<>();
      for (int i = 0; i < r.getSubReqsCount(); i++) {
        SubSearchRequest sub = r.getSubReqs(i);
        String path = "sub_reqs[" + i + "]";
        checkFilter(sub.getDsl(), path + ".dsl");
        checkTemplateNames(sub.getExprTemplateValuesMap(), path + ".expr_template_values");
        KvParams p = KvParams.of(sub.getSearchParamsList(), path + ".search_params");
        p.integer("topk");
        subFilters.add(sub.getDsl());
      }
      attrs.put("sub_filters", subFilters);
    }
    List<String> filters = new ArrayList<>();
    filters.add(r.getDsl());
    r.getSubReqsList().forEach(sub -> filters.add(sub.getDsl()));
    filters.addAll(s.rankerFilters());
    putFilterFields(attrs, filters, "dsl");
    return Operation.builder(Action.SEARCH)
        .resource(resource(t, r.getPartitionNamesList(), r.hasNamespace() ? r.getNamespace() : null))
        .filter(r.getDsl().isBlank() ? null : r.getDsl())
        .limit(s.topk())
        .offset(s.offset())
        .outputFields(outputs)
        .vectorsRequested(vectorsRequested(outputs, t.schema()))
        .paging(s.iterator())
        .counts(new Counts(s.ids(), 0, s.nq()))
        .attributes(attrs);
  }

  private record SearchFacts(Long topk, Long offset, boolean iterator, long nq, long ids, Map<String, Object> attributes,
      List<String> rankerFilters) {}

  /** Fields of a SearchRequest (also a hybrid sub-request) that reach the policy input as attributes under their own name. */
  private static final String[] SEARCH_EXTRAS = {"base", "dsl_type", "search_params", "travel_timestamp",
      "guarantee_timestamp", "not_return_all_meta", "use_default_consistency", "function_score", "highlighter"};
  private static final String[] HYBRID_EXTRAS = {"base", "rank_params", "travel_timestamp", "guarantee_timestamp",
      "not_return_all_meta", "use_default_consistency", "function_score"};
  private static final String[] QUERY_EXTRAS = {"base", "query_params", "travel_timestamp", "guarantee_timestamp",
      "not_return_all_meta", "use_default_consistency"};
  private static final String[] WRITE_EXTRAS = {"base", "hash_keys", "schema_timestamp", "field_ops"};
  private static final String[] DELETE_EXTRAS = {"base", "hash_keys"};

  /**
   * The named fields of {@code m} that are set, as attribute values (see {@link #plain}); names the
   * message type does not have are skipped (one list serves several request types).
   */
  static Map<String, Object> setFields(Message m, String... names) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (String name : names) {
      FieldDescriptor fd = DescriptorFields.named(m.getDescriptorForType(), name);
      if (fd == null || (fd.isRepeated() ? m.getRepeatedFieldCount(fd) == 0 : !m.hasField(fd))) {
        continue;
      }
      Object v = plain(fd, m.getField(fd), 0);
      if (v != null) {
        out.put(name, v);
      }
    }
    return out;
  }

  /**
   * The filter expressions inside ranker functions: a {@code filter} parameter (any case) of a
   * function of {@code function_score}, or of {@code function_score.params}. A boost reranker
   * scores hits by it, so it tells a caller which hits match, like any filter.
   */
  static List<String> rankerFilters(io.milvus.grpc.FunctionScore fs, String path) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < fs.getFunctionsCount(); i++) {
      List<KeyValuePair> params = fs.getFunctions(i).getParamsList();
      for (int j = 0; j < params.size(); j++) {
        if (params.get(j).getKey().strip().equalsIgnoreCase("filter")) {
          String p = path + ".functions[" + i + "].params[" + j + "]";
          checkFilter(params.get(j).getValue(), p);
          out.add(params.get(j).getValue());
        }
      }
    }
    for (int j = 0; j < fs.getParamsCount(); j++) {
      if (fs.getParams(j).getKey().strip().equalsIgnoreCase("filter")) {
        String p = path + ".params[" + j + "]";
        checkFilter(fs.getParams(j).getValue(), p);
        out.add(fs.getParams(j).getValue());
      }
    }
    return out;
  }

  private static SearchFacts searchFacts(SearchRequest r, String prefix) {
    checkFilter(r.getDsl(), prefix + "dsl");
    checkTemplateNames(r.getExprTemplateValuesMap(), prefix + "expr_template_values");
    KvParams p = KvParams.of(r.getSearchParamsList(), prefix + "search_params");
    Long topk = p.integer("topk").orElse(null);
    Long offset = p.integer("offset").orElse(null);
    boolean iterator = p.bool("iterator").orElse(false) || p.bool("search_iter_v2").orElse(false);
    p.integer("search_iter_batch_size");
    long ids = r.hasIds() ? idCount(r.getIds()) : 0;
    long nq = r.getNq();
    if (nq <= 0) {
      nq = r.hasIds() ? ids : placeholderCount(r.getPlaceholderGroup(), prefix + "placeholder_group");
    }
    Map<String, Object> a = new LinkedHashMap<>();
    p.string("anns_field").ifPresent(v -> a.put("anns_field", v));
    p.string("metric_type").ifPresent(v -> a.put("metric_type", v));
    p.string("group_by_field").ifPresent(v -> a.put("group_by_field", v));
    p.integer("group_size").ifPresent(v -> a.put("group_size", v));
    a.put("consistency_level", r.getConsistencyLevel().name());
    if (r.hasIds()) {
      a.put("search_by_ids", true);
    }
    if (!r.getExprTemplateValuesMap().isEmpty()) {
      a.put("filter_params", Templates.toJava(r.getExprTemplateValuesMap()));
    }
    a.putAll(setFields(r, SEARCH_EXTRAS));
    return new SearchFacts(topk, offset, iterator, nq, ids, a, rankerFilters(r.getFunctionScore(), prefix + "function_score"));
  }

  private Operation.Builder decodeHybrid(HybridSearchRequest r, String db) {
    Target t = target(db, r.getCollectionName(), true);
    KvParams rank = KvParams.of(r.getRankParamsList(), "rank_params");
    Long limit = rank.integer("limit").orElse(null);
    Long offset = rank.integer("offset").orElse(null);
    List<String> filters = new ArrayList<>();
    List<Map<String, Object>> subs = new ArrayList<>();
    long nq = 0;
    boolean iterator = false;
    for (int i = 0; i < r.getRequestsCount(); i++) {
      SearchRequest sub = r.getRequests(i);
      String prefix = "requests[" + i + "].";
      if (!sub.getCollectionName().isEmpty() && !sub.getCollectionName().equals(r.getCollectionName())) {
        throw new AdapterException(AdapterException.MALFORMED_REQUEST, prefix + "collection_name",
            "sub-request " + i + " names collection `" + sub.getCollectionName() + "`, the hybrid search targets `"
                + r.getCollectionName() + "`");
      }
      if (!sub.getDbName().isEmpty() && !sub.getDbName().equals(db)) {
        throw new AdapterException(AdapterException.MALFORMED_REQUEST, prefix + "db_name",
            "sub-request " + i + " names database `" + sub.getDbName() + "`, the hybrid search targets `" + db + "`");
      }
      if (sub.getSubReqsCount() > 0) {
        throw new AdapterException(AdapterException.UNSUPPORTED_OPERATION, prefix + "sub_reqs",
            "nested sub-requests inside a hybrid search are not supported");
      }
      SearchFacts s = searchFacts(sub, prefix);
      filters.add(sub.getDsl());
      filters.addAll(s.rankerFilters());
      Map<String, Object> sa = new LinkedHashMap<>(s.attributes());
      sa.putAll(setFields(sub, "partition_names", "output_fields", "namespace"));
      if (s.topk() != null) {
        sa.put("topk", s.topk());
      }
      subs.add(sa);
      nq = Math.max(nq, s.nq());
      iterator |= s.iterator();
    }
    List<String> outputs = expandOutputs(r.getOutputFieldsList(), t.schema());
    Map<String, Object> attrs = new LinkedHashMap<>();
    t.addAttributes(attrs);
    attrs.put("sub_requests", subs);
    attrs.put("consistency_level", r.getConsistencyLevel().name());
    rank.string("strategy").ifPresent(v -> attrs.put("ranker", v));
    attrs.putAll(setFields(r, HYBRID_EXTRAS));
    filters.addAll(rankerFilters(r.getFunctionScore(), "function_score"));
    putFilterFields(attrs, filters, "requests");
    boolean anyFilter = filters.stream().anyMatch(f -> !f.isBlank());
    return Operation.builder(Action.SEARCH)
        .resource(resource(t, r.getPartitionNamesList(), r.hasNamespace() ? r.getNamespace() : null))
        .filter(anyFilter ? filters : null)
        .limit(limit)
        .offset(offset)
        .outputFields(outputs)
        .vectorsRequested(vectorsRequested(outputs, t.schema()))
        .paging(iterator)
        .counts(new Counts(0, 0, nq))
        .attributes(attrs);
  }

  private static long idCount(io.milvus.grpc.IDs ids) {
    return switch (ids.getIdFieldCase()) {
      case INT_ID -> ids.getIntId().getDataCount();
      case STR_ID -> ids.getStrId().getDataCount();
      case IDFIELD_NOT_SET -> 0;
    };
  }

  private static long placeholderCount(ByteString bytes, String path) {
    if (bytes.isEmpty()) {
      return 0;
    }
    try {
      PlaceholderGroup g = PlaceholderGroup.parseFrom(bytes);
      return g.getPlaceholdersList().stream().mapToLong(p -> p.getValuesCount()).max().orElse(0);
    } catch (InvalidProtocolBufferException e) {
      throw new AdapterException(AdapterException.MALFORMED_REQUEST, path, "`" + path + "` is not a serialized PlaceholderGroup", e);
    }
  }

  // --- query ----------------------------------------------------------------------------------

  private Operation.Builder decodeQuery(QueryRequest r, String db) {
    Target t = target(db, r.getCollectionName(), true);
    MilvusExpr expr = checkFilter(r.getExpr(), "expr");
    checkTemplateNames(r.getExprTemplateValuesMap(), "expr_template_values");
    KvParams p = KvParams.of(r.getQueryParamsList(), "query_params");
    Long limit = p.integer("limit").orElse(null);
    Long offset = p.integer("offset").orElse(null);
    boolean iterator = p.bool("iterator").orElse(false);
    p.bool("reduce_stop_for_best");
    Map<String, Object> templates = Templates.toJava(r.getExprTemplateValuesMap());
    boolean count = isCountQuery(r.getOutputFieldsList());
    Optional<Integer> ids = expr.primaryKeyCount(primaryKey(t.schema()), templates);
    Action action;
    if (count) {
      action = Action.COUNT;
    } else if (ids.isPresent() && !iterator && (offset == null || offset == 0)) {
      action = Action.GET;
    } else {
      action = Action.QUERY;
    }
    List<String> outputs = expandOutputs(r.getOutputFieldsList(), t.schema());
    Map<String, Object> attrs = new LinkedHashMap<>();
    t.addAttributes(attrs);
    attrs.put("consistency_level", r.getConsistencyLevel().name());
    if (!templates.isEmpty()) {
      attrs.put("filter_params", templates);
    }
    attrs.putAll(setFields(r, QUERY_EXTRAS));
    putFilterFields(attrs, expr, "expr");
    return Operation.builder(action)
        .resource(resource(t, r.getPartitionNamesList(), r.hasNamespace() ? r.getNamespace() : null))
        .filter(r.getExpr().isBlank() ? null : r.getExpr())
        .limit(limit)
        .offset(offset)
        .outputFields(outputs)
        .vectorsRequested(!count && vectorsRequested(outputs, t.schema()))
        .paging(iterator)
        .counts(new Counts(ids.orElse(0), 0, 0))
        .attributes(attrs);
  }

  static boolean isCountQuery(List<String> outputFields) {
    return outputFields.size() == 1
        && outputFields.get(0).replace(" ", "").toLowerCase(Locale.ROOT).equals("count(*)");
  }

  // --- delete ---------------------------------------------------------------------------------

  private Operation.Builder decodeDelete(DeleteRequest r, String db) {
    Target t = target(db, r.getCollectionName(), true);
    MilvusExpr expr = checkFilter(r.getExpr(), "expr");
    checkTemplateNames(r.getExprTemplateValuesMap(), "expr_template_values");
    Map<String, Object> templates = Templates.toJava(r.getExprTemplateValuesMap());
    Optional<Integer> ids = expr.primaryKeyCount(primaryKey(t.schema()), templates);
    boolean all = expr.isConstantTrue(templates);
    Map<String, Object> attrs = new LinkedHashMap<>();
    t.addAttributes(attrs);
    attrs.put("consistency_level", r.getConsistencyLevel().name());
    if (!templates.isEmpty()) {
      attrs.put("filter_params", templates);
    }
    attrs.putAll(setFields(r, DELETE_EXTRAS));
    putFilterFields(attrs, expr, "expr");
    List<String> partitions = r.getPartitionName().isEmpty() ? List.of() : List.of(r.getPartitionName());
    return Operation.builder(all ? Action.DELETE_ALL : Action.DELETE)
        .resource(resource(t, partitions, null))
        .filter(r.getExpr().isBlank() ? null : r.getExpr())
        .counts(new Counts(ids.orElse(0), 0, 0))
        .attributes(attrs);
  }

  // --- insert / upsert ------------------------------------------------------------------------

  private Operation.Builder decodeWrite(Action action, String db, String collection, String partition,
      List<FieldData> columns, long numRows, String namespace, Map<String, Object> extra) {
    Target t = target(db, collection, true);
    long rows = numRows;
    checkColumns(columns, rows);
    Map<String, Set<Object>> written = new LinkedHashMap<>();
    boolean truncated = false;
    Set<String> columnNames = new LinkedHashSet<>();
    for (int i = 0; i < columns.size(); i++) {
      FieldData fd = columns.get(i);
      String path = "fields_data[" + i + "]";
      if (Columns.isDynamic(fd)) {
        continue;
      }
      columnNames.add(fd.getFieldName());
      if (!fd.hasScalars() || fd.getScalars().getDataCase() == io.milvus.grpc.ScalarField.DataCase.JSON_DATA) {
        continue;
      }
      List<Object> values = Columns.rowValues(fd, rows, path);
      truncated |= collect(written, fd.getFieldName(), values);
    }
    Optional<FieldData> dynamic = Columns.dynamicColumn(columns);
    if (dynamic.isPresent()) {
      int index = columns.indexOf(dynamic.get());
      List<JsonNode> docs = Columns.dynamicRows(dynamic.get(), rows, "fields_data[" + index + "]");
      for (JsonNode doc : docs) {
        if (doc == null) {
          continue;
        }
        for (Map.Entry<String, JsonNode> e : doc.properties()) {
          if (columnNames.contains(e.getKey())) {
            continue;
          }
          Object v = Columns.plain(e.getValue());
          if (v != null) {
            List<Object> one = new ArrayList<>(1);
            one.add(v);
            truncated |= collect(written, e.getKey(), one);
          }
        }
      }
    }
    Map<String, Object> attrs = new LinkedHashMap<>(extra);
    t.addAttributes(attrs);
    Map<String, Object> writtenOut = new LinkedHashMap<>();
    written.forEach((k, v) -> writtenOut.put(k, List.copyOf(v)));
    attrs.put("written_values", writtenOut);
    attrs.put("written_values_truncated", truncated);
    List<String> fieldNames = new ArrayList<>(columnNames);
    if (dynamic.isPresent()) {
      fieldNames.add(Columns.DYNAMIC);
    }
    attrs.put("fields", fieldNames);
    return Operation.builder(action)
        .resource(resource(t, partition.isEmpty() ? List.of() : List.of(partition), namespace))
        .counts(new Counts(0, rows, 0))
        .attributes(attrs);
  }

  private static boolean collect(Map<String, Set<Object>> written, String field, List<Object> values) {
    Set<Object> set = written.computeIfAbsent(field, k -> new LinkedHashSet<>());
    boolean truncated = false;
    for (Object v : values) {
      if (v == null || set.contains(v)) {
        continue;
      }
      if (v instanceof String s && s.length() > MAX_WRITTEN_STRING) {
        truncated = true;
        continue;
      }
      if (set.size() >= MAX_WRITTEN_VALUES) {
        truncated = true;
        continue;
      }
      set.add(v);
    }
    return truncated;
  }

  private static void checkColumns(List<FieldData> columns, long rows) {
    Set<String> seen = new java.util.HashSet<>();
    for (int i = 0; i < columns.size(); i++) {
      FieldData fd = columns.get(i);
      String path = "fields_data[" + i + "]";
      if (!seen.add(Columns.name(fd))) {
        throw new AdapterException(AdapterException.MALFORMED_REQUEST, path,
            "column `" + Columns.name(fd) + "` appears more than once");
      }
      if (fd.hasScalars()) {
        Columns.rowValues(fd, rows, path); // validates the count against num_rows
      } else if (fd.hasVectors()) {
        long n = Columns.vectorCount(fd.getVectors());
        if (n != rows) {
          throw new AdapterException(AdapterException.MALFORMED_REQUEST, path,
              "vector column `" + Columns.name(fd) + "` holds " + n + " vectors for " + rows + " rows");
        }
      }
    }
  }

  // --- rename / generic -----------------------------------------------------------------------

  private Operation.Builder decodeRename(RenameCollectionRequest r, String db) {
    Map<String, Object> attrs = new LinkedHashMap<>();
    attrs.put("new_name", r.getNewName());
    attrs.put("new_database", r.getNewDBName().isEmpty() ? db : r.getNewDBName());
    attrs.putAll(setFields(r, "base"));
    return Operation.builder(Action.RENAME_COLLECTION)
        .resource(Resource.collection(db, r.getOldName()))
        .attributes(attrs);
  }

  private Operation.Builder decodeGeneric(Action action, Message request, String db) {
    String collection = null;
    List<String> collections = new ArrayList<>();
    List<String> partitions = new ArrayList<>();
    Map<String, Object> attrs = new LinkedHashMap<>();
    for (Map.Entry<FieldDescriptor, Object> e : request.getAllFields().entrySet()) {
      FieldDescriptor fd = e.getKey();
      String name = fd.getName();
      switch (name) {
        case "db_name", "dbName" -> { }
        case "collection_name", "collectionName", "collection_names" -> {
          if (fd.isRepeated()) {
            for (Object o : (List<?>) e.getValue()) {
              collections.add((String) o);
            }
          } else {
            collection = (String) e.getValue();
          }
        }
        case "partition_name" -> partitions.add((String) e.getValue());
        case "partition_names" -> ((List<?>) e.getValue()).forEach(o -> partitions.add((String) o));
        case "schema" -> attrs.putAll(schemaAttributes(request, fd, (ByteString) e.getValue()));
        default -> {
          Object plain = plain(fd, e.getValue(), 0);
          if (plain != null) {
            attrs.put(name, plain);
          }
        }
      }
    }
    // proto3 leaves default enum values out of getAllFields; a policy should still see them
    for (FieldDescriptor fd : request.getDescriptorForType().getFields()) {
      if (fd.getJavaType() == FieldDescriptor.JavaType.ENUM && !fd.isRepeated() && !attrs.containsKey(fd.getName())) {
        attrs.put(fd.getName(), ((EnumValueDescriptor) request.getField(fd)).getName());
      }
    }
    if (collection == null && collections.size() == 1) {
      collection = collections.get(0);
    }
    if (collections.size() > 1 || (!collections.isEmpty() && !collections.get(0).equals(collection))) {
      attrs.put("collections", collections);
    }
    return Operation.builder(action)
        .resource(new Resource(db, collection, partitions, null))
        .attributes(attrs);
  }

  private static Map<String, Object> schemaAttributes(Message request, FieldDescriptor fd, ByteString bytes) {
    Map<String, Object> a = new LinkedHashMap<>();
    try {
      if (request instanceof io.milvus.grpc.CreateCollectionRequest) {
        CollectionSchema s = CollectionSchema.parseFrom(bytes);
        List<String> fields = new ArrayList<>();
        List<String> vectors = new ArrayList<>();
        for (FieldSchema f : s.getFieldsList()) {
          fields.add(f.getName());
          if (Columns.isVectorType(f.getDataType())) {
            vectors.add(f.getName());
          }
        }
        a.put("fields", fields);
        a.put("vector_fields", vectors);
        a.put("enable_dynamic_field", s.getEnableDynamicField());
        a.put("schema", plainMessage(s, 1));
      } else {
        FieldSchema f = FieldSchema.parseFrom(bytes);
        a.put("field_name", f.getName());
        a.put("data_type", f.getDataType().name());
        a.put("schema", plainMessage(f, 1));
      }
    } catch (InvalidProtocolBufferException e) {
      throw new AdapterException(AdapterException.MALFORMED_REQUEST, fd.getName(), "`schema` is not a serialized schema", e);
    }
    return a;
  }

  /** A JSON-ready view of a field value for attributes; secrets and raw bytes are left out. */
  private static Object plain(FieldDescriptor fd, Object value, int depth) {
    if (depth > MAX_ATTRIBUTE_DEPTH) {
      return null;
    }
    if (SECRET_FIELDS.contains(fd.getName())) {
      return SECRET; // that it is set reaches the policy, never the value
    }
    if (fd.isRepeated()) {
      List<?> list = (List<?>) value;
      if (fd.getJavaType() == FieldDescriptor.JavaType.MESSAGE
          && fd.getMessageType().getFullName().equals(KeyValuePair.getDescriptor().getFullName())) {
        Map<String, Object> kv = new LinkedHashMap<>();
        for (Object o : list) {
          KeyValuePair p = (KeyValuePair) o;
          kv.put(p.getKey(), p.getValue());
        }
        return kv;
      }
      if (fd.isMapField()) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (Object o : list) {
          Message entry = (Message) o;
          FieldDescriptor k = DescriptorFields.named(entry.getDescriptorForType(), "key");
          FieldDescriptor v = DescriptorFields.named(entry.getDescriptorForType(), "value");
          Object pv = plain(v, entry.getField(v), depth + 1);
          m.put(String.valueOf(entry.getField(k)), pv);
        }
        return m;
      }
      List<Object> out = new ArrayList<>();
      for (Object o : list) {
        Object pv = single(fd, o, depth);
        if (pv != null) {
          out.add(pv);
        }
      }
      return out;
    }
    return single(fd, value, depth);
  }

  private static Object single(FieldDescriptor fd, Object value, int depth) {
    return switch (fd.getJavaType()) {
      case STRING, BOOLEAN, INT, LONG, FLOAT, DOUBLE -> value;
      case ENUM -> ((EnumValueDescriptor) value).getName();
      case BYTE_STRING -> Map.of("bytes", ((ByteString) value).size()); // its size, not its content
      case MESSAGE -> plainMessage((Message) value, depth + 1);
    };
  }

  /** The set fields of a message as an attribute object (see {@link #plain}). */
  private static Map<String, Object> plainMessage(Message m, int depth) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<FieldDescriptor, Object> e : m.getAllFields().entrySet()) {
      Object pv = plain(e.getKey(), e.getValue(), depth);
      if (pv != null) {
        out.put(e.getKey().getName(), pv);
      }
    }
    return out;
  }

  // --- shared decode helpers ------------------------------------------------------------------

  /** The collection a data-plane request targets, resolved through the schema cache. */
  private record Target(String database, String requested, String collection, Optional<CollectionSchema> schema) {
    void addAttributes(Map<String, Object> attrs) {
      if (requested != null && !requested.equals(collection)) {
        attrs.put("requested_collection", requested);
      }
    }
  }

  private Target target(String db, String collection, boolean withSchema) {
    if (collection == null || collection.isEmpty()) {
      return new Target(db, null, null, Optional.empty());
    }
    Optional<CollectionSchema> schema = withSchema ? schemas.get(db, collection) : Optional.empty();
    String canonical = schema.map(CollectionSchema::getName).filter(n -> !n.isEmpty()).orElse(collection);
    return new Target(db, collection, canonical, schema);
  }

  private static Resource resource(Target t, List<String> partitions, String namespace) {
    return new Resource(t.database(), t.collection(), partitions, namespace);
  }

  private static MilvusExpr checkFilter(String text, String path) {
    try {
      return MilvusExpr.of(text);
    } catch (MilvusExpr.LexException e) {
      throw new AdapterException(AdapterException.MALFORMED_REQUEST, path,
          "filter `" + path + "` is not a well-formed Milvus expression: " + e.getMessage(), e);
    }
  }

  /** {@code attributes.filter_fields} of the client's filters (see {@link MilvusExpr#fieldReferences()}); none when all are blank. */
  private static void putFilterFields(Map<String, Object> attrs, List<String> filters, String path) {
    FilterFields refs = new FilterFields();
    for (String f : filters) {
      if (!f.isBlank()) {
        refs.addAll(MilvusExpr.of(f).fieldReferences(), path);
      }
    }
    putFilterFields(attrs, refs);
  }

  private static void putFilterFields(Map<String, Object> attrs, MilvusExpr expr, String path) {
    if (!expr.isBlank()) {
      putFilterFields(attrs, new FilterFields().addAll(expr.fieldReferences(), path));
    }
  }

  private static void putFilterFields(Map<String, Object> attrs, FilterFields refs) {
    if (!refs.isEmpty()) {
      attrs.put(FilterFields.ATTRIBUTE, refs.toAttribute());
    }
  }

  private static void checkTemplateNames(Map<String, TemplateValue> values, String path) {
    for (String k : values.keySet()) {
      if (k.startsWith(RowFilterBinder.PLACEHOLDER_PREFIX)) {
        throw new AdapterException(AdapterException.RESERVED_NAME, path + "." + k,
            "template name `" + k + "` uses the prefix `" + RowFilterBinder.PLACEHOLDER_PREFIX + "`, which the gateway reserves");
      }
    }
  }

  private static String primaryKey(Optional<CollectionSchema> schema) {
    return schema.flatMap(s -> s.getFieldsList().stream().filter(FieldSchema::getIsPrimaryKey).findFirst())
        .map(FieldSchema::getName).orElse(null);
  }

  /**
   * Output fields with wildcards expanded from the schema: {@code *} is every field (vectors
   * included, as current servers do) plus {@code $meta} when dynamic fields are on; {@code %} is
   * every vector field. Without a schema the list is returned as sent.
   */
  static List<String> expandOutputs(List<String> requested, Optional<CollectionSchema> schema) {
    if (schema.isEmpty()) {
      return List.copyOf(requested);
    }
    CollectionSchema s = schema.get();
    LinkedHashSet<String> out = new LinkedHashSet<>();
    for (String f : requested) {
      String t = f.strip();
      if (t.equals("*")) {
        for (FieldSchema fs : s.getFieldsList()) {
          out.add(fs.getIsDynamic() ? Columns.DYNAMIC : fs.getName());
        }
        s.getStructArrayFieldsList().forEach(st -> out.add(st.getName()));
        if (s.getEnableDynamicField()) {
          out.add(Columns.DYNAMIC);
        }
      } else if (t.equals("%")) {
        for (FieldSchema fs : s.getFieldsList()) {
          if (Columns.isVectorType(fs.getDataType())) {
            out.add(fs.getName());
          }
        }
      } else {
        out.add(t);
      }
    }
    return List.copyOf(out);
  }

  /** Whether any output field is a vector; without a schema, any output field or wildcard counts. */
  static boolean vectorsRequested(List<String> outputs, Optional<CollectionSchema> schema) {
    if (outputs.isEmpty()) {
      return false;
    }
    if (schema.isEmpty()) {
      return true;
    }
    Set<String> vectors = new java.util.HashSet<>();
    for (FieldSchema fs : schema.get().getFieldsList()) {
      if (Columns.isVectorType(fs.getDataType())) {
        vectors.add(fs.getName());
      }
    }
    schema.get().getStructArrayFieldsList().forEach(st -> {
      if (st.getFieldsList().stream().anyMatch(f -> Columns.isVectorType(f.getDataType()) || Columns.isVectorType(f.getElementType()))) {
        vectors.add(st.getName());
      }
    });
    return outputs.stream().anyMatch(vectors::contains);
  }

  // ============================================================================================
  // request obligations
  // ============================================================================================

  /**
   * Applies the row filter and limit cap of a decision to a request (which {@link #decode} has
   * accepted). Returns the request unchanged when nothing applies.
   *
   * @throws ObligationException when an obligation cannot be honoured
   */
  public Message applyRequestObligations(String rpc, Message request, Obligations obligations) {
    return applyRequestObligations(rpc, request, null, obligations);
  }

  /**
   * As {@link #applyRequestObligations(String, Message, Obligations)}, with the {@code dbname}
   * call metadata (or null), which names the database when the request does not: an upsert
   * under a row filter pre-reads the rows it addresses in that database.
   *
   * @throws ObligationException when an obligation cannot be honoured
   */
  public Message applyRequestObligations(String rpc, Message request, String dbnameHeader, Obligations obligations) {
    Objects.requireNonNull(rpc, "rpc");
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(obligations, "obligations");
    List<RowFilter> rf = obligations.rowFilter();
    LimitCap cap = obligations.limitCap();
    if (rf.isEmpty() && cap == null) {
      return request;
    }
    RowFilterBinder.Bound bound = rf.isEmpty() ? null : RowFilterBinder.bind(rf, binding);
    switch (rpc) {
      case "Search" -> {
        return applySearch((SearchRequest) request, bound, cap, "");
      }
      case "HybridSearch" -> {
        HybridSearchRequest r = (HybridSearchRequest) request;
        HybridSearchRequest.Builder b = r.toBuilder().clearRequests();
        for (int i = 0; i < r.getRequestsCount(); i++) {
          b.addRequests(applySearch(r.getRequests(i), bound, cap, "requests[" + i + "]."));
        }
        if (cap != null) {
          b.clearRankParams().addAllRankParams(capParam(r.getRankParamsList(), "rank_params", "limit", cap, false));
        }
        return b.build();
      }
      case "Query" -> {
        QueryRequest r = (QueryRequest) request;
        QueryRequest.Builder b = r.toBuilder();
        if (bound != null) {
          checkNoCollision(r.getExprTemplateValuesMap(), "expr_template_values");
          b.setExpr(RowFilterBinder.combine(r.getExpr(), bound.expression())).putAllExprTemplateValues(bound.values());
        }
        if (cap != null && !isCountQuery(r.getOutputFieldsList())) {
          b.clearQueryParams().addAllQueryParams(capParam(r.getQueryParamsList(), "query_params", "limit", cap, true));
        }
        return b.build();
      }
      case "Delete" -> {
        DeleteRequest r = (DeleteRequest) request;
        if (bound == null) {
          return r;
        }
        checkNoCollision(r.getExprTemplateValuesMap(), "expr_template_values");
        return r.toBuilder().setExpr(RowFilterBinder.combine(r.getExpr(), bound.expression()))
            .putAllExprTemplateValues(bound.values()).build();
      }
      case "Insert" -> {
        InsertRequest r = (InsertRequest) request;
        checkRows(r.getFieldsDataList(), r.getNumRows(), rf);
        return r;
      }
      case "Upsert" -> {
        UpsertRequest r = (UpsertRequest) request;
        checkRows(r.getFieldsDataList(), r.getNumRows(), rf);
        if (!rf.isEmpty()) {
          preRead(r, effectiveDatabase(r, dbnameHeader), rf);
        }
        return r;
      }
      default -> {
        if (!rf.isEmpty()) {
          throw new ObligationException(ObligationException.ROW_FILTER_UNENFORCEABLE,
              "a row filter applies but " + rpc + " has no filter to carry it");
        }
        return request;
      }
    }
  }

  private static SearchRequest applySearch(SearchRequest r, RowFilterBinder.Bound bound, LimitCap cap, String prefix) {
    SearchRequest.Builder b = r.toBuilder();
    if (bound != null) {
      checkNoCollision(r.getExprTemplateValuesMap(), prefix + "expr_template_values");
      b.setDsl(RowFilterBinder.combine(r.getDsl(), bound.expression())).putAllExprTemplateValues(bound.values());
    }
    if (cap != null) {
      List<KeyValuePair> params = capParam(r.getSearchParamsList(), prefix + "search_params", "topk", cap, false);
      params = capParam(params, prefix + "search_params", "limit", cap, false);
      params = capParam(params, prefix + "search_params", "search_iter_batch_size", cap, false);
      b.clearSearchParams().addAllSearchParams(params);
    }
    if (r.getSubReqsCount() > 0) {
      b.clearSubReqs();
      for (int i = 0; i < r.getSubReqsCount(); i++) {
        SubSearchRequest sub = r.getSubReqs(i);
        SubSearchRequest.Builder sb = sub.toBuilder();
        String path = prefix + "sub_reqs[" + i + "].";
        if (bound != null) {
          checkNoCollision(sub.getExprTemplateValuesMap(), path + "expr_template_values");
          sb.setDsl(RowFilterBinder.combine(sub.getDsl(), bound.expression())).putAllExprTemplateValues(bound.values());
        }
        if (cap != null) {
          sb.clearSearchParams().addAllSearchParams(capParam(sub.getSearchParamsList(), path + "search_params", "topk", cap, false));
        }
        b.addSubReqs(sb);
      }
    }
    return b.build();
  }

  /**
   * Enforces the cap on one integer parameter with the shared behaviour ({@link LimitCaps#clamp}):
   * an explicit value over the cap is refused in deny mode and clamped in clamp mode; a value
   * within the cap stays, rewritten in canonical decimal (Milvus parses {@code 010} as octal, the
   * gateway as decimal: the upstream must read the value the gateway checked). A missing value:
   * when {@code missingUnbounded} (a query without {@code limit} returns every match) it is set to
   * the cap; otherwise Milvus refuses the request without it ({@code topk}, HybridSearch's
   * {@code limit}) or it only sizes batches ({@code search_iter_batch_size}), so it stays missing.
   */
  private static List<KeyValuePair> capParam(List<KeyValuePair> pairs, String path, String key, LimitCap cap,
      boolean missingUnbounded) {
    KvParams p = KvParams.of(pairs, path);
    Optional<Long> value = p.integer(key);
    if (value.isEmpty() && !missingUnbounded) {
      return pairs;
    }
    Long requested = value.orElse(null);
    OptionalLong capped = LimitCaps.clamp(requested, null, cap, path + "." + key);
    long out = capped.isPresent() ? capped.getAsLong() : requested;
    return KvParams.replace(pairs, key, Long.toString(out));
  }

  private static void checkNoCollision(Map<String, TemplateValue> values, String path) {
    for (String k : values.keySet()) {
      if (k.startsWith(RowFilterBinder.PLACEHOLDER_PREFIX)) {
        throw new ObligationException(ObligationException.ROW_FILTER_UNENFORCEABLE,
            "`" + path + "." + k + "` uses the gateway's reserved template prefix");
      }
    }
  }

  /**
   * The rows an upsert addresses by primary key may exist already, in another tenant: the upsert
   * would overwrite them. Reads the addressed keys that exist (with the row filter fields) and
   * refuses the write when any of them fails a row filter. Keys that do not exist are inserts.
   * Read across all partitions, with strong consistency. What this cannot see: a row another
   * caller writes between this read and the upsert.
   */
  private void preRead(UpsertRequest r, String db, List<RowFilter> filters) {
    String collection = r.getCollectionName();
    Optional<CollectionSchema> schema = schemas.get(db, collection);
    if (schema.isEmpty()) {
      throw unverifiable(collection, "its schema is unknown (the collection does not exist)", null);
    }
    String pk = primaryKey(schema);
    if (pk == null) {
      throw unverifiable(collection, "its schema has no primary key", null);
    }
    FieldData pkColumn = null;
    int pkIndex = -1;
    for (int i = 0; i < r.getFieldsDataCount(); i++) {
      FieldData fd = r.getFieldsData(i);
      if (!Columns.isDynamic(fd) && fd.getFieldName().equals(pk)) {
        pkColumn = fd;
        pkIndex = i;
      }
    }
    if (pkColumn == null) {
      return; // no key sent: the server assigns new keys, every row is an insert
    }
    LinkedHashSet<Object> ids = new LinkedHashSet<>();
    for (Object id : Columns.rowValues(pkColumn, r.getNumRows(), "fields_data[" + pkIndex + "]")) {
      if (id == null) {
        throw new AdapterException(AdapterException.MALFORMED_REQUEST, "fields_data[" + pkIndex + "]",
            "primary key column `" + pk + "` holds a null");
      }
      ids.add(id);
    }
    if (ids.isEmpty()) {
      return;
    }
    if (ids.size() > maxPreReadIds) {
      throw unverifiable(collection, "the upsert addresses " + ids.size() + " primary keys, more than the "
          + maxPreReadIds + " the gateway reads before a write", null);
    }
    if (rows == null) {
      throw unverifiable(collection, "this gateway has no way to read the addressed rows", null);
    }
    LinkedHashSet<String> outputs = new LinkedHashSet<>();
    outputs.add(pk);
    filters.forEach(f -> outputs.add(RowFilterBinder.checkField(f.field())));
    List<Object> idList = new ArrayList<>(ids);
    QueryRequest.Builder q = QueryRequest.newBuilder()
        .setCollectionName(collection)
        .addAllOutputFields(outputs)
        .setConsistencyLevel(io.milvus.grpc.ConsistencyLevel.Strong)
        .addQueryParams(KeyValuePair.newBuilder().setKey("limit").setValue(Integer.toString(idList.size())));
    if (!db.isEmpty()) {
      q.setDbName(db);
    }
    try {
      if (binding == RowFilterBinding.TEMPLATE) {
        String name = RowFilterBinder.PLACEHOLDER_PREFIX + "ids";
        q.setExpr(pk + " in {" + name + "}").putExprTemplateValues(name, Templates.array(idList));
      } else {
        q.setExpr(pk + " in " + RowFilterBinder.literalList(idList));
      }
    } catch (IllegalArgumentException e) {
      throw unverifiable(collection, "its primary keys cannot be written into a query: " + e.getMessage(), e);
    }
    QueryResults res;
    try {
      res = Objects.requireNonNull(rows.query(db, q.build()), "the row reader returned null");
    } catch (RuntimeException e) {
      throw unverifiable(collection, "reading the addressed rows failed: " + e.getMessage(), e);
    } catch (Exception e) {
      throw unverifiable(collection, "reading the addressed rows failed: " + e, e);
    }
    if (res.getStatus().getCode() != 0 || res.getStatus().getErrorCodeValue() != 0) {
      throw unverifiable(collection, "reading the addressed rows failed upstream: " + res.getStatus().getReason(), null);
    }
    long found = -1;
    for (FieldData fd : res.getFieldsDataList()) {
      if (!Columns.isDynamic(fd) && fd.getFieldName().equals(pk)) {
        found = Columns.rowCount(fd);
      }
    }
    if (found < 0) {
      if (res.getFieldsDataList().stream().anyMatch(fd -> Columns.rowCount(fd) > 0)) {
        throw unverifiable(collection, "the upstream's answer to the pre-read lacks the primary key column", null);
      }
      return; // no column with any row: none of the keys exists
    }
    if (found == 0) {
      return;
    }
    long outside = 0;
    try {
      FilterRows values = FilterRows.of(res.getFieldsDataList(), found, fields(filters), "fields_data");
      for (int row = 0; row < found; row++) {
        if (values.failed(row, filters).isPresent()) {
          outside++;
        }
      }
    } catch (AdapterException e) {
      throw unverifiable(collection, "the upstream's answer to the pre-read is malformed: " + e.getMessage(), e);
    }
    if (outside > 0) {
      throw new ObligationException(ObligationException.ROW_FILTER_VIOLATION,
          "the upsert into `" + collection + "` addresses " + outside + (outside == 1 ? " existing row" : " existing rows")
              + " outside the rows the row filter allows the caller");
    }
  }

  private static ObligationException unverifiable(String collection, String why, Throwable cause) {
    return new ObligationException(ObligationException.ROW_FILTER_UNVERIFIABLE,
        "cannot verify that the upsert into `" + collection + "` overwrites only rows the row filter allows: " + why, cause);
  }

  /** Every written row must satisfy every row filter ({@link FilterRows}, the shared matcher). */
  private static void checkRows(List<FieldData> columns, long rows, List<RowFilter> filters) {
    if (filters.isEmpty()) {
      return;
    }
    checkColumns(columns, rows);
    for (RowFilter f : filters) {
      boolean present = Columns.dynamicColumn(columns).isPresent() || columns.stream()
          .anyMatch(fd -> !Columns.isDynamic(fd) && fd.getFieldName().equals(f.field()) && fd.hasScalars());
      if (!present) {
        throw new ObligationException(ObligationException.ROW_FILTER_VIOLATION,
            "written rows do not set `" + f.field() + "`, which the row filter requires");
      }
    }
    FilterRows values = FilterRows.of(columns, rows, fields(filters), "fields_data");
    for (int row = 0; row < rows; row++) {
      Optional<RowFilter> failed = values.failed(row, filters);
      if (failed.isPresent()) {
        throw new ObligationException(ObligationException.ROW_FILTER_VIOLATION,
            "row " + row + " sets `" + failed.get().field() + "` to a value the row filter does not allow");
      }
    }
  }

  static List<String> fields(List<RowFilter> filters) {
    return filters.stream().map(RowFilter::field).distinct().toList();
  }

  // ============================================================================================
  // responses and schema changes
  // ============================================================================================

  /**
   * Applies the response guarantees to search and query results (Search, HybridSearch, Query and
   * the iterators over them); every other response is returned unchanged. What is enforced does
   * not depend on what the upstream honoured:
   *
   * <ul>
   *   <li>vectors are stripped by type when the decision strips them, and also whenever the
   *       decided operation did not request vectors ({@code vectors_requested} false): the
   *       policy was asked about an answer without vectors, so none may come back, even when the
   *       server returns every field for empty {@code output_fields} (Milvus Lite does);
   *   <li>masks apply to the fields and {@code $meta} keys present in the answer;
   *   <li>a row that carries a row-filter field (a column or {@code $meta} key of the answer) with
   *       a value outside the filter is dropped before the cap and counted
   *       ({@code row_filter_response_violation}); rows without the field are not judged;
   *   <li>rows beyond the limit cap are cut (per query of a search), whatever limit the upstream
   *       honoured (Milvus Lite ignores it for a query by primary keys). A count is not cut.
   * </ul>
   *
   * @param op the operation the decision was made for (from {@link #decode})
   * @throws ResponseUnenforceableException when the answer is inconsistent and cannot be cut
   */
  public ResponseRewrite rewriteResponse(String rpc, Operation op, Message response, Obligations obligations) {
    Objects.requireNonNull(op, "op");
    Objects.requireNonNull(response, "response");
    Objects.requireNonNull(obligations, "obligations");
    Obligations effective = responseObligations(op, obligations);
    if (response instanceof SearchResults s) {
      return rewriter.rewrite(s, effective);
    }
    if (response instanceof QueryResults q) {
      return rewriter.rewrite(q, effective);
    }
    return ResultRewriter.counted(response, 0, 0, 0);
  }

  /** The obligations the response is held to: see {@link #rewriteResponse}. */
  static Obligations responseObligations(Operation op, Obligations o) {
    boolean strip = o.stripVectors() || !op.vectorsRequested();
    LimitCap cap = op.action() == Action.COUNT ? null : o.limitCap();
    return new Obligations(o.mask(), strip, o.rowFilter(), cap, o.approval(), o.audit());
  }

  /** True for RPCs after whose success cached schemas may be stale. */
  public boolean changesSchema(String rpc) {
    return SCHEMA_CHANGING.contains(rpc);
  }

  /**
   * Drops the cached schemas a successful schema-changing RPC may have made stale: the collection
   * it names, and for alias, rename and database changes every schema of the database (an alias
   * cached under its own name could now point elsewhere).
   */
  public void invalidateAfter(String rpc, Message request, String dbnameHeader) {
    if (!changesSchema(rpc)) {
      return;
    }
    String db = effectiveDatabase(request, dbnameHeader);
    switch (rpc) {
      case "CreateAlias", "AlterAlias", "DropAlias", "RenameCollection", "DropDatabase", "DropCollection" -> {
        schemas.invalidateDatabase(db);
        if (request instanceof RenameCollectionRequest r && !r.getNewDBName().isEmpty()) {
          schemas.invalidateDatabase(r.getNewDBName());
        }
      }
      default -> {
        FieldDescriptor fd = DescriptorFields.named(request.getDescriptorForType(), "collection_name");
        if (fd != null && !fd.isRepeated()) {
          schemas.invalidate(db, (String) request.getField(fd));
        } else {
          schemas.invalidateDatabase(db);
        }
      }
    }
  }

  /** For tests and diagnostics: the schema cache this adapter reads. */
  CollectionSchemaCache schemas() {
    return schemas;
  }
}
