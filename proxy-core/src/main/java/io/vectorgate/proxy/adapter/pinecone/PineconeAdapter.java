package io.vectorgate.proxy.adapter.pinecone;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorgate.model.Action;
import io.vectorgate.model.Counts;
import io.vectorgate.model.DatabaseKind;
import io.vectorgate.model.Decision;
import io.vectorgate.model.LimitCap;
import io.vectorgate.model.Obligations;
import io.vectorgate.model.Operation;
import io.vectorgate.model.ProtocolFacts;
import io.vectorgate.model.Reason;
import io.vectorgate.model.Resource;
import io.vectorgate.model.RowFilter;
import io.vectorgate.proxy.adapter.AdapterException;
import io.vectorgate.proxy.adapter.http.HttpApiAdapter;
import io.vectorgate.proxy.adapter.http.HttpRequestView;
import io.vectorgate.proxy.adapter.FilterFields;
import io.vectorgate.proxy.adapter.qdrant.WrittenValues;
import io.vectorgate.proxy.enforce.JsonRowFilters;
import io.vectorgate.proxy.enforce.JsonRowFilters.UpstreamReader;
import io.vectorgate.proxy.enforce.LimitCaps;
import io.vectorgate.proxy.enforce.ObligationException;
import io.vectorgate.proxy.enforce.ResponseTally;
import io.vectorgate.proxy.enforce.RowFilterMatcher;
import io.vectorgate.proxy.enforce.RowValue;
import io.vectorgate.proxy.enforce.ValueMasker;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The Pinecone data-plane adapter (REST API version 2026-07, as sent by the {@code pinecone} 10.x
 * Python SDK). One adapter serves one index: the index host identifies the index, so its name
 * comes from configuration ({@code resource.collection}); {@code resource.namespace} is the
 * request's namespace ({@code ""} = the default namespace). See {@code docs/adapters/pinecone.md}.
 */
public final class PineconeAdapter implements HttpApiAdapter {
  /** Pinecone's default {@code limit} of fetch_by_metadata and list. */
  public static final long DEFAULT_PAGE = 100;
  /** gRPC status codes Pinecone's rpcStatus errors carry. */
  static final int PERMISSION_DENIED = 7;

  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private enum Route {
    QUERY(Action.SEARCH), UPSERT(Action.UPSERT), FETCH(Action.GET), FETCH_BY_METADATA(Action.QUERY),
    DELETE(Action.DELETE), UPDATE(Action.UPDATE), LIST(Action.QUERY), STATS(Action.COUNT),
    LIST_NAMESPACES(Action.LIST), CREATE_NAMESPACE(Action.ALTER_COLLECTION), DESCRIBE_NAMESPACE(Action.DESCRIBE),
    DELETE_NAMESPACE(Action.DELETE_ALL), START_IMPORT(Action.IMPORT), LIST_IMPORTS(Action.DESCRIBE),
    DESCRIBE_IMPORT(Action.DESCRIBE), CANCEL_IMPORT(Action.IMPORT);

    final Action action;

    Route(Action action) {
      this.action = action;
    }
  }

  /** The data-plane API version the adapter speaks (sent on the gateway's own pre-reads). */
  public static final String API_VERSION = "2026-07";
  /** Ids per pre-read fetch (they travel in the query string). */
  static final int FETCH_BATCH = 100;

  private final String indexName;
  private final ValueMasker masker;
  private final UpstreamReader reader;
  private final int maxPreReadIds;

  /**
   * Without an upstream reader: row-filtered upserts are refused (they cannot be pre-read).
   *
   * @param indexName the index this adapter's upstream host serves (from configuration)
   */
  public PineconeAdapter(String indexName, ValueMasker masker) {
    this(indexName, masker, UpstreamReader.NONE, JsonRowFilters.DEFAULT_MAX_PRE_READ_IDS);
  }

  /**
   * @param indexName the index this adapter's upstream host serves (from configuration)
   * @param reader fetches the records an upsert replaces (with the gateway's credential) when a
   *     row filter applies, so a caller cannot overwrite another tenant's record
   * @param maxPreReadIds most ids one pre-read checks; a row-filtered upsert naming more is refused
   */
  public PineconeAdapter(String indexName, ValueMasker masker, UpstreamReader reader, int maxPreReadIds) {
    if (maxPreReadIds < 1) {
      throw new IllegalArgumentException("maxPreReadIds must be positive, was " + maxPreReadIds);
    }
    this.indexName = Objects.requireNonNull(indexName, "indexName");
    this.masker = Objects.requireNonNull(masker, "masker");
    this.reader = Objects.requireNonNull(reader, "reader");
    this.maxPreReadIds = maxPreReadIds;
  }

  @Override
  public DatabaseKind kind() {
    return DatabaseKind.PINECONE;
  }

  private static Route route(String m, List<String> s) {
    String p = "/" + String.join("/", s);
    Route r = switch (m + " " + p) {
      case "POST /query" -> Route.QUERY;
      case "POST /vectors/upsert" -> Route.UPSERT;
      case "GET /vectors/fetch" -> Route.FETCH;
      case "POST /vectors/fetch_by_metadata" -> Route.FETCH_BY_METADATA;
      case "POST /vectors/delete" -> Route.DELETE;
      case "POST /vectors/update" -> Route.UPDATE;
      case "GET /vectors/list" -> Route.LIST;
      case "POST /describe_index_stats" -> Route.STATS;
      case "GET /namespaces" -> Route.LIST_NAMESPACES;
      case "POST /namespaces" -> Route.CREATE_NAMESPACE;
      case "POST /bulk/imports" -> Route.START_IMPORT;
      case "GET /bulk/imports" -> Route.LIST_IMPORTS;
      default -> null;
    };
    if (r == null && s.size() == 2 && s.get(0).equals("namespaces")) {
      r = m.equals("GET") ? Route.DESCRIBE_NAMESPACE : m.equals("DELETE") ? Route.DELETE_NAMESPACE : null;
    }
    if (r == null && s.size() == 3 && s.get(0).equals("bulk") && s.get(1).equals("imports")) {
      r = m.equals("GET") ? Route.DESCRIBE_IMPORT : m.equals("DELETE") ? Route.CANCEL_IMPORT : null;
    }
    if (r == null) {
      throw new AdapterException("unknown_route", "",
          "the gateway does not recognise " + m + " " + p + " as a Pinecone data-plane route");
    }
    return r;
  }

  // ============================================================================================
  // decode
  // ============================================================================================

  @Override
  public Object route(HttpRequestView request) {
    Objects.requireNonNull(request, "request");
    return route(request.method(), request.segments());
  }

  @Override
  public Operation decode(Object matched, HttpRequestView request) {
    Objects.requireNonNull(request, "request");
    Route route = (Route) matched;
    ProtocolFacts facts = ProtocolFacts.http(request.method(), request.path());
    Operation.Builder b;
    String ns;
    switch (route) {
      case QUERY -> {
        ObjectNode q = body(request);
        PineconeFields.check(q, "QueryRequest", "");
        ns = namespace(q);
        PineconeFilters.validate(q.get("filter"), "filter");
        JsonNode topK = q.get("topK");
        if (topK == null || !topK.isIntegralNumber() || topK.longValue() < 1) {
          throw new AdapterException(AdapterException.MALFORMED_REQUEST, "topK", "must be a positive integer");
        }
        boolean byId = q.hasNonNull("id");
        if (byId && !q.get("id").isTextual()) {
          throw new AdapterException(AdapterException.MALFORMED_REQUEST, "id", "must be a record id");
        }
        Map<String, Object> attrs = new LinkedHashMap<>();
        if (byId) {
          attrs.put("query_by_id", true);
        }
        b = Operation.builder(Action.SEARCH).filter(plain(q.get("filter"))).limit(topK.longValue())
            .outputFields(bool(q, "includeMetadata") ? List.of("*") : List.of())
            .vectorsRequested(bool(q, "includeValues")).counts(new Counts(byId ? 1 : 0, 0, 1)).attributes(attrs);
      }
      case UPSERT -> {
        ObjectNode u = body(request);
        PineconeFields.check(u, "UpsertRequest", "");
        ns = namespace(u);
        JsonNode vectors = u.get("vectors");
        if (vectors == null || !vectors.isArray()) {
          throw new AdapterException(AdapterException.MALFORMED_REQUEST, "vectors", "must be an array of vectors");
        }
        WrittenValues written = new WrittenValues();
        for (int i = 0; i < vectors.size(); i++) {
          JsonNode v = vectors.get(i);
          String path = "vectors[" + i + "]";
          if (!v.isObject()) {
            throw new AdapterException(AdapterException.MALFORMED_REQUEST, path, "must be an object");
          }
          PineconeFields.check(v, "Vector", path);
          if (!v.path("id").isTextual()) {
            throw new AdapterException(AdapterException.MALFORMED_REQUEST, path + ".id", "must be a record id");
          }
          JsonNode md = v.get("metadata");
          if (md != null && !md.isNull() && !md.isObject()) {
            throw new AdapterException(AdapterException.MALFORMED_REQUEST, path + ".metadata", "must be an object");
          }
          written.add(md);
        }
        Map<String, Object> attrs = new LinkedHashMap<>();
        written.into(attrs);
        b = Operation.builder(Action.UPSERT).counts(new Counts(vectors.size(), vectors.size(), 0)).attributes(attrs);
      }
      case FETCH -> {
        queryParams(request, Set.of("ids", "namespace"), Set.of("ids"));
        List<String> ids = request.query().getOrDefault("ids", List.of());
        if (ids.isEmpty()) {
          throw new AdapterException(AdapterException.MALFORMED_REQUEST, "query.ids", "fetch needs at least one id");
        }
        ns = orEmpty(request.firstQuery("namespace"));
        b = Operation.builder(Action.GET).outputFields(List.of("*")).vectorsRequested(true)
            .counts(new Counts(ids.size(), 0, 0));
      }
      case FETCH_BY_METADATA -> {
        ObjectNode f = body(request);
        PineconeFields.check(f, "FetchByMetadataRequest", "");
        ns = namespace(f);
        PineconeFilters.validate(f.get("filter"), "filter");
        b = Operation.builder(Action.QUERY).filter(plain(f.get("filter"))).limit(positive(f, "limit"))
            .outputFields(List.of("*")).vectorsRequested(true).paging(f.hasNonNull("paginationToken"));
      }
      case DELETE -> {
        ObjectNode d = body(request);
        PineconeFields.check(d, "DeleteRequest", "");
        ns = namespace(d);
        PineconeFilters.validate(d.get("filter"), "filter");
        int selectors = (d.hasNonNull("ids") ? 1 : 0) + (bool(d, "deleteAll") ? 1 : 0) + (d.hasNonNull("filter") ? 1 : 0);
        if (selectors != 1) {
          throw new AdapterException(AdapterException.MALFORMED_REQUEST, "",
              "a delete needs exactly one of `ids`, `deleteAll: true`, `filter`");
        }
        if (bool(d, "deleteAll")) {
          b = Operation.builder(Action.DELETE_ALL);
        } else if (d.hasNonNull("ids")) {
          b = Operation.builder(Action.DELETE).counts(new Counts(stringArray(d.get("ids"), "ids").size(), 0, 0));
        } else {
          if (d.get("filter").isEmpty()) {
            throw new AdapterException(AdapterException.MALFORMED_REQUEST, "filter", "an empty filter is not a selection");
          }
          b = Operation.builder(Action.DELETE).filter(plain(d.get("filter")));
        }
      }
      case UPDATE -> {
        ObjectNode u = body(request);
        PineconeFields.check(u, "UpdateRequest", "");
        ns = namespace(u);
        PineconeFilters.validate(u.get("filter"), "filter");
        boolean byId = u.hasNonNull("id");
        if (byId == u.hasNonNull("filter")) {
          throw new AdapterException(AdapterException.MALFORMED_REQUEST, "", "an update needs exactly one of `id`, `filter`");
        }
        if (byId && !u.get("id").isTextual()) {
          throw new AdapterException(AdapterException.MALFORMED_REQUEST, "id", "must be a record id");
        }
        JsonNode set = u.get("setMetadata");
        if (set != null && !set.isNull() && !set.isObject()) {
          throw new AdapterException(AdapterException.MALFORMED_REQUEST, "setMetadata", "must be an object");
        }
        Map<String, Object> attrs = new LinkedHashMap<>();
        WrittenValues w = new WrittenValues();
        w.add(set);
        w.into(attrs);
        if (bool(u, "dryRun")) {
          attrs.put("dry_run", true);
        }
        b = Operation.builder(Action.UPDATE).filter(plain(u.get("filter"))).counts(new Counts(byId ? 1 : 0, byId ? 1 : 0, 0))
            .attributes(attrs);
      }
      case LIST -> {
        queryParams(request, Set.of("namespace", "prefix", "limit", "paginationToken"), Set.of());
        ns = orEmpty(request.firstQuery("namespace"));
        b = Operation.builder(Action.QUERY).limit(queryLong(request, "limit")).paging(true)
            .attributes(Map.of("ids_only", true));
      }
      case STATS -> {
        ObjectNode s = request.body() == null ? F.objectNode() : body(request);
        PineconeFields.check(s, "DescribeIndexStatsRequest", "");
        PineconeFilters.validate(s.get("filter"), "filter");
        ns = null;
        b = Operation.builder(Action.COUNT).filter(plain(s.get("filter")));
      }
      case LIST_NAMESPACES -> {
        queryParams(request, Set.of("prefix", "limit", "paginationToken"), Set.of());
        ns = null;
        b = Operation.builder(Action.LIST);
      }
      case CREATE_NAMESPACE -> {
        ObjectNode c = body(request);
        PineconeFields.check(c, "CreateNamespaceRequest", "");
        if (!c.path("name").isTextual()) {
          throw new AdapterException(AdapterException.MALFORMED_REQUEST, "name", "must name the namespace");
        }
        ns = c.get("name").textValue();
        b = Operation.builder(Action.ALTER_COLLECTION).attributes(Map.of("create_namespace", ns));
      }
      case DESCRIBE_NAMESPACE, DELETE_NAMESPACE -> {
        queryParams(request, Set.of(), Set.of());
        ns = request.segments().get(1);
        b = Operation.builder(route.action);
      }
      case LIST_IMPORTS -> {
        queryParams(request, Set.of("limit", "paginationToken"), Set.of());
        ns = null;
        b = Operation.builder(route.action);
      }
      default -> {
        ns = null;
        b = Operation.builder(route.action);
      }
    }
    Operation op = b.resource(new Resource(null, indexName, List.of(), ns)).protocol(facts).build();
    FilterFields fields = new FilterFields();
    if (request.body() instanceof ObjectNode o) {
      PineconeFilters.collectFields(o.get("filter"), "filter", fields);
    }
    return fields.attachTo(op);
  }

  private static ObjectNode body(HttpRequestView r) {
    if (!(r.body() instanceof ObjectNode o)) {
      throw new AdapterException(AdapterException.MALFORMED_REQUEST, "", r.method() + " " + r.path() + " needs a JSON object body");
    }
    return o;
  }

  private static String namespace(JsonNode body) {
    JsonNode ns = body.get("namespace");
    if (ns == null || ns.isNull()) {
      return "";
    }
    if (!ns.isTextual()) {
      throw new AdapterException(AdapterException.MALFORMED_REQUEST, "namespace", "must be a string");
    }
    return ns.textValue();
  }

  private static String orEmpty(String s) {
    return s == null ? "" : s;
  }

  private static void queryParams(HttpRequestView r, Set<String> allowed, Set<String> multi) {
    for (Map.Entry<String, List<String>> e : r.query().entrySet()) {
      if (!allowed.contains(e.getKey())) {
        throw new AdapterException(AdapterException.UNKNOWN_FIELD, "query." + e.getKey(),
            "query parameter `" + e.getKey() + "` is not one the gateway knows for " + r.path());
      }
      if (e.getValue().size() > 1 && !multi.contains(e.getKey())) {
        throw new AdapterException(AdapterException.MALFORMED_REQUEST, "query." + e.getKey(),
            "query parameter `" + e.getKey() + "` is given " + e.getValue().size() + " times");
      }
    }
  }

  private static Long queryLong(HttpRequestView r, String name) {
    String v = r.firstQuery(name);
    if (v == null) {
      return null;
    }
    if (!v.matches("[0-9]{1,9}")) {
      throw new AdapterException(AdapterException.MALFORMED_REQUEST, "query." + name, "must be a positive integer");
    }
    return Long.parseLong(v);
  }

  private static boolean bool(JsonNode o, String field) {
    JsonNode v = o.get(field);
    if (v == null || v.isNull()) {
      return false;
    }
    if (!v.isBoolean()) {
      throw new AdapterException(AdapterException.MALFORMED_REQUEST, field, "must be a boolean");
    }
    return v.booleanValue();
  }

  private static Long positive(JsonNode o, String field) {
    JsonNode v = o.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 1) {
      throw new AdapterException(AdapterException.MALFORMED_REQUEST, field, "must be a positive integer");
    }
    return v.longValue();
  }

  private static List<String> stringArray(JsonNode arr, String path) {
    if (!arr.isArray()) {
      throw new AdapterException(AdapterException.MALFORMED_REQUEST, path, "must be an array of ids");
    }
    List<String> out = new ArrayList<>();
    for (JsonNode n : arr) {
      if (!n.isTextual()) {
        throw new AdapterException(AdapterException.MALFORMED_REQUEST, path, "must be an array of ids");
      }
      out.add(n.textValue());
    }
    return out;
  }

  private static Object plain(JsonNode n) {
    return n == null || n.isNull() ? null : MAPPER.convertValue(n, Object.class);
  }

  // ============================================================================================
  // request obligations
  // ============================================================================================

  /**
   * Pins the namespace (every body route forwards exactly the namespace the policy saw), wraps the
   * row filter with {@code $and}, clamps {@code topK} / {@code limit}, pre-reads the records an
   * upsert or an update by {@code id} would change, and refuses what a row filter cannot confine
   * (id-based deletes and queries, deleteAll, list).
   */
  @Override
  public HttpRequestView applyRequestObligations(Object matched, HttpRequestView request, Operation operation,
      Obligations obligations) {
    Objects.requireNonNull(obligations, "obligations");
    Route route = (Route) matched;
    List<RowFilter> rf = obligations.rowFilter();
    List<ObjectNode> conds = rf.isEmpty() ? null : PineconeFilters.conditions(rf);
    LimitCap cap = obligations.limitCap();
    ObjectNode body = request.body() instanceof ObjectNode o ? o.deepCopy() : null;
    String ns = operation.resource().namespace();
    switch (route) {
      case QUERY -> {
        pin(body, ns);
        if (conds != null) {
          if (body.hasNonNull("id")) {
            throw unenforceable("a query by record `id` reads that record's vector whatever its metadata");
          }
          body.set("filter", PineconeFilters.wrap(body.get("filter"), conds));
        }
        if (cap != null) {
          capField(body, "topK", body.get("topK").longValue(), cap);
        }
        if (obligations.stripVectors() && body.has("includeValues")) {
          body.put("includeValues", false);
        }
      }
      case UPSERT -> {
        pin(body, ns);
        if (conds != null) {
          JsonNode vectors = body.get("vectors");
          for (int i = 0; i < vectors.size(); i++) {
            if (!RowFilterMatcher.of(rf).matchesJson(vectors.get(i).get("metadata"))) {
              throw new ObligationException(ObligationException.ROW_FILTER_VIOLATION,
                  "vector " + i + " has metadata the row filter does not allow");
            }
          }
          java.util.LinkedHashSet<String> ids = new java.util.LinkedHashSet<>();
          vectors.forEach(v -> ids.add(v.get("id").textValue()));
          checkExistingRecords(ids, "upsert into", "replace", ns, rf);
        }
      }
      case FETCH_BY_METADATA -> {
        pin(body, ns);
        if (conds != null) {
          body.set("filter", PineconeFilters.wrap(body.get("filter"), conds));
        }
        if (cap != null) {
          capField(body, "limit", DEFAULT_PAGE, cap);
        }
      }
      case DELETE -> {
        pin(body, ns);
        if (conds != null) {
          if (!body.hasNonNull("filter")) {
            throw unenforceable("a delete by ids or deleteAll cannot carry a metadata filter");
          }
          body.set("filter", PineconeFilters.wrap(body.get("filter"), conds));
        }
      }
      case UPDATE -> {
        pin(body, ns);
        if (conds != null) {
          JsonNode set = body.get("setMetadata");
          if (set != null && set.isObject()) {
            for (RowFilter r : rf) {
              if (set.has(r.field()) && !RowFilterMatcher.holds(RowValue.ofJson(set.get(r.field())), r)) {
                throw new ObligationException(ObligationException.ROW_FILTER_VIOLATION,
                    "setMetadata sets `" + r.field() + "` to a value the row filter does not allow");
              }
            }
          }
          if (body.hasNonNull("filter")) {
            body.set("filter", PineconeFilters.wrap(body.get("filter"), conds));
          } else {
            // by id: the record it changes must already be the caller's (setMetadata was checked above)
            checkExistingRecords(new java.util.LinkedHashSet<>(List.of(body.get("id").textValue())), "update in",
                "change", ns, rf);
          }
        }
      }
      case STATS -> {
        if (conds != null) {
          body = body == null ? F.objectNode() : body;
          body.set("filter", PineconeFilters.wrap(body.get("filter"), conds));
        }
      }
      case FETCH -> {
        LimitCaps.clamp(operation.counts().ids(), null, cap, "query.ids"); // deny mode refuses; clamp cuts the response
        return request; // the row filter and a clamp apply to the response
      }
      case LIST -> {
        if (conds != null) {
          throw unenforceable("list returns bare ids, which cannot be checked against metadata");
        }
        LimitCaps.clamp(operation.limit(), DEFAULT_PAGE, cap, "query.limit"); // deny mode refuses; clamp cuts the response
        return request;
      }
      default -> {
        if (conds != null) {
          throw unenforceable(request.method() + " " + request.path() + " has no filter to carry it");
        }
        return request;
      }
    }
    return request.withBody(body);
  }

  /**
   * The pre-read: an upsert replaces records by id and an update by {@code id} changes one, so under
   * a row filter the records that already exist under those ids (in the pinned namespace) must
   * satisfy it too. Fetches them with {@code GET /vectors/fetch?ids=…&namespace=…} in batches of
   * {@value #FETCH_BATCH} and refuses the write ({@code row_filter_violation}) if any fails; ids
   * that do not exist are inserts (upsert) or no-ops (update: Pinecone answers 200 and changes
   * nothing). A fetch that fails or answers something else refuses it ({@code row_filter_unverifiable}).
   *
   * @param verb "upsert into" / "update in", for messages
   * @param effect what the write does to existing records ("replace" / "change"), for messages
   */
  private void checkExistingRecords(java.util.LinkedHashSet<String> ids, String verb, String effect, String ns,
      List<RowFilter> rf) {
    String where = verb + " index `" + indexName + "` namespace `" + (ns == null ? "" : ns) + "`";
    if (ids.size() > maxPreReadIds) {
      throw new ObligationException(ObligationException.ROW_FILTER_UNVERIFIABLE, where + " addresses " + ids.size()
          + " ids; under a row filter the gateway checks at most " + maxPreReadIds + " existing records per request");
    }
    List<String> all = List.copyOf(ids);
    List<JsonNode> existing = new ArrayList<>();
    for (int from = 0; from < all.size(); from += FETCH_BATCH) {
      List<String> batch = all.subList(from, Math.min(all.size(), from + FETCH_BATCH));
      UpstreamReader.Reply reply;
      try {
        reply = reader.read("GET", List.of("vectors", "fetch"), Map.of("ids", batch, "namespace",
            List.of(ns == null ? "" : ns)), null);
      } catch (java.io.IOException e) {
        throw new ObligationException(ObligationException.ROW_FILTER_UNVERIFIABLE, "could not fetch the records the " + where
            + " " + effect + "s, to check they are within the row filter: " + e.getMessage(), e);
      }
      if (reply.status() != 200 || reply.body() == null || !(reply.body().get("vectors") instanceof ObjectNode found)) {
        throw new ObligationException(ObligationException.ROW_FILTER_UNVERIFIABLE, "could not fetch the records the " + where
            + " " + effect + "s, to check they are within the row filter: the upstream answered " + reply.status()
            + (reply.status() == 200 ? " without a `vectors` object" : ""));
      }
      Set<String> asked = Set.copyOf(batch);
      for (Iterator<Map.Entry<String, JsonNode>> it = found.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!asked.contains(e.getKey())) {
          throw new ObligationException(ObligationException.ROW_FILTER_UNVERIFIABLE, "the pre-read of the " + where
              + " returned a record the request does not address");
        }
        existing.add(e.getValue() == null ? null : e.getValue().get("metadata"));
      }
    }
    RowFilterMatcher matcher = RowFilterMatcher.of(rf);
    int outside = (int) existing.stream().filter(m -> !matcher.matchesJson(m)).count();
    if (outside > 0) {
      throw new ObligationException(ObligationException.ROW_FILTER_VIOLATION, where + " would " + effect + " " + outside
          + " existing record(s) outside the rows the row filter allows the caller; nothing was written");
    }
  }

  private static void pin(ObjectNode body, String ns) {
    body.put("namespace", ns == null ? "" : ns);
  }

  private static void capField(ObjectNode o, String field, long dflt, LimitCap cap) {
    JsonNode v = o.get(field);
    LimitCaps.clamp(v == null || v.isNull() ? null : v.longValue(), dflt, cap, field).ifPresent(max -> o.put(field, max));
  }

  private static ObligationException unenforceable(String why) {
    return new ObligationException(ObligationException.ROW_FILTER_UNENFORCEABLE, "a row filter applies but " + why);
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
    Route route = (Route) matched;
    long max = LimitCaps.allowed(obligations.limitCap());
    RowFilterMatcher rf = RowFilterMatcher.of(obligations.rowFilter());
    ObjectNode out = ((ObjectNode) body).deepCopy();
    switch (route) {
      case QUERY -> {
        if (out.get("matches") instanceof ArrayNode matches) {
          ArrayNode kept = F.arrayNode();
          long outside = 0;
          for (JsonNode m : matches) {
            // metadata present (it is never projected): a match outside the filter is a violation
            if (!rf.isEmpty() && m.hasNonNull("metadata") && !rf.matchesJson(m.get("metadata"))) {
              outside++;
              continue;
            }
            if (kept.size() >= max) {
              tally.cut(1);
              continue;
            }
            record(m, obligations, false, tally);
            kept.add(m);
          }
          tally.rowFilterDropped(outside, "pinecone query");
          out.set("matches", kept);
        }
      }
      case FETCH, FETCH_BY_METADATA -> {
        if (out.get("vectors") instanceof ObjectNode vectors) {
          ObjectNode kept = F.objectNode();
          long outside = 0;
          for (Iterator<Map.Entry<String, JsonNode>> it = vectors.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            // a fetch by id takes no filter: the response is where the row filter applies
            if (!rf.isEmpty() && !rf.matchesJson(e.getValue().get("metadata"))) {
              outside++;
              continue;
            }
            if (kept.size() >= max) {
              tally.cut(1);
              continue;
            }
            record(e.getValue(), obligations, true, tally);
            kept.set(e.getKey(), e.getValue());
          }
          if (route == Route.FETCH_BY_METADATA) {
            tally.rowFilterDropped(outside, "pinecone fetch_by_metadata");
          }
          out.set("vectors", kept);
        }
      }
      case LIST -> {
        if (out.get("vectors") instanceof ArrayNode ids && ids.size() > max) {
          ArrayNode kept = F.arrayNode();
          for (int i = 0; i < max; i++) {
            kept.add(ids.get(i));
          }
          tally.cut(ids.size() - max);
          out.set("vectors", kept);
        }
      }
      default -> {
        return body;
      }
    }
    return out;
  }

  /**
   * Masks one record's metadata and strips its vectors. Query matches get {@code values: []} (the
   * spec's "not requested" form). Fetched records must keep some vector data: the Python SDK
   * refuses a fetched record with neither values nor sparse values, so their dense values become
   * zeros of the same length and sparse values a single zero entry.
   */
  private void record(JsonNode r, Obligations o, boolean fetched, ResponseTally tally) {
    if (!(r instanceof ObjectNode rec)) {
      return;
    }
    tally.masked(masker.maskFields(rec.get("metadata"), o.mask(), ValueMasker.KeyMatch.EXACT));
    if (!o.stripVectors()) {
      return;
    }
    JsonNode values = rec.get("values");
    boolean dense = values != null && values.isArray() && !values.isEmpty();
    if (dense || rec.hasNonNull("sparseValues")) {
      tally.stripped(1);
    }
    if (!fetched) {
      if (rec.has("values")) {
        rec.set("values", F.arrayNode());
      }
      rec.remove("sparseValues");
      return;
    }
    if (dense) {
      ArrayNode zeros = F.arrayNode(values.size());
      for (int i = 0; i < values.size(); i++) {
        zeros.add(0.0);
      }
      rec.set("values", zeros);
      rec.remove("sparseValues");
    } else {
      if (rec.has("values")) {
        rec.set("values", F.arrayNode());
      }
      if (rec.has("sparseValues")) {
        ObjectNode sparse = F.objectNode();
        sparse.putArray("indices").add(0);
        sparse.putArray("values").add(0.0);
        rec.set("sparseValues", sparse);
      }
    }
  }

  // ============================================================================================
  // errors
  // ============================================================================================

  /**
   * Pinecone's {@code rpcStatus}: {@code {"code": 7, "message", "details": [ErrorInfo...]}}, one
   * {@code google.rpc.ErrorInfo} per reason with the decision id in its metadata.
   */
  /**
   * Records a (rewritten) answer hands to the caller: query {@code matches}, fetched
   * {@code vectors} (an object by id), listed {@code vectors} (ids); vectors: the records still
   * carrying non-empty {@code values} or {@code sparseValues}.
   */
  @Override
  public ResultCounts resultCounts(Operation operation, JsonNode body) {
    if (body == null || !body.isObject()) {
      return ResultCounts.NONE;
    }
    long rows = 0;
    long vectors = 0;
    List<JsonNode> records = new ArrayList<>();
    if (body.get("matches") instanceof ArrayNode matches) {
      matches.forEach(records::add);
    }
    JsonNode v = body.get("vectors");
    if (v instanceof ObjectNode fetched) {
      fetched.forEach(records::add);
    } else if (v instanceof ArrayNode listed) {
      rows += listed.size(); // ids only
    }
    for (JsonNode r : records) {
      rows++;
      if ((r.path("values").isArray() && !r.path("values").isEmpty()) || r.hasNonNull("sparseValues")) {
        vectors++;
      }
    }
    return new ResultCounts(rows, vectors);
  }

  @Override
  public ErrorResponse denial(Decision decision, String message) {
    ObjectNode body = F.objectNode();
    body.put("code", PERMISSION_DENIED);
    body.put("message", message);
    ArrayNode details = body.putArray("details");
    for (Reason r : decision.reasons()) {
      ObjectNode d = details.addObject();
      d.put("typeUrl", "type.googleapis.com/google.rpc.ErrorInfo");
      d.put("reason", r.code());
      d.put("domain", "vectorgate.io");
      ObjectNode md = d.putObject("metadata");
      md.put("message", r.message());
      if (decision.decisionId() != null) {
        md.put("decision_id", decision.decisionId());
      }
    }
    return new ErrorResponse(403, body);
  }

  @Override
  public ErrorResponse rejection(int status, String code, String message) {
    ObjectNode body = F.objectNode();
    body.put("code", grpcCode(status));
    body.put("message", message);
    ObjectNode d = body.putArray("details").addObject();
    d.put("typeUrl", "type.googleapis.com/google.rpc.ErrorInfo");
    d.put("reason", code);
    d.put("domain", "vectorgate.io");
    return new ErrorResponse(status, body);
  }

  static int grpcCode(int status) {
    return switch (status) {
      case 400, 413 -> 3;
      case 401 -> 16;
      case 403 -> 7;
      case 404 -> 5;
      case 409 -> 6;
      case 429 -> 8;
      case 501 -> 12;
      case 503, 502 -> 14;
      case 504 -> 4;
      default -> status >= 500 ? 13 : 2;
    };
  }
}
