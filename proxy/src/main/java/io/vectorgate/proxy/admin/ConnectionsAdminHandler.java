package io.vectorgate.proxy.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.vectorgate.approvals.Approver;
import io.vectorgate.approvals.admin.AdminAuthenticator;
import io.vectorgate.proxy.config.ConfigException;
import io.vectorgate.proxy.config.ConfigLoader;
import io.vectorgate.proxy.config.GatewayConfig.ConnectionConfig;
import io.vectorgate.proxy.config.GatewayConfig.ListenerConfig;
import io.vectorgate.proxy.connections.ConnectionSpecs;
import io.vectorgate.proxy.connections.ConnectionStore;
import io.vectorgate.proxy.connections.LiveConnections;
import io.vectorgate.proxy.connections.LiveConnections.Effective;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connections routes of the gateway's admin API (operator groups only, OIDC-authenticated):
 *
 * <ul>
 *   <li>{@code GET /v1/connections}: every effective connection (YAML and API, removed ones
 *       included) with its source, version and the listeners of this instance bound to it;
 *   <li>{@code GET /v1/connections/{id}}: one (404 when unknown), with an {@code ETag} of its version;
 *   <li>{@code PUT /v1/connections/{id}}: adds or replaces it (the YAML keys of a connection as a
 *       JSON object); {@code If-Match: "<version>"} or {@code If-None-Match: *} make the write
 *       conditional (412 when the version moved);
 *   <li>{@code DELETE /v1/connections/{id}}: removes it (also one of the YAML), {@code If-Match} as above;
 *   <li>{@code GET /v1/connections/_history}: the newest writes (the audit trail), newest first.
 * </ul>
 *
 * A body is validated like the YAML; its secret is a reference ({@code {"env": NAME}} or
 * {@code {"file": PATH}}) that the operator may use and this instance can read; an error is 400
 * {@code {"error": "invalid_connection", "field": "connection.upstream", "message": ...}}. Answers
 * carry secret references only. Every write is logged ({@code event=connection_admin}) and kept in
 * the store's audit trail; it applies on this instance before the answer and on the others at
 * their next poll.
 */
public final class ConnectionsAdminHandler implements HttpHandler {
  public static final String PREFIX = "/v1/connections";
  private static final String HISTORY = "_history";
  private static final Logger LOG = LoggerFactory.getLogger(ConnectionsAdminHandler.class);

  private final LiveConnections live;
  private final ConnectionSpecs specs;
  private final List<ListenerConfig> listeners;
  private final Function<String, String> env;
  private final AdminAuthenticator auth;
  private final Set<String> operators;
  private final Clock clock;

  /**
   * @param listeners this instance's listeners (a connection they name must be one they can front)
   * @param env where {@code env:} references are checked
   */
  public ConnectionsAdminHandler(LiveConnections live, ConnectionSpecs specs, List<ListenerConfig> listeners,
      Function<String, String> env, AdminAuthenticator auth, Set<String> operatorGroups, Clock clock) {
    this.live = live;
    this.specs = specs;
    this.listeners = List.copyOf(listeners);
    this.env = env;
    this.auth = auth;
    this.operators = Set.copyOf(operatorGroups);
    this.clock = clock;
  }

  @Override
  public void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getRawPath();
      try {
        Approver who = AdminHttp.authenticate(ex, auth);
        AdminHttp.requireGroup(who, operators, "managing connections");
        if (path.equals(PREFIX) || path.equals(PREFIX + "/")) {
          AdminHttp.requireMethod(ex, "GET");
          AdminHttp.respond(ex, 200, list());
          return;
        }
        String id = path.startsWith(PREFIX + "/") ? path.substring(PREFIX.length() + 1) : null;
        if (HISTORY.equals(id)) {
          AdminHttp.requireMethod(ex, "GET");
          AdminHttp.respond(ex, 200, history());
          return;
        }
        if (id == null || !ConnectionSpecs.validId(id)) {
          throw new AdminHttp.Refusal(404, "not_found", "no such endpoint `" + AdminHttp.printable(path) + "`; known: "
              + PREFIX + ", " + PREFIX + "/{id} (1 to 64 letters, digits, `.`, `_`, `-`), " + PREFIX + "/" + HISTORY);
        }
        switch (ex.getRequestMethod()) {
          case "GET" -> {
            Effective e = live.get(id).orElseThrow(() -> unknown(id));
            ex.getResponseHeaders().set("ETag", etag(e.version()));
            AdminHttp.respond(ex, 200, entry(e));
          }
          case "PUT" -> put(ex, who, id);
          case "DELETE" -> delete(ex, who, id);
          default -> {
            ex.getResponseHeaders().set("Allow", "GET, PUT, DELETE");
            throw new AdminHttp.Refusal(405, "method_not_allowed", "use GET, PUT or DELETE here, not "
                + AdminHttp.printable(ex.getRequestMethod()));
          }
        }
      } catch (AdminHttp.Refusal e) {
        if (e.status == 403) {
          LOG.info("event=connection_admin_forbidden path={} message=\"{}\"", AdminHttp.printable(path), e.getMessage());
        }
        AdminHttp.respond(ex, e.status, AdminHttp.error(e.code, e.getMessage()));
      } catch (ConfigException e) {
        ObjectNode o = AdminHttp.error("invalid_connection", e.getMessage());
        o.put("field", e.keyPath());
        AdminHttp.respond(ex, 400, o);
      } catch (RuntimeException e) {
        LOG.error("event=connection_admin_error path={} error={}", AdminHttp.printable(path), e.toString(), e);
        AdminHttp.respond(ex, 500, AdminHttp.error("internal_error", "the connections admin API failed; see the gateway log"));
      }
    }
  }

  private void put(HttpExchange ex, Approver who, String id) throws IOException, AdminHttp.Refusal {
    JsonNode body = body(ex);
    ConnectionConfig c = specs.parse(id, body);
    for (ListenerConfig l : listeners) {
      if (l.connection().equals(id)) {
        ConfigLoader.requireListenerFronts(l, c, "connection (listener `" + l.name() + "` of this gateway)");
      }
    }
    ConfigLoader.readSecret(c.credential(), "connection.credential", env); // readable here; the value is dropped
    ConnectionStore.Expect expect = expectation(ex, id);
    ConnectionStore.Entry written = write(id, ConnectionSpecs.toSpec(c), expect, who);
    LOG.info("event=connection_admin action=put subject={} connection={} version={} kind={} upstream={} credential={}",
        who.subject(), id, written.version(), c.kind(), c.upstream(), ConnectionSpecs.toJson(c).get("credential"));
    answerWrite(ex, id, written);
  }

  private void delete(HttpExchange ex, Approver who, String id) throws IOException, AdminHttp.Refusal {
    AdminHttp.body(ex, Set.of());
    Effective e = live.get(id).orElseThrow(() -> unknown(id));
    if (e.deleted()) {
      throw unknown(id);
    }
    ConnectionStore.Expect expect = expectation(ex, id);
    ConnectionStore.Entry written = write(id, null, expect, who);
    LOG.info("event=connection_admin action=delete subject={} connection={} version={}", who.subject(), id,
        written.version());
    answerWrite(ex, id, written);
  }

  private ConnectionStore.Entry write(String id, String spec, ConnectionStore.Expect expect, Approver who)
      throws AdminHttp.Refusal {
    try {
      return live.store().write(id, spec, expect, who.subject(), clock.instant());
    } catch (ConnectionStore.VersionConflict e) {
      throw new AdminHttp.Refusal(412, "version_mismatch", e.getMessage() + "; read it again and retry with"
          + " If-Match: " + etag(e.current()));
    }
  }

  private void answerWrite(HttpExchange ex, String id, ConnectionStore.Entry written) throws IOException {
    live.refresh(); // applies on this instance before the answer
    Effective now = live.get(id).orElseThrow();
    ex.getResponseHeaders().set("ETag", etag(written.version()));
    ObjectNode o = entry(now);
    o.put("store_revision", live.revision());
    AdminHttp.respond(ex, 200, o);
  }

  /**
   * The write's condition: {@code If-None-Match: *} (must not exist, or be removed),
   * {@code If-Match: "<version>"}
   * (version 0: the connection of the YAML file, never written through the API), or none.
   */
  private ConnectionStore.Expect expectation(HttpExchange ex, String id) throws AdminHttp.Refusal {
    List<String> match = ex.getRequestHeaders().get("If-Match");
    List<String> noneMatch = ex.getRequestHeaders().get("If-None-Match");
    if (match != null && noneMatch != null) {
      throw new AdminHttp.Refusal(400, "invalid_request", "send If-Match or If-None-Match, not both");
    }
    if (noneMatch != null) {
      if (noneMatch.size() != 1 || !noneMatch.get(0).strip().equals("*")) {
        throw new AdminHttp.Refusal(400, "invalid_request", "If-None-Match takes only `*` here");
      }
      Effective e = live.get(id).orElse(null);
      if (e != null && !e.deleted()) {
        throw new AdminHttp.Refusal(412, "version_mismatch", "connection `" + id + "` exists (If-None-Match: *)");
      }
      // a removed connection does not exist either: replace its removal, as long as it is still the one seen
      return e == null ? new ConnectionStore.Expect.Absent() : new ConnectionStore.Expect.Version(e.version());
    }
    if (match == null) {
      return ConnectionStore.Expect.ANY;
    }
    String v = match.size() == 1 ? match.get(0).strip() : "";
    if (v.equals("*")) {
      return ConnectionStore.Expect.ANY;
    }
    if (v.startsWith("\"") && v.endsWith("\"") && v.length() >= 2) {
      v = v.substring(1, v.length() - 1);
    }
    if (!v.matches("[0-9]{1,18}")) {
      throw new AdminHttp.Refusal(400, "invalid_request", "If-Match must be one version, e.g. \"12\" (the ETag of GET)");
    }
    long version = Long.parseLong(v);
    return version == 0 ? new ConnectionStore.Expect.Absent() : new ConnectionStore.Expect.Version(version);
  }

  private static JsonNode body(HttpExchange ex) throws IOException, AdminHttp.Refusal {
    byte[] raw;
    try (InputStream in = ex.getRequestBody()) {
      raw = in.readNBytes(AdminHttp.MAX_BODY + 1);
    }
    // the connection's keys are checked (with their field names and a did-you-mean) by ConnectionSpecs
    return AdminHttp.body(raw, null);
  }

  private static AdminHttp.Refusal unknown(String id) {
    return new AdminHttp.Refusal(404, "not_found", "no connection `" + id + "`");
  }

  private static String etag(long version) {
    return "\"" + version + "\"";
  }

  private ObjectNode list() {
    ObjectNode o = AdminHttp.JSON.createObjectNode();
    o.put("store_revision", live.revision());
    ArrayNode a = o.putArray("connections");
    new TreeMap<>(live.all()).values().forEach(e -> a.add(entry(e)));
    return o;
  }

  private ObjectNode history() {
    ObjectNode o = AdminHttp.JSON.createObjectNode();
    ArrayNode a = o.putArray("history");
    for (ConnectionStore.Entry e : live.store().history(200)) {
      ObjectNode h = a.addObject();
      h.put("id", e.id()).put("version", e.version()).put("action", e.removed() ? "delete" : "put")
          .put("by", e.by()).put("at", e.at().toString());
      if (!e.removed()) {
        try {
          h.set("connection", ConnectionSpecs.toJson(ConnectionSpecs.fromSpec(e.id(), e.spec())));
        } catch (ConfigException ex) {
          h.put("problem", ex.getMessage());
        }
      }
    }
    return o;
  }

  private ObjectNode entry(Effective e) {
    ObjectNode o = AdminHttp.JSON.createObjectNode();
    o.put("id", e.id());
    o.put("source", e.source().wireName());
    o.put("version", e.version());
    o.put("removed", e.deleted());
    if (e.by() != null) {
      o.put("updated_by", e.by());
    }
    if (e.at() != null) {
      o.put("updated_at", e.at().toString());
    }
    if (e.problem() != null) {
      o.put("problem", e.problem());
    }
    ArrayNode l = o.putArray("listeners");
    live.listenersOf(e.id()).forEach(l::add);
    if (e.config() != null) {
      o.set("connection", ConnectionSpecs.toJson(e.config()));
    }
    return o;
  }
}
