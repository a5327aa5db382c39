package io.vectorgate.proxy.adapter.qdrant;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorgate.model.Action;
import io.vectorgate.model.Counts;
import io.vectorgate.model.DatabaseKind;
import io.vectorgate.model.Decision;
import io.vectorgate.model.FieldMask;
import io.vectorgate.model.LimitCap;
import io.vectorgate.model.MaskMethod;
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
import io.vectorgate.proxy.enforce.LimitCaps;
import io.vectorgate.proxy.enforce.ObligationException;
import io.vectorgate.proxy.enforce.ResponseTally;
import io.vectorgate.proxy.enforce.RowFilterMatcher;
import io.vectorgate.proxy.enforce.RowValue;
import io.vectorgate.proxy.enforce.ValueMasker;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The Qdrant REST adapter (Qdrant 1.19 OpenAPI; qdrant-client 1.20 in REST mode). Pure: a
 * normalized {@link HttpRequestView} in, an {@link Operation} and rewritten JSON out. See
 * {@code docs/adapters/qdrant.md}.
 *
 * <ul>
 *   <li>Routes outside the table in {@link QdrantRoute} are refused ({@code unknown_route}).
 *   <li>Bodies of point routes are checked field by field: an unknown field anywhere the gateway
 *       reads (request, filter, prefetch, query) is refused ({@code unknown_field}).
 *   <li>Row filters go into {@code filter.must} at the top level and in every prefetch, into
 *       {@code update_filter} of upserts and vector updates, and turn id selections into
 *       {@code has_id} filters; retrieve-by-id responses are filtered.
 *   <li>{@code lookup_from} / {@code with_lookup} naming another collection read data the
 *       decision did not cover: refused unless the adapter was built with cross-collection
 *       lookups enabled, in which case {@link #lookupOperations} lists the extra operations the
 *       listener must authorize.
 * </ul>
 */
public final class QdrantAdapter implements HttpApiAdapter {
  /** Qdrant's default {@code limit} of query, scroll and facet. */
  public static final long DEFAULT_LIMIT = 10;
  /** Qdrant's default {@code group_size}. */
  public static final long DEFAULT_GROUP_SIZE = 3;
  /** Qdrant's defaults of the distance-matrix {@code sample} and {@code limit}. */
  public static final long DEFAULT_MATRIX_SAMPLE = 10;
  public static final long DEFAULT_MATRIX_LIMIT = 3;

  /** A mask the response shape cannot honour (e.g. grouping by a dropped field). */
  public static final String MASK_UNENFORCEABLE = "mask_unenforceable";

  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Set<String> QUERY_PARAMS = Set.of("wait", "ordering", "timeout", "consistency", "priority",
      "checksum", "anonymize", "details_level", "force");
  private static final Set<String> QUERY_KINDS = Set.of("nearest", "recommend", "discover", "context", "order_by",
      "fusion", "rrf", "formula", "sample", "relevance_feedback", "text", "indices", "values", "model", "options",
      "image", "object", "mmr");

  private final ValueMasker masker;
  private final boolean crossCollectionLookups;

  /** An adapter that refuses lookups into other collections. */
  public QdrantAdapter(ValueMasker masker) {
    this(masker, false);
  }

  /**
   * @param crossCollectionLookups accept {@code lookup_from} naming another collection; only
   *     for a listener that authorizes {@link #lookupOperations} as well
   */
  public QdrantAdapter(ValueMasker masker, boolean crossCollectionLookups) {
    this.masker = Objects.requireNonNull(masker, "masker");
    this.crossCollectionLookups = crossCollectionLookups;
  }

  @Override
  public DatabaseKind kind() {
    return DatabaseKind.QDRANT;
  }

  // ============================================================================================
  // decode
  // ============================================================================================

  @Override
  public Object route(HttpRequestView request) {
    Objects.requireNonNull(request, "request");
    return QdrantRoute.route(request.method(), request.segments());
  }

  @Override
  public Operation decode(Object matched, HttpRequestView request) {
    Objects.requireNonNull(request, "request");
    QdrantRoute.Match m = (QdrantRoute.Match) matched;
    checkQueryParams(request);
    ProtocolFacts facts = ProtocolFacts.http(request.method(), request.path());
    Resource resource = new Resource(null, m.collection(), List.of(), null);
    Operation.Builder b = switch (m.route()) {
      case QUERY -> decodeQuery(object(request, true), m.collection(), false);
      case QUERY_GROUPS -> decodeQuery(object(request, true), m.collection(), true);
      case QUERY_BATCH -> decodeBatch(object(request, true), m.collection());
      case MATRIX -> decodeMatrix(object(request, true));
      case SCROLL -> decodeScroll(object(request, false));
      case COUNT -> decodeCount(object(request, false));
      case FACET -> decodeFacet(object(request, true));
      case RETRIEVE -> decodeRetrieve(object(request, true));
      case GET_POINT -> Operation.builder(Action.GET).counts(new Counts(1, 0, 0)).outputFields(List.of("*"))
          .vectorsRequested(true).attributes(Map.of("point_id", request.segments().get(request.segments().size() - 1)));
      case UPSERT -> decodeUpsert(object(request, true));
      case DELETE_POINTS -> decodeSelector(object(request, true), Action.DELETE, true);
      case CLEAR_PAYLOAD -> decodeSelector(object(request, true), Action.UPDATE, true);
      case SET_PAYLOAD, OVERWRITE_PAYLOAD -> decodeSetPayload(object(request, true));
      case DELETE_PAYLOAD -> decodeDeletePayload(object(request, true));
      case UPDATE_VECTORS -> decodeUpdateVectors(object(request, true));
      case DELETE_VECTORS -> decodeDeleteVectors(object(request, true));
      case BATCH_UPDATE -> throw new AdapterException(AdapterException.UNSUPPORTED_OPERATION, "operations",
          "points/batch mixes several writes in one request; send them one by one through the gateway");
      case DROP_VECTOR_NAME -> Operation.builder(m.route().action)
          .attributes(Map.of("vector_name", request.segments().get(3)));
      case DROP_INDEX -> Operation.builder(m.route().action)
          .attributes(Map.of("field_name", request.segments().get(3)));
      default -> Operation.builder(m.route().action);
    };
    Operation op = b.resource(resource).protocol(facts).build();
    return filterFields(request.body()).attachTo(op);
  }

  /**
   * The payload keys the client's filters reference: {@code filter}, {@code update_filter}, every
   * prefetch's {@code filter} (nested prefetches included) and every batch search's. Runs after
   * decoding, so the filters are already validated.
   */
  static FilterFields filterFields(JsonNode body) {
    FilterFields out = new FilterFields();
    if (body instanceof ObjectNode o) {
      queryFilterFields(o, "", out, 0);
      if (o.get("update_filter") instanceof ObjectNode uf) {
        QdrantFilters.collectFields(uf, "update_filter", out);
      }
      if (o.get("searches") instanceof ArrayNode searches) {
        for (int i = 0; i < searches.size(); i++) {
          queryFilterFields(searches.get(i), "searches[" + i + "].", out, 0);
        }
      }
    }
    return out;
  }

  private static void queryFilterFields(JsonNode q, String prefix, FilterFields out, int depth) {
    if (depth > QdrantFilters.MAX_DEPTH) {
      throw new AdapterException(AdapterException.MALFORMED_REQUEST, prefix + "prefetch", "prefetch nests deeper than "
          + QdrantFilters.MAX_DEPTH);
    }
    if (!(q instanceof ObjectNode o)) {
      return;
    }
    if (o.get("filter") instanceof ObjectNode f) {
      QdrantFilters.collectFields(f, prefix + "filter", out);
    }
    JsonNode p = o.get("prefetch");
    if (p instanceof ArrayNode ps) {
      for (int i = 0; i < ps.size(); i++) {
        queryFilterFields(ps.get(i), prefix + "prefetch[" + i + "].", out, depth + 1);
      }
    } else if (p instanceof ObjectNode) {
      queryFilterFields(p, prefix + "prefetch.", out, depth + 1);
    }
  }

  private static void checkQueryParams(HttpRequestView r) {
    for (Map.Entry<String, List<String>> e : r.query().entrySet()) {
      if (!QUERY_PARAMS.contains(e.getKey())) {
        throw new AdapterException(AdapterException.UNKNOWN_FIELD, "query." + e.getKey(),
            "query parameter `" + e.getKey() + "` is not one the gateway knows for Qdrant");
      }
      if (e.getValue().size() > 1) {
        throw new AdapterException(AdapterException.MALFORMED_REQUEST, "query." + e.getKey(),
            "query parameter `" + e.getKey() + "` is given " + e.getValue().size() + " times");
      }
    }
  }

  private static ObjectNode object(HttpRequestView r, boolean required) {
    JsonNode b = r.body();
    if (b == null || b.isNull()) {
      if (required) {
        throw new AdapterException(AdapterException.MALFORMED_REQUEST, "", r.method() + " " + r.path() + " needs a JSON body");
      }
      return F.objectNode();
    }
    if (!b.isObject()) {
      throw new AdapterException(AdapterException.MALFORMED_REQUEST, "", "the request body must be a JSON object");
    }
    return (ObjectNode) b;
  }

  /** What one query (top-level or batch element) says. */
  private final class QueryFacts {
    final String collection;
    Long limit;
    Long offset;
    boolean vectors;
    List<String> outputs = List.of();
    final List<Object> prefetchFilters = new ArrayList<>();
    final Set<String> lookups = new LinkedHashSet<>();
    int pointIds;
    boolean hasQuery;

    QueryFacts(String collection) {
      this.collection = collection;
    }

    void lookup(JsonNode lf, String path) {
      if (lf == null || lf.isNull()) {
        return;
      }
      if (!lf.isObject()) {
        throw new AdapterException(AdapterException.MALFORMED_REQUEST, path, "must be an object");
      }
      QdrantFields.check(lf, "LookupLocation", path);
      JsonNode c = lf.get("collection");
      if (c == null || !c.isTextual()) {
        throw new AdapterException(AdapterException.MALFORMED_REQUEST, path + ".collection", "must name a collection");
      }
      if (!c.textValue().equals(collection)) {
        if (!crossCollectionLookups) {
          throw new AdapterException(AdapterException.UNSUPPORTED_OPERATION, path + ".collection",
              "lookup_from reads collection `" + c.textValue() + "`, which this request's decision does not cover");
        }
        lookups.add(c.textValue());
      }
    }
  }

  private Operation.Builder decodeQuery(ObjectNode q, String collection, boolean groups) {
    QdrantFields.check(q, groups ? "QueryGroupsRequest" : "QueryRequest", "");
    QueryFacts f = new QueryFacts(collection);
    readQuery(q, "", f, groups);
    Map<String, Object> attrs = new LinkedHashMap<>();
    common(f, attrs);
    Long limit = f.limit;
    if (groups) {
      JsonNode gb = q.get("group_by");
      if (gb == null || !gb.isTextual()) {
        throw new AdapterException(AdapterException.MALFORMED_REQUEST, "group_by", "must name a payload key");
      }
      attrs.put("group_by", gb.textValue());
      Long size = nonNegative(q, "group_size", "group_size");
      if (size != null) {
        attrs.put("group_size", size);
      }
      JsonNode wl = q.get("with_lookup");
      if (wl != null && !wl.isNull()) {
        String lc;
        if (wl.isTextual()) {
          lc = wl.textValue();
        } else if (wl.isObject()) {
          QdrantFields.check(wl, "WithLookup", "with_lookup");
          lc = wl.path("collection").asText(null);
        } else {
          throw new AdapterException(AdapterException.MALFORMED_REQUEST, "with_lookup", "must be a collection name or an object");
        }
        if (lc == null || !lc.equals(collection)) {
          throw new AdapterException(AdapterException.UNSUPPORTED_OPERATION, "with_lookup",
              "with_lookup returns records of collection `" + lc + "`, whose policy this request's decision does not cover");
        }
        attrs.put("with_lookup", lc);
      }
    }
    Action action = f.hasQuery || q.has("prefetch") || groups ? Action.SEARCH : Action.QUERY;
    return Operation.builder(action)
        .filter(plain(q.get("filter")))
        .limit(limit)
        .offset(f.offset)
        .outputFields(f.outputs)
        .vectorsRequested(f.vectors)
        .counts(new Counts(0, 0, 1))
        .attributes(attrs);
  }

  private static void common(QueryFacts f, Map<String, Object> attrs) {
    if (!f.prefetchFilters.isEmpty()) {
      attrs.put("prefetch_filters", f.prefetchFilters);
    }
    if (!f.lookups.isEmpty()) {
      attrs.put("lookup_collections", List.copyOf(f.lookups));
    }
    if (f.pointIds > 0) {
      attrs.put("query_point_ids", f.pointIds);
    }
  }

  private void readQuery(ObjectNode q, String prefix, QueryFacts f, boolean groups) {
    QdrantFilters.validate(q.get("filter"), prefix + "filter");
    f.limit = nonNegative(q, "limit", prefix + "limit");
    if (!groups) {
      f.offset = nonNegative(q, "offset", prefix + "offset");
    }
    f.vectors = withVector(q.get("with_vector"), prefix + "with_vector", false);
    f.outputs = withPayload(q.get("with_payload"), prefix + "with_payload", false);
    JsonNode query = q.get("query");
    f.hasQuery = query != null && !query.isNull();
    f.pointIds += pointIdRefs(query, prefix + "query");
    f.lookup(q.get("lookup_from"), prefix + "lookup_from");
    prefetch(q.get("prefetch"), prefix + "prefetch", f, 0);
  }

  private void prefetch(JsonNode p, String path, QueryFacts f, int depth) {
    if (p == null || p.isNull()) {
      return;
    }
    if (depth > QdrantFilters.MAX_DEPTH) {
      throw new AdapterException(AdapterException.MALFORMED_REQUEST, path, "prefetch nests deeper than " + QdrantFilters.MAX_DEPTH);
    }
    if (p.isArray()) {
      for (int i = 0; i < p.size(); i++) {
        prefetch(p.get(i), path + "[" + i + "]", f, depth + 1);
      }
      return;
    }
    if (!p.isObject()) {
      throw new AdapterException(AdapterException.MALFORMED_REQUEST, path, "a prefetch must be an object or an array of them");
    }
    QdrantFields.check(p, "Prefetch", path);
    QdrantFilters.validate(p.get("filter"), path + ".filter");
    if (p.hasNonNull("filter")) {
      f.prefetchFilters.add(plain(p.get("filter")));
    }
    nonNegative(p, "limit", path + ".limit");
    f.pointIds += pointIdRefs(p.get("query"), path + ".query");
    f.lookup(p.get("lookup_from"), path + ".lookup_from");
    prefetch(p.get("prefetch"), path + ".prefetch", f, depth + 1);
  }

  /** How many point ids a query uses as inputs (their vectors are read from the collection). */
  static int pointIdRefs(JsonNode q, String path) {
    if (q == null || q.isNull() || q.isArray()) {
      return 0;
    }
    if (q.isIntegralNumber() || q.isTextual()) {
      return 1;
    }
    if (!q.isObject()) {
      throw new AdapterException(AdapterException.MALFORMED_REQUEST, path, "not a Qdrant query");
    }
    int n = 0;
    for (var it = q.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!QUERY_KINDS.contains(k)) {
        throw new AdapterException(AdapterException.UNKNOWN_FIELD, path + "." + k, "`" + k + "` is not a Qdrant query kind");
      }
    }
    n += input(q.get("nearest"));
    JsonNode rec = q.get("recommend");
    if (rec != null && rec.isObject()) {
      n += inputs(rec.get("positive")) + inputs(rec.get("negative"));
    }
    JsonNode disc = q.get("discover");
    if (disc != null && disc.isObject()) {
      n += input(disc.get("target")) + pairs(disc.get("context"));
    }
    n += pairs(q.get("context"));
    JsonNode fb = q.get("relevance_feedback");
    if (fb != null && fb.isObject()) {
      n += input(fb.get("target"));
      JsonNode items = fb.get("feedback");
      if (items != null && items.isArray()) {
        for (JsonNode it : items) {
          n += input(it.get("example"));
        }
      }
    }
    return n;
  }

  private static int input(JsonNode v) {
    return v != null && (v.isIntegralNumber() || v.isTextual()) ? 1 : 0;
  }

  private static int inputs(JsonNode arr) {
    int n = 0;
    if (arr != null && arr.isArray()) {
      for (JsonNode v : arr) {
        n += input(v);
      }
    }
    return n;
  }

  private static int pairs(JsonNode ctx) {
    if (ctx == null || ctx.isNull()) {
      return 0;
    }
    int n = 0;
    for (JsonNode p : QdrantFilters.conditions(ctx)) {
      if (p.isObject()) {
        n += input(p.get("positive")) + input(p.get("negative"));
      }
    }
    return n;
  }

  private Operation.Builder decodeBatch(ObjectNode b, String collection) {
    QdrantFields.check(b, "QueryRequestBatch", "");
    JsonNode searches = b.get("searches");
    if (searches == null || !searches.isArray()) {
      throw new AdapterException(AdapterException.MALFORMED_REQUEST, "searches", "must be an array of queries");
    }
    Long maxLimit = null;
    boolean vectors = false;
    Set<String> outputs = new LinkedHashSet<>();
    List<Object> filters = new ArrayList<>();
    Map<String, Object> attrs = new LinkedHashMap<>();
    QueryFacts all = new QueryFacts(collection);
    for (int i = 0; i < searches.size(); i++) {
      JsonNode s = searches.get(i);
      String p = "searches[" + i + "].";
      if (!s.isObject()) {
        throw new AdapterException(AdapterException.MALFORMED_REQUEST, "searches[" + i + "]", "must be an object");
      }
      QdrantFields.check(s, "QueryRequest", "searches[" + i + "]");
      QueryFacts f = new QueryFacts(collection);
      readQuery((ObjectNode) s, p, f, false);
      long l = f.limit == null ? DEFAULT_LIMIT : f.limit;
      maxLimit = maxLimit == null ? l : Math.max(maxLimit, l);
      vectors |= f.vectors;
      outputs.addAll(f.outputs);
      filters.add(plain(s.get("filter")));
      all.prefetchFilters.addAll(f.prefetchFilters);
      all.lookups.addAll(f.lookups);
      all.pointIds += f.pointIds;
    }
    common(all, attrs);
    attrs.put("batch_filters", filters);
    return Operation.builder(Action.SEARCH).limit(maxLimit).outputFields(List.copyOf(outputs)).vectorsRequested(vectors)
        .counts(new Counts(0, 0, searches.size())).attributes(attrs);
  }

  private static Operation.Builder decodeMatrix(ObjectNode b) {
    QdrantFields.check(b, "SearchMatrixRequest", "");
    QdrantFilters.validate(b.get("filter"), "filter");
    Long sample = nonNegative(b, "sample", "sample");
    Long limit = nonNegative(b, "limit", "limit");
    Map<String, Object> attrs = new LinkedHashMap<>();
    attrs.put("neighbours", limit == null ? DEFAULT_MATRIX_LIMIT : limit);
    return Operation.builder(Action.SEARCH).filter(plain(b.get("filter"))).limit(sample)
        .counts(new Counts(0, 0, 0)).attributes(attrs);
  }

  private static Operation.Builder decodeScroll(ObjectNode b) {
    QdrantFields.check(b, "ScrollRequest", "");
    QdrantFilters.validate(b.get("filter"), "filter");
    Map<String, Object> attrs = new LinkedHashMap<>();
    JsonNode offset = b.get("offset");
    if (offset != null && !offset.isNull()) {
      QdrantFilters.pointId(offset, "offset");
      attrs.put("cursor", true);
    }
    orderKey(b.get("order_by")).ifPresent(k -> attrs.put("order_by", k));
    return Operation.builder(Action.QUERY)
        .filter(plain(b.get("filter")))
        .limit(nonNegative(b, "limit", "limit"))
        .outputFields(withPayload(b.get("with_payload"), "with_payload", true))
        .vectorsRequested(withVector(b.get("with_vector"), "with_vector", false))
        .paging(true)
        .attributes(attrs);
  }

  static Optional<String> orderKey(JsonNode ob) {
    if (ob == null || ob.isNull()) {
      return Optional.empty();
    }
    if (ob.isTextual()) {
      return Optional.of(ob.textValue());
    }
    if (ob.isObject()) {
      QdrantFields.check(ob, "OrderBy", "order_by");
      if (ob.path("key").isTextual()) {
        return Optional.of(ob.get("key").textValue());
      }
    }
    throw new AdapterException(AdapterException.MALFORMED_REQUEST, "order_by", "must be a payload key or {key, direction, start_from}");
  }

  private static Operation.Builder decodeCount(ObjectNode b) {
    QdrantFields.check(b, "CountRequest", "");
    QdrantFilters.validate(b.get("filter"), "filter");
    return Operation.builder(Action.COUNT).filter(plain(b.get("filter")));
  }

  private static Operation.Builder decodeFacet(ObjectNode b) {
    QdrantFields.check(b, "FacetRequest", "");
    QdrantFilters.validate(b.get("filter"), "filter");
    JsonNode key = b.get("key");
    if (key == null || !key.isTextual()) {
      throw new AdapterException(AdapterException.MALFORMED_REQUEST, "key", "must name a payload key");
    }
    return Operation.builder(Action.QUERY).filter(plain(b.get("filter"))).limit(nonNegative(b, "limit", "limit"))
        .outputFields(List.of(key.textValue())).attributes(Map.of("facet_key", key.textValue()));
  }

  private static Operation.Builder decodeRetrieve(ObjectNode b) {
    QdrantFields.check(b, "PointRequest", "");
    JsonNode ids = ids(b.get("ids"), "ids", true);
    return Operation.builder(Action.GET)
        .outputFields(withPayload(b.get("with_payload"), "with_payload", true))
        .vectorsRequested(withVector(b.get("with_vector"), "with_vector", false))
        .counts(new Counts(ids.size(), 0, 0));
  }

  private static Operation.Builder decodeUpsert(ObjectNode b) {
    WrittenValues written = new WrittenValues();
    long rows;
    if (b.has("points")) {
      QdrantFields.check(b, "PointsList", "");
      JsonNode points = b.get("points");
      if (!points.isArray()) {
        throw new AdapterException(AdapterException.MALFORMED_REQUEST, "points", "must be an array of points");
      }
      for (int i = 0; i < points.size(); i++) {
        JsonNode p = points.get(i);
        String path = "points[" + i + "]";
        if (!p.isObject()) {
          throw new AdapterException(AdapterException.MALFORMED_REQUEST, path, "must be an object");
        }
        QdrantFields.check(p, "PointStruct", path);
        QdrantFilters.pointId(p.path("id"), path + ".id");
        payloadObject(p.get("payload"), path + ".payload");
        written.add(p.get("payload"));
      }
      rows = points.size();
    } else if (b.has("batch")) {
      QdrantFields.check(b, "PointsBatch", "");
      JsonNode batch = b.get("batch");
      if (!batch.isObject()) {
        throw new AdapterException(AdapterException.MALFORMED_REQUEST, "batch", "must be an object");
      }
      QdrantFields.check(batch, "Batch", "batch");
      JsonNode ids = ids(batch.get("ids"), "batch.ids", true);
      JsonNode pl = batch.get("payloads");
      if (pl != null && !pl.isNull()) {
        if (!pl.isArray() || pl.size() != ids.size()) {
          throw new AdapterException(AdapterException.MALFORMED_REQUEST, "batch.payloads", "must be an array as long as `batch.ids`");
        }
        for (int i = 0; i < pl.size(); i++) {
          payloadObject(pl.get(i), "batch.payloads[" + i + "]");
          written.add(pl.get(i));
        }
      }
      rows = ids.size();
    } else {
      throw new AdapterException(AdapterException.MALFORMED_REQUEST, "", "an upsert needs `points` or `batch`");
    }
    QdrantFilters.validate(b.get("update_filter"), "update_filter");
    Map<String, Object> attrs = new LinkedHashMap<>();
    written.into(attrs);
    if (b.hasNonNull("update_mode")) {
      attrs.put("update_mode", b.get("update_mode").asText());
    }
    return Operation.builder(Action.UPSERT).filter(plain(b.get("update_filter"))).counts(new Counts(rows, rows, 0))
        .attributes(attrs);
  }

  private static void payloadObject(JsonNode p, String path) {
    if (p != null && !p.isNull() && !p.isObject()) {
      throw new AdapterException(AdapterException.MALFORMED_REQUEST, path, "a payload must be a JSON object");
    }
  }

  /** PointsSelector: {@code {points:[ids]}} or {@code {filter}}. */
  private static Operation.Builder decodeSelector(ObjectNode b, Action action, boolean emptyFilterIsAll) {
    if (b.has("points")) {
      QdrantFields.check(b, "PointIdsList", "");
      JsonNode ids = ids(b.get("points"), "points", true);
      return Operation.builder(action).counts(new Counts(ids.size(), 0, 0));
    }
    QdrantFields.check(b, "FilterSelector", "");
    if (!b.has("filter")) {
      throw new AdapterException(AdapterException.MALFORMED_REQUEST, "", "needs `points` (ids) or `filter`");
    }
    QdrantFilters.validate(b.get("filter"), "filter");
    boolean all = QdrantFilters.selectsAll(b.get("filter"));
    Action a = all && emptyFilterIsAll ? Action.DELETE_ALL : action;
    return Operation.builder(a).filter(plain(b.get("filter"))).attributes(all ? Map.of("selects_all", true) : Map.of());
  }

  /** Selection by {@code points} and/or {@code filter} (payload and vector operations). */
  private static Counts selection(ObjectNode b, Map<String, Object> attrs) {
    JsonNode ids = ids(b.get("points"), "points", false);
    QdrantFilters.validate(b.get("filter"), "filter");
    if (ids == null && !b.hasNonNull("filter")) {
      throw new AdapterException(AdapterException.MALFORMED_REQUEST, "", "needs `points` (ids) or `filter`");
    }
    if (ids == null && QdrantFilters.selectsAll(b.get("filter"))) {
      attrs.put("selects_all", true);
    }
    return new Counts(ids == null ? 0 : ids.size(), 0, 0);
  }

  private static Operation.Builder decodeSetPayload(ObjectNode b) {
    QdrantFields.check(b, "SetPayload", "");
    JsonNode payload = b.get("payload");
    if (payload == null || !payload.isObject()) {
      throw new AdapterException(AdapterException.MALFORMED_REQUEST, "payload", "must be a JSON object");
    }
    Map<String, Object> attrs = new LinkedHashMap<>();
    Counts counts = selection(b, attrs);
    if (b.hasNonNull("key")) {
      if (!b.get("key").isTextual()) {
        throw new AdapterException(AdapterException.MALFORMED_REQUEST, "key", "must be a payload path");
      }
      attrs.put("payload_key", b.get("key").textValue());
    } else {
      WrittenValues w = new WrittenValues();
      w.add(payload);
      w.into(attrs);
    }
    return Operation.builder(Action.UPDATE).filter(plain(b.get("filter"))).counts(counts).attributes(attrs);
  }

  private static Operation.Builder decodeDeletePayload(ObjectNode b) {
    QdrantFields.check(b, "DeletePayload", "");
    JsonNode keys = b.get("keys");
    if (keys == null || !keys.isArray()) {
      throw new AdapterException(AdapterException.MALFORMED_REQUEST, "keys", "must be an array of payload keys");
    }
    Map<String, Object> attrs = new LinkedHashMap<>();
    Counts counts = selection(b, attrs);
    attrs.put("deleted_keys", plain(keys));
    return Operation.builder(Action.UPDATE).filter(plain(b.get("filter"))).counts(counts).attributes(attrs);
  }

  private static Operation.Builder decodeUpdateVectors(ObjectNode b) {
    QdrantFields.check(b, "UpdateVectors", "");
    JsonNode points = b.get("points");
    if (points == null || !points.isArray()) {
      throw new AdapterException(AdapterException.MALFORMED_REQUEST, "points", "must be an array of {id, vector}");
    }
    for (int i = 0; i < points.size(); i++) {
      JsonNode p = points.get(i);
      if (!p.isObject()) {
        throw new AdapterException(AdapterException.MALFORMED_REQUEST, "points[" + i + "]", "must be an object");
      }
      QdrantFields.check(p, "PointVectors", "points[" + i + "]");
      QdrantFilters.pointId(p.path("id"), "points[" + i + "].id");
    }
    QdrantFilters.validate(b.get("update_filter"), "update_filter");
    return Operation.builder(Action.UPDATE).filter(plain(b.get("update_filter")))
        .counts(new Counts(points.size(), points.size(), 0)).attributes(Map.of("vectors_only", true));
  }

  private static Operation.Builder decodeDeleteVectors(ObjectNode b) {
    QdrantFields.check(b, "DeleteVectors", "");
    JsonNode names = b.get("vector");
    if (names == null || !names.isArray()) {
      throw new AdapterException(AdapterException.MALFORMED_REQUEST, "vector", "must be an array of vector names");
    }
    Map<String, Object> attrs = new LinkedHashMap<>();
    Counts counts = selection(b, attrs);
    attrs.put("vector_names", plain(names));
    return Operation.builder(Action.UPDATE).filter(plain(b.get("filter"))).counts(counts).attributes(attrs);
  }

  private static JsonNode ids(JsonNode ids, String path, boolean required) {
    if (ids == null || ids.isNull()) {
      if (required) {
        throw new AdapterException(AdapterException.MALFORMED_REQUEST, path, "must be an array of point ids");
      }
      return null;
    }
    if (!ids.isArray()) {
      throw new AdapterException(AdapterException.MALFORMED_REQUEST, path, "must be an array of point ids");
    }
    for (int i = 0; i < ids.size(); i++) {
      QdrantFilters.pointId(ids.get(i), path + "[" + i + "]");
    }
    return ids;
  }

  private static Long nonNegative(JsonNode o, String field, String path) {
    JsonNode v = o.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0) {
      throw new AdapterException(AdapterException.MALFORMED_REQUEST, path, "must be a non-negative integer");
    }
    return v.longValue();
  }

  private static boolean withVector(JsonNode v, String path, boolean dflt) {
    if (v == null || v.isNull()) {
      return dflt;
    }
    if (v.isBoolean()) {
      return v.booleanValue();
    }
    if (v.isArray()) {
      for (JsonNode n : v) {
        if (!n.isTextual()) {
          throw new AdapterException(AdapterException.MALFORMED_REQUEST, path, "must be a boolean or an array of vector names");
        }
      }
      return !v.isEmpty();
    }
    throw new AdapterException(AdapterException.MALFORMED_REQUEST, path, "must be a boolean or an array of vector names");
  }

  /** The payload keys a request asks for: {@code ["*"]} for all, the include list, or none. */
  static List<String> withPayload(JsonNode v, String path, boolean dflt) {
    if (v == null || v.isNull()) {
      return dflt ? List.of("*") : List.of();
    }
    if (v.isBoolean()) {
      return v.booleanValue() ? List.of("*") : List.of();
    }
    if (v.isArray()) {
      return strings(v, path);
    }
    if (v.isObject()) {
      QdrantFilters.onlyKeys(v, Set.of("include", "exclude"), path);
      if (v.size() != 1) {
        throw new AdapterException(AdapterException.MALFORMED_REQUEST, path, "needs exactly one of `include`, `exclude`");
      }
      if (v.has("include")) {
        return strings(v.get("include"), path + ".include");
      }
      strings(v.get("exclude"), path + ".exclude");
      return List.of("*");
    }
    throw new AdapterException(AdapterException.MALFORMED_REQUEST, path, "must be a boolean, a key list or {include|exclude}");
  }

  private static List<String> strings(JsonNode arr, String path) {
    if (arr == null || !arr.isArray()) {
      throw new AdapterException(AdapterException.MALFORMED_REQUEST, path, "must be an array of strings");
    }
    List<String> out = new ArrayList<>();
    for (JsonNode n : arr) {
      if (!n.isTextual()) {
        throw new AdapterException(AdapterException.MALFORMED_REQUEST, path, "must be an array of strings");
      }
      out.add(n.textValue());
    }
    return out;
  }

  private static Object plain(JsonNode n) {
    return n == null || n.isNull() ? null : MAPPER.convertValue(n, Object.class);
  }

  /**
   * The further reads a request performs in other collections ({@code lookup_from} reads the
   * vectors of the query's point ids there): one {@code get} per collection. Empty unless the
   * adapter accepts cross-collection lookups. A listener using that mode must authorize each of
   * these as well, and refuse the request if any is denied or carries a row filter.
   */
  public List<Operation> lookupOperations(HttpRequestView request, Operation primary) {
    Object lc = primary.attributes().get("lookup_collections");
    if (!(lc instanceof List<?> names) || names.isEmpty()) {
      return List.of();
    }
    Object ids = primary.attributes().getOrDefault("query_point_ids", 0);
    long n = ids instanceof Number num ? num.longValue() : 0;
    List<Operation> out = new ArrayList<>();
    for (Object name : names) {
      out.add(Operation.builder(Action.GET)
          .resource(new Resource(null, String.valueOf(name), List.of(), null))
          .counts(new Counts(n, 0, 0))
          .attributes(Map.of("lookup_for", String.valueOf(primary.resource().collection())))
          .protocol(primary.protocol())
          .build());
    }
    return out;
  }

  // ============================================================================================
  // request obligations
  // ============================================================================================

  @Override
  public HttpRequestView applyRequestObligations(Object matched, HttpRequestView request, Operation operation,
      Obligations obligations) {
    Objects.requireNonNull(obligations, "obligations");
    List<RowFilter> rf = obligations.rowFilter();
    LimitCap cap = obligations.limitCap();
    boolean strip = obligations.stripVectors();
    QdrantRoute route = ((QdrantRoute.Match) matched).route();
    Ctx ctx = new Ctx(rf.isEmpty() ? null : QdrantFilters.rowFilterConditions(rf), rf, cap, strip);
    if (ctx.conds == null && cap == null && !strip && !groupsByDroppedField(route, request, obligations)) {
      return request;
    }
    ObjectNode body = request.body() instanceof ObjectNode o ? o.deepCopy() : null;
    switch (route) {
      case QUERY -> rewriteQuery(body, ctx, "", true, operation);
      case QUERY_GROUPS -> {
        String gb = body.path("group_by").asText();
        for (FieldMask m : obligations.mask()) {
          if (m.field().equals(gb) && m.path().isEmpty() && m.method() == MaskMethod.DROP) {
            throw new ObligationException(MASK_UNENFORCEABLE,
                "grouping by `" + gb + "` would reveal a field the policy drops");
          }
        }
        rewriteQuery(body, ctx, "", true, operation);
        if (cap != null) {
          capField(body, "group_size", DEFAULT_GROUP_SIZE, cap, "group_size");
        }
      }
      case QUERY_BATCH -> {
        JsonNode searches = body.get("searches");
        for (int i = 0; i < searches.size(); i++) {
          rewriteQuery((ObjectNode) searches.get(i), ctx, "searches[" + i + "].", true, operation);
        }
      }
      case MATRIX -> {
        injectFilter(body, "filter", ctx);
        if (cap != null) {
          capField(body, "sample", DEFAULT_MATRIX_SAMPLE, cap, "sample");
          capField(body, "limit", DEFAULT_MATRIX_LIMIT, cap, "limit");
        }
      }
      case SCROLL -> {
        body = body == null ? F.objectNode() : body;
        injectFilter(body, "filter", ctx);
        if (cap != null) {
          capField(body, "limit", DEFAULT_LIMIT, cap, "limit");
        }
        stripRequest(body, ctx);
      }
      case COUNT -> {
        body = body == null ? F.objectNode() : body;
        injectFilter(body, "filter", ctx);
      }
      case FACET -> {
        injectFilter(body, "filter", ctx);
        if (cap != null) {
          capField(body, "limit", DEFAULT_LIMIT, cap, "limit");
        }
      }
      case RETRIEVE -> {
        if (cap != null) {
          ArrayNode ids = (ArrayNode) body.get("ids");
          var max = LimitCaps.clamp((long) ids.size(), null, cap, "ids");
          if (max.isPresent()) {
            ArrayNode kept = F.arrayNode();
            for (int i = 0; i < max.getAsLong(); i++) {
              kept.add(ids.get(i));
            }
            body.set("ids", kept);
          }
        }
        if (ctx.conds != null) {
          body.put("with_payload", true); // the response is filtered on the payload
        }
        stripRequest(body, ctx);
      }
      case GET_POINT -> {
        if (ctx.conds != null) {
          throw new ObligationException(ObligationException.ROW_FILTER_UNENFORCEABLE,
              "GET /points/{id} takes no filter; retrieve points with POST /points so the row filter can apply");
        }
        return request;
      }
      case UPSERT -> {
        if (ctx.conds != null) {
          checkWrittenPayloads(body, rf);
          body.set("update_filter", QdrantFilters.withRowFilter(body.get("update_filter"), ctx.conds));
        }
      }
      case UPDATE_VECTORS -> {
        if (ctx.conds != null) {
          body.set("update_filter", QdrantFilters.withRowFilter(body.get("update_filter"), ctx.conds));
        }
      }
      case DELETE_POINTS, DELETE_VECTORS -> confineSelection(body, ctx);
      case CLEAR_PAYLOAD -> {
        if (ctx.conds != null) {
          throw new ObligationException(ObligationException.ROW_FILTER_VIOLATION,
              "clearing payloads would remove `" + rf.get(0).field() + "`, which the row filter requires");
        }
      }
      case SET_PAYLOAD, OVERWRITE_PAYLOAD -> {
        if (ctx.conds != null) {
          checkPayloadWrite(body, rf, route == QdrantRoute.OVERWRITE_PAYLOAD);
          confineSelection(body, ctx);
        }
      }
      case DELETE_PAYLOAD -> {
        if (ctx.conds != null) {
          for (JsonNode k : body.get("keys")) {
            for (RowFilter r : rf) {
              if (touches(k.asText(), r.field())) {
                throw new ObligationException(ObligationException.ROW_FILTER_VIOLATION,
                    "deleting payload key `" + k.asText() + "` would remove `" + r.field() + "`, which the row filter requires");
              }
            }
          }
          confineSelection(body, ctx);
        }
      }
      default -> {
        if (ctx.conds != null) {
          throw new ObligationException(ObligationException.ROW_FILTER_UNENFORCEABLE,
              "a row filter applies but " + request.method() + " " + request.path() + " has no filter to carry it");
        }
        return request;
      }
    }
    return body == null ? request : request.withBody(body);
  }

  private static boolean groupsByDroppedField(QdrantRoute route, HttpRequestView r, Obligations o) {
    return route == QdrantRoute.QUERY_GROUPS && !o.mask().isEmpty();
  }

  private record Ctx(List<ObjectNode> conds, List<RowFilter> rf, LimitCap cap, boolean strip) {}

  private static void rewriteQuery(ObjectNode q, Ctx ctx, String prefix, boolean top, Operation op) {
    if (ctx.conds != null && pointIdRefs(q.get("query"), prefix + "query") > 0) {
      throw new ObligationException(ObligationException.ROW_FILTER_UNENFORCEABLE,
          "`" + prefix + "query` uses stored points as query inputs, which the row filter cannot confine");
    }
    injectFilter(q, "filter", ctx);
    if (top) {
      if (ctx.cap != null) {
        capField(q, "limit", DEFAULT_LIMIT, ctx.cap, prefix + "limit");
      }
      stripRequest(q, ctx);
    }
    JsonNode pf = q.get("prefetch");
    if (pf != null && !pf.isNull()) {
      for (JsonNode p : QdrantFilters.conditions(pf)) {
        rewriteQuery((ObjectNode) p, ctx, prefix + "prefetch.", false, op);
      }
    }
  }

  private static void injectFilter(ObjectNode o, String field, Ctx ctx) {
    if (ctx.conds != null) {
      o.set(field, QdrantFilters.withRowFilter(o.get(field), ctx.conds));
    }
  }

  private static void stripRequest(ObjectNode o, Ctx ctx) {
    if (ctx.strip && o.has("with_vector")) {
      o.put("with_vector", false);
    }
  }

  private static void confineSelection(ObjectNode body, Ctx ctx) {
    if (ctx.conds == null) {
      return;
    }
    JsonNode ids = body.remove("points");
    JsonNode filter = body.get("filter");
    body.set("filter", ids != null && !ids.isNull()
        ? QdrantFilters.idsWithRowFilter(ids, filter, ctx.conds)
        : QdrantFilters.withRowFilter(filter, ctx.conds));
  }

  /** Caps one integer field with {@link LimitCaps#clamp} (Qdrant's default when it is missing). */
  private static void capField(ObjectNode o, String field, long apiDefault, LimitCap cap, String path) {
    JsonNode v = o.get(field);
    Long requested = v == null || v.isNull() ? null : v.longValue();
    LimitCaps.clamp(requested, apiDefault, cap, path).ifPresent(max -> o.put(field, max));
  }

  private static void checkWrittenPayloads(ObjectNode body, List<RowFilter> rf) {
    List<JsonNode> payloads = new ArrayList<>();
    if (body.has("points")) {
      body.get("points").forEach(p -> payloads.add(p.get("payload")));
    } else {
      JsonNode batch = body.get("batch");
      JsonNode pl = batch.get("payloads");
      for (int i = 0; i < batch.get("ids").size(); i++) {
        payloads.add(pl == null || pl.isNull() ? null : pl.get(i));
      }
    }
    for (int i = 0; i < payloads.size(); i++) {
      if (!RowFilterMatcher.of(rf).matchesJson(payloads.get(i))) {
        throw new ObligationException(ObligationException.ROW_FILTER_VIOLATION,
            "point " + i + " has a payload the row filter does not allow (it must set "
                + rf.stream().map(r -> "`" + r.field() + "`").reduce((a, b) -> a + ", " + b).orElse("") + ")");
      }
    }
  }

  private static void checkPayloadWrite(ObjectNode body, List<RowFilter> rf, boolean overwrite) {
    JsonNode payload = body.get("payload");
    if (body.hasNonNull("key")) {
      String key = body.get("key").asText();
      for (RowFilter r : rf) {
        if (touches(key, r.field())) {
          throw new ObligationException(ObligationException.ROW_FILTER_VIOLATION,
              "setting payload under `" + key + "` would rewrite `" + r.field() + "`, which the row filter requires");
        }
      }
      if (!overwrite) {
        return;
      }
    }
    for (RowFilter r : rf) {
      JsonNode v = payload.get(r.field());
      if ((v != null || overwrite) && !RowFilterMatcher.holds(RowValue.ofJson(v), r)) {
        throw new ObligationException(ObligationException.ROW_FILTER_VIOLATION,
            "the payload sets `" + r.field() + "` to a value the row filter does not allow"
                + (v == null ? " (an overwrite without it removes it)" : ""));
      }
    }
  }

  /** Does payload path {@code key} address {@code field} or something inside it? */
  private static boolean touches(String key, String field) {
    return key.equals(field) || key.startsWith(field + ".") || key.startsWith(field + "[");
  }

  // ============================================================================================
  // responses
  // ============================================================================================

  @Override
  public JsonNode rewriteResponse(Object matched, HttpRequestView request, Operation operation, int status,
      JsonNode body, Obligations obligations, ResponseTally tally) {
    if (status / 100 != 2 || !(body instanceof ObjectNode) || obligations == null) {
      return body;
    }
    RowFilterMatcher rf = RowFilterMatcher.of(obligations.rowFilter());
    if (obligations.mask().isEmpty() && !obligations.stripVectors() && rf.isEmpty() && obligations.limitCap() == null) {
      return body;
    }
    QdrantRoute route = ((QdrantRoute.Match) matched).route();
    ObjectNode out = ((ObjectNode) body).deepCopy();
    JsonNode result = out.get("result");
    if (result == null || result.isNull()) {
      return out;
    }
    JsonNode req = request.body() == null ? F.objectNode() : request.body();
    Rewrite rw = new Rewrite(obligations, orderKeySafe(route, req), rf, tally, route.name().toLowerCase(java.util.Locale.ROOT));
    long max = LimitCaps.allowed(obligations.limitCap());
    switch (route) {
      case QUERY, SCROLL -> rw.points(result, "points");
      case QUERY_BATCH -> {
        for (JsonNode r : result) {
          rw.points(r, "points");
        }
      }
      case QUERY_GROUPS -> {
        String gb = req.path("group_by").asText(null);
        FieldMask gm = gb == null ? null : wholeFieldMask(obligations.mask(), gb);
        // the cap bounds the points of the whole answer, not each group (limit x group_size could reach cap^2);
        // a group left without hits (cut, or every hit outside the row filter) goes too: its id is a payload value
        long budget = max;
        ArrayNode kept = F.arrayNode();
        for (JsonNode g : result.path("groups")) {
          boolean had = g.path("hits").size() > 0;
          rw.points(g, "hits", budget);
          budget -= g.path("hits").size();
          if (had && g.path("hits").isEmpty()) {
            continue;
          }
          kept.add(g);
        }
        if (result instanceof ObjectNode ro && ro.has("groups")) {
          ro.set("groups", kept);
        }
        for (JsonNode g : kept) {
          if (g.hasNonNull("lookup")) {
            rw.point(g.get("lookup"));
          }
          if (gm != null && g instanceof ObjectNode go && go.has("id")) {
            go.set("id", masker.maskJsonTyped(go.get("id"), gm.method() == MaskMethod.DROP ? MaskMethod.REDACT : gm.method()));
          }
        }
      }
      case RETRIEVE -> {
        if (result instanceof ArrayNode arr) {
          ArrayNode kept = arr;
          if (!rf.isEmpty()) {
            // the gateway forced the whole payload: every point must be within the filter
            List<String> asked = withPayloadSafe(req.get("with_payload"));
            kept = F.arrayNode();
            for (JsonNode p : arr) {
              if (rf.matchesJson(p.get("payload"))) {
                restrictPayload(p, asked, req.get("with_payload"));
                kept.add(p);
              }
            }
          }
          ObjectNode holder = F.objectNode().set("r", kept);
          rw.points(holder, "r");
          out.set("result", holder.get("r"));
        }
      }
      case GET_POINT -> rw.point(result);
      case FACET -> {
        String key = req.path("key").asText(null);
        FieldMask fm = key == null ? null : wholeFieldMask(obligations.mask(), key);
        if (result instanceof ObjectNode ro && ro.get("hits") instanceof ArrayNode hits) {
          ArrayNode kept = F.arrayNode();
          long dropped = 0;
          for (JsonNode h : hits) {
            if (key != null && h.has("value") && rf.violatedBy(f -> f.equals(key)
                ? RowValue.ofJson(h.get("value")) : RowValue.ABSENT)) {
              dropped++;
            } else {
              kept.add(h);
            }
          }
          tally.rowFilterDropped(dropped, "qdrant facet");
          ro.set("hits", kept);
          rw.cut(ro, "hits", max);
          if (fm != null && fm.method() == MaskMethod.DROP) {
            ro.set("hits", F.arrayNode());
          } else if (fm != null) {
            for (JsonNode h : ro.get("hits")) {
              if (h instanceof ObjectNode ho && ho.has("value")) {
                ho.set("value", masker.maskJsonTyped(ho.get("value"), fm.method()));
                tally.masked(1);
              }
            }
          }
        }
      }
      default -> {
        // other responses carry no payloads or vectors
      }
    }
    return out;
  }

  private static String orderKeySafe(QdrantRoute route, JsonNode req) {
    if (route != QdrantRoute.SCROLL) {
      return null;
    }
    try {
      return orderKey(req.get("order_by")).orElse(null);
    } catch (AdapterException e) {
      return null; // decode already refused malformed order_by; a rewritten request keeps it
    }
  }

  private static List<String> withPayloadSafe(JsonNode v) {
    try {
      return withPayload(v, "with_payload", true);
    } catch (AdapterException e) {
      return List.of("*");
    }
  }

  /** Applies the client's own payload selection after the gateway forced the whole payload. */
  private static void restrictPayload(JsonNode point, List<String> asked, JsonNode selector) {
    if (!(point instanceof ObjectNode p) || !(p.get("payload") instanceof ObjectNode payload)) {
      return;
    }
    if (asked.isEmpty()) {
      p.remove("payload");
      return;
    }
    if (asked.equals(List.of("*"))) {
      if (selector != null && selector.isObject() && selector.has("exclude")) {
        selector.get("exclude").forEach(k -> payload.remove(k.asText()));
      }
      return;
    }
    Set<String> keep = new HashSet<>(asked);
    List<String> names = new ArrayList<>();
    payload.fieldNames().forEachRemaining(names::add);
    names.stream().filter(n -> !keep.contains(n)).forEach(payload::remove);
  }

  private static FieldMask wholeFieldMask(List<FieldMask> masks, String field) {
    for (FieldMask m : masks) {
      if (m.field().equals(field) && m.path().isEmpty()) {
        return m;
      }
    }
    return null;
  }

  /**
   * The response side of one request's obligations, per point: rows outside the row filter (where
   * the payload carries the filtered field) dropped, rows beyond the cap cut, payload masks
   * applied, {@code vector} / {@code vectors} removed (dense, multi, named and sparse alike).
   */
  private final class Rewrite {
    private final Obligations o;
    private final FieldMask orderMask;
    private final RowFilterMatcher rf;
    private final ResponseTally tally;
    private final String where;
    private final long max;

    Rewrite(Obligations o, String orderKey, RowFilterMatcher rf, ResponseTally tally, String where) {
      this.o = o;
      this.orderMask = orderKey == null ? null : wholeFieldMask(o.mask(), orderKey);
      this.rf = rf;
      this.tally = tally;
      this.where = "qdrant " + where;
      this.max = LimitCaps.allowed(o.limitCap());
    }

    /** The points list {@code holder[key]}: filtered, cut to the cap, then each point rewritten. */
    void points(JsonNode holder, String key) {
      points(holder, key, max);
    }

    /** As {@link #points(JsonNode, String)}, cut to {@code limit} points. */
    void points(JsonNode holder, String key, long limit) {
      if (!(holder instanceof ObjectNode h) || !(h.get(key) instanceof ArrayNode arr)) {
        return;
      }
      if (!rf.isEmpty()) {
        ArrayNode kept = F.arrayNode();
        for (JsonNode p : arr) {
          if (!rf.violatedByJson(p.path("payload"))) {
            kept.add(p);
          }
        }
        tally.rowFilterDropped(arr.size() - kept.size(), where);
        h.set(key, kept);
      }
      cut(h, key, limit);
      h.get(key).forEach(this::point);
    }

    /** Cuts the list {@code holder[key]} to {@code limit} entries. */
    void cut(ObjectNode holder, String key, long limit) {
      if (holder.get(key) instanceof ArrayNode arr && arr.size() > limit) {
        tally.cut(arr.size() - limit);
        while (arr.size() > limit) {
          arr.remove(arr.size() - 1);
        }
      }
    }

    void point(JsonNode p) {
      if (!(p instanceof ObjectNode point)) {
        return;
      }
      tally.masked(masker.maskFields(point.get("payload"), o.mask(), ValueMasker.KeyMatch.EXACT));
      if (o.stripVectors()) {
        if (point.remove("vector") != null) {
          tally.stripped(1);
        }
        if (point.remove("vectors") != null) {
          tally.stripped(1);
        }
      }
      if (orderMask != null && point.has("order_value")) {
        if (orderMask.method() == MaskMethod.DROP) {
          point.remove("order_value");
        } else {
          point.set("order_value", masker.maskJsonTyped(point.get("order_value"), orderMask.method()));
        }
      }
    }
  }

  // ============================================================================================
  // errors
  // ============================================================================================

  /** {@code {"status": {"error": ...}, "time": 0, "result": {"decision_id", "reasons"}}}: Qdrant's ErrorResponse. */
  /**
   * Points a (rewritten) answer hands to the caller: {@code result} as a list of points (retrieve),
   * a list of {@code {points}} (query batch), or an object with {@code points}
   * (scroll, query) or {@code groups} (their hits); vectors: the points still carrying a
   * {@code vector} or {@code vectors}. Counts, facets and collection answers return no points.
   */
  @Override
  public ResultCounts resultCounts(Operation operation, JsonNode body) {
    long[] rv = new long[2];
    JsonNode result = body == null ? null : body.get("result");
    if (result != null && result.isArray()) {
      countPoints(result, rv, 0);
    } else if (result != null && result.isObject()) {
      countPoints(result.get("points"), rv, 0);
      if (result.get("groups") instanceof ArrayNode groups) {
        for (JsonNode g : groups) {
          countPoints(g.get("hits"), rv, 0);
        }
      }
    }
    return new ResultCounts(rv[0], rv[1]);
  }

  private static void countPoints(JsonNode list, long[] rv, int depth) {
    if (list == null || !list.isArray() || depth > 1) {
      return;
    }
    for (JsonNode p : list) {
      if (p.isArray()) {
        countPoints(p, rv, depth + 1); // a batch: one list per search
      } else if (p.isObject() && !p.has("id") && p.has("points")) {
        countPoints(p.get("points"), rv, depth + 1); // a query batch: one {points} per query
      } else if (p.isObject() && p.has("id")) {
        rv[0]++;
        if (p.hasNonNull("vector") || p.hasNonNull("vectors")) {
          rv[1]++;
        }
      }
    }
  }

  @Override
  public ErrorResponse denial(Decision decision, String message) {
    ObjectNode body = errorBody("Forbidden: " + message);
    ObjectNode result = body.putObject("result");
    result.put("decision_id", decision.decisionId());
    ArrayNode reasons = result.putArray("reasons");
    for (Reason r : decision.reasons()) {
      reasons.addObject().put("code", r.code()).put("message", r.message());
    }
    return new ErrorResponse(403, body);
  }

  @Override
  public ErrorResponse rejection(int status, String code, String message) {
    ObjectNode body = errorBody(message);
    ObjectNode result = body.putObject("result");
    result.putArray("reasons").addObject().put("code", code).put("message", message);
    return new ErrorResponse(status, body);
  }

  private static ObjectNode errorBody(String message) {
    ObjectNode body = F.objectNode();
    body.putObject("status").put("error", message);
    body.put("time", 0.0);
    return body;
  }
}
