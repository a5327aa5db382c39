package io.vectorgate.proxy.adapter.qdrant;

import io.vectorgate.model.Action;
import io.vectorgate.proxy.adapter.AdapterException;
import java.util.List;

/**
 * The Qdrant REST routes the adapter recognises (Qdrant 1.19 OpenAPI as used by qdrant-client
 * 1.20). Anything else, including the legacy {@code points/search|recommend|discover} routes that
 * Qdrant still serves but its spec no longer lists, is refused with {@code unknown_route}.
 */
enum QdrantRoute {
  ROOT(Action.DESCRIBE),
  HEALTH(Action.DESCRIBE),
  SERVICE_ADMIN(Action.ADMIN),
  LIST_COLLECTIONS(Action.LIST),
  LIST_ALIASES(Action.LIST),
  UPDATE_ALIASES(Action.ADMIN),
  DESCRIBE_COLLECTION(Action.DESCRIBE),
  CREATE_COLLECTION(Action.CREATE_COLLECTION),
  ALTER_COLLECTION(Action.ALTER_COLLECTION),
  DROP_COLLECTION(Action.DROP_COLLECTION),
  /** Deleting a named vector removes that vector from every point. */
  DROP_VECTOR_NAME(Action.TRUNCATE_COLLECTION),
  CREATE_INDEX(Action.CREATE_INDEX),
  DROP_INDEX(Action.DROP_INDEX),
  CLUSTER_ADMIN(Action.ADMIN),
  QUERY(Action.SEARCH),
  QUERY_BATCH(Action.SEARCH),
  QUERY_GROUPS(Action.SEARCH),
  MATRIX(Action.SEARCH),
  SCROLL(Action.QUERY),
  COUNT(Action.COUNT),
  FACET(Action.QUERY),
  RETRIEVE(Action.GET),
  GET_POINT(Action.GET),
  UPSERT(Action.UPSERT),
  DELETE_POINTS(Action.DELETE),
  UPDATE_VECTORS(Action.UPDATE),
  DELETE_VECTORS(Action.UPDATE),
  SET_PAYLOAD(Action.UPDATE),
  OVERWRITE_PAYLOAD(Action.UPDATE),
  DELETE_PAYLOAD(Action.UPDATE),
  CLEAR_PAYLOAD(Action.UPDATE),
  BATCH_UPDATE(Action.UPDATE),
  SNAPSHOT(Action.SNAPSHOT),
  SNAPSHOT_RESTORE(Action.IMPORT);

  final Action action;

  QdrantRoute(Action action) {
    this.action = action;
  }

  /** A routed request: the route and the collection it names (null for service routes). */
  record Match(QdrantRoute route, String collection) {}

  /**
   * Routes a normalized request.
   *
   * @throws AdapterException {@code unknown_route} for anything not in the table
   */
  static Match route(String method, List<String> s) {
    QdrantRoute r = find(method, s);
    if (r == null) {
      throw new AdapterException("unknown_route", "",
          "the gateway does not recognise " + method + " /" + String.join("/", s) + " as a Qdrant REST route");
    }
    String collection = s.size() >= 2 && s.get(0).equals("collections") && r != UPDATE_ALIASES ? s.get(1) : null;
    return new Match(r, collection);
  }

  private static QdrantRoute find(String m, List<String> s) {
    int n = s.size();
    if (n == 0) {
      return m.equals("GET") ? ROOT : null;
    }
    String first = s.get(0);
    switch (first) {
      case "healthz", "livez", "readyz" -> {
        return n == 1 && m.equals("GET") ? HEALTH : null;
      }
      case "telemetry", "metrics" -> {
        return n == 1 && m.equals("GET") ? SERVICE_ADMIN : null;
      }
      case "locks", "quotas" -> {
        return n == 1 && (m.equals("GET") || m.equals("POST") || m.equals("PUT")) ? SERVICE_ADMIN : null;
      }
      case "issues" -> {
        return n == 1 && (m.equals("GET") || m.equals("DELETE")) ? SERVICE_ADMIN : null;
      }
      case "cluster" -> {
        return cluster(m, s);
      }
      case "aliases" -> {
        return n == 1 && m.equals("GET") ? LIST_ALIASES : null;
      }
      case "snapshots" -> {
        if (n == 1) {
          return m.equals("GET") || m.equals("POST") ? SNAPSHOT : null;
        }
        return n == 2 && (m.equals("GET") || m.equals("DELETE")) ? SNAPSHOT : null;
      }
      case "collections" -> {
        return collections(m, s);
      }
      default -> {
        return null;
      }
    }
  }

  private static QdrantRoute cluster(String m, List<String> s) {
    int n = s.size();
    if (n == 1 && m.equals("GET")) {
      return CLUSTER_ADMIN;
    }
    if (n == 2 && s.get(1).equals("telemetry") && m.equals("GET")) {
      return CLUSTER_ADMIN;
    }
    if (n == 2 && s.get(1).equals("recover") && m.equals("POST")) {
      return CLUSTER_ADMIN;
    }
    if (n == 3 && s.get(1).equals("peer") && m.equals("DELETE")) {
      return CLUSTER_ADMIN;
    }
    return null;
  }

  private static QdrantRoute collections(String m, List<String> s) {
    int n = s.size();
    if (n == 1) {
      return m.equals("GET") ? LIST_COLLECTIONS : null;
    }
    if (n == 2) {
      if (s.get(1).equals("aliases")) {
        return m.equals("POST") ? UPDATE_ALIASES : null;
      }
      return switch (m) {
        case "GET" -> DESCRIBE_COLLECTION;
        case "PUT" -> CREATE_COLLECTION;
        case "PATCH" -> ALTER_COLLECTION;
        case "DELETE" -> DROP_COLLECTION;
        default -> null;
      };
    }
    String third = s.get(2);
    List<String> rest = s.subList(2, n);
    switch (third) {
      case "exists", "optimizations", "aliases" -> {
        return n == 3 && m.equals("GET") ? DESCRIBE_COLLECTION : null;
      }
      case "vectors" -> {
        if (n != 4) {
          return null;
        }
        return m.equals("PUT") ? ALTER_COLLECTION : m.equals("DELETE") ? DROP_VECTOR_NAME : null;
      }
      case "index" -> {
        if (n == 3 && m.equals("PUT")) {
          return CREATE_INDEX;
        }
        return n == 4 && m.equals("DELETE") ? DROP_INDEX : null;
      }
      case "cluster" -> {
        if (n != 3) {
          return null;
        }
        return m.equals("GET") ? DESCRIBE_COLLECTION : m.equals("POST") ? CLUSTER_ADMIN : null;
      }
      case "shards" -> {
        return shards(m, rest);
      }
      case "facet" -> {
        return n == 3 && m.equals("POST") ? FACET : null;
      }
      case "snapshots" -> {
        return snapshots(m, rest.subList(1, rest.size()));
      }
      case "points" -> {
        return points(m, rest.subList(1, rest.size()));
      }
      default -> {
        return null;
      }
    }
  }

  private static QdrantRoute shards(String m, List<String> rest) {
    // rest starts with "shards"
    int n = rest.size();
    if (n == 1) {
      return m.equals("GET") ? DESCRIBE_COLLECTION : m.equals("PUT") ? CLUSTER_ADMIN : null;
    }
    if (n == 2 && rest.get(1).equals("delete")) {
      return m.equals("POST") ? CLUSTER_ADMIN : null;
    }
    // shards/{id}/snapshot (stream) and shards/{id}/snapshots/...
    if (n == 3 && rest.get(2).equals("snapshot")) {
      return m.equals("GET") ? SNAPSHOT : null;
    }
    if (n >= 3 && rest.get(2).equals("snapshots")) {
      return snapshots(m, rest.subList(3, n));
    }
    return null;
  }

  /** {@code rest} is what follows {@code .../snapshots}. */
  private static QdrantRoute snapshots(String m, List<String> rest) {
    int n = rest.size();
    if (n == 0) {
      return m.equals("GET") || m.equals("POST") ? SNAPSHOT : null;
    }
    if (n == 1) {
      String name = rest.get(0);
      if (name.equals("recover") && m.equals("PUT")) {
        return SNAPSHOT_RESTORE;
      }
      if (name.equals("upload") && m.equals("POST")) {
        return SNAPSHOT_RESTORE;
      }
      return m.equals("GET") || m.equals("DELETE") ? SNAPSHOT : null;
    }
    return null;
  }

  /** {@code rest} is what follows {@code .../points}. */
  private static QdrantRoute points(String m, List<String> rest) {
    String path = String.join("/", rest);
    if (rest.isEmpty()) {
      return m.equals("POST") ? RETRIEVE : m.equals("PUT") ? UPSERT : null;
    }
    if (m.equals("GET")) {
      return rest.size() == 1 ? GET_POINT : null;
    }
    if (m.equals("PUT")) {
      return switch (path) {
        case "vectors" -> UPDATE_VECTORS;
        case "payload" -> OVERWRITE_PAYLOAD;
        default -> null;
      };
    }
    if (!m.equals("POST")) {
      return null;
    }
    return switch (path) {
      case "query" -> QUERY;
      case "query/batch" -> QUERY_BATCH;
      case "query/groups" -> QUERY_GROUPS;
      case "scroll" -> SCROLL;
      case "count" -> COUNT;
      case "delete" -> DELETE_POINTS;
      case "vectors/delete" -> DELETE_VECTORS;
      case "payload" -> SET_PAYLOAD;
      case "payload/delete" -> DELETE_PAYLOAD;
      case "payload/clear" -> CLEAR_PAYLOAD;
      case "batch" -> BATCH_UPDATE;
      case "search/matrix/pairs", "search/matrix/offsets" -> MATRIX;
      default -> null; // points/search, recommend, discover and their batch/groups forms: not in the spec
    };
  }
}
