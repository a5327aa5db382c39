package io.vectorgate.proxy.adapter.chroma;

import io.vectorgate.model.Action;
import io.vectorgate.proxy.adapter.AdapterException;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The Chroma v2 routes the gateway serves (verified against chroma 1.5.9), each with the action it
 * stands for. Anything else (other paths, methods, {@code /api/v1}, functions, conditional
 * operations) is {@code unknown_route}: denied by default. Paths are case-sensitive, as in Chroma.
 *
 * @param kind what the route does
 * @param tenant the tenant segment, or null
 * @param database the database segment, or null
 * @param collection the collection name or id segment (see {@link Kind#byId()}), or null
 */
public record ChromaRoute(Kind kind, String tenant, String database, String collection) {
  private static final Pattern UUID = Pattern.compile(
      "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  /** The served routes. */
  public enum Kind {
    SYSTEM(Action.DESCRIBE, false, Set.of()),
    RESET(Action.ADMIN, false, Set.of()),
    CREATE_TENANT(Action.ADMIN, false, Set.of()),
    GET_TENANT(Action.DESCRIBE, false, Set.of()),
    UPDATE_TENANT(Action.ADMIN, false, Set.of()),
    LIST_DATABASES(Action.LIST, false, Set.of("limit", "offset")),
    CREATE_DATABASE(Action.ADMIN, false, Set.of()),
    GET_DATABASE(Action.DESCRIBE, false, Set.of()),
    DELETE_DATABASE(Action.ADMIN, false, Set.of()),
    LIST_COLLECTIONS(Action.LIST, false, Set.of("limit", "offset")),
    COUNT_COLLECTIONS(Action.LIST, false, Set.of()),
    CREATE_COLLECTION(Action.CREATE_COLLECTION, false, Set.of()),
    GET_COLLECTION(Action.DESCRIBE, false, Set.of()),
    GET_COLLECTION_BY_CRN(Action.DESCRIBE, false, Set.of()),
    DELETE_COLLECTION(Action.DROP_COLLECTION, false, Set.of()),
    GET_COLLECTION_BY_ID(Action.DESCRIBE, true, Set.of()),
    MODIFY_COLLECTION(Action.ALTER_COLLECTION, true, Set.of()),
    FORK(Action.EXPORT, true, Set.of()),
    FORK_COUNT(Action.DESCRIBE, true, Set.of()),
    INDEXING_STATUS(Action.DESCRIBE, true, Set.of()),
    ADD(Action.INSERT, true, Set.of()),
    UPSERT(Action.UPSERT, true, Set.of()),
    UPDATE(Action.UPDATE, true, Set.of()),
    DELETE(Action.DELETE, true, Set.of()),
    GET(Action.GET, true, Set.of()),
    QUERY(Action.SEARCH, true, Set.of()),
    SEARCH(Action.SEARCH, true, Set.of()),
    COUNT(Action.COUNT, true, Set.of("read_level"));

    private final Action action;
    private final boolean byId;
    private final Set<String> queryParams;

    Kind(Action action, boolean byId, Set<String> queryParams) {
      this.action = action;
      this.byId = byId;
      this.queryParams = queryParams;
    }

    /** The action before the body refines it (get → query, delete → delete_all, ...). */
    public Action action() {
      return action;
    }

    /** The collection segment is a UUID (record operations), not a name. */
    public boolean byId() {
      return byId;
    }

    /** Query parameters the route takes; any other is refused. */
    public Set<String> queryParams() {
      return queryParams;
    }
  }

  /** Matches {@code method} and normalized {@code segments}; throws {@code unknown_route}. */
  public static ChromaRoute match(String method, List<String> s) {
    if (s.size() < 2 || !s.get(0).equals("api") || !s.get(1).equals("v2")) {
      throw unknown(method, s);
    }
    List<String> r = s.subList(2, s.size());
    int n = r.size();
    if (n == 0) {
      return only(method, "GET", Kind.SYSTEM, null, null, null, s);
    }
    switch (r.get(0)) {
      case "heartbeat", "healthcheck", "version", "pre-flight-checks" -> {
        if (n == 1) {
          return only(method, "GET", Kind.SYSTEM, null, null, null, s);
        }
      }
      case "auth" -> {
        if (n == 2 && r.get(1).equals("identity")) {
          return only(method, "GET", Kind.SYSTEM, null, null, null, s);
        }
      }
      case "reset" -> {
        if (n == 1) {
          return only(method, "POST", Kind.RESET, null, null, null, s);
        }
      }
      case "collections" -> {
        if (n == 2) {
          return only(method, "GET", Kind.GET_COLLECTION_BY_CRN, null, null, r.get(1), s);
        }
      }
      case "tenants" -> {
        return tenants(method, r, s);
      }
      default -> {
      }
    }
    throw unknown(method, s);
  }

  private static ChromaRoute tenants(String method, List<String> r, List<String> s) {
    int n = r.size();
    if (n == 1) {
      return only(method, "POST", Kind.CREATE_TENANT, null, null, null, s);
    }
    String t = r.get(1);
    if (n == 2) {
      return switch (method) {
        case "GET" -> new ChromaRoute(Kind.GET_TENANT, t, null, null);
        case "PATCH" -> new ChromaRoute(Kind.UPDATE_TENANT, t, null, null);
        default -> throw unknown(method, s);
      };
    }
    if (!r.get(2).equals("databases")) {
      throw unknown(method, s);
    }
    if (n == 3) {
      return switch (method) {
        case "GET" -> new ChromaRoute(Kind.LIST_DATABASES, t, null, null);
        case "POST" -> new ChromaRoute(Kind.CREATE_DATABASE, t, null, null);
        default -> throw unknown(method, s);
      };
    }
    String d = r.get(3);
    if (n == 4) {
      return switch (method) {
        case "GET" -> new ChromaRoute(Kind.GET_DATABASE, t, d, null);
        case "DELETE" -> new ChromaRoute(Kind.DELETE_DATABASE, t, d, null);
        default -> throw unknown(method, s);
      };
    }
    String area = r.get(4);
    if (area.equals("collections_count") && n == 5) {
      return only(method, "GET", Kind.COUNT_COLLECTIONS, t, d, null, s);
    }
    if (!area.equals("collections")) {
      throw unknown(method, s);
    }
    if (n == 5) {
      return switch (method) {
        case "GET" -> new ChromaRoute(Kind.LIST_COLLECTIONS, t, d, null);
        case "POST" -> new ChromaRoute(Kind.CREATE_COLLECTION, t, d, null);
        default -> throw unknown(method, s);
      };
    }
    String c = r.get(5);
    if (n == 6) {
      return switch (method) {
        case "GET" -> new ChromaRoute(Kind.GET_COLLECTION, t, d, c);
        case "DELETE" -> new ChromaRoute(Kind.DELETE_COLLECTION, t, d, c);
        case "PUT" -> new ChromaRoute(Kind.MODIFY_COLLECTION, t, d, uuid(c, method, s));
        default -> throw unknown(method, s);
      };
    }
    if (n == 7 && c.equals("by-id")) {
      return only(method, "GET", Kind.GET_COLLECTION_BY_ID, t, d, uuid(r.get(6), method, s), s);
    }
    if (n != 7) {
      throw unknown(method, s);
    }
    Kind k = switch (r.get(6)) {
      case "add" -> Kind.ADD;
      case "upsert" -> Kind.UPSERT;
      case "update" -> Kind.UPDATE;
      case "delete" -> Kind.DELETE;
      case "get" -> Kind.GET;
      case "query" -> Kind.QUERY;
      case "search" -> Kind.SEARCH;
      case "fork" -> Kind.FORK;
      case "count" -> Kind.COUNT;
      case "fork_count" -> Kind.FORK_COUNT;
      case "indexing_status" -> Kind.INDEXING_STATUS;
      default -> throw unknown(method, s);
    };
    String want = switch (k) {
      case COUNT, FORK_COUNT, INDEXING_STATUS -> "GET";
      default -> "POST";
    };
    return only(method, want, k, t, d, uuid(c, method, s), s);
  }

  private static String uuid(String v, String method, List<String> s) {
    if (!UUID.matcher(v).matches()) {
      throw new AdapterException(AdapterException.MALFORMED_REQUEST, "path",
          "`" + v + "` in " + method + " /" + String.join("/", s) + " is not a collection UUID");
    }
    return v.toLowerCase(java.util.Locale.ROOT);
  }

  private static ChromaRoute only(String method, String want, Kind k, String t, String d, String c, List<String> s) {
    if (!method.equals(want)) {
      throw unknown(method, s);
    }
    return new ChromaRoute(k, t, d, c);
  }

  static AdapterException unknown(String method, List<String> s) {
    return new AdapterException("unknown_route", "path", method + " /" + String.join("/", s)
        + " is not a Chroma v2 route the gateway serves (denied by default)");
  }
}
