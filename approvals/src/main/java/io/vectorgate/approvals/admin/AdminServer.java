package io.vectorgate.approvals.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.vectorgate.approvals.Approval;
import io.vectorgate.approvals.ApprovalException;
import io.vectorgate.approvals.ApprovalJson;
import io.vectorgate.approvals.ApprovalRules;
import io.vectorgate.approvals.ApprovalService;
import io.vectorgate.approvals.ApprovalStatus;
import io.vectorgate.approvals.Approver;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The approvals admin REST API on loopback (JDK HTTP server), every call authenticated with a
 * bearer token:
 *
 * <ul>
 *   <li>{@code GET /v1/approvals?status=pending&limit=50}: approvals the caller may see, newest first;
 *   <li>{@code GET /v1/approvals/{id}};
 *   <li>{@code POST /v1/approvals/{id}/approve} with optional {@code {"comment": "...", "uses": 1}};
 *   <li>{@code POST /v1/approvals/{id}/reject} with {@code {"reason": "..."}} (required).
 * </ul>
 *
 * A caller sees an approval when they hold one of its approver groups, requested it, or are in an
 * admin/auditor group; others get 404 as if it did not exist. Errors are JSON
 * {@code {"error": code, "message": ...}}: 400 bad input, 401 bad token, 403 refused, 404, 409
 * conflict (already answered, expired), 503 store unavailable.
 *
 * <p>The same server is the gateway's one admin API: other features mount their routes with
 * {@link #addRoutes} (sessions, policy rollout, metrics); without approvals it is started with
 * {@link #withoutApprovals}.
 */
public final class AdminServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);
  private static final int MAX_BODY = 16 * 1024;
  private static final Set<String> APPROVE_FIELDS = Set.of("comment", "uses");
  private static final Set<String> REJECT_FIELDS = Set.of("reason");

  private final ApprovalService service;
  private final AdminAuthenticator auth;
  private final Set<String> readAllGroups;
  private final HttpServer server;
  private final ExecutorService executor;

  /**
   * @param readAllGroups groups that may list and show every approval (admins, auditors)
   */
  public AdminServer(ApprovalService service, AdminAuthenticator auth, Set<String> readAllGroups, String host, int port)
      throws IOException {
    this(java.util.Objects.requireNonNull(service, "service"), auth, readAllGroups, host, port, true);
  }

  /**
   * The gateway's admin server when approvals are not configured: only the routes added with
   * {@link #addRoutes} are served; {@code /v1/approvals} answers 404 {@code approvals_not_configured}.
   */
  public static AdminServer withoutApprovals(String host, int port) throws IOException {
    return new AdminServer(null, null, Set.of(), host, port, false);
  }

  private AdminServer(ApprovalService service, AdminAuthenticator auth, Set<String> readAllGroups, String host, int port,
      boolean approvals) throws IOException {
    this.service = service;
    this.auth = auth;
    this.readAllGroups = Set.copyOf(readAllGroups);
    this.server = HttpServer.create(new InetSocketAddress(host, port), 64);
    this.executor = Executors.newFixedThreadPool(4, r -> {
      Thread t = new Thread(r, "vectorgate-approvals-admin");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    if (approvals) {
      server.createContext("/v1/approvals", this::handle);
    } else {
      server.createContext("/v1/approvals", ex -> respond(ex, 404, error("approvals_not_configured",
          "approvals are not configured on this gateway (no `approvals:` section)")));
    }
    server.createContext("/", ex -> respond(ex, 404, error("not_found", "no such endpoint `" + printable(ex.getRequestURI().getPath())
        + "`")));
  }

  public void start() {
    server.start();
    LOG.info("event=admin_started address={} port={} approvals={}", server.getAddress().getHostString(), port(),
        service != null);
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /**
   * Serves another feature's admin routes under {@code path} on this server (e.g. the sessions
   * API). The handler authenticates and authorizes its callers itself.
   */
  public void addRoutes(String path, com.sun.net.httpserver.HttpHandler handler) {
    server.createContext(path, handler);
    LOG.info("event=admin_routes_added path={}", path);
  }

  private void handle(HttpExchange ex) throws IOException {
    try {
      String path = ex.getRequestURI().getRawPath();
      String method = ex.getRequestMethod();
      Approver who;
      try {
        who = auth.authenticate(bearer(ex));
      } catch (AdminAuthenticator.Refused e) {
        respond(ex, 401, error(e.code(), e.getMessage()));
        return;
      }
      String rest = path.substring("/v1/approvals".length());
      if (rest.isEmpty() || rest.equals("/")) {
        requireMethod(method, "GET");
        respond(ex, 200, list(who, query(ex.getRequestURI().getRawQuery())));
        return;
      }
      String[] parts = rest.substring(1).split("/", -1);
      if (parts.length == 1) {
        requireMethod(method, "GET");
        respond(ex, 200, ApprovalJson.mapper().valueToTree(visible(parts[0], who)));
        return;
      }
      if (parts.length == 2 && (parts[1].equals("approve") || parts[1].equals("reject"))) {
        requireMethod(method, "POST");
        visible(parts[0], who);
        JsonNode body = body(ex, parts[1].equals("approve") ? APPROVE_FIELDS : REJECT_FIELDS);
        Approval a;
        if (parts[1].equals("approve")) {
          JsonNode uses = body.get("uses");
          if (uses != null && !uses.canConvertToInt()) {
            throw new ApprovalException(ApprovalException.Code.INVALID, "`uses` must be an integer");
          }
          a = service.approve(parts[0], who, text(body, "comment"), uses == null ? 1 : uses.intValue());
        } else {
          a = service.reject(parts[0], who, text(body, "reason"));
        }
        respond(ex, 200, ApprovalJson.mapper().valueToTree(a));
        return;
      }
      respond(ex, 404, error("not_found", "no such endpoint `" + printable(path) + "`"));
    } catch (ApprovalException e) {
      respond(ex, e.code().httpStatus(), error(e.code().wire(), e.getMessage()));
    } catch (MethodNotAllowed e) {
      respond(ex, 405, error("method_not_allowed", e.getMessage()));
    } catch (RuntimeException e) {
      LOG.error("event=approvals_admin_error path={} error={}", printable(ex.getRequestURI().getPath()), e.toString(), e);
      respond(ex, 500, error("internal_error", "the approvals API failed; see the gateway log"));
    }
  }

  private JsonNode list(Approver who, Map<String, String> q) {
    for (String k : q.keySet()) {
      if (!k.equals("status") && !k.equals("limit")) {
        throw new ApprovalException(ApprovalException.Code.INVALID, "unknown query parameter `" + printable(k)
            + "`; known: status, limit");
      }
    }
    ApprovalStatus status;
    try {
      status = q.containsKey("status") && !q.get("status").equals("all") ? ApprovalStatus.parse(q.get("status")) : null;
    } catch (IllegalArgumentException e) {
      throw new ApprovalException(ApprovalException.Code.INVALID, "query parameter `status`: " + printable(e.getMessage()), e);
    }
    int limit;
    try {
      limit = q.containsKey("limit") ? Integer.parseInt(q.get("limit")) : 100;
    } catch (NumberFormatException e) {
      throw new ApprovalException(ApprovalException.Code.INVALID, "query parameter `limit` must be an integer", e);
    }
    List<Approval> all = service.list(status, limit);
    ObjectNode out = ApprovalJson.mapper().createObjectNode();
    var items = out.putArray("approvals");
    for (Approval a : all) {
      if (maySee(a, who)) {
        items.add(ApprovalJson.mapper().<JsonNode>valueToTree(a));
      }
    }
    return out;
  }

  private Approval visible(String id, Approver who) {
    Approval a = service.find(id).orElseThrow(() -> notFound(id));
    if (!maySee(a, who)) {
      throw notFound(id);
    }
    return a;
  }

  private static ApprovalException notFound(String id) {
    return new ApprovalException(ApprovalException.Code.NOT_FOUND, "no approval `" + id + "` visible to you");
  }

  private boolean maySee(Approval a, Approver who) {
    return ApprovalRules.maySee(a, who, readAllGroups);
  }

  private static String bearer(HttpExchange ex) throws AdminAuthenticator.Refused {
    List<String> h = ex.getRequestHeaders().get("Authorization");
    if (h == null || h.isEmpty()) {
      throw new AdminAuthenticator.Refused("missing_token", "no `Authorization: Bearer <token>` header", null);
    }
    if (h.size() > 1) {
      throw new AdminAuthenticator.Refused("malformed_token", "more than one Authorization header", null);
    }
    String v = h.get(0);
    if (!v.regionMatches(true, 0, "Bearer ", 0, 7) || v.length() == 7) {
      throw new AdminAuthenticator.Refused("malformed_token", "the Authorization header must be `Bearer <token>`", null);
    }
    return v.substring(7).strip();
  }

  private static JsonNode body(HttpExchange ex, Set<String> fields) throws IOException {
    byte[] raw;
    try (InputStream in = ex.getRequestBody()) {
      raw = in.readNBytes(MAX_BODY + 1);
    }
    if (raw.length > MAX_BODY) {
      throw new ApprovalException(ApprovalException.Code.INVALID, "request body is larger than " + MAX_BODY + " bytes");
    }
    if (raw.length == 0) {
      return ApprovalJson.mapper().createObjectNode();
    }
    JsonNode n;
    try {
      n = ApprovalJson.mapper().reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .with(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION).readTree(raw);
    } catch (JsonProcessingException e) {
      throw new ApprovalException(ApprovalException.Code.INVALID, "request body is not valid JSON"
          + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column "
          + e.getLocation().getColumnNr()), e);
    }
    if (n == null || !n.isObject()) {
      throw new ApprovalException(ApprovalException.Code.INVALID, "request body must be a JSON object");
    }
    var names = n.fieldNames();
    while (names.hasNext()) {
      String f = names.next();
      if (!fields.contains(f)) {
        throw new ApprovalException(ApprovalException.Code.INVALID, "unknown field `" + printable(f) + "` in the request body; known: "
            + new java.util.TreeSet<>(fields));
      }
    }
    return n;
  }

  private static String text(JsonNode body, String field) {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw new ApprovalException(ApprovalException.Code.INVALID, "`" + field + "` must be a string");
    }
    return v.asText();
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> q = new TreeMap<>();
    if (raw == null || raw.isEmpty()) {
      return q;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      if (q.put(k, v) != null) {
        throw new ApprovalException(ApprovalException.Code.INVALID, "query parameter `" + printable(k) + "` given twice");
      }
    }
    return q;
  }

  private static void requireMethod(String actual, String expected) {
    if (!actual.equals(expected)) {
      throw new MethodNotAllowed("use " + expected + " here, not " + printable(actual));
    }
  }

  private static final class MethodNotAllowed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    MethodNotAllowed(String m) {
      super(m);
    }
  }

  private static JsonNode error(String code, String message) {
    ObjectNode n = ApprovalJson.mapper().createObjectNode();
    n.put("error", code);
    n.put("message", message);
    return n;
  }

  private static String printable(String s) {
    String t = s == null ? "" : s.length() > 80 ? s.substring(0, 80) + "..." : s;
    return t.replaceAll("[^\\x20-\\x7e]", "?");
  }

  private static void respond(HttpExchange ex, int status, JsonNode body) throws IOException {
    byte[] bytes = ApprovalJson.mapper().writeValueAsBytes(body);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    ex.getResponseBody().write(bytes);
    ex.close();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
