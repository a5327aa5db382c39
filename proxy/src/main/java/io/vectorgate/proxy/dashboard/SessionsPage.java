package io.vectorgate.proxy.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import io.vectorgate.proxy.recording.SessionQueries;
import io.vectorgate.recorder.RecordingStore;
import io.vectorgate.recorder.SessionTranscript;
import io.vectorgate.recorder.VerifyReport;
import io.vectorgate.recorder.index.Page;
import io.vectorgate.recorder.index.RecordQuery;
import io.vectorgate.recorder.index.SessionSummary;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Recorded sessions for auditors: a filtered, paged list with the hash chain status, a session's
 * requests in order, and JSONL export, all read through the {@link RecordingStore} and the
 * {@link SessionQueries} parameters the sessions admin API uses.
 */
final class SessionsPage {
  /** The filters the list page offers (a subset of {@link SessionQueries#PARAMETERS}). */
  static final List<String> FILTERS = List.of("subject", "collection", "decision", "from", "to");
  static final int PAGE_SIZE = 25;
  private static final int MAX_SHOWN_JSON = 8 * 1024;
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final RecordingStore store;

  SessionsPage(RecordingStore store) {
    this.store = store;
  }

  DashboardHandler.Result list(Map<String, String> q) throws DashboardHandler.PageError, IOException {
    Map<String, String> params = filters(q, Set.of("cursor"));
    params.put("limit", String.valueOf(PAGE_SIZE));
    RecordQuery query = parse(params);
    Page<SessionSummary> page = store.sessions(query);
    List<Html> rows = new ArrayList<>();
    for (SessionSummary s : page.items()) {
      rows.add(Html.of("""
          <tr><td><a href="%s"><code>%s</code></a></td><td>%s</td><td>%s</td><td>%s</td><td>%s</td>
          <td>%s</td><td class="allow">%s</td><td class="deny">%s</td></tr>""",
          Pages.url(Pages.BASE + "/sessions/view", Map.of("id", s.sessionId())), s.sessionId(), s.subject(),
          s.clientAddress() + " (" + s.transport() + ")", s.started(), s.ended() == null ? "open" : s.ended(),
          s.requests(), s.allowed(), s.denied()));
    }
    Map<String, String> keep = filters(q, Set.of());
    Html next = page.nextCursor() == null ? Html.EMPTY : Html.of("<p><a href=\"%s\" rel=\"next\">Next page</a></p>",
        Pages.url(Pages.BASE + "/sessions", with(keep, "cursor", page.nextCursor())));
    Html body = Html.of("""
        %s
        <form class="filters" method="get" action="%s" role="search">
        <div><label for="f-subject">User</label><input id="f-subject" name="subject" value="%s"></div>
        <div><label for="f-collection">Collection</label><input id="f-collection" name="collection" value="%s"></div>
        <div><label for="f-decision">Outcome</label><select id="f-decision" name="decision">
        <option value="">any</option><option value="allow"%s>allowed</option><option value="deny"%s>denied</option></select></div>
        <div><label for="f-from">From (UTC, 2025-01-02T03:04:05Z)</label><input id="f-from" name="from" value="%s"></div>
        <div><label for="f-to">To (UTC, exclusive)</label><input id="f-to" name="to" value="%s"></div>
        <div><button type="submit">Filter</button></div>
        </form>
        <p><a href="%s">Export these requests as JSONL</a></p>
        <div class="table-wrap"><table><thead><tr><th scope="col">Session</th><th scope="col">User</th>
        <th scope="col">Client</th><th scope="col">Started</th><th scope="col">Ended</th><th scope="col">Requests</th>
        <th scope="col">Allowed</th><th scope="col">Denied</th></tr></thead><tbody>%s</tbody></table></div>%s""",
        chain(), Pages.BASE + "/sessions", keep.getOrDefault("subject", ""), keep.getOrDefault("collection", ""),
        selected("allow".equals(keep.get("decision"))), selected("deny".equals(keep.get("decision"))),
        keep.getOrDefault("from", ""), keep.getOrDefault("to", ""), Pages.url(Pages.BASE + "/sessions/export", keep),
        rows.isEmpty() ? Html.of("<tr><td colspan=\"8\">No sessions match.</td></tr>") : Html.join(rows), next);
    return new DashboardHandler.Result.Page(200, "Sessions", body);
  }

  DashboardHandler.Result view(Map<String, String> q) throws DashboardHandler.PageError, IOException {
    String id = q.get("id");
    if (id == null || id.isEmpty() || id.length() > 200 || q.size() != 1) {
      throw new DashboardHandler.PageError(400, "this page takes one parameter, `id` (a session id)");
    }
    SessionTranscript t = store.show(id);
    if (t.entries().isEmpty() && t.summary() == null) {
      throw new DashboardHandler.PageError(404, "no session `" + DashboardHandler.printable(id) + "`");
    }
    List<Html> items = new ArrayList<>();
    for (ObjectNode e : t.entries()) {
      if ("request".equals(e.path("kind").asText())) {
        items.add(request(e));
      }
    }
    SessionSummary s = t.summary();
    Html head = s == null ? Html.EMPTY : Html.of("""
        <dl class="kv"><dt>User</dt><dd>%s</dd><dt>Client</dt><dd>%s (%s)</dd><dt>Started</dt><dd>%s</dd>
        <dt>Ended</dt><dd>%s</dd><dt>Requests</dt><dd>%s (%s allowed, %s denied)</dd></dl>""", s.subject(),
        s.clientAddress(), s.transport(), s.started(), s.ended() == null ? "open" : s.ended(), s.requests(),
        s.allowed(), s.denied());
    Html body = Html.of("""
        <p><code>%s</code> · <a href="%s">Export this session as JSONL</a> · <a href="%s">All sessions</a></p>
        %s%s<h2>Requests (%s)</h2>%s""", id,
        Pages.url(Pages.BASE + "/sessions/export", Map.of("session", id)), Pages.BASE + "/sessions", chain(), head,
        items.size(), items.isEmpty() ? Html.of("<p>No requests recorded.</p>") : Html.join(items));
    return new DashboardHandler.Result.Page(200, "Session", body);
  }

  DashboardHandler.Result export(HttpExchange ex, Map<String, String> q) throws DashboardHandler.PageError, IOException {
    Map<String, String> params = filters(q, Set.of("session"));
    RecordQuery query = parse(params);
    ex.getResponseHeaders().set("Content-Type", "application/x-ndjson");
    ex.getResponseHeaders().set("Content-Disposition", "attachment; filename=\"vectorgate-sessions.jsonl\"");
    ex.sendResponseHeaders(200, 0);
    try (OutputStream out = ex.getResponseBody()) {
      store.export(query, out);
    }
    return new DashboardHandler.Result.Sent();
  }

  private Html request(ObjectNode e) {
    JsonNode op = e.path("operation");
    JsonNode d = e.path("decision");
    JsonNode enf = e.path("enforcement");
    JsonNode id = e.path("identity");
    List<Html> reasons = new ArrayList<>();
    for (JsonNode r : d.path("reasons")) {
      reasons.add(r.has("code") ? Html.of("<li><code>%s</code>%s</li>", r.get("code").asText(),
          r.hasNonNull("message") ? ": " + r.get("message").asText() : "")
          : Html.of("<li>%s</li>", r.isTextual() ? r.asText() : compact(r)));
    }
    JsonNode duration = e.path("upstream").path("duration_us");
    return Html.of("""
        <article class="card"><h3><code>%s</code> on <code>%s</code></h3>
        <dl class="kv">
        <dt>Time</dt><dd>%s (seq %s)</dd>
        <dt>Identity</dt><dd>%s (groups %s%s)</dd>
        <dt>Filter</dt><dd><pre>%s</pre></dd>
        <dt>Decision</dt><dd class="%s">%s</dd>
        <dt>Reasons</dt><dd>%s</dd>
        <dt>Obligations</dt><dd><pre>%s</pre></dd>
        <dt>Enforcement</dt><dd><pre>%s</pre></dd>
        <dt>Latency</dt><dd>%s</dd>
        <dt>Response (as the client saw it)</dt><dd><pre>%s</pre></dd>
        </dl></article>""", op.path("action").asText("unknown"),
        op.path("resource").path("collection").asText("-"), e.path("time").asText(), e.path("seq").asText(),
        id.path("subject").asText("-"), groups(id.path("groups")),
        id.hasNonNull("tenant") ? ", tenant " + id.get("tenant").asText() : "",
        op.hasNonNull("filter") ? (op.get("filter").isTextual() ? op.get("filter").asText() : pretty(op.get("filter")))
            : "(none)",
        d.path("allow").asBoolean() ? "allow" : "deny", d.path("allow").asBoolean() ? "allowed" : "denied",
        reasons.isEmpty() ? Html.of("-") : Html.of("<ul>%s</ul>", Html.join(reasons)),
        d.hasNonNull("obligations") ? pretty(d.get("obligations")) : "(none)",
        enf.isMissingNode() ? "-" : pretty(enf),
        duration.isMissingNode() ? "not forwarded" : (duration.asLong() / 1000.0) + " ms upstream",
        e.has("response") ? pretty(e.get("response")) : "(not recorded)");
  }

  /** The hash chain status: verified, or the first bad record named. */
  private Html chain() throws IOException {
    VerifyReport r = store.verify();
    if (r.ok()) {
      return Html.of("<p class=\"notice\" role=\"status\">Hash chain verified: %s entries in %s segments (seq %s to %s).</p>",
          r.entries(), r.segments(), r.firstSeq(), r.lastSeq());
    }
    VerifyReport.Problem p = r.firstProblem();
    return Html.of("""
        <p class="notice error" role="alert">Hash chain BROKEN: %s problem(s). First bad record: segment <code>%s</code>
        line %s%s: %s (%s)</p>""", r.problems().size(), p.segment(), p.line(), p.seq() == null ? "" : ", seq " + p.seq(),
        p.message(), p.kind());
  }

  private static String groups(JsonNode g) {
    List<String> out = new ArrayList<>();
    g.forEach(n -> out.add(n.asText()));
    return String.join(", ", out);
  }

  private static Map<String, String> filters(Map<String, String> q, Set<String> extra) throws DashboardHandler.PageError {
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : q.entrySet()) {
      if (!FILTERS.contains(e.getKey()) && !extra.contains(e.getKey())) {
        throw new DashboardHandler.PageError(400, "unknown parameter `" + DashboardHandler.printable(e.getKey())
            + "`; known: " + FILTERS);
      }
      if (!e.getValue().isBlank()) {
        out.put(e.getKey(), e.getValue().strip());
      }
    }
    return out;
  }

  private static Map<String, String> with(Map<String, String> m, String k, String v) {
    Map<String, String> out = new LinkedHashMap<>(m);
    out.put(k, v);
    return out;
  }

  private static RecordQuery parse(Map<String, String> params) throws DashboardHandler.PageError {
    try {
      return SessionQueries.parse(params);
    } catch (IllegalArgumentException e) {
      throw new DashboardHandler.PageError(400, e.getMessage());
    }
  }

  private static Html selected(boolean on) {
    return on ? new Html(" selected") : Html.EMPTY;
  }

  private static String compact(JsonNode n) {
    return n.toString();
  }

  private static String pretty(JsonNode n) {
    String s;
    try {
      s = JSON.writeValueAsString(n);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      s = n.toString();
    }
    return s.length() > MAX_SHOWN_JSON ? s.substring(0, MAX_SHOWN_JSON) + "\n… (" + s.length()
        + " characters; the export has all of it)" : s;
  }
}
