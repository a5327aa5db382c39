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
import io.vectorgate.model.DatabaseKind;
import io.vectorgate.recorder.index.IndexedRecord;
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
 * requests in order, "what would the current policy decide" ({@link DecisionReplay}), and JSONL
 * export, all read through the {@link RecordingStore} and the {@link SessionQueries} parameters the
 * sessions admin API uses.
 *
 * <p>Two filters are the dashboard's own: {@code database} (the database kind, matched through the
 * configured connections' kinds) and {@code reason} (a decision reason code). The index does not
 * hold them as session filters, so with either one the list walks the sessions the other filters
 * select, a batch at a time, and keeps those with a request that matches all filters; a page then
 * has between {@value #PAGE_SIZE} and twice as many rows, and at most {@value #MAX_EXAMINED}
 * sessions are examined per page (the page says so and links the next batch).
 */
final class SessionsPage {
  /** The filters the list page offers: {@link SessionQueries#PARAMETERS} ones, then {@code database} and {@code reason}. */
  static final List<String> FILTERS = List.of("subject", "collection", "decision", "from", "to", "database", "reason");
  static final int PAGE_SIZE = 25;
  static final int MAX_EXAMINED = 2_000;
  private static final int MAX_SHOWN_JSON = 8 * 1024;
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final RecordingStore store;
  private final Map<String, DatabaseKind> connectionKinds;
  private final DecisionReplay replay;
  private final DecisionExplain explain;

  /**
   * @param connectionKinds each connection name's database kind (the {@code database} filter)
   * @param replay null when the gateway has no policy engine of its own (a test double)
   * @param explain null when the gateway cannot name its policy's sources
   */
  SessionsPage(RecordingStore store, Map<String, DatabaseKind> connectionKinds, DecisionReplay replay,
      DecisionExplain explain) {
    this.store = store;
    this.connectionKinds = Map.copyOf(connectionKinds);
    this.replay = replay;
    this.explain = explain;
  }

  DashboardHandler.Result list(Map<String, String> q) throws DashboardHandler.PageError, IOException {
    Map<String, String> params = filters(q, Set.of("cursor"));
    String database = params.remove("database");
    String reason = params.remove("reason");
    Set<String> connections = null;
    if (database != null) {
      DatabaseKind kind = kind(database);
      connections = new java.util.TreeSet<>();
      for (Map.Entry<String, DatabaseKind> c : connectionKinds.entrySet()) {
        if (c.getValue() == kind) {
          connections.add(c.getKey());
        }
      }
    }
    if (reason != null && (reason.length() > 200 || !reason.chars().allMatch(c -> c > 0x20 && c < 0x7f))) {
      throw new DashboardHandler.PageError(400, "parameter `reason` must be a reason code (printable, no spaces)");
    }
    Page<SessionSummary> page;
    Html scanned = Html.EMPTY;
    if (connections == null && reason == null) {
      params.put("limit", String.valueOf(PAGE_SIZE));
      page = store.sessions(parse(params));
    } else {
      Scan scan = scan(params, connections, reason);
      page = scan.page();
      scanned = scan.examined() >= MAX_EXAMINED && scan.page().nextCursor() != null
          ? Pages.notice("Examined " + scan.examined() + " sessions for this page; more may match further on.", false)
          : Html.EMPTY;
    }
    List<Html> rows = new ArrayList<>();
    for (SessionSummary s : page.items()) {
      rows.add(Html.of("""
          <tr><td><a href="%s"><code>%s</code></a></td><td>%s</td><td>%s</td><td>%s</td><td>%s</td>
          <td>%s</td><td class="allow">%s</td><td class="deny">%s</td></tr>""",
          Pages.url(Pages.BASE + "/sessions/view", Map.of("id", s.sessionId())), s.sessionId(), s.subject(),
          s.clientAddress() + " (" + s.transport() + ")", s.started(), s.ended() == null ? "open" : s.ended(),
          s.requests(), s.allowed(), s.denied()));
    }
    Map<String, String> keep = without(filters(q, Set.of("cursor")), "cursor");
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
        <div><label for="f-database">Database</label><select id="f-database" name="database">
        <option value="">any</option>%s</select></div>
        <div><label for="f-reason">Reason code</label><input id="f-reason" name="reason" value="%s"></div>
        <div><button type="submit">Filter</button></div>
        </form>
        %s<p><a href="%s">Export these requests as JSONL</a></p>
        <div class="table-wrap"><table><thead><tr><th scope="col">Session</th><th scope="col">User</th>
        <th scope="col">Client</th><th scope="col">Started</th><th scope="col">Ended</th><th scope="col">Requests</th>
        <th scope="col">Allowed</th><th scope="col">Denied</th></tr></thead><tbody>%s</tbody></table></div>%s""",
        chain(), Pages.BASE + "/sessions", keep.getOrDefault("subject", ""), keep.getOrDefault("collection", ""),
        selected("allow".equals(keep.get("decision"))), selected("deny".equals(keep.get("decision"))),
        keep.getOrDefault("from", ""), keep.getOrDefault("to", ""), kindOptions(keep.get("database")),
        keep.getOrDefault("reason", ""), Html.join(scanned, database != null || reason != null ? Html.of(
            "<p>The export below has every request of the other filters; database and reason filter the list only.</p>")
            : Html.EMPTY),
        Pages.url(Pages.BASE + "/sessions/export", without(keep, "database", "reason")),
        rows.isEmpty() ? Html.of("<tr><td colspan=\"8\">No sessions match.</td></tr>") : Html.join(rows), next);
    return new DashboardHandler.Result.Page(200, "Sessions", body);
  }

  DashboardHandler.Result view(Map<String, String> q) throws DashboardHandler.PageError, IOException {
    String id = sessionId(q);
    SessionTranscript t = store.show(id);
    if (t.entries().isEmpty() && t.summary() == null) {
      throw new DashboardHandler.PageError(404, "no session `" + DashboardHandler.printable(id) + "`");
    }
    List<Html> items = new ArrayList<>();
    for (ObjectNode e : t.entries()) {
      if ("request".equals(e.path("kind").asText())) {
        items.add(request(e, explain == null || !e.hasNonNull("operation") || !e.hasNonNull("seq") ? Html.EMPTY
            : Html.of("<p><a href=\"%s\" class=\"explain\">Explain this decision under the active policy</a></p>",
                Pages.url(Pages.BASE + "/sessions/explain", with(Map.of("id", id), "seq", e.get("seq").asText())))));
      }
    }
    SessionSummary s = t.summary();
    Html head = s == null ? Html.EMPTY : Html.of("""
        <dl class="kv"><dt>User</dt><dd>%s</dd><dt>Client</dt><dd>%s (%s)</dd><dt>Started</dt><dd>%s</dd>
        <dt>Ended</dt><dd>%s</dd><dt>Requests</dt><dd>%s (%s allowed, %s denied)</dd></dl>""", s.subject(),
        s.clientAddress(), s.transport(), s.started(), s.ended() == null ? "open" : s.ended(), s.requests(),
        s.allowed(), s.denied());
    Html body = Html.of("""
        <p><code>%s</code> · <a href="%s">Export this session as JSONL</a> · %s<a href="%s">All sessions</a></p>
        %s%s<h2>Requests (%s)</h2>%s""", id,
        Pages.url(Pages.BASE + "/sessions/export", Map.of("session", id)), replay == null ? Html.EMPTY
            : Html.of("<a href=\"%s\" id=\"replay\">What would the current policy decide?</a> · ",
                Pages.url(Pages.BASE + "/sessions/replay", Map.of("id", id))), Pages.BASE + "/sessions", chain(), head,
        items.size(), items.isEmpty() ? Html.of("<p>No requests recorded.</p>") : Html.join(items));
    return new DashboardHandler.Result.Page(200, "Session", body);
  }

  /** The session's requests decided again by the active policy, with the differences per request. */
  DashboardHandler.Result replay(Map<String, String> q) throws DashboardHandler.PageError, IOException {
    if (replay == null) {
      throw new DashboardHandler.PageError(404, "this gateway has no policy engine of its own to replay with");
    }
    String id = sessionId(q);
    SessionTranscript t = store.show(id);
    if (t.entries().isEmpty() && t.summary() == null) {
      throw new DashboardHandler.PageError(404, "no session `" + DashboardHandler.printable(id) + "`");
    }
    DecisionReplay.Result r = replay.replay(t.entries());
    List<Html> rows = new ArrayList<>();
    for (DecisionReplay.Row row : r.rows()) {
      JsonNode e = row.entry();
      JsonNode op = e.path("operation");
      Html now;
      Html change;
      if (row.now() == null) {
        now = Html.of("<td colspan=\"2\">%s</td>", row.notReplayed());
        change = Html.of("<td>not replayed</td>");
      } else {
        now = Html.of("<td class=\"%s\">%s</td><td>%s</td>", row.now().allow() ? "allow" : "deny",
            row.now().allow() ? "allowed" : "denied", codes(row.now()));
        change = row.changes().isEmpty() ? Html.of("<td class=\"same\">same</td>")
            : Html.of("<td class=\"changed\"><strong>%s</strong>%s</td>", String.join(", ", row.changes()),
                row.changes().contains("obligations changed") ? Html.of(
                    "<details><summary>obligations</summary><p>recorded</p><pre>%s</pre><p>now</p><pre>%s</pre></details>",
                    pretty(JSON.valueToTree(row.recorded().obligations())), pretty(JSON.valueToTree(row.now().obligations())))
                    : Html.EMPTY);
      }
      rows.add(Html.of("<tr><td>%s</td><td><code>%s</code> on <code>%s</code></td><td class=\"%s\">%s</td><td>%s</td>%s%s</tr>",
          e.path("seq").asText(), op.path("action").asText("-"), op.path("resource").path("collection").asText("-"),
          row.recorded() == null ? "" : row.recorded().allow() ? "allow" : "deny",
          row.recorded() == null ? "-" : row.recorded().allow() ? "allowed" : "denied",
          row.recorded() == null ? Html.of("-") : codes(row.recorded()), now, change));
    }
    Html body = Html.of("""
        <p><code>%s</code> · <a href="%s">Back to the session</a></p>
        <p class="notice" role="status" id="replay-summary">Replayed on the active revision <code>%s</code>: %s of %s
        requests would be decided differently.</p>
        <p>Each request's recorded policy input (identity, connection, decoded operation, its time) is decided again.
        Usage counters are not recorded and count as zero.</p>
        <div class="table-wrap"><table><thead><tr><th scope="col">Seq</th><th scope="col">Request</th>
        <th scope="col">Recorded</th><th scope="col">Recorded reasons</th><th scope="col">Now</th>
        <th scope="col">Reasons now</th><th scope="col">Difference</th></tr></thead><tbody>%s</tbody></table></div>""",
        id, Pages.url(Pages.BASE + "/sessions/view", Map.of("id", id)), r.revision(), r.changed(), r.rows().size(),
        rows.isEmpty() ? Html.of("<tr><td colspan=\"7\">No requests recorded.</td></tr>") : Html.join(rows));
    return new DashboardHandler.Result.Page(200, "Current policy on this session", body);
  }

  /** Which rules of the active revision produce each reason and obligation of one recorded request. */
  DashboardHandler.Result explain(Map<String, String> q) throws DashboardHandler.PageError, IOException {
    if (explain == null) {
      throw new DashboardHandler.PageError(404, "this gateway cannot explain decisions (it has no policy sources of its own)");
    }
    String id = q.get("id");
    String seq = q.get("seq");
    if (id == null || id.isEmpty() || id.length() > 200 || seq == null || !seq.matches("[0-9]{1,18}") || q.size() != 2) {
      throw new DashboardHandler.PageError(400, "this page takes two parameters, `id` (a session id) and `seq` (a request's seq)");
    }
    SessionTranscript t = store.show(id);
    ObjectNode entry = null;
    for (ObjectNode e : t.entries()) {
      if ("request".equals(e.path("kind").asText()) && e.path("seq").asText().equals(seq)) {
        entry = e;
      }
    }
    if (entry == null) {
      throw new DashboardHandler.PageError(404, "no request with seq " + seq + " in session `"
          + DashboardHandler.printable(id) + "`");
    }
    DecisionExplain.Result r = explain.explain(entry);
    io.vectorgate.engine.DecisionExplainer.Explanation x = r.explanation();
    List<Html> reasons = new ArrayList<>();
    for (io.vectorgate.engine.DecisionExplainer.Traced tr : x.reasons()) {
      reasons.add(Html.of("<tr><td><code>%s</code></td><td>%s</td><td>%s</td></tr>", tr.code(),
          tr.element().path("message").asText(""), rules(tr)));
    }
    List<Html> obligations = new ArrayList<>();
    for (io.vectorgate.engine.DecisionExplainer.Traced tr : x.obligations()) {
      obligations.add(Html.of("<tr><td><code>%s</code></td><td><code>%s</code></td><td>%s<details><summary>element</summary>"
          + "<pre>%s</pre></details></td><td>%s</td></tr>", tr.element().path("kind").asText("-"), tr.code(),
          tr.element().path("message").asText(""), pretty(tr.element()), rules(tr)));
    }
    List<Html> notes = new ArrayList<>();
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (io.vectorgate.engine.DecisionExplainer.Note n : x.notes()) {
      if (seen.add(n.location() + " " + n.rule())) {
        notes.add(Html.of("<li><code>%s</code> <code>%s</code></li>", n.location(), n.rule()));
      }
    }
    io.vectorgate.model.Decision now = r.now();
    Html outcome = now == null ? Html.of("<p class=\"notice error\" role=\"alert\">Under revision <code>%s</code> the"
        + " policy gives no decision object for this input.</p>", r.revision())
        : Html.of("<p class=\"notice\" role=\"status\" id=\"explain-summary\">Under the active revision <code>%s</code>"
            + " this request is <strong class=\"%s\">%s</strong>; it was recorded as %s%s.</p>", r.revision(),
            now.allow() ? "allow" : "deny", now.allow() ? "allowed" : "denied",
            r.recorded().allow() ? "allowed" : "denied", DecisionReplay.changes(r.recorded(), now).isEmpty() ? ""
                : " (" + String.join(", ", DecisionReplay.changes(r.recorded(), now)) + ")");
    JsonNode op = entry.path("operation");
    Html body = Html.of("""
        <p><code>%s</code> · request seq %s: <code>%s</code> on <code>%s</code> · <a href="%s">Back to the session</a></p>
        %s
        <p>The recorded policy input (identity, connection, decoded operation, its time; usage counters as zero) evaluated
        by the real <code>opa eval --explain=full</code> on the active revision's Rego; each rule is named by file:line
        in the policy repository.</p>
        <h2>Reasons</h2>
        <div class="table-wrap"><table><thead><tr><th scope="col">Code</th><th scope="col">Message</th>
        <th scope="col">Produced by</th></tr></thead><tbody>%s</tbody></table></div>
        <h2>Obligations</h2>
        <div class="table-wrap"><table><thead><tr><th scope="col">Kind</th><th scope="col">Code</th>
        <th scope="col">Message</th><th scope="col">Produced by</th></tr></thead><tbody>%s</tbody></table></div>
        <details><summary>Every rule that produced a value (%s)</summary><ul>%s</ul></details>""",
        id, seq, op.path("action").asText("-"), op.path("resource").path("collection").asText("-"),
        Pages.url(Pages.BASE + "/sessions/view", Map.of("id", id)), outcome,
        reasons.isEmpty() ? Html.of("<tr><td colspan=\"3\">No reasons.</td></tr>") : Html.join(reasons),
        obligations.isEmpty() ? Html.of("<tr><td colspan=\"4\">No obligation rule applied.</td></tr>")
            : Html.join(obligations), notes.size(), Html.join(notes));
    return new DashboardHandler.Result.Page(200, "Why this decision", body);
  }

  private static Html rules(io.vectorgate.engine.DecisionExplainer.Traced t) {
    if (t.rules().isEmpty()) {
      return Html.of("(no rule in the trace produced it)");
    }
    List<Html> out = new ArrayList<>();
    t.rules().forEach(n -> out.add(Html.of("<li><code>%s</code> <code>%s</code></li>", n.location(), n.rule())));
    return Html.of("<ol class=\"rules\">%s</ol>", Html.join(out));
  }

  private static Html codes(io.vectorgate.model.Decision d) {
    List<Html> out = new ArrayList<>();
    d.reasons().forEach(r -> out.add(Html.of("<code>%s</code>", r.code())));
    return out.isEmpty() ? Html.of("-") : Html.of("%s", joinHtml(out, ", "));
  }

  private static Html joinHtml(List<Html> parts, String sep) {
    List<Html> out = new ArrayList<>();
    for (int i = 0; i < parts.size(); i++) {
      if (i > 0) {
        out.add(Html.text(sep));
      }
      out.add(parts.get(i));
    }
    return Html.join(out);
  }

  private static String sessionId(Map<String, String> q) throws DashboardHandler.PageError {
    String id = q.get("id");
    if (id == null || id.isEmpty() || id.length() > 200 || q.size() != 1) {
      throw new DashboardHandler.PageError(400, "this page takes one parameter, `id` (a session id)");
    }
    return id;
  }

  /** A page of sessions for the dashboard-only filters, and how many sessions were examined. */
  private record Scan(Page<SessionSummary> page, int examined) {}

  private Scan scan(Map<String, String> params, Set<String> connections, String reason)
      throws DashboardHandler.PageError, IOException {
    Map<String, String> sp = new LinkedHashMap<>(params);
    sp.put("limit", String.valueOf(PAGE_SIZE));
    RecordQuery sessions = parse(sp);
    Map<String, String> rp = new LinkedHashMap<>(params);
    rp.remove("cursor");
    List<SessionSummary> out = new ArrayList<>();
    int examined = 0;
    String next;
    do {
      Page<SessionSummary> batch = store.sessions(sessions);
      for (SessionSummary s : batch.items()) {
        examined++;
        if (hasMatchingRequest(s.sessionId(), rp, connections, reason)) {
          out.add(s);
        }
      }
      next = batch.nextCursor();
      sessions = sessions.withCursor(next);
    } while (next != null && out.size() < PAGE_SIZE && examined < MAX_EXAMINED);
    return new Scan(new Page<>(out, next), examined);
  }

  private boolean hasMatchingRequest(String sessionId, Map<String, String> params, Set<String> connections,
      String reason) throws DashboardHandler.PageError, IOException {
    Map<String, String> p = new LinkedHashMap<>(params);
    p.remove("subject");
    p.put("session", sessionId);
    p.put("limit", String.valueOf(RecordQuery.MAX_LIMIT));
    RecordQuery q = parse(p);
    Page<IndexedRecord> page;
    do {
      page = store.list(q);
      for (IndexedRecord r : page.items()) {
        if ((connections == null || connections.contains(r.connection()))
            && (reason == null || r.reasonCodes().contains(reason))) {
          return true;
        }
      }
      q = q.withCursor(page.nextCursor());
    } while (page.nextCursor() != null);
    return false;
  }

  private Html kindOptions(String selected) {
    List<Html> out = new ArrayList<>();
    for (DatabaseKind k : DatabaseKind.values()) {
      String name = k.name().toLowerCase(java.util.Locale.ROOT);
      out.add(Html.of("<option value=\"%s\"%s>%s</option>", name, selected(name.equals(selected)), name));
    }
    return Html.join(out);
  }

  private static DatabaseKind kind(String name) throws DashboardHandler.PageError {
    for (DatabaseKind k : DatabaseKind.values()) {
      if (k.name().equalsIgnoreCase(name)) {
        return k;
      }
    }
    throw new DashboardHandler.PageError(400, "parameter `database` must be one of milvus, chroma, qdrant, pinecone,"
        + " was `" + DashboardHandler.printable(name) + "`");
  }

  private static Map<String, String> without(Map<String, String> m, String... keys) {
    Map<String, String> out = new LinkedHashMap<>(m);
    for (String k : keys) {
      out.remove(k);
    }
    return out;
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

  private Html request(ObjectNode e, Html actions) {
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
        </dl>%s</article>""", op.path("action").asText("unknown"),
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
        e.has("response") ? pretty(e.get("response")) : "(not recorded)", actions);
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
