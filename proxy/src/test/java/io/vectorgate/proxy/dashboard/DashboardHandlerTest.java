package io.vectorgate.proxy.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import io.vectorgate.approvals.Approval;
import io.vectorgate.approvals.ApprovalNotifier;
import io.vectorgate.approvals.ApprovalService;
import io.vectorgate.approvals.ApprovalStatus;
import io.vectorgate.approvals.ApprovalStore;
import io.vectorgate.approvals.ApprovalSummary;
import io.vectorgate.approvals.LoggingApprovalAudit;
import io.vectorgate.approvals.NewApproval;
import io.vectorgate.approvals.StoreConfig;
import io.vectorgate.model.Action;
import io.vectorgate.model.Connection;
import io.vectorgate.model.DatabaseKind;
import io.vectorgate.model.Decision;
import io.vectorgate.model.Identity;
import io.vectorgate.model.Operation;
import io.vectorgate.model.ProtocolFacts;
import io.vectorgate.model.Reason;
import io.vectorgate.model.Resource;
import io.vectorgate.proxy.config.GatewayConfig.IdentityConfig;
import io.vectorgate.proxy.identity.TokenVerifier;
import io.vectorgate.recorder.ClientInfo;
import io.vectorgate.recorder.Enforcement;
import io.vectorgate.recorder.RecordDraft;
import io.vectorgate.recorder.RecordFormat;
import io.vectorgate.recorder.Recorder;
import io.vectorgate.recorder.RecorderConfig;
import io.vectorgate.recorder.RecordingStore;
import io.vectorgate.recorder.SessionStart;
import io.vectorgate.recorder.SessionTicket;
import io.vectorgate.recorder.Upstream;
import io.vectorgate.recorder.index.IndexConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.OAuth2Config;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard handler on a real HTTP server with real peers: mock-oauth2-server (its interactive
 * login form, driven over HTTP), the approvals service on SQLite, a recording written by the real
 * recorder. Covers the login flow, cookies, 403 per group, CSRF refusal and escaping of hostile
 * collection names, filters and payloads.
 */
class DashboardHandlerTest {
  static final String XSS = "<script>alert(1)</script>";
  static final String XSS_FILTER = "id in [1] && note == \"<img src=x onerror=alert(2)>\"";

  @TempDir
  static Path work;
  static MockOAuth2Server oidc;
  static ApprovalService approvals;
  static RecordingStore store;
  static HttpServer server;
  static RecordingStore tamperedStore;
  static HttpServer tamperedServer;
  static String base;
  static String sessionId;
  static io.vectorgate.engine.PolicyEngine engine;
  /** The sources {@link #engine} was compiled from (the "Explain" sources). */
  static List<Path> policySources;
  static final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

  @BeforeAll
  static void start() throws Exception {
    oidc = new MockOAuth2Server(OAuth2Config.Companion.fromJson("{\"interactiveLogin\": true}"));
    oidc.start(InetAddress.getByName("127.0.0.1"), 0);
    String issuer = oidc.issuerUrl("vectorgate").toString().replaceAll("/$", "");
    TokenVerifier verifier = new TokenVerifier(new IdentityConfig(issuer, List.of("vectorgate"), List.of("RS256"), null,
        5L, null, null, null, List.of(), null, null, 1L, null), null, Clock.systemUTC());

    approvals = new ApprovalService(ApprovalStore.open(StoreConfig.sqlite(work.resolve("approvals.db"))),
        new LoggingApprovalAudit(), ApprovalNotifier.NONE, Clock.systemUTC(), ApprovalService.Settings.DEFAULTS);

    IndexConfig index = IndexConfig.sqlite(work.resolve("rec-index.db"));
    sessionId = record(work.resolve("rec"), index, issuer);
    store = RecordingStore.open(work.resolve("rec"), index);

    Path extra = java.nio.file.Files.createDirectories(work.resolve("rego-extra"));
    java.nio.file.Files.writeString(extra.resolve("replay.rego"), """
        package vectorgate

        import rego.v1

        allow contains {"code": "test_queries_open", "message": "queries are open"} if input.operation.action == "query"

        deny contains {"code": "no_markup_<b>", "message": "collection names with markup"} if {
        	contains(input.operation.resource.collection, "<script>")
        }
        """);
    Path root = io.vectorgate.proxy.testing.MilvusLite.root();
    policySources = List.of(root.resolve("rego-policies/src/main/rego"), extra, root.resolve("samples/org/data.json"));
    engine = io.vectorgate.engine.PolicyEngine.start(io.vectorgate.engine.EngineConfig.defaults(),
        io.vectorgate.engine.PolicyCompiler.create().compile(policySources.toArray(Path[]::new)).orThrow());
    server = serve(verifier, issuer, store, engine);
    base = "http://127.0.0.1:" + server.getAddress().getPort();

    // a second recording whose request line was edited after the fact, behind its own dashboard
    IndexConfig tamperedIndex = IndexConfig.sqlite(work.resolve("tampered-index.db"));
    record(work.resolve("tampered"), tamperedIndex, issuer);
    try (var files = java.nio.file.Files.list(work.resolve("tampered"))) {
      Path segment = files.filter(f -> f.getFileName().toString().matches("segment-\\d+\\.jsonl(\\.gz)?"))
          .findFirst().orElseThrow(() -> new AssertionError("no segment in " + work.resolve("tampered")));
      boolean gz = segment.toString().endsWith(".gz");
      byte[] raw = java.nio.file.Files.readAllBytes(segment);
      if (gz) {
        try (var in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(raw))) {
          raw = in.readAllBytes();
        }
      }
      String text = new String(raw, StandardCharsets.UTF_8);
      assertTrue(text.contains("***masked***"), text);
      byte[] edited = text.replace("***masked***", "unmasked@example.org").getBytes(StandardCharsets.UTF_8);
      if (gz) {
        var bo = new java.io.ByteArrayOutputStream();
        try (var z = new java.util.zip.GZIPOutputStream(bo)) {
          z.write(edited);
        }
        edited = bo.toByteArray();
      }
      java.nio.file.Files.write(segment, edited);
    }
    tamperedStore = RecordingStore.open(work.resolve("tampered"), tamperedIndex);
    tamperedServer = serve(verifier, issuer, tamperedStore, null);
  }

  /** One recorded session of carol with a hostile collection name, filter, reason and payload; returns its id. */
  static String record(Path dir, IndexConfig index, String issuer) throws Exception {
    try (Recorder r = Recorder.open(RecorderConfig.builder(dir).index(index).build())) {
      Identity carol = new Identity("carol", "carol@example.org", List.of("ml-engineers"), "acme", issuer, Map.of());
      SessionTicket t = r.startSession(new SessionStart(Instant.now(), carol, new ClientInfo("127.0.0.1:5000", "grpc-1",
          "grpc")));
      t.ack().get(10, TimeUnit.SECONDS);
      String sessionId = t.sessionId();
      ObjectNode resp = RecordFormat.mapper().createObjectNode();
      resp.putArray("results").addObject().put("id", 1).put("note", XSS).put("email", "***masked***");
      r.append(RecordDraft.builder().sessionId(sessionId).requestId("req-1").identity(carol)
          .client(new ClientInfo("127.0.0.1:5000", "grpc-1", "grpc"))
          .connection(new Connection("lite", DatabaseKind.MILVUS))
          .operation(Operation.builder(Action.QUERY).resource(Resource.collection("default", XSS)).filter(XSS_FILTER)
              .protocol(ProtocolFacts.grpc("milvus.proto.milvus.MilvusService/Query")).build())
          .request(RecordFormat.mapper().createObjectNode().put("expr", XSS_FILTER))
          .decision(new Decision(true, List.of(new Reason("allow_" + XSS, null)), null, "dec-1", "rev-1"))
          .enforcement(Enforcement.forwarded()).upstream(new Upstream("OK", 1500)).response(resp).build())
          .get(10, TimeUnit.SECONDS);
      r.endSession(sessionId, "client_closed").get(10, TimeUnit.SECONDS);
      return sessionId;
    }
  }

  static HttpServer serve(TokenVerifier verifier, String issuer, RecordingStore recordings,
      io.vectorgate.engine.PolicyEngine engine) throws Exception {
    DashboardConfig cfg = new DashboardConfig("vectorgate", List.of("db-admins"), List.of("auditors"), null, null);
    HttpServer srv = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
    srv.createContext(Dashboard.PATH, new DashboardHandler(cfg, new OidcLogin(issuer, "vectorgate", verifier),
        new WebSessions(Clock.systemUTC(), Duration.ofMinutes(30)), new Dashboard.Sources(approvals, Set.of("admins"),
            recordings, List.of(), engine, null, Set.of("sre"), Set.of("policy-admins"),
            Map.of("lite", DatabaseKind.MILVUS, "docs-http", DatabaseKind.CHROMA), null, null,
            engine == null ? null : ActiveSources.files(policySources)), Set.of("auditors")));
    srv.start();
    return srv;
  }

  @AfterAll
  static void stop() throws Exception {
    if (tamperedServer != null) {
      tamperedServer.stop(0);
    }
    if (tamperedStore != null) {
      tamperedStore.close();
    }
    if (server != null) {
      server.stop(0);
    }
    if (store != null) {
      store.close();
    }
    if (approvals != null) {
      approvals.close();
    }
    if (engine != null) {
      engine.close();
    }
    if (oidc != null) {
      oidc.shutdown();
    }
  }

  /** A logged-in browser: the session cookie and the CSRF token of its pages. */
  record Browser(String cookie, String csrf) {}

  static Approval hold(String requester, String collection, String filter) {
    Identity who = new Identity(requester, null, List.of("ml-engineers"), "acme", "iss", Map.of());
    return approvals.request(new NewApproval(who, "lite", "127.0.0.1:5000",
        new ApprovalSummary("Delete", "delete", "default", collection, null, filter, Map.of(),
            "delete from " + collection + " where " + filter),
        "fp-" + System.nanoTime(), "bulk_delete_" + XSS, List.of("db-admins"), 1, 600, "dec", "rev", "req"))
        .approval();
  }

  /** Logs in through the real code flow: /login, the provider's login form, /callback. */
  static Browser login(String user, List<String> groups) throws Exception {
    return login(base, user, groups);
  }

  static Browser login(String at, String user, List<String> groups) throws Exception {
    HttpResponse<String> start = get(at, "/dashboard/login?return=%2Fdashboard%2Fapprovals", null);
    assertEquals(303, start.statusCode());
    String loginCookie = cookieValue(start, DashboardHandler.LOGIN_COOKIE);
    URI authorize = URI.create(start.headers().firstValue("Location").orElseThrow());
    assertTrue(authorize.getRawQuery().contains("code_challenge_method=S256"), authorize.toString());
    String form = "username=" + enc(user) + "&claims=" + enc("{\"groups\": " + groups.stream().map(g -> "\"" + g + "\"")
        .toList() + "}");
    HttpResponse<String> idp = http.send(HttpRequest.newBuilder(authorize)
        .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(302, idp.statusCode(), idp.body());
    URI callback = URI.create(idp.headers().firstValue("Location").orElseThrow());
    HttpResponse<String> done = http.send(HttpRequest.newBuilder(callback)
        .header("Cookie", DashboardHandler.LOGIN_COOKIE + "=" + loginCookie).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, done.statusCode(), done.body());
    String setCookie = done.headers().allValues("Set-Cookie").stream()
        .filter(c -> c.startsWith(DashboardHandler.COOKIE + "=")).findFirst().orElseThrow();
    assertTrue(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict"), setCookie);
    assertFalse(setCookie.contains("Secure"), "plain-http dashboard: no Secure flag: " + setCookie);
    String cookie = setCookie.substring(0, setCookie.indexOf(';'));
    HttpResponse<String> home = get(at, "/dashboard/", cookie);
    assertEquals(200, home.statusCode(), home.body());
    Matcher m = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"").matcher(home.body());
    assertTrue(m.find(), home.body());
    return new Browser(cookie, m.group(1));
  }

  static HttpResponse<String> get(String path, String cookie) throws Exception {
    return get(base, path, cookie);
  }

  static HttpResponse<String> get(String at, String path, String cookie) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(at + path)).GET();
    if (cookie != null) {
      b.header("Cookie", cookie);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> post(String path, String cookie, String form, String origin) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
        .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form));
    if (cookie != null) {
      b.header("Cookie", cookie);
    }
    if (origin != null) {
      b.header("Origin", origin);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static String cookieValue(HttpResponse<?> r, String name) {
    String c = r.headers().allValues("Set-Cookie").stream().filter(v -> v.startsWith(name + "=")).findFirst()
        .orElseThrow(() -> new AssertionError("no " + name + " cookie in " + r.headers()));
    return c.substring(name.length() + 1, c.indexOf(';'));
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  @Test
  void withoutALoginPagesRedirectToLoginAndPostsAre401() throws Exception {
    HttpResponse<String> r = get("/dashboard/approvals", null);
    assertEquals(303, r.statusCode());
    assertEquals("/dashboard/login?return=%2Fdashboard%2Fapprovals", r.headers().firstValue("Location").orElseThrow());
    assertEquals(401, post("/dashboard/approvals/x/approve", null, "csrf=x", null).statusCode());
    assertEquals(303, get("/dashboard/sessions", DashboardHandler.COOKIE + "=forged").statusCode());
  }

  @Test
  void aCallbackWithoutTheBrowserBindingCookieIsRefused() throws Exception {
    HttpResponse<String> start = get("/dashboard/login", null);
    URI authorize = URI.create(start.headers().firstValue("Location").orElseThrow());
    HttpResponse<String> idp = http.send(HttpRequest.newBuilder(authorize)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString("username=erin&claims=" + enc("{\"groups\":[\"db-admins\"]}"))).build(),
        HttpResponse.BodyHandlers.ofString());
    URI callback = URI.create(idp.headers().firstValue("Location").orElseThrow());
    HttpResponse<String> done = http.send(HttpRequest.newBuilder(callback).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(400, done.statusCode(), done.body());
    assertTrue(done.headers().allValues("Set-Cookie").stream().noneMatch(c -> c.startsWith(DashboardHandler.COOKIE + "=")));
  }

  @Test
  void eachPageIsAuthorizedByGroupOnTheServer() throws Exception {
    Browser analyst = login("mallory", List.of("analysts"));
    Browser approver = login("erin", List.of("db-admins"));
    Browser auditor = login("audrey", List.of("auditors"));
    assertEquals(403, get("/dashboard/approvals", analyst.cookie()).statusCode());
    assertEquals(403, get("/dashboard/sessions", analyst.cookie()).statusCode());
    assertEquals(403, get("/dashboard/sessions/export", analyst.cookie()).statusCode());
    assertEquals(403, get("/dashboard/sessions", approver.cookie()).statusCode());
    assertEquals(403, get("/dashboard/approvals", auditor.cookie()).statusCode());
    Approval a = hold("carol", "docs", "id >= 5");
    HttpResponse<String> r = post("/dashboard/approvals/" + a.id() + "/approve", auditor.cookie(),
        "csrf=" + auditor.csrf(), null);
    assertEquals(403, r.statusCode(), r.body());
    assertEquals(ApprovalStatus.PENDING, approvals.find(a.id()).orElseThrow().status());
    assertEquals(200, get("/dashboard/approvals", approver.cookie()).statusCode());
    assertEquals(200, get("/dashboard/sessions", auditor.cookie()).statusCode());
  }

  @Test
  void statefulPostsNeedTheCsrfTokenAndTheOwnOrigin() throws Exception {
    Browser erin = login("erin", List.of("db-admins"));
    Approval a = hold("carol", "docs", "id >= 6");
    String path = "/dashboard/approvals/" + a.id() + "/approve";
    assertEquals(403, post(path, erin.cookie(), "comment=ok", null).statusCode());
    assertEquals(403, post(path, erin.cookie(), "csrf=" + erin.csrf() + "x", null).statusCode());
    assertEquals(403, post(path, erin.cookie(), "csrf=" + erin.csrf(), "http://evil.example").statusCode());
    HttpRequest asJson = HttpRequest.newBuilder(URI.create(base + path)).header("Cookie", erin.cookie())
        .header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString("csrf=" + erin.csrf())).build();
    assertEquals(403, http.send(asJson, HttpResponse.BodyHandlers.ofString()).statusCode());
    assertEquals(ApprovalStatus.PENDING, approvals.find(a.id()).orElseThrow().status(), "refused posts changed nothing");

    HttpResponse<String> ok = post(path, erin.cookie(), "csrf=" + enc(erin.csrf()) + "&comment=fine", base);
    assertEquals(303, ok.statusCode(), ok.body());
    Approval after = approvals.find(a.id()).orElseThrow();
    assertEquals(ApprovalStatus.APPROVED, after.status());
    assertEquals("erin", after.votes().get(0).approver());

    HttpResponse<String> logout = post("/dashboard/logout", erin.cookie(), "", null);
    assertEquals(403, logout.statusCode(), "logout without the token is refused too");
    assertEquals(200, post("/dashboard/logout", erin.cookie(), "csrf=" + enc(erin.csrf()), null).statusCode());
    assertEquals(303, get("/dashboard/approvals", erin.cookie()).statusCode(), "the session ended at logout");
  }

  @Test
  void selfApprovalAndRejectionWithoutReasonAreRefusedAsInTheApi() throws Exception {
    Browser carol = login("carol", List.of("db-admins"));
    Approval a = hold("carol", "docs", "id >= 7");
    HttpResponse<String> self = post("/dashboard/approvals/" + a.id() + "/approve", carol.cookie(),
        "csrf=" + enc(carol.csrf()), null);
    assertEquals(403, self.statusCode(), self.body());
    assertTrue(self.body().contains("cannot answer it"), self.body());
    Browser frank = login("frank", List.of("db-admins"));
    HttpResponse<String> noReason = post("/dashboard/approvals/" + a.id() + "/reject", frank.cookie(),
        "csrf=" + enc(frank.csrf()) + "&reason=", null);
    assertEquals(400, noReason.statusCode(), noReason.body());
    HttpResponse<String> rejected = post("/dashboard/approvals/" + a.id() + "/reject", frank.cookie(),
        "csrf=" + enc(frank.csrf()) + "&reason=" + enc("not on a Friday " + XSS), null);
    assertEquals(303, rejected.statusCode(), rejected.body());
    Approval after = approvals.find(a.id()).orElseThrow();
    assertEquals(ApprovalStatus.REJECTED, after.status());
    String page = get("/dashboard/approvals", frank.cookie()).body();
    assertTrue(page.contains("not on a Friday &lt;script&gt;"), page);
    assertFalse(page.contains(XSS), page);
  }

  @Test
  void hostileCollectionFilterAndPayloadRenderAsText() throws Exception {
    Browser erin = login("erin", List.of("db-admins"));
    Approval a = hold("carol", XSS, XSS_FILTER);
    String inbox = get("/dashboard/approvals", erin.cookie()).body();
    assertTrue(inbox.contains(a.id()), inbox);
    assertTrue(inbox.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), inbox);
    assertTrue(inbox.contains("&lt;img src=x onerror=alert(2)&gt;"), inbox);
    assertFalse(inbox.contains("<script"), inbox);
    assertFalse(inbox.contains("<img"), inbox);

    Browser auditor = login("audrey", List.of("auditors"));
    HttpResponse<String> list = get("/dashboard/sessions?subject=carol&collection=" + enc(XSS), auditor.cookie());
    assertEquals(200, list.statusCode(), list.body());
    assertTrue(list.body().contains(sessionId), list.body());
    assertTrue(list.body().contains("value=\"&lt;script&gt;alert(1)&lt;/script&gt;\""), list.body());
    assertTrue(list.body().contains("Hash chain verified"), list.body());
    HttpResponse<String> view = get("/dashboard/sessions/view?id=" + enc(sessionId), auditor.cookie());
    assertEquals(200, view.statusCode(), view.body());
    assertFalse(view.body().contains("<script") || view.body().contains("<img"), view.body());
    assertTrue(view.body().contains("***masked***"), view.body());
    assertTrue(view.body().contains("<code>allow_&lt;script&gt;alert(1)&lt;/script&gt;</code>"), view.body());
    assertTrue(view.body().contains("1.5 ms upstream"), view.body());
    assertEquals("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none';"
        + " base-uri 'none'", view.headers().firstValue("Content-Security-Policy").orElseThrow());

    HttpResponse<String> export = get("/dashboard/sessions/export?session=" + enc(sessionId), auditor.cookie());
    assertEquals(200, export.statusCode());
    assertEquals("application/x-ndjson", export.headers().firstValue("Content-Type").orElseThrow());
    List<String> lines = export.body().lines().toList();
    assertFalse(lines.isEmpty());
    assertTrue(lines.stream().anyMatch(l -> l.contains("\"kind\":\"request\"") && l.contains("***masked***")),
        export.body());
    HttpResponse<String> bad = get("/dashboard/sessions?from=yesterday", auditor.cookie());
    assertEquals(400, bad.statusCode());
    assertTrue(bad.body().contains("parameter &#96;from&#96; must be an RFC 3339"), bad.body());
  }

  @Test
  void theLoginReturnTargetStaysInsideTheDashboard() throws Exception {
    HttpResponse<String> start = get("/dashboard/login?return=" + enc("//evil.example/x"), null);
    assertEquals(303, start.statusCode());
    assertNotNull(cookieValue(start, DashboardHandler.LOGIN_COOKIE));
    // the return target is kept server-side; a login with it lands on /dashboard/ (checked through the callback page)
    URI authorize = URI.create(start.headers().firstValue("Location").orElseThrow());
    HttpResponse<String> idp = http.send(HttpRequest.newBuilder(authorize)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString("username=erin&claims=" + enc("{\"groups\":[\"db-admins\"]}"))).build(),
        HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> done = http.send(HttpRequest.newBuilder(URI.create(idp.headers().firstValue("Location")
        .orElseThrow())).header("Cookie", DashboardHandler.LOGIN_COOKIE + "=" + cookieValue(start,
        DashboardHandler.LOGIN_COOKIE)).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, done.statusCode(), done.body());
    assertTrue(done.body().contains("url=/dashboard/\""), done.body());
    assertFalse(done.body().contains("evil.example"), done.body());
  }

  @Test
  void aTamperedRecordingShowsTheFirstBadRecord() throws Exception {
    String at = "http://127.0.0.1:" + tamperedServer.getAddress().getPort();
    Browser auditor = login(at, "audrey", List.of("auditors"));
    HttpResponse<String> list = get(at, "/dashboard/sessions", auditor.cookie());
    assertEquals(200, list.statusCode(), list.body());
    assertTrue(list.body().contains("Hash chain BROKEN"), list.body());
    Matcher m = Pattern.compile("First bad record: segment <code>([^<]+)</code>\\s*line (\\d+), seq (\\d+)")
        .matcher(list.body());
    assertTrue(m.find(), list.body());
    assertTrue(m.group(1).startsWith("segment-"), m.group(1));
    assertEquals("2", m.group(3), "the request entry (seq 2, after session_start) was edited: " + list.body());
    assertFalse(get("/dashboard/sessions", auditor.cookie()).body().contains("BROKEN"), "the other log is intact");
  }

  @Test
  void thePolicyPageIsForReadersAndOperatorsAndItsActionsNeedCsrfAndAPolicySource() throws Exception {
    Browser analyst = login("mallory", List.of("analysts"));
    Browser reader = login("rita", List.of("sre"));
    Browser operator = login("otto", List.of("policy-admins"));
    assertEquals(403, get("/dashboard/policy", analyst.cookie()).statusCode());
    assertEquals(403, post("/dashboard/policy/pin", analyst.cookie(), "csrf=" + enc(analyst.csrf())
        + "&confirmed=yes&revision=abc", null).statusCode());
    HttpResponse<String> asReader = get("/dashboard/policy", reader.cookie());
    assertEquals(200, asReader.statusCode(), asReader.body());
    assertTrue(asReader.body().contains("static (<code>policy.rego_dirs</code>)"), asReader.body());
    assertTrue(asReader.body().contains("<code>" + engine.activeRevision().orElseThrow() + "</code>"), asReader.body());
    assertEquals(403, get("/dashboard/policy/confirm?action=unpin", reader.cookie()).statusCode(),
        "readers see the page but may not change the policy");
    assertEquals(403, post("/dashboard/policy/unpin", reader.cookie(), "csrf=" + enc(reader.csrf()) + "&confirmed=yes",
        null).statusCode());
    // an operator without CSRF token or from another origin is refused before anything else
    assertEquals(403, post("/dashboard/policy/unpin", operator.cookie(), "confirmed=yes", null).statusCode());
    assertEquals(403, post("/dashboard/policy/unpin", operator.cookie(), "csrf=" + enc(operator.csrf())
        + "&confirmed=yes", "http://evil.example").statusCode());
    HttpResponse<String> noSource = post("/dashboard/policy/unpin", operator.cookie(), "csrf=" + enc(operator.csrf())
        + "&confirmed=yes", null);
    assertEquals(409, noSource.statusCode(), noSource.body());
    assertTrue(noSource.body().contains("need &#96;policy.source&#96;"), noSource.body());
    String home = get("/dashboard/", operator.cookie()).body();
    assertTrue(home.contains("href=\"/dashboard/policy\"") && home.contains("pin, unpin and roll back"), home);
    assertFalse(get("/dashboard/", analyst.cookie()).body().contains("/dashboard/policy"));
  }

  @Test
  void theOverviewChartsTheRecordedRequestsAsEscapedInlineSvg() throws Exception {
    Browser auditor = login("audrey", List.of("auditors"));
    Browser analyst = login("mallory", List.of("analysts"));
    assertEquals(403, get("/dashboard/overview", analyst.cookie()).statusCode());
    HttpResponse<String> r = get("/dashboard/overview", auditor.cookie());
    assertEquals(200, r.statusCode(), r.body());
    String page = r.body();
    assertTrue(page.contains("<svg class=\"chart\""), page);
    assertTrue(page.contains("<rect class=\"s-forwarded\""), "carol's forwarded query is charted: " + page);
    assertTrue(page.contains("forwarded: 1"), page);
    assertTrue(page.contains("<code>carol</code>"), page);
    assertTrue(page.contains("<code>&lt;script&gt;alert(1)&lt;/script&gt;</code>"), "the collection, escaped: " + page);
    assertFalse(page.contains("<script") || page.contains("<img"), page);
    assertFalse(page.contains("http://") || page.contains("https://"), "nothing is loaded from elsewhere: " + page);
    assertEquals(400, get("/dashboard/overview?hours=5", auditor.cookie()).statusCode());
    assertEquals(200, get("/dashboard/overview?hours=168", auditor.cookie()).statusCode());
  }

  @Test
  void sessionsFilterByDatabaseKindAndReasonCode() throws Exception {
    Browser auditor = login("audrey", List.of("auditors"));
    assertTrue(get("/dashboard/sessions?database=milvus", auditor.cookie()).body().contains(sessionId));
    assertFalse(get("/dashboard/sessions?database=chroma", auditor.cookie()).body().contains(sessionId));
    HttpResponse<String> byReason = get("/dashboard/sessions?reason=" + enc("allow_" + XSS), auditor.cookie());
    assertEquals(200, byReason.statusCode(), byReason.body());
    assertTrue(byReason.body().contains(sessionId), byReason.body());
    assertTrue(byReason.body().contains("value=\"allow_&lt;script&gt;alert(1)&lt;/script&gt;\""), byReason.body());
    assertFalse(byReason.body().contains("<script"), byReason.body());
    assertFalse(get("/dashboard/sessions?reason=other_code", auditor.cookie()).body().contains(sessionId));
    assertFalse(get("/dashboard/sessions?reason=other_code&database=milvus", auditor.cookie()).body()
        .contains(sessionId));
    HttpResponse<String> bad = get("/dashboard/sessions?database=oracle", auditor.cookie());
    assertEquals(400, bad.statusCode());
    assertTrue(bad.body().contains("parameter &#96;database&#96; must be one of"), bad.body());
    assertEquals(400, get("/dashboard/sessions?reason=" + enc("two words"), auditor.cookie()).statusCode());
  }

  @Test
  void theListPagesWithItsFiltersKept() throws Exception {
    Path dir = work.resolve("paged");
    IndexConfig index = IndexConfig.sqlite(work.resolve("paged-index.db"));
    String issuer = oidc.issuerUrl("vectorgate").toString().replaceAll("/$", "");
    java.util.Set<String> ids = new java.util.HashSet<>();
    for (int i = 0; i < SessionsPage.PAGE_SIZE + 2; i++) {
      ids.add(record(dir, index, issuer));
    }
    try (RecordingStore paged = RecordingStore.open(dir, index)) {
      HttpServer srv = serve(new TokenVerifier(new IdentityConfig(issuer, List.of("vectorgate"), List.of("RS256"), null,
          5L, null, null, null, List.of(), null, null, 1L, null), null, Clock.systemUTC()), issuer, paged, null);
      try {
        String at = "http://127.0.0.1:" + srv.getAddress().getPort();
        Browser auditor = login(at, "audrey", List.of("auditors"));
        java.util.Set<String> seen = new java.util.HashSet<>();
        String path = "/dashboard/sessions?subject=carol&database=milvus";
        for (int pages = 0; path != null; pages++) {
          assertTrue(pages < 3, "two pages hold " + ids.size() + " sessions");
          HttpResponse<String> r = get(at, path, auditor.cookie());
          assertEquals(200, r.statusCode(), r.body());
          Matcher m = Pattern.compile("/dashboard/sessions/view\\?id=([A-Za-z0-9_-]+)").matcher(r.body());
          while (m.find()) {
            seen.add(m.group(1));
          }
          Matcher next = Pattern.compile("<a href=\"([^\"]+)\" rel=\"next\">").matcher(r.body());
          path = next.find() ? next.group(1).replace("&amp;", "&") : null;
          if (path != null) {
            assertTrue(path.contains("subject=carol") && path.contains("database=milvus"), path);
          }
        }
        assertEquals(ids, seen);
      } finally {
        srv.stop(0);
      }
    }
  }

  @Test
  void theCurrentPolicyReplaysASessionAndShowsWhatChanged() throws Exception {
    Browser auditor = login("audrey", List.of("auditors"));
    String view = get("/dashboard/sessions/view?id=" + enc(sessionId), auditor.cookie()).body();
    assertTrue(view.contains("/dashboard/sessions/replay?id="), view);
    HttpResponse<String> r = get("/dashboard/sessions/replay?id=" + enc(sessionId), auditor.cookie());
    assertEquals(200, r.statusCode(), r.body());
    String page = r.body();
    // recorded: allowed with allow_<script>...; the current policy denies collections with markup
    assertTrue(page.contains("1 of 1"), page);
    assertTrue(page.contains("now denied, reasons changed"), page);
    assertTrue(page.contains("<code>no_markup_&lt;b&gt;</code>"), page);
    assertTrue(page.contains("<code>allow_&lt;script&gt;alert(1)&lt;/script&gt;</code>"), page);
    assertTrue(page.contains(engine.activeRevision().orElseThrow()), page);
    assertFalse(page.contains("<script") || page.contains("<b>"), page);
    Browser analyst = login("mallory", List.of("analysts"));
    assertEquals(403, get("/dashboard/sessions/replay?id=" + enc(sessionId), analyst.cookie()).statusCode());
    String tampered = "http://127.0.0.1:" + tamperedServer.getAddress().getPort();
    Browser there = login(tampered, "audrey", List.of("auditors"));
    assertEquals(404, get(tampered, "/dashboard/sessions/replay?id=x", there.cookie()).statusCode(),
        "without an engine of its own there is nothing to replay with");
  }

  /** "Explain": the rules of the active revision behind each reason, by file:line, escaped; auditors only. */
  @Test
  void explainNamesTheRulesBehindEachReasonForAuditorsOnly() throws Exception {
    Browser auditor = login("audrey", List.of("auditors"));
    String view = get("/dashboard/sessions/view?id=" + enc(sessionId), auditor.cookie()).body();
    String seq = store.show(sessionId).entries().stream().filter(e -> "request".equals(e.path("kind").asText()))
        .findFirst().orElseThrow().get("seq").asText();
    String link = "/dashboard/sessions/explain?id=" + enc(sessionId) + "&seq=" + seq;
    assertTrue(view.contains(link.replace("&", "&amp;")), view);
    HttpResponse<String> r = get(link, auditor.cookie());
    assertEquals(200, r.statusCode(), r.body());
    String page = r.body();
    // recorded as allowed; under the active revision the markup deny rule of replay.rego (line 7) denies it
    assertTrue(page.contains("Under the active revision <code>" + engine.activeRevision().orElseThrow() + "</code>"), page);
    assertTrue(page.contains("<strong class=\"deny\">denied</strong>; it was recorded as allowed (now denied"), page);
    String extra = policySources.get(1).toAbsolutePath().normalize().toString();
    assertTrue(page.contains("<td><code>no_markup_&lt;b&gt;</code></td><td>collection names with markup</td>"
        + "<td><ol class=\"rules\"><li><code>" + extra + "/replay.rego:7</code> <code>data.vectorgate.deny</code></li>"), page);
    assertTrue(page.contains("<code>data.vectorgate.decision</code>"), "every rule that produced a value: " + page);
    assertFalse(page.contains("<script") || page.contains("<b>"), page);
    assertFalse(page.contains("vectorgate-explain-"), "no scratch folder is named: " + page);

    Browser analyst = login("mallory", List.of("analysts"));
    assertEquals(403, get(link, analyst.cookie()).statusCode());
    assertEquals(400, get("/dashboard/sessions/explain?id=" + enc(sessionId), auditor.cookie()).statusCode());
    assertEquals(404, get("/dashboard/sessions/explain?id=" + enc(sessionId) + "&seq=999999", auditor.cookie())
        .statusCode());
    String tampered = "http://127.0.0.1:" + tamperedServer.getAddress().getPort();
    Browser there = login(tampered, "audrey", List.of("auditors"));
    assertEquals(404, get(tampered, "/dashboard/sessions/explain?id=x&seq=1", there.cookie()).statusCode(),
        "without an engine of its own there is nothing to explain with");
  }

  /** One explanation at a time (another is refused at once, not queued); sources that changed on disk are refused. */
  @Test
  void explainRunsOneAtATimeAndRefusesSourcesThatNoLongerMatchTheActiveRevision() throws Exception {
    ObjectNode entry = store.show(sessionId).entries().stream().filter(e -> "request".equals(e.path("kind").asText()))
        .findFirst().orElseThrow();
    java.util.concurrent.CountDownLatch inside = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    ActiveSources real = ActiveSources.files(policySources);
    DecisionExplain explain = new DecisionExplain(engine, (revision, scratch) -> {
      inside.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return real.sources(revision, scratch);
    });
    var first = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
      try {
        return explain.explain(entry);
      } catch (DashboardHandler.PageError e) {
        throw new java.util.concurrent.CompletionException(e);
      }
    });
    assertTrue(inside.await(30, TimeUnit.SECONDS));
    DashboardHandler.PageError busy = org.junit.jupiter.api.Assertions.assertThrows(DashboardHandler.PageError.class,
        () -> explain.explain(entry));
    assertEquals(429, busy.status);
    release.countDown();
    assertEquals("no_markup_<b>", first.get(60, TimeUnit.SECONDS).explanation().reasons().get(0).code());

    DashboardHandler.PageError changed = org.junit.jupiter.api.Assertions.assertThrows(DashboardHandler.PageError.class,
        () -> new DecisionExplain(engine, ActiveSources.files(policySources.subList(0, 2))).explain(entry));
    assertEquals(503, changed.status);
    assertTrue(changed.getMessage().contains("no longer hash to the active revision"), changed.getMessage());
  }
}
