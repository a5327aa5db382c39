package io.vectorgate.proxy.recording;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.vectorgate.approvals.Approver;
import io.vectorgate.approvals.admin.AdminAuthenticator;
import io.vectorgate.recorder.RecordingStore;
import io.vectorgate.recorder.SessionTranscript;
import io.vectorgate.recorder.VerifyReport;
import io.vectorgate.recorder.index.IndexedRecord;
import io.vectorgate.recorder.index.Page;
import io.vectorgate.recorder.index.RecordQuery;
import io.vectorgate.recorder.index.SessionSummary;
import java.io.IOException;
import java.io.OutputStream;
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
 * The sessions admin API (read-only, JSON), for callers with a bearer token of one of the auditor
 * groups:
 *
 * <ul>
 *   <li>{@code GET /v1/sessions?<filters>}: sessions, paged ({@code {"sessions": [...], "next_cursor"}});
 *   <li>{@code GET /v1/sessions/records?<filters>}: recorded entries (requests by default), paged;
 *   <li>{@code GET /v1/sessions/export?<filters>}: matching entries as JSONL, each line as stored;
 *   <li>{@code GET /v1/sessions/verify}: the hash chain check ({@code ok}, problems, first problem);
 *   <li>{@code GET /v1/sessions/{id}}: one session, summary and entries in order; 404 when unknown.
 * </ul>
 *
 * Filters are {@link SessionQueries}. Errors are {@code {"error": code, "message": ...}}: 400 bad
 * parameter, 401 bad token, 403 not an auditor, 404, 405, 500. Served by the approvals admin server
 * ({@link #mountOn}) or on its own loopback server ({@link #serve}).
 */
public final class SessionsAdminHandler implements HttpHandler {
  public static final String PREFIX = "/v1/sessions";
  private static final Logger LOG = LoggerFactory.getLogger(SessionsAdminHandler.class);
  private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

  private final RecordingStore store;
  private final AdminAuthenticator auth;
  private final Set<String> auditorGroups;

  public SessionsAdminHandler(RecordingStore store, AdminAuthenticator auth, Set<String> auditorGroups) {
    this.store = store;
    this.auth = auth;
    this.auditorGroups = Set.copyOf(auditorGroups);
  }

  /** A loopback JDK HTTP server serving only these routes; close it with {@link Server#close()}. */
  public Server serve(String host, int port) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 64);
    ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "vectorgate-sessions-admin");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.createContext(PREFIX, this);
    server.createContext("/", ex -> respond(ex, 404, error("not_found", "no such endpoint; the API is under " + PREFIX)));
    server.start();
    LOG.info("event=sessions_admin_started address={} port={}", host, server.getAddress().getPort());
    return new Server(server, executor);
  }

  /** A started sessions admin server. */
  public record Server(HttpServer server, ExecutorService executor) implements AutoCloseable {
    public int port() {
      return server.getAddress().getPort();
    }

    @Override
    public void close() {
      server.stop(0);
      executor.shutdownNow();
    }
  }

  @Override
  public void handle(HttpExchange ex) throws IOException {
    try {
      String path = ex.getRequestURI().getRawPath();
      if (!path.equals(PREFIX) && !path.startsWith(PREFIX + "/")) {
        respond(ex, 404, error("not_found", "no such endpoint `" + SessionQueries.printable(path) + "`"));
        return;
      }
      Approver who;
      try {
        who = auth.authenticate(bearer(ex));
      } catch (AdminAuthenticator.Refused e) {
        respond(ex, 401, error(e.code(), e.getMessage()));
        return;
      }
      if (who.groups().stream().noneMatch(auditorGroups::contains)) {
        LOG.info("event=sessions_admin_forbidden subject={}", who.subject());
        respond(ex, 403, error("forbidden", "reading recordings needs one of the groups " + new java.util.TreeSet<>(auditorGroups)));
        return;
      }
      if (!ex.getRequestMethod().equals("GET")) {
        respond(ex, 405, error("method_not_allowed", "the sessions API is read-only: use GET, not "
            + SessionQueries.printable(ex.getRequestMethod())));
        return;
      }
      String rest = path.substring(PREFIX.length());
      Map<String, String> params = query(ex.getRequestURI().getRawQuery());
      LOG.info("event=sessions_admin_read subject={} path={}", who.subject(), SessionQueries.printable(path));
      switch (rest) {
        case "", "/" -> respond(ex, 200, sessions(SessionQueries.parse(params)));
        case "/records" -> respond(ex, 200, records(SessionQueries.parse(params)));
        case "/export" -> export(ex, SessionQueries.parse(params));
        case "/verify" -> {
          noParams(params);
          respond(ex, 200, verify(store.verify()));
        }
        default -> {
          String id = URLDecoder.decode(rest.substring(1), StandardCharsets.UTF_8);
          noParams(params);
          if (id.isEmpty() || id.contains("/") || id.length() > 200) {
            respond(ex, 404, error("not_found", "no such endpoint `" + SessionQueries.printable(path) + "`"));
            return;
          }
          SessionTranscript t = store.show(id);
          if (t.entries().isEmpty() && t.summary() == null) {
            respond(ex, 404, error("not_found", "no session `" + SessionQueries.printable(id) + "`"));
            return;
          }
          ObjectNode out = JSON.createObjectNode();
          out.put("session", t.sessionId());
          out.set("summary", t.summary() == null ? null : JSON.valueToTree(t.summary()));
          out.putArray("entries").addAll(t.entries());
          respond(ex, 200, out);
        }
      }
    } catch (IllegalArgumentException e) {
      respond(ex, 400, error("invalid_request", e.getMessage()));
    } catch (IllegalStateException e) {
      respond(ex, 409, error("unavailable", e.getMessage()));
    } catch (IOException | RuntimeException e) {
      LOG.error("event=sessions_admin_error path={} error={}", SessionQueries.printable(ex.getRequestURI().getPath()),
          e.toString(), e);
      respond(ex, 500, error("internal_error", "the sessions API failed; see the gateway log"));
    }
  }

  private JsonNode sessions(RecordQuery q) throws IOException {
    Page<SessionSummary> page = store.sessions(q);
    ObjectNode out = JSON.createObjectNode();
    ArrayNode items = out.putArray("sessions");
    page.items().forEach(s -> items.add(JSON.<JsonNode>valueToTree(s)));
    out.put("next_cursor", page.nextCursor());
    return out;
  }

  private JsonNode records(RecordQuery q) throws IOException {
    Page<IndexedRecord> page = store.list(q);
    ObjectNode out = JSON.createObjectNode();
    ArrayNode items = out.putArray("records");
    page.items().forEach(r -> items.add(JSON.<JsonNode>valueToTree(r)));
    out.put("next_cursor", page.nextCursor());
    return out;
  }

  private void export(HttpExchange ex, RecordQuery q) throws IOException {
    ex.getResponseHeaders().set("Content-Type", "application/x-ndjson");
    ex.sendResponseHeaders(200, 0);
    try (OutputStream out = ex.getResponseBody()) {
      store.export(q, out);
    }
  }

  static ObjectNode verify(VerifyReport r) {
    ObjectNode out = JSON.createObjectNode();
    out.put("ok", r.ok());
    out.put("entries", r.entries());
    out.put("segments", r.segments());
    out.put("first_seq", r.firstSeq());
    out.put("last_seq", r.lastSeq());
    ArrayNode problems = out.putArray("problems");
    for (VerifyReport.Problem p : r.problems()) {
      ObjectNode n = problems.addObject();
      n.put("kind", p.kind().name());
      n.put("segment", p.segment());
      n.put("line", p.line());
      if (p.seq() != null) {
        n.put("seq", p.seq());
      }
      n.put("message", p.message());
    }
    out.set("notes", JSON.valueToTree(r.notes()));
    return out;
  }

  private static void noParams(Map<String, String> params) {
    if (!params.isEmpty()) {
      throw new IllegalArgumentException("this endpoint takes no parameters, got " + params.keySet().stream()
          .map(SessionQueries::printable).toList());
    }
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
    if (!v.regionMatches(true, 0, "Bearer ", 0, 7) || v.strip().length() <= 7) {
      throw new AdminAuthenticator.Refused("malformed_token", "the Authorization header must be `Bearer <token>`", null);
    }
    return v.substring(7).strip();
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> q = new TreeMap<>();
    if (raw == null || raw.isEmpty()) {
      return q;
    }
    if (raw.length() > 16 * 1024) {
      throw new IllegalArgumentException("query string longer than 16384 characters");
    }
    for (String pair : raw.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      if (q.put(k, v) != null) {
        throw new IllegalArgumentException("parameter `" + SessionQueries.printable(k) + "` given twice");
      }
    }
    return q;
  }

  private static ObjectNode error(String code, String message) {
    ObjectNode n = JSON.createObjectNode();
    n.put("error", code);
    n.put("message", message);
    return n;
  }

  private static void respond(HttpExchange ex, int status, JsonNode body) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(body);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    ex.getResponseBody().write(bytes);
    ex.close();
  }
}
