package io.vectorgate.proxy.dashboard;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.vectorgate.approvals.Approver;
import io.vectorgate.model.Identity;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dashboard's HTTP front: routing, login/logout, session cookie, CSRF check, group checks and
 * security headers; the pages themselves are {@link ApprovalsPage}, {@link SessionsPage},
 * {@link PolicyPage} and {@link OverviewPage}.
 *
 * <p>Routes under {@code /dashboard}: {@code GET /} (links to the pages the user may open),
 * {@code GET /login}, {@code GET /callback}, {@code POST /logout}, {@code GET /approvals},
 * {@code POST /approvals/{id}/approve|reject}, {@code GET /sessions}, {@code GET /sessions/view},
 * {@code GET /sessions/replay}, {@code GET /sessions/explain}, {@code GET /sessions/export}, {@code GET /policy},
 * {@code GET /policy/confirm}, {@code POST /policy/pin|unpin|rollback}, {@code GET /overview},
 * {@code GET /static/dashboard.css}. Every POST needs the session's
 * CSRF token in the {@code csrf} form field and, when the browser sends {@code Origin}, the
 * dashboard's own origin; otherwise 403.
 */
public final class DashboardHandler implements HttpHandler {
  static final String COOKIE = "vg_dashboard";
  static final String LOGIN_COOKIE = "vg_dashboard_login";
  static final int MAX_FORM = 16 * 1024;
  private static final Logger LOG = LoggerFactory.getLogger(DashboardHandler.class);
  private static final String CSP = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
      + "frame-ancestors 'none'; base-uri 'none'";

  private final DashboardConfig cfg;
  private final OidcLogin login;
  private final WebSessions sessions;
  private final Set<String> approverGroups;
  private final Set<String> auditorGroups;
  private final Set<String> policyReaders;
  private final Set<String> policyOperators;
  private final Set<String> overviewGroups;
  private final ApprovalsPage approvals;
  private final SessionsPage sessionsPage;
  private final PolicyPage policyPage;
  private final OverviewPage overviewPage;

  /** @param auditorGroups may open the sessions pages (admin.dashboard.auditor_groups or the recording's) */
  DashboardHandler(DashboardConfig cfg, OidcLogin login, WebSessions sessions, Dashboard.Sources src,
      Set<String> auditorGroups) {
    this.cfg = cfg;
    this.login = login;
    this.sessions = sessions;
    this.approverGroups = Set.copyOf(cfg.approverGroups());
    this.auditorGroups = Set.copyOf(auditorGroups);
    this.policyReaders = src.policyReaders();
    this.policyOperators = src.policyOperators();
    Set<String> overview = new java.util.HashSet<>(auditorGroups);
    overview.addAll(policyReaders);
    this.overviewGroups = Set.copyOf(overview);
    this.approvals = src.approvals() == null ? null : new ApprovalsPage(src.approvals(), src.readAllGroups());
    this.sessionsPage = src.store() == null ? null : new SessionsPage(src.store(), src.connectionKinds(),
        src.engine() == null ? null : new DecisionReplay(src.engine()),
        src.engine() == null || src.policySources() == null ? null : new DecisionExplain(src.engine(), src.policySources()));
    this.policyPage = new PolicyPage(src.rollout(), src.engine());
    this.overviewPage = new OverviewPage(src.store(), src.engine(), src.rollout(), src.counters(), src.recorderStats());
  }

  /** A failure answered with an HTML page: status and message. */
  static final class PageError extends Exception {
    private static final long serialVersionUID = 1L;
    final int status;

    PageError(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }
  }

  /** What a page handler returns: an HTML page, a redirect, or a body it already streamed. */
  sealed interface Result permits Result.Page, Result.Redirect, Result.Sent {
    record Page(int status, String title, Html body) implements Result {}

    record Redirect(String location) implements Result {}

    record Sent() implements Result {}
  }

  @Override
  public void handle(HttpExchange ex) throws IOException {
    WebSessions.WebSession s = null;
    try {
      securityHeaders(ex.getResponseHeaders());
      String path = ex.getRequestURI().getRawPath();
      String rest = path.equals(Pages.BASE) ? "/" : path.startsWith(Pages.BASE + "/") ? path.substring(Pages.BASE.length())
          : null;
      if (rest == null) {
        throw new PageError(404, "no such page");
      }
      String method = ex.getRequestMethod();
      if (rest.equals("/static/dashboard.css")) {
        requireGet(method);
        staticCss(ex);
        return;
      }
      if (rest.equals("/login")) {
        requireGet(method);
        startLogin(ex);
        return;
      }
      if (rest.equals("/callback")) {
        requireGet(method);
        callback(ex);
        return;
      }
      s = sessions.find(cookie(ex, COOKIE)).orElse(null);
      if (s == null) {
        if (method.equals("GET")) {
          String query = ex.getRequestURI().getRawQuery();
          redirect(ex, Pages.url(Pages.BASE + "/login", Map.of("return", query == null ? path : path + "?" + query)));
          return;
        }
        throw new PageError(401, "your dashboard session has ended; log in again");
      }
      Map<String, String> form = Map.of();
      if (method.equals("POST")) {
        form = checkedForm(ex, s);
      } else if (!method.equals("GET")) {
        throw new PageError(405, "use GET or POST");
      }
      Result r = route(rest, method, ex, s, form);
      if (r instanceof Result.Page p) {
        page(ex, p.status(), p.title(), s, p.body());
      } else if (r instanceof Result.Redirect red) {
        redirect(ex, red.location());
      } // Result.Sent: the page streamed its answer
    } catch (PageError e) {
      LOG.info("event=dashboard_refused status={} subject={} path={} reason=\"{}\"", e.status,
          s == null ? "-" : s.user().subject(), printable(ex.getRequestURI().getRawPath()), e.getMessage());
      page(ex, e.status, e.status == 403 ? "Forbidden" : e.status == 404 ? "Not found" : "Error", s,
          Pages.notice(e.getMessage(), true));
    } catch (IOException | RuntimeException e) {
      LOG.error("event=dashboard_error path={} error={}", printable(ex.getRequestURI().getRawPath()), e.toString(), e);
      page(ex, 500, "Error", s, Pages.notice("the dashboard failed; see the gateway log", true));
    }
  }

  private Result route(String rest, String method, HttpExchange ex, WebSessions.WebSession s, Map<String, String> form)
      throws PageError, IOException {
    Map<String, String> q = method.equals("GET") ? query(ex.getRequestURI().getRawQuery()) : Map.of();
    if (rest.equals("/")) {
      requireGet(method);
      return home(s);
    }
    if (rest.equals("/logout")) {
      requirePost(method);
      sessions.end(s.id());
      ex.getResponseHeaders().add("Set-Cookie", COOKIE + "=; Path=" + Pages.BASE + "; Max-Age=0; HttpOnly; SameSite=Strict"
          + (cfg.secure() ? "; Secure" : ""));
      LOG.info("event=dashboard_logout subject={}", s.user().subject());
      return new Result.Page(200, "Logged out", Html.of("<p>You are logged out. <a href=\"%s\">Log in again</a></p>",
          Pages.BASE + "/login"));
    }
    if (rest.equals("/approvals") || rest.startsWith("/approvals/")) {
      requireGroup(s, approverGroups, "the approvals page");
      if (approvals == null) {
        throw new PageError(404, "approvals are not configured on this gateway (no `approvals:` section)");
      }
      if (rest.equals("/approvals")) {
        requireGet(method);
        return approvals.inbox(s, q);
      }
      String[] parts = rest.substring("/approvals/".length()).split("/", -1);
      if (parts.length == 2 && (parts[1].equals("approve") || parts[1].equals("reject"))) {
        requirePost(method);
        return approvals.answer(s, parts[0], parts[1].equals("approve"), form);
      }
      throw new PageError(404, "no such page");
    }
    if (rest.equals("/sessions") || rest.startsWith("/sessions/")) {
      requireGroup(s, auditorGroups, "the sessions pages");
      requireGet(method);
      if (sessionsPage == null) {
        throw new PageError(404, "the session log is not open here (the sessions pages need `recording:` with `recording.admin:`)");
      }
      return switch (rest) {
        case "/sessions" -> sessionsPage.list(q);
        case "/sessions/view" -> sessionsPage.view(q);
        case "/sessions/replay" -> sessionsPage.replay(q);
        case "/sessions/explain" -> sessionsPage.explain(q);
        case "/sessions/export" -> sessionsPage.export(ex, q);
        default -> throw new PageError(404, "no such page");
      };
    }
    if (rest.equals("/policy") || rest.startsWith("/policy/")) {
      requireGroup(s, policyReaders, "the policy page");
      if (rest.equals("/policy")) {
        requireGet(method);
        return policyPage.view(s, in(s, policyOperators), q);
      }
      requireGroup(s, policyOperators, "changing the active policy");
      if (rest.equals("/policy/confirm")) {
        requireGet(method);
        return policyPage.confirm(s, q);
      }
      String action = rest.substring("/policy/".length());
      if (PolicyPage.ACTIONS.contains(action)) {
        requirePost(method);
        return policyPage.act(s, action, form);
      }
      throw new PageError(404, "no such page");
    }
    if (rest.equals("/overview")) {
      requireGroup(s, overviewGroups, "the overview page");
      requireGet(method);
      return overviewPage.view(q);
    }
    throw new PageError(404, "no such page");
  }

  private static boolean in(WebSessions.WebSession s, Set<String> groups) {
    return s.user().groups().stream().anyMatch(groups::contains);
  }

  /** A page in the navigation: its label, path under {@link Pages#BASE} and what it is for. */
  private record NavPage(String label, String path, String description) {}

  /** The pages {@code s} may open, in navigation order. */
  private List<NavPage> pagesFor(WebSessions.WebSession s) {
    List<NavPage> out = new java.util.ArrayList<>();
    if (in(s, overviewGroups)) {
      out.add(new NavPage("Overview", "/overview", "requests by outcome, top deny reasons, users and collections, health"));
    }
    if (in(s, approverGroups)) {
      out.add(new NavPage("Approvals", "/approvals", "held requests waiting for your answer"));
    }
    if (in(s, auditorGroups)) {
      out.add(new NavPage("Sessions", "/sessions", "recorded sessions, export and chain verification"));
    }
    if (in(s, policyReaders)) {
      out.add(new NavPage("Policy", "/policy", "active revision, checks, instances, history"
          + (in(s, policyOperators) ? "; pin, unpin and roll back" : "")));
    }
    return out;
  }

  private Result home(WebSessions.WebSession s) {
    List<Html> items = new java.util.ArrayList<>();
    for (NavPage p : pagesFor(s)) {
      items.add(Html.of("<li><a href=\"%s\">%s</a>: %s</li>", Pages.BASE + p.path(), p.label(), p.description()));
    }
    Html body = !items.isEmpty() ? Html.of("<ul>%s</ul>", Html.join(items))
        : Html.of("<p>Your groups (%s) open no dashboard page.</p>", String.join(", ", s.user().groups()));
    return new Result.Page(200, "Dashboard", body);
  }

  // ---- login ----

  private void startLogin(HttpExchange ex) throws IOException, PageError {
    Map<String, String> q = query(ex.getRequestURI().getRawQuery());
    String returnTo = q.getOrDefault("return", Pages.BASE + "/");
    if (!returnTo.startsWith(Pages.BASE + "/") || returnTo.startsWith("//") || returnTo.contains("\\")
        || returnTo.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
      returnTo = Pages.BASE + "/"; // only local dashboard paths: no open redirect
    }
    String binding = WebSessions.random();
    String verifier = WebSessions.random() + WebSessions.random();
    String nonce = WebSessions.random();
    String state;
    try {
      state = sessions.begin(new WebSessions.PendingLogin(binding, verifier, nonce, returnTo, sessions.now()));
    } catch (IllegalStateException e) {
      throw new PageError(503, e.getMessage());
    }
    URI target;
    try {
      target = login.authorizeUrl(redirectUri(ex), state, nonce, verifier);
    } catch (OidcLogin.LoginFailed e) {
      LOG.warn("event=dashboard_login_failed stage=discovery error=\"{}\"", e.getMessage(), e);
      throw new PageError(502, e.getMessage());
    }
    // SameSite=Lax: the identity provider's redirect back is a cross-site top-level navigation
    ex.getResponseHeaders().add("Set-Cookie", LOGIN_COOKIE + "=" + binding + "; Path=" + Pages.BASE
        + "/callback; Max-Age=600; HttpOnly; SameSite=Lax" + (cfg.secure() ? "; Secure" : ""));
    redirect(ex, target.toString());
  }

  private void callback(HttpExchange ex) throws IOException, PageError {
    Map<String, String> q = query(ex.getRequestURI().getRawQuery());
    if (q.containsKey("error")) {
      throw new PageError(401, "the identity provider refused the login: " + q.get("error"));
    }
    Optional<WebSessions.PendingLogin> p = sessions.complete(q.get("state"));
    if (p.isEmpty() || !WebSessions.same(p.get().binding(), cookie(ex, LOGIN_COOKIE))) {
      throw new PageError(400, "this login is unknown, expired or was started in another browser; start again");
    }
    String code = q.get("code");
    if (code == null || code.isEmpty()) {
      throw new PageError(400, "the identity provider returned no authorization code");
    }
    Identity id;
    try {
      id = login.exchange(code, redirectUri(ex), p.get().verifier(), p.get().nonce());
    } catch (OidcLogin.LoginFailed e) {
      LOG.warn("event=dashboard_login_failed stage=exchange error=\"{}\"", e.getMessage(), e);
      throw new PageError(401, e.getMessage());
    }
    WebSessions.WebSession s = sessions.create(new Approver(id.subject(), id.groups()));
    LOG.info("event=dashboard_login subject={} groups={}", id.subject(), id.groups());
    Headers h = ex.getResponseHeaders();
    h.add("Set-Cookie", COOKIE + "=" + s.id() + "; Path=" + Pages.BASE + "; HttpOnly; SameSite=Strict"
        + (cfg.secure() ? "; Secure" : ""));
    h.add("Set-Cookie", LOGIN_COOKIE + "=; Path=" + Pages.BASE + "/callback; Max-Age=0; HttpOnly; SameSite=Lax"
        + (cfg.secure() ? "; Secure" : ""));
    // a same-site page continues, so the browser sends the SameSite=Strict cookie on the next request
    String next = p.get().returnTo();
    byte[] body = Html.of("""
        <!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=%s">
        <title>Signed in · Vectorgate</title></head><body><p>Signed in. <a href="%s">Continue</a></p></body></html>
        """, next, next).markup().getBytes(StandardCharsets.UTF_8);
    send(ex, 200, "text/html; charset=utf-8", body);
  }

  private String redirectUri(HttpExchange ex) throws PageError {
    if (cfg.publicUrl() != null) {
      return cfg.publicUrl() + Pages.BASE + "/callback";
    }
    String host = ex.getRequestHeaders().getFirst("Host");
    if (host == null || !host.matches("[A-Za-z0-9.\\-]+(:[0-9]{1,5})?|\\[[0-9A-Fa-f:.]+\\](:[0-9]{1,5})?")) {
      throw new PageError(400, "no usable Host header; set admin.dashboard.public_url");
    }
    return "http://" + host + Pages.BASE + "/callback";
  }

  // ---- checks ----

  private Map<String, String> checkedForm(HttpExchange ex, WebSessions.WebSession s) throws IOException, PageError {
    String origin = ex.getRequestHeaders().getFirst("Origin");
    if (origin != null && !origin.equals(expectedOrigin(ex))) {
      throw new PageError(403, "cross-site request refused (Origin " + printable(origin) + ")");
    }
    String type = ex.getRequestHeaders().getFirst("Content-Type");
    if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
      throw new PageError(403, "state-changing requests must be dashboard forms (application/x-www-form-urlencoded)");
    }
    byte[] raw;
    try (InputStream in = ex.getRequestBody()) {
      raw = in.readNBytes(MAX_FORM + 1);
    }
    if (raw.length > MAX_FORM) {
      throw new PageError(413, "the form is larger than " + MAX_FORM + " bytes");
    }
    Map<String, String> form = query(new String(raw, StandardCharsets.UTF_8));
    if (!WebSessions.same(s.csrf(), form.get("csrf"))) {
      throw new PageError(403, "missing or wrong CSRF token; reload the page and try again");
    }
    return form;
  }

  private String expectedOrigin(HttpExchange ex) throws PageError {
    if (cfg.publicUrl() != null) {
      URI u = URI.create(cfg.publicUrl());
      return u.getScheme() + "://" + u.getRawAuthority();
    }
    String cb = redirectUri(ex);
    return cb.substring(0, cb.indexOf('/', "http://".length()));
  }

  private static void requireGroup(WebSessions.WebSession s, Set<String> groups, String what) throws PageError {
    if (s.user().groups().stream().noneMatch(groups::contains)) {
      throw new PageError(403, what + " needs one of the groups " + new TreeSet<>(groups) + "; `" + s.user().subject()
          + "` is in " + s.user().groups());
    }
  }

  private static void requireGet(String method) throws PageError {
    if (!method.equals("GET")) {
      throw new PageError(405, "use GET here");
    }
  }

  private static void requirePost(String method) throws PageError {
    if (!method.equals("POST")) {
      throw new PageError(405, "use POST here (a form of the dashboard)");
    }
  }

  // ---- HTTP helpers ----

  static Map<String, String> query(String raw) throws PageError {
    Map<String, String> q = new TreeMap<>();
    if (raw == null || raw.isEmpty()) {
      return q;
    }
    if (raw.length() > MAX_FORM) {
      throw new PageError(400, "query string longer than " + MAX_FORM + " characters");
    }
    for (String pair : raw.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String k;
      String v;
      try {
        k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
        v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw new PageError(400, "malformed parameter encoding");
      }
      if (q.put(k, v) != null) {
        throw new PageError(400, "parameter `" + printable(k) + "` given twice");
      }
    }
    return q;
  }

  static String cookie(HttpExchange ex, String name) {
    List<String> headers = ex.getRequestHeaders().get("Cookie");
    if (headers == null) {
      return null;
    }
    String found = null;
    for (String h : headers) {
      for (String part : h.split(";")) {
        String p = part.strip();
        if (p.startsWith(name + "=")) {
          if (found != null) {
            return null; // two cookies of the same name (e.g. a planted one): trust neither
          }
          found = p.substring(name.length() + 1);
        }
      }
    }
    return found;
  }

  private static void securityHeaders(Headers h) {
    h.set("Content-Security-Policy", CSP);
    h.set("X-Content-Type-Options", "nosniff");
    h.set("X-Frame-Options", "DENY");
    h.set("Referrer-Policy", "same-origin"); // not no-referrer: Chrome would then send `Origin: null` on our own forms
    h.set("Cache-Control", "no-store");
  }

  private void page(HttpExchange ex, int status, String title, WebSessions.WebSession s, Html body) throws IOException {
    List<Html> links = new java.util.ArrayList<>();
    if (s != null) {
      for (NavPage p : pagesFor(s)) {
        links.add(Html.of("<li><a href=\"%s\">%s</a></li>", Pages.BASE + p.path(), p.label()));
      }
    }
    byte[] bytes = Pages.page(title, s, Html.join(links), body).markup().getBytes(StandardCharsets.UTF_8);
    send(ex, status, "text/html; charset=utf-8", bytes);
  }

  static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }

  private static void redirect(HttpExchange ex, String location) throws IOException {
    ex.getResponseHeaders().set("Location", location);
    ex.sendResponseHeaders(303, -1);
    ex.close();
  }

  private static void staticCss(HttpExchange ex) throws IOException {
    try (InputStream in = DashboardHandler.class.getResourceAsStream("dashboard.css")) {
      if (in == null) {
        throw new IOException("dashboard.css is missing from the jar");
      }
      ex.getResponseHeaders().set("Cache-Control", "max-age=300");
      send(ex, 200, "text/css; charset=utf-8", in.readAllBytes());
    }
  }

  static String printable(String s) {
    String t = s == null ? "" : s.length() > 80 ? s.substring(0, 80) + "..." : s;
    return t.replaceAll("[^\\x20-\\x7e]", "?");
  }
}
