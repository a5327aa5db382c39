package io.vectorgate.proxy.adapter.chroma;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorgate.model.Action;
import io.vectorgate.model.Counts;
import io.vectorgate.model.DatabaseKind;
import io.vectorgate.model.Decision;
import io.vectorgate.model.FieldMask;
import io.vectorgate.model.LimitCap;
import io.vectorgate.model.Obligations;
import io.vectorgate.model.Operation;
import io.vectorgate.model.ProtocolFacts;
import io.vectorgate.model.Reason;
import io.vectorgate.model.Resource;
import io.vectorgate.model.RowFilter;
import io.vectorgate.proxy.adapter.AdapterException;
import io.vectorgate.proxy.adapter.FilterFields;
import io.vectorgate.proxy.adapter.http.HttpApiAdapter;
import io.vectorgate.proxy.adapter.http.HttpRequestView;
import io.vectorgate.proxy.enforce.JsonRowFilters;
import io.vectorgate.proxy.enforce.JsonRowFilters.UpstreamReader;
import io.vectorgate.proxy.enforce.LimitCaps;
import io.vectorgate.proxy.enforce.ObligationException;
import io.vectorgate.proxy.enforce.ResponseTally;
import io.vectorgate.proxy.enforce.RowFilterMatcher;
import io.vectorgate.proxy.enforce.RowValue;
import io.vectorgate.proxy.enforce.ValueMasker;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Chroma's HTTP API v2 (chroma 1.x) for the HTTP gateway. Pure code: no transport types.
 *
 * <ul>
 *   <li><b>decode</b>: {@link ChromaRoute} gives the action; the body refines it (get with ids →
 *       {@code get}, otherwise {@code query}; delete with neither ids nor where →
 *       {@code delete_all}; PUT with {@code new_name} → {@code rename_collection}). Record
 *       operations name the collection by UUID: the name comes from the map learned from
 *       collection responses, or from the {@link CollectionLookup}; an id that resolves to no
 *       name is refused. Unknown body fields and query parameters are refused. A create with
 *       {@code get_or_create: true} of a collection the upstream has is {@code describe} (and is
 *       forwarded as a get of it); otherwise it is the create, forwarded without get_or_create.
 *   <li><b>request obligations</b>: row filters are ANDed into {@code where} (get, query, delete,
 *       and every {@code searches[].filter}); a count under a row filter becomes a filtered
 *       {@code get} of ids whose length is returned as the count; written metadata must satisfy
 *       the row filter; limit caps clamp {@code limit}, {@code n_results} and every search's
 *       {@code limit.limit}; vector stripping removes {@code embeddings} / {@code #embedding}
 *       from what is asked for.
 *   <li><b>responses</b>: masks apply to {@code metadatas} (key = field) and to documents
 *       (field {@code document}) of get, query and search results; stripping nulls
 *       {@code embeddings}.
 * </ul>
 */
public final class ChromaAdapter implements HttpApiAdapter {
  /** Most distinct values per metadata key reported in {@code attributes.written_values}. */
  public static final int MAX_WRITTEN_VALUES = 64;
  /** Mask field names that address the documents of a result rather than a metadata key. */
  public static final Set<String> DOCUMENT_FIELDS = Set.of("document", "documents", "#document");
  /** Chroma's {@code n_results} when a query sends none. */
  public static final long DEFAULT_N_RESULTS = 10;
  private static final Set<String> INCLUDE_VALUES = Set.of("distances", "documents", "embeddings", "metadatas", "uris");
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ChromaAdapter.class);

  private final ValueMasker masker;
  private final CollectionNames names;
  private final CollectionLookup lookup;
  private final UpstreamReader reader;
  private final int maxPreReadIds;

  /** Without an upstream reader: row-filtered upserts and updates are refused (they cannot be pre-read). */
  public ChromaAdapter(ValueMasker masker, CollectionNames names, CollectionLookup lookup) {
    this(masker, names, lookup, UpstreamReader.NONE, JsonRowFilters.DEFAULT_MAX_PRE_READ_IDS);
  }

  /**
   * @param reader reads the rows an upsert or update addresses (with the gateway's credential)
   *     when a row filter applies, so a caller cannot overwrite rows outside its own
   * @param maxPreReadIds most ids one pre-read checks; a row-filtered write naming more is refused
   */
  public ChromaAdapter(ValueMasker masker, CollectionNames names, CollectionLookup lookup, UpstreamReader reader,
      int maxPreReadIds) {
    if (maxPreReadIds < 1) {
      throw new IllegalArgumentException("maxPreReadIds must be positive, was " + maxPreReadIds);
    }
    this.masker = masker;
    this.names = names;
    this.lookup = lookup;
    this.reader = java.util.Objects.requireNonNull(reader, "reader");
    this.maxPreReadIds = maxPreReadIds;
  }

  @Override
  public DatabaseKind kind() {
    return DatabaseKind.CHROMA;
  }

  public CollectionNames names() {
    return names;
  }

  // ---------------------------------------------------------------- decode

  @Override
  public Object route(HttpRequestView req) {
    return ChromaRoute.match(req.method(), req.segments());
  }

  @Override
  public Operation decode(Object matched, HttpRequestView req) {
    ChromaRoute route = (ChromaRoute) matched;
    for (String q : req.query().keySet()) {
      if (!route.kind().queryParams().contains(q)) {
        throw new AdapterException(AdapterException.UNKNOWN_FIELD, "query." + q, "query parameter `" + q
            + "` is not one the gateway understands for this route");
      }
    }
    JsonNode body = req.body();
    Operation.Builder op = Operation.builder(route.kind().action())
        .protocol(ProtocolFacts.http(req.method(), req.path()));
    Map<String, Object> attrs = new LinkedHashMap<>();
    if (route.tenant() != null) {
      attrs.put("chroma_tenant", route.tenant());
    }
    String collection = collectionName(route);
    op.resource(new Resource(route.database(), collection, List.of(), null));
    switch (route.kind()) {
      case SYSTEM, GET_TENANT, GET_DATABASE, GET_COLLECTION, GET_COLLECTION_BY_ID, GET_COLLECTION_BY_CRN,
          FORK_COUNT, INDEXING_STATUS, COUNT_COLLECTIONS, DELETE_DATABASE, DELETE_COLLECTION, RESET -> noBody(body);
      case LIST_COLLECTIONS, LIST_DATABASES -> {
        noBody(body);
        op.limit(queryLong(req, "limit")).offset(queryLong(req, "offset"));
      }
      case COUNT -> noBody(body);
      case CREATE_TENANT, CREATE_DATABASE -> {
        ObjectNode o = object(body, true);
        ChromaFields.of(route.kind() == ChromaRoute.Kind.CREATE_TENANT ? "CreateTenantPayload" : "CreateDatabasePayload")
            .check(o, "");
        attrs.put("name", text(o, "name", true));
      }
      case UPDATE_TENANT -> {
        ObjectNode o = object(body, true);
        ChromaFields.of("UpdateTenantPayload").check(o, "");
      }
      case CREATE_COLLECTION -> {
        ObjectNode o = object(body, true);
        ChromaFields.of("CreateCollectionPayload").check(o, "");
        String name = text(o, "name", true);
        op.resource(new Resource(route.database(), name, List.of(), null));
        JsonNode goc = o.get("get_or_create");
        if (goc != null && !goc.isNull() && !goc.isBoolean()) {
          throw malformed("get_or_create", "must be a boolean");
        }
        boolean getOrCreate = goc != null && goc.asBoolean();
        attrs.put("get_or_create", getOrCreate);
        if (getOrCreate && exists(route.tenant(), route.database(), name)) {
          // chromadb's get_or_create_collection of an existing collection is a get: decided as
          // describe and forwarded as GET .../collections/{name} (see applyRequestObligations)
          op.action(Action.DESCRIBE);
          attrs.put("collection_exists", true);
        }
      }
      case MODIFY_COLLECTION -> {
        ObjectNode o = object(body, true);
        ChromaFields.of("UpdateCollectionPayload").check(o, "");
        String newName = text(o, "new_name", false);
        if (newName != null) {
          op.action(Action.RENAME_COLLECTION);
          attrs.put("new_name", newName);
        }
      }
      case FORK -> {
        ObjectNode o = object(body, true);
        ChromaFields.of("ForkCollectionPayload").check(o, "");
        attrs.put("new_name", text(o, "new_name", true));
      }
      case ADD, UPSERT, UPDATE -> decodeWrite(route, object(body, true), op, attrs);
      case DELETE -> decodeDelete(object(body, true), op, attrs);
      case GET -> decodeGet(object(body, true), op, attrs);
      case QUERY -> decodeQuery(object(body, true), op, attrs);
      case SEARCH -> decodeSearch(object(body, true), op, attrs);
      default -> throw ChromaRoute.unknown(req.method(), req.segments());
    }
    return filterFields(body).attachTo(op.attributes(attrs).build());
  }

  /** Deepest {@code $and} / {@code $or} nesting of a where clause the gateway reads. */
  public static final int MAX_WHERE_DEPTH = 64;

  /**
   * The metadata keys the client's filters reference: {@code where} keys through every
   * {@code $and} / {@code $or}, and every search's {@code filter}; a {@code where_document} (or a
   * {@code #document} key) references the documents, reported as field {@code document}, the
   * name masks use for documents.
   */
  static FilterFields filterFields(JsonNode body) {
    FilterFields out = new FilterFields();
    if (!(body instanceof ObjectNode o)) {
      return out;
    }
    whereFields(o.get("where"), "where", out, 0);
    JsonNode wd = o.get("where_document");
    if (wd != null && wd.isObject() && !wd.isEmpty()) {
      out.add("document", List.of(), "where_document");
    }
    if (o.get("searches") instanceof ArrayNode searches) {
      for (int i = 0; i < searches.size(); i++) {
        whereFields(searches.get(i).get("filter"), "searches[" + i + "].filter", out, 0);
        rankKeys(searches.get(i).get("rank"), "searches[" + i + "].rank", out, 0);
      }
    }
    return out;
  }

  /**
   * A search's {@code rank} expression ranks by a {@code key}: {@code #embedding} / {@code #document}
   * or a metadata key (e.g. a sparse vector in metadata). Every {@code key} it names, at any depth, is
   * reported as a filter field (documents as {@code document}), so ranking by a PII key is judged like
   * filtering by it.
   */
  private static void rankKeys(JsonNode r, String at, FilterFields out, int depth) {
    if (r == null || depth > MAX_WHERE_DEPTH) {
      if (r != null) {
        throw malformed(at, "nests deeper than " + MAX_WHERE_DEPTH);
      }
      return;
    }
    if (r.isArray()) {
      for (int i = 0; i < r.size(); i++) {
        rankKeys(r.get(i), at + "[" + i + "]", out, depth + 1);
      }
    } else if (r.isObject()) {
      for (var e : r.properties()) {
        String p = at + "." + e.getKey();
        if (e.getKey().equals("key") && e.getValue().isTextual()) {
          String k = e.getValue().textValue();
          if (k.equals("#document")) {
            out.add("document", List.of(), p);
          } else if (!k.equals("#embedding")) {
            out.add(k, List.of(), p);
          }
        } else {
          rankKeys(e.getValue(), p, out, depth + 1);
        }
      }
    }
  }

  private static void whereFields(JsonNode w, String at, FilterFields out, int depth) {
    if (w == null || w.isNull()) {
      return;
    }
    if (depth > MAX_WHERE_DEPTH) {
      throw malformed(at, "nests deeper than " + MAX_WHERE_DEPTH);
    }
    if (!w.isObject()) {
      return; // not a clause (Chroma refuses it); it names no field
    }
    for (var e : w.properties()) {
      String k = e.getKey();
      String p = at + "." + k;
      if (k.equals("$and") || k.equals("$or")) {
        JsonNode v = e.getValue();
        if (v.isArray()) {
          for (int i = 0; i < v.size(); i++) {
            whereFields(v.get(i), p + "[" + i + "]", out, depth + 1);
          }
        } else {
          whereFields(v, p, out, depth + 1);
        }
      } else if (DOCUMENT_FIELDS.contains(k) && k.startsWith("#")) {
        out.add("document", List.of(), p);
      } else {
        out.add(k, List.of(), p);
      }
    }
  }

  private String collectionName(ChromaRoute route) {
    if (route.collection() == null) {
      return null;
    }
    if (route.kind() == ChromaRoute.Kind.GET_COLLECTION_BY_CRN) {
      String[] parts = route.collection().split(":", -1);
      if (parts.length != 3 || parts[0].isEmpty() || parts[1].isEmpty() || parts[2].isEmpty()) {
        throw malformed("path", "collection resource name `" + route.collection() + "` is not `tenant:database:name`");
      }
      return parts[2];
    }
    if (!route.kind().byId()) {
      return route.collection();
    }
    return names.name(route.tenant(), route.database(), route.collection()).or(() -> {
      var found = lookup.name(route.tenant(), route.database(), route.collection());
      found.ifPresent(n -> names.learn(route.tenant(), route.database(), route.collection(), n));
      return found;
    }).orElseThrow(() -> new AdapterException("unknown_collection", "path", "collection id `" + route.collection()
        + "` does not name a collection in tenant `" + route.tenant() + "`, database `" + route.database() + "`"));
  }

  private static void decodeWrite(ChromaRoute route, ObjectNode o, Operation.Builder op, Map<String, Object> attrs) {
    ChromaFields.of(switch (route.kind()) {
      case ADD -> "AddCollectionRecordsPayload";
      case UPSERT -> "UpsertCollectionRecordsPayload";
      default -> "UpdateCollectionRecordsPayload";
    }).check(o, "");
    List<String> ids = ids(o, true);
    int n = ids.size();
    JsonNode emb = o.get("embeddings");
    if (emb == null || emb.isNull()) {
      if (route.kind() != ChromaRoute.Kind.UPDATE) {
        throw noEmbeddings("embeddings", route.kind().name().toLowerCase(java.util.Locale.ROOT));
      }
    } else {
      embeddings(emb, "embeddings", n);
    }
    for (String list : List.of("documents", "uris")) {
      JsonNode v = o.get(list);
      if (v != null && !v.isNull()) {
        sameLength(v, list, n);
        for (int i = 0; i < v.size(); i++) {
          if (!v.get(i).isTextual() && !v.get(i).isNull()) {
            throw malformed(list + "[" + i + "]", "must be a string or null");
          }
        }
      }
    }
    Map<String, Set<Object>> written = new LinkedHashMap<>();
    boolean truncated = false;
    JsonNode metas = o.get("metadatas");
    if (metas != null && !metas.isNull()) {
      sameLength(metas, "metadatas", n);
      for (int i = 0; i < metas.size(); i++) {
        JsonNode m = metas.get(i);
        if (m.isNull()) {
          continue;
        }
        if (!m.isObject()) {
          throw malformed("metadatas[" + i + "]", "must be an object or null");
        }
        for (var e : m.properties()) {
          Object v = plain(e.getValue());
          if (v == null && !e.getValue().isNull()) {
            continue; // nested values (sparse vectors, arrays) are not scalar written values
          }
          Set<Object> vs = written.computeIfAbsent(e.getKey(), k -> new LinkedHashSet<>());
          if (vs.size() < MAX_WRITTEN_VALUES) {
            vs.add(v == null ? "" : v);
          } else if (!vs.contains(v)) {
            truncated = true;
          }
        }
      }
    }
    Map<String, Object> out = new LinkedHashMap<>();
    written.forEach((k, v) -> out.put(k, List.copyOf(v)));
    attrs.put("written_values", out);
    attrs.put("written_values_truncated", truncated);
    op.counts(new Counts(n, n, 0));
  }

  private static void decodeDelete(ObjectNode o, Operation.Builder op, Map<String, Object> attrs) {
    ChromaFields.of("DeleteCollectionRecordsPayload").check(o, "");
    List<String> ids = ids(o, false);
    Map<String, Object> where = where(o, "where");
    Map<String, Object> whereDoc = where(o, "where_document");
    if (whereDoc != null) {
      attrs.put("where_document", whereDoc);
    }
    op.filter(where);
    op.limit(nonNegative(o, "limit"));
    if ((ids == null || ids.isEmpty()) && where == null) {
      // neither ids nor a where: Chroma would delete everything (or everything matching a document filter)
      op.action(Action.DELETE_ALL);
    }
    op.counts(new Counts(ids == null ? 0 : ids.size(), 0, 0));
  }

  private static void decodeGet(ObjectNode o, Operation.Builder op, Map<String, Object> attrs) {
    ChromaFields.of("GetRequestPayload").check(o, "");
    List<String> ids = ids(o, false);
    Map<String, Object> where = where(o, "where");
    Map<String, Object> whereDoc = where(o, "where_document");
    if (whereDoc != null) {
      attrs.put("where_document", whereDoc);
    }
    op.action(ids != null ? Action.GET : Action.QUERY);
    op.filter(where);
    op.limit(nonNegative(o, "limit"));
    Long offset = nonNegative(o, "offset");
    op.offset(offset);
    op.paging(offset != null && offset > 0);
    List<String> include = include(o, List.of("documents", "metadatas"));
    op.outputFields(include).vectorsRequested(include.contains("embeddings"));
    op.counts(new Counts(ids == null ? 0 : ids.size(), 0, 0));
  }

  private static void decodeQuery(ObjectNode o, Operation.Builder op, Map<String, Object> attrs) {
    ChromaFields.of("QueryRequestPayload").check(o, "");
    List<String> ids = ids(o, false);
    JsonNode q = o.get("query_embeddings");
    if (q == null || q.isNull()) {
      throw noEmbeddings("query_embeddings", "query");
    }
    embeddings(q, "query_embeddings", -1);
    Map<String, Object> where = where(o, "where");
    Map<String, Object> whereDoc = where(o, "where_document");
    if (whereDoc != null) {
      attrs.put("where_document", whereDoc);
    }
    op.filter(where);
    op.limit(nonNegative(o, "n_results"));
    List<String> include = include(o, List.of("documents", "metadatas", "distances"));
    op.outputFields(include).vectorsRequested(include.contains("embeddings"));
    op.counts(new Counts(ids == null ? 0 : ids.size(), 0, q.size()));
  }

  private static void decodeSearch(ObjectNode o, Operation.Builder op, Map<String, Object> attrs) {
    ChromaFields.of("SearchRequestPayload").check(o, "");
    JsonNode searches = o.get("searches");
    if (searches == null || !searches.isArray() || searches.isEmpty()) {
      throw malformed("searches", "must be a non-empty array");
    }
    Long maxLimit = null;
    Long maxOffset = null;
    Set<String> keys = new LinkedHashSet<>();
    List<Object> filters = new ArrayList<>();
    boolean vectors = false;
    for (int i = 0; i < searches.size(); i++) {
      String at = "searches[" + i + "]";
      JsonNode s = searches.get(i);
      if (!s.isObject()) {
        throw malformed(at, "must be an object");
      }
      ChromaFields.of("SearchPayload").check(s, at + ".");
      Map<String, Object> filter = where((ObjectNode) s, "filter", at + ".filter");
      if (filter != null) {
        filters.add(filter);
      }
      JsonNode limit = s.get("limit");
      if (limit != null && !limit.isNull()) {
        if (!limit.isObject()) {
          throw malformed(at + ".limit", "must be an object {offset, limit}");
        }
        fields((ObjectNode) limit, at + ".limit.", Set.of("offset", "limit"));
        Long l = nonNegative((ObjectNode) limit, "limit", at + ".limit.limit");
        Long off = nonNegative((ObjectNode) limit, "offset", at + ".limit.offset");
        if (l != null) {
          maxLimit = maxLimit == null ? l : Long.valueOf(Math.max(maxLimit, l));
        }
        if (off != null) {
          maxOffset = maxOffset == null ? off : Long.valueOf(Math.max(maxOffset, off));
        }
      }
      JsonNode select = s.get("select");
      if (select != null && !select.isNull()) {
        if (!select.isObject()) {
          throw malformed(at + ".select", "must be an object {keys}");
        }
        fields((ObjectNode) select, at + ".select.", Set.of("keys"));
        JsonNode ks = select.get("keys");
        if (ks != null && !ks.isNull()) {
          if (!ks.isArray()) {
            throw malformed(at + ".select.keys", "must be an array of strings");
          }
          for (int k = 0; k < ks.size(); k++) {
            if (!ks.get(k).isTextual()) {
              throw malformed(at + ".select.keys[" + k + "]", "must be a string");
            }
            keys.add(ks.get(k).textValue());
            vectors |= ks.get(k).textValue().equals("#embedding");
          }
        }
      }
    }
    // one search: its filter; several: each filter is in attributes.search_filters (all are row-filtered)
    op.filter(filters.size() == 1 && searches.size() == 1 ? filters.get(0) : null);
    if (searches.size() > 1 && !filters.isEmpty()) {
      attrs.put("search_filters", filters);
    }
    op.limit(maxLimit).offset(maxOffset).outputFields(List.copyOf(keys)).vectorsRequested(vectors);
    op.counts(new Counts(0, 0, searches.size()));
  }

  // ---------------------------------------------------------------- request obligations

  @Override
  public HttpRequestView applyRequestObligations(Object matched, HttpRequestView req, Operation operation,
      Obligations obligations) {
    ChromaRoute route = (ChromaRoute) matched;
    List<RowFilter> rf = obligations.rowFilter();
    LimitCap cap = obligations.limitCap();
    boolean strip = obligations.stripVectors();
    ObjectNode body = req.body() instanceof ObjectNode o ? o.deepCopy() : null;
    switch (route.kind()) {
      case CREATE_COLLECTION -> {
        if (rf.isEmpty()) {
          return createOrGet(req, operation, body);
        }
        throw new ObligationException(ObligationException.ROW_FILTER_UNENFORCEABLE,
            operation.action().wireName() + " (" + req.method() + " " + req.path() + ") carries no filter to confine"
                + " it to the rows the policy allows");
      }
      case GET -> {
        wrapWhere(body, "where", rf);
        capField(body, "limit", null, cap, "limit");
        if (strip) {
          stripInclude(body, List.of("documents", "metadatas"));
        }
      }
      case QUERY -> {
        wrapWhere(body, "where", rf);
        capField(body, "n_results", DEFAULT_N_RESULTS, cap, "n_results");
        if (strip) {
          stripInclude(body, List.of("documents", "metadatas", "distances"));
        }
      }
      case SEARCH -> {
        ArrayNode searches = (ArrayNode) body.get("searches");
        for (int i = 0; i < searches.size(); i++) {
          ObjectNode s = (ObjectNode) searches.get(i);
          wrapWhere(s, "filter", rf);
          if (cap != null) {
            JsonNode limit = s.get("limit");
            ObjectNode lo = limit instanceof ObjectNode x ? x : s.putObject("limit");
            capField(lo, "limit", null, cap, "searches[" + i + "].limit.limit");
          }
          if (strip) {
            JsonNode keys = s.path("select").path("keys");
            if (keys instanceof ArrayNode ks) {
              for (int k = ks.size() - 1; k >= 0; k--) {
                if (ks.get(k).asText().equals("#embedding")) {
                  ks.remove(k);
                }
              }
            }
          }
        }
      }
      case DELETE -> {
        if (!rf.isEmpty()) {
          wrapWhere(body, "where", rf);
        }
      }
      case COUNT -> {
        if (!rf.isEmpty()) {
          // Chroma's count takes no filter: count the ids of a filtered get instead
          ObjectNode get = NODES.objectNode();
          get.set("where", filterNode(rf));
          get.set("include", NODES.arrayNode());
          List<String> segs = new ArrayList<>(req.segments());
          segs.set(segs.size() - 1, "get");
          return new HttpRequestView("POST", "/" + String.join("/", segs), segs, Map.of(), req.headers(), get);
        }
      }
      case ADD -> checkWrittenRows(body, rf, route.kind());
      case UPSERT, UPDATE -> {
        checkWrittenRows(body, rf, route.kind());
        if (!rf.isEmpty()) {
          checkAddressedRows(req, operation, body, rf, route.kind());
        }
      }
      default -> {
        if (!rf.isEmpty()) {
          throw new ObligationException(ObligationException.ROW_FILTER_UNENFORCEABLE,
              operation.action().wireName() + " (" + req.method() + " " + req.path() + ") carries no filter to confine"
                  + " it to the rows the policy allows");
        }
      }
    }
    return body == null ? req : req.withBody(body);
  }

  /**
   * The pre-read: an upsert or update replaces rows by id, so under a row filter the rows that
   * already exist under those ids must be the caller's too. Reads their metadatas with
   * {@code POST …/collections/{id}/get} and refuses the write ({@code row_filter_violation}) if any
   * existing row fails the row filter; ids that do not exist are inserts. A pre-read that cannot be
   * made or understood refuses the write ({@code row_filter_unverifiable}).
   */
  /**
   * A create decided as {@code describe} (get_or_create of an existing collection) is forwarded as
   * {@code GET .../collections/{name}}: if the collection is dropped in between, Chroma answers
   * 404 and nothing is created by a caller who may only read. A create decided as a create is
   * forwarded with {@code get_or_create: false}: if the collection appeared in between, Chroma
   * answers 409 instead of handing its description to a caller the policy judged as a creator only.
   */
  private static HttpRequestView createOrGet(HttpRequestView req, Operation operation, ObjectNode body) {
    if (operation.action() == Action.DESCRIBE) {
      List<String> segs = new ArrayList<>(req.segments());
      segs.add(operation.resource().collection());
      return new HttpRequestView("GET", "/" + String.join("/", segs), segs, Map.of(), req.headers(), null);
    }
    if (body != null && body.path("get_or_create").asBoolean(false)) {
      body.put("get_or_create", false);
      return req.withBody(body);
    }
    return req;
  }

  /**
   * Whether the collection {@code name} exists, asked of the upstream with the gateway's
   * credential. Any answer but 200 with that name (404, an error, no upstream) counts as "does not exist", so
   * the request is decided as the create it asked for, the stricter of the two.
   */
  private boolean exists(String tenant, String database, String name) {
    if (tenant == null || database == null) {
      return false;
    }
    try {
      UpstreamReader.Reply r = reader.read("GET", List.of("api", "v2", "tenants", tenant, "databases", database,
          "collections", name), Map.of(), null);
      // the answer must be that collection (a name such as `..` must not resolve to another resource)
      return r.status() == 200 && r.body() != null && name.equals(r.body().path("name").textValue());
    } catch (java.io.IOException e) {
      LOG.warn("event=chroma_exists_check_failed tenant={} database={} collection={} error={} (decided as a create)",
          tenant, database, name, e.toString());
      return false;
    }
  }

  private void checkAddressedRows(HttpRequestView req, Operation operation, ObjectNode body, List<RowFilter> rf,
      ChromaRoute.Kind kind) {
    String verb = kind.name().toLowerCase(java.util.Locale.ROOT);
    String coll = "collection `" + operation.resource().collection() + "`";
    List<String> ids = new ArrayList<>(new LinkedHashSet<>(ids(body, true)));
    if (ids.isEmpty()) {
      return;
    }
    if (ids.size() > maxPreReadIds) {
      throw new ObligationException(ObligationException.ROW_FILTER_UNVERIFIABLE, verb + " into " + coll + " addresses "
          + ids.size() + " ids; under a row filter the gateway checks at most " + maxPreReadIds
          + " existing rows per request: send smaller batches");
    }
    ObjectNode get = NODES.objectNode();
    ArrayNode idNodes = get.putArray("ids");
    ids.forEach(idNodes::add);
    get.putArray("include").add("metadatas");
    List<String> segs = new ArrayList<>(req.segments());
    segs.set(segs.size() - 1, "get");
    UpstreamReader.Reply reply;
    try {
      reply = reader.read("POST", segs, Map.of(), get);
    } catch (java.io.IOException e) {
      throw new ObligationException(ObligationException.ROW_FILTER_UNVERIFIABLE, "could not read the rows the " + verb
          + " into " + coll + " replaces, to check they are within the row filter: " + e.getMessage(), e);
    }
    JsonNode got = reply.body();
    JsonNode gotIds = got == null ? null : got.get("ids");
    JsonNode metas = got == null ? null : got.get("metadatas");
    if (reply.status() != 200 || gotIds == null || !gotIds.isArray() || metas == null || !metas.isArray()
        || metas.size() != gotIds.size()) {
      throw new ObligationException(ObligationException.ROW_FILTER_UNVERIFIABLE, "could not read the rows the " + verb
          + " into " + coll + " replaces, to check they are within the row filter: the upstream answered "
          + reply.status() + (reply.status() == 200 ? " without ids and metadatas of equal length" : ""));
    }
    Set<String> asked = new java.util.HashSet<>(ids);
    for (JsonNode id : gotIds) {
      if (!id.isTextual() || !asked.contains(id.textValue())) {
        throw new ObligationException(ObligationException.ROW_FILTER_UNVERIFIABLE, "the pre-read of the " + verb + " into "
            + coll + " returned a row the request does not address");
      }
    }
    int outside = 0;
    for (JsonNode m : metas) {
      outside += withinRowFilter(m, rf) ? 0 : 1;
    }
    if (outside > 0) {
      throw new ObligationException(ObligationException.ROW_FILTER_VIOLATION, verb + " into " + coll + " addresses "
          + outside + " existing row(s) outside the rows the row filter allows the caller; nothing was written");
    }
  }

  /**
   * Would Chroma's {@code where} of the row filter select a row with metadata {@code m}? Scalars
   * compare as {@link RowFilterMatcher} does; a missing key, a null, an array or no
   * metadata at all never does (Chroma's {@code $eq}/{@code $in} do not match array values).
   */
  static boolean withinRowFilter(JsonNode m, List<RowFilter> rf) {
    return RowFilterMatcher.of(rf).matches(row(m));
  }

  /**
   * A metadata object as a row for {@link RowFilterMatcher}: values as Chroma's {@code where}
   * sees them, so an array (which Chroma's {@code $eq}/{@code $in} never select) is absent.
   */
  static java.util.function.Function<String, RowValue> row(JsonNode m) {
    return f -> m == null || !m.isObject() ? RowValue.ABSENT : RowValue.scalarOnlyJson(m.get(f));
  }

  private static void checkWrittenRows(ObjectNode body, List<RowFilter> rf, ChromaRoute.Kind kind) {
    if (rf.isEmpty()) {
      return;
    }
    JsonNode metas = body.get("metadatas");
    if (metas == null || metas.isNull()) {
      throw new ObligationException(ObligationException.ROW_FILTER_VIOLATION, kind.name().toLowerCase(
          java.util.Locale.ROOT) + " without metadatas cannot show that the rows satisfy the row filter on "
          + rf.stream().map(RowFilter::field).distinct().toList());
    }
    for (int i = 0; i < metas.size(); i++) {
      JsonNode m = metas.get(i);
      for (RowFilter f : rf) {
        JsonNode v = m == null || m.isNull() ? null : m.get(f.field());
        if (v == null || v.isNull()) {
          throw new ObligationException(ObligationException.ROW_FILTER_VIOLATION,
              "metadatas[" + i + "] does not set `" + f.field() + "`, which the row filter requires");
        }
        if (!RowFilterMatcher.holds(RowValue.scalarOnlyJson(v), f)) {
          throw new ObligationException(ObligationException.ROW_FILTER_VIOLATION,
              "metadatas[" + i + "] sets `" + f.field() + "` to a value the row filter does not allow");
        }
      }
    }
  }

  /** The Chroma where clause of the row filter conditions (one condition, or their $and). */
  static JsonNode filterNode(List<RowFilter> rf) {
    List<JsonNode> conds = new ArrayList<>();
    for (RowFilter f : rf) {
      ObjectNode cond = NODES.objectNode();
      String op = switch (f.op()) {
        case EQ -> "$eq";
        case NE -> "$ne";
        case IN -> "$in";
        case NOT_IN -> "$nin";
      };
      Object v = f.value();
      if ((f.op() == io.vectorgate.model.FilterOp.IN || f.op() == io.vectorgate.model.FilterOp.NOT_IN)
          != (v instanceof List<?>)) {
        throw new ObligationException(ObligationException.ROW_FILTER_UNENFORCEABLE, "row filter on `" + f.field()
            + "`: `" + f.op().name().toLowerCase(java.util.Locale.ROOT) + "` needs "
            + (v instanceof List<?> ? "a scalar" : "a list"));
      }
      cond.putObject(f.field()).set(op, MAPPER.valueToTree(v));
      conds.add(cond);
    }
    if (conds.size() == 1) {
      return conds.get(0);
    }
    ObjectNode and = NODES.objectNode();
    and.putArray("$and").addAll(conds);
    return and;
  }

  /** ANDs the row filter into {@code key} of {@code holder}: {@code {"$and": [orig, cond...]}}. */
  static void wrapWhere(ObjectNode holder, String key, List<RowFilter> rf) {
    if (rf.isEmpty()) {
      return;
    }
    JsonNode orig = holder.get(key);
    JsonNode cond = filterNode(rf);
    if (orig == null || orig.isNull() || (orig.isObject() && orig.isEmpty())) {
      holder.set(key, cond);
      return;
    }
    ObjectNode and = NODES.objectNode();
    ArrayNode all = and.putArray("$and");
    all.add(orig);
    if (cond.has("$and") && cond.size() == 1) {
      all.addAll((ArrayNode) cond.get("$and"));
    } else {
      all.add(cond);
    }
    holder.set(key, and);
  }

  /** Caps one limit field with {@link LimitCaps#clamp}; {@code apiDefault} null: a missing value is unbounded. */
  private static void capField(ObjectNode holder, String key, Long apiDefault, LimitCap cap, String where) {
    JsonNode v = holder.get(key);
    LimitCaps.clamp(v == null || v.isNull() ? null : v.asLong(), apiDefault, cap, where)
        .ifPresent(max -> holder.put(key, max));
  }

  private static void stripInclude(ObjectNode body, List<String> defaults) {
    JsonNode inc = body.get("include");
    ArrayNode out = NODES.arrayNode();
    List<String> current = new ArrayList<>();
    if (inc == null || inc.isNull()) {
      current.addAll(defaults);
    } else {
      inc.forEach(x -> current.add(x.asText()));
    }
    current.stream().filter(x -> !x.equals("embeddings")).forEach(out::add);
    body.set("include", out);
  }

  // ---------------------------------------------------------------- responses

  @Override
  public JsonNode rewriteResponse(Object matched, HttpRequestView req, Operation operation, int status, JsonNode body,
      Obligations obligations, ResponseTally tally) {
    ChromaRoute route = (ChromaRoute) matched;
    if (status < 200 || status >= 300 || body == null) {
      return body;
    }
    switch (route.kind()) {
      case CREATE_COLLECTION, GET_COLLECTION, GET_COLLECTION_BY_ID, GET_COLLECTION_BY_CRN -> learn(route, body);
      case LIST_COLLECTIONS -> body.forEach(c -> learn(route, c));
      case DELETE_COLLECTION -> names.forgetName(route.tenant(), route.database(), route.collection());
      case COUNT -> {
        if (!obligations.rowFilter().isEmpty()) {
          // the request obligations sent a filtered get in place of the count: count its ids
          JsonNode ids = body.get("ids");
          if (ids == null || !ids.isArray()) {
            throw new ObligationException(ObligationException.ROW_FILTER_UNENFORCEABLE,
                "the filtered count answered without `ids`");
          }
          return IntNode.valueOf(ids.size());
        }
      }
      case GET -> {
        return rewriteRows(body, obligations, 1, false, tally);
      }
      case QUERY -> {
        return rewriteRows(body, obligations, 2, false, tally);
      }
      case SEARCH -> {
        return rewriteRows(body, obligations, 2, true, tally);
      }
      default -> {
      }
    }
    return body;
  }

  private void learn(ChromaRoute route, JsonNode c) {
    if (c == null || !c.isObject() || !c.path("id").isTextual() || !c.path("name").isTextual()) {
      return;
    }
    String tenant = c.path("tenant").isTextual() ? c.get("tenant").textValue() : route.tenant();
    String db = c.path("database").isTextual() ? c.get("database").textValue() : route.database();
    if (tenant != null && db != null) {
      names.learn(tenant, db, c.get("id").textValue().toLowerCase(java.util.Locale.ROOT), c.get("name").textValue());
    }
  }

  /** The per-row lists of a get / query / search result (parallel to {@code ids}). */
  private static final List<String> ROW_LISTS = List.of("ids", "embeddings", "documents", "metadatas", "uris",
      "distances", "scores");

  /**
   * The response guarantees on a get ({@code depth} 1: flat lists), query or search result
   * ({@code depth} 2: one list per query): rows outside the row filter dropped (get and query
   * return whole metadata objects, so a row whose metadata fails the filter is outside; search may
   * select keys, so only a selected filtered key that fails counts), rows beyond the cap cut,
   * {@code embeddings} nulled whatever {@code include} asked, masks applied to metadata keys and
   * documents.
   */
  private JsonNode rewriteRows(JsonNode body, Obligations ob, int depth, boolean projected, ResponseTally tally) {
    if (!(body instanceof ObjectNode o)) {
      throw new ObligationException(ObligationException.ROW_FILTER_UNENFORCEABLE, "unexpected result shape: not an object");
    }
    RowFilterMatcher rf = RowFilterMatcher.of(ob.rowFilter());
    if (ob.mask().isEmpty() && !ob.stripVectors() && rf.isEmpty() && ob.limitCap() == null) {
      return body;
    }
    ObjectNode out = o.deepCopy();
    long max = LimitCaps.allowed(ob.limitCap());
    if (depth == 1) {
      confineRows(out, rf, projected, max, tally);
    } else if (out.get("ids") instanceof ArrayNode perQuery) {
      for (int q = 0; q < perQuery.size(); q++) {
        ObjectNode one = NODES.objectNode();
        for (String k : ROW_LISTS) {
          if (out.get(k) instanceof ArrayNode a && a.get(q) instanceof ArrayNode inner) {
            one.set(k, inner);
          }
        }
        confineRows(one, rf, projected, max, tally);
        for (String k : ROW_LISTS) {
          if (one.has(k)) {
            ((ArrayNode) out.get(k)).set(q, one.get(k));
          }
        }
      }
    }
    if (ob.stripVectors()) {
      if (out.has("embeddings") && !out.get("embeddings").isNull()) {
        tally.stripped(countVectors(out.get("embeddings")));
        out.putNull("embeddings");
      }
      JsonNode inc = out.get("include");
      if (inc instanceof ArrayNode a) {
        for (int i = a.size() - 1; i >= 0; i--) {
          if (a.get(i).asText().equals("embeddings")) {
            a.remove(i);
          }
        }
      }
      JsonNode sel = out.get("select");
      if (sel instanceof ArrayNode s) {
        for (JsonNode per : s) {
          if (per instanceof ArrayNode ps) {
            for (int i = ps.size() - 1; i >= 0; i--) {
              if (ps.get(i).asText().equals("#embedding")) {
                ps.remove(i);
              }
            }
          }
        }
      }
    }
    for (FieldMask m : ob.mask()) {
      if (DOCUMENT_FIELDS.contains(m.field())) {
        if (m.method() == io.vectorgate.model.MaskMethod.DROP) {
          if (out.has("documents")) {
            out.putNull("documents");
          }
        } else if (m.path().isEmpty()) {
          mapLeaves(out.get("documents"), depth, v -> v.isNull() ? v : masker.maskJsonTyped(v, m.method()));
        }
        continue;
      }
      mapLeaves(out.get("metadatas"), depth, v -> {
        tally.masked(masker.maskFields(v, List.of(m), ValueMasker.KeyMatch.EXACT));
        return v;
      });
    }
    return out;
  }

  /** One list of rows (the parallel lists of {@code holder}): row filter, then the cap. */
  private static void confineRows(ObjectNode holder, RowFilterMatcher rf, boolean projected, long max,
      ResponseTally tally) {
    if (!(holder.get("ids") instanceof ArrayNode ids)) {
      return;
    }
    JsonNode metas = holder.get("metadatas");
    List<Integer> keep = new ArrayList<>(ids.size());
    long outside = 0;
    for (int i = 0; i < ids.size(); i++) {
      if (!rf.isEmpty() && metas instanceof ArrayNode ms && i < ms.size()) {
        JsonNode m = ms.get(i);
        boolean bad = projected ? rf.violatedBy(row(m)) : !rf.matches(row(m));
        if (bad) {
          outside++;
          continue;
        }
      }
      keep.add(i);
    }
    tally.rowFilterDropped(outside, "chroma result");
    if (keep.size() > max) {
      tally.cut(keep.size() - max);
      keep = keep.subList(0, (int) max);
    }
    if (keep.size() == ids.size()) {
      return;
    }
    for (String k : ROW_LISTS) {
      if (holder.get(k) instanceof ArrayNode a && a.size() == ids.size()) {
        ArrayNode kept = NODES.arrayNode(keep.size());
        keep.forEach(i -> kept.add(a.get(i)));
        holder.set(k, kept);
      }
    }
  }

  private static void mapLeaves(JsonNode list, int depth, java.util.function.UnaryOperator<JsonNode> f) {
    if (!(list instanceof ArrayNode a)) {
      return;
    }
    for (int i = 0; i < a.size(); i++) {
      if (depth > 1) {
        mapLeaves(a.get(i), depth - 1, f);
      } else {
        a.set(i, f.apply(a.get(i)));
      }
    }
  }

  @Override
  public ResultCounts resultCounts(Operation operation, JsonNode body) {
    if (body == null || !body.isObject()) {
      return ResultCounts.NONE;
    }
    return new ResultCounts(countLeaves(body.get("ids")), countVectors(body.get("embeddings")));
  }

  private static long countLeaves(JsonNode n) {
    if (n == null || !n.isArray()) {
      return 0;
    }
    long c = 0;
    for (JsonNode x : n) {
      c += x.isArray() ? countLeaves(x) : 1;
    }
    return c;
  }

  private static long countVectors(JsonNode n) {
    if (n == null || !n.isArray()) {
      return 0;
    }
    long c = 0;
    for (JsonNode x : n) {
      if (x.isTextual() || (x.isArray() && (x.isEmpty() || x.get(0).isNumber()))) {
        c++;
      } else if (x.isArray()) {
        c += countVectors(x);
      }
    }
    return c;
  }

  // ---------------------------------------------------------------- errors

  @Override
  public ErrorResponse denial(Decision decision, String message) {
    ObjectNode b = error("AuthorizationError", message);
    ArrayNode reasons = b.putArray("reasons");
    for (Reason r : decision.reasons()) {
      reasons.addObject().put("code", r.code()).put("message", r.message());
    }
    b.put("decision_id", decision.decisionId());
    return new ErrorResponse(403, b);
  }

  @Override
  public ErrorResponse rejection(int status, String code, String message) {
    String type = switch (status) {
      case 401 -> "AuthError";
      case 403 -> "AuthorizationError";
      case 404 -> "NotFoundError";
      case 429 -> "RateLimitError";
      default -> status >= 500 ? "InternalError" : "InvalidArgumentError";
    };
    ObjectNode b = error(type, message);
    b.put("code", code);
    return new ErrorResponse(status, b);
  }

  private static ObjectNode error(String type, String message) {
    ObjectNode b = NODES.objectNode();
    b.put("error", type);
    b.put("message", message);
    return b;
  }

  // ---------------------------------------------------------------- body helpers

  private static AdapterException malformed(String field, String message) {
    return new AdapterException(AdapterException.MALFORMED_REQUEST, field, "`" + field + "` " + message);
  }

  /**
   * A write or query without embeddings: the gateway computes none and forwards none to Chroma to
   * compute, so the text tells the user where they come from (the client's embedding function).
   */
  static AdapterException noEmbeddings(String field, String call) {
    return malformed(field, "is required for " + call + ": the gateway never computes embeddings, so the client"
        + " must compute them and send them (with chromadb: give the collection an embedding function on the client"
        + " side, its default or embedding_function= in get_collection / create_collection, or pass " + field + "=)");
  }

  private static void noBody(JsonNode body) {
    if (body != null && !(body.isObject() && body.isEmpty())) {
      throw malformed("body", "must be empty for this route");
    }
  }

  private static ObjectNode object(JsonNode body, boolean required) {
    if (body == null) {
      if (required) {
        throw malformed("body", "is required: a JSON object");
      }
      return NODES.objectNode();
    }
    if (!(body instanceof ObjectNode o)) {
      throw malformed("body", "must be a JSON object");
    }
    return o;
  }

  private static void fields(ObjectNode o, String prefix, Set<String> known) {
    for (var it = o.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!known.contains(f)) {
        throw new AdapterException(AdapterException.UNKNOWN_FIELD, prefix + f, "field `" + prefix + f
            + "` is not one the gateway understands; known: " + new java.util.TreeSet<>(known));
      }
    }
  }

  private static String text(ObjectNode o, String f, boolean required) {
    JsonNode v = o.get(f);
    if (v == null || v.isNull()) {
      if (required) {
        throw malformed(f, "is required");
      }
      return null;
    }
    if (!v.isTextual() || v.textValue().isEmpty()) {
      throw malformed(f, "must be a non-empty string");
    }
    return v.textValue();
  }

  private static List<String> ids(ObjectNode o, boolean required) {
    JsonNode v = o.get("ids");
    if (v == null || v.isNull()) {
      if (required) {
        throw malformed("ids", "is required");
      }
      return null;
    }
    if (!v.isArray()) {
      throw malformed("ids", "must be an array of strings");
    }
    List<String> out = new ArrayList<>(v.size());
    for (int i = 0; i < v.size(); i++) {
      if (!v.get(i).isTextual()) {
        throw malformed("ids[" + i + "]", "must be a string");
      }
      out.add(v.get(i).textValue());
    }
    return out;
  }

  private static Map<String, Object> where(ObjectNode o, String f) {
    return where(o, f, f);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> where(ObjectNode o, String f, String at) {
    JsonNode v = o.get(f);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isObject()) {
      throw malformed(at, "must be an object");
    }
    if (v.isEmpty()) {
      return null;
    }
    return MAPPER.convertValue(v, Map.class);
  }

  private static Long nonNegative(ObjectNode o, String f) {
    return nonNegative(o, f, f);
  }

  private static Long nonNegative(ObjectNode o, String f, String at) {
    JsonNode v = o.get(f);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < 0) {
      throw malformed(at, "must be a non-negative integer");
    }
    return v.asLong();
  }

  private static Long queryLong(HttpRequestView req, String name) {
    String v = req.firstQuery(name);
    if (v == null) {
      return null;
    }
    try {
      long n = Long.parseLong(v);
      if (n < 0) {
        throw malformed("query." + name, "must be a non-negative integer");
      }
      return n;
    } catch (NumberFormatException e) {
      throw new AdapterException(AdapterException.MALFORMED_REQUEST, "query." + name, "`query." + name
          + "` must be a non-negative integer", e);
    }
  }

  private static List<String> include(ObjectNode o, List<String> defaults) {
    JsonNode v = o.get("include");
    if (v == null || v.isNull()) {
      return defaults;
    }
    if (!v.isArray()) {
      throw malformed("include", "must be an array");
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < v.size(); i++) {
      if (!v.get(i).isTextual() || !INCLUDE_VALUES.contains(v.get(i).textValue())) {
        throw new AdapterException(AdapterException.UNKNOWN_ENUM_VALUE, "include[" + i + "]", "`include[" + i
            + "]` must be one of " + new java.util.TreeSet<>(INCLUDE_VALUES));
      }
      out.add(v.get(i).textValue());
    }
    return out;
  }

  private static void sameLength(JsonNode v, String f, int n) {
    if (!v.isArray()) {
      throw malformed(f, "must be an array");
    }
    if (v.size() != n) {
      throw malformed(f, "has " + v.size() + " entries for " + n + " ids");
    }
  }

  /**
   * Checks embeddings: each is an array of numbers or a base64 string of packed little-endian
   * float32 (what chromadb sends when the server supports it). {@code n} < 0: any count.
   */
  static void embeddings(JsonNode v, String f, int n) {
    if (!v.isArray()) {
      throw malformed(f, "must be an array");
    }
    if (n >= 0 && v.size() != n) {
      throw malformed(f, "has " + v.size() + " entries for " + n + " ids");
    }
    for (int i = 0; i < v.size(); i++) {
      JsonNode e = v.get(i);
      String at = f + "[" + i + "]";
      if (e.isTextual()) {
        byte[] raw;
        try {
          raw = Base64.getDecoder().decode(e.textValue());
        } catch (IllegalArgumentException ex) {
          throw new AdapterException(AdapterException.MALFORMED_REQUEST, at, "`" + at
              + "` is a string but not base64 of float32 values", ex);
        }
        if (raw.length % 4 != 0) {
          throw malformed(at, "decodes to " + raw.length + " bytes, not a whole number of float32 values");
        }
      } else if (e.isArray()) {
        for (int k = 0; k < e.size(); k++) {
          if (!e.get(k).isNumber()) {
            throw malformed(at + "[" + k + "]", "must be a number");
          }
        }
      } else {
        throw malformed(at, "must be an array of numbers or a base64 string");
      }
    }
  }

  /** Decodes one base64 embedding (little-endian float32) — for tests and diagnostics. */
  public static float[] decodeBase64Embedding(String b64) {
    byte[] raw = Base64.getDecoder().decode(b64);
    java.nio.FloatBuffer fb = java.nio.ByteBuffer.wrap(raw).order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
    float[] out = new float[fb.remaining()];
    fb.get(out);
    return out;
  }

  private static Object plain(JsonNode v) {
    if (v.isTextual()) {
      return v.textValue();
    }
    if (v.isBoolean()) {
      return v.booleanValue();
    }
    if (v.isIntegralNumber() && v.canConvertToLong()) {
      return v.longValue();
    }
    if (v.isNumber()) {
      return v.doubleValue();
    }
    return null;
  }
}
