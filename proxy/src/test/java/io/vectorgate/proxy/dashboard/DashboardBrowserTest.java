package io.vectorgate.proxy.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEObjectType;
import io.vectorgate.proxy.Gateway;
import io.vectorgate.proxy.config.ConfigLoader;
import io.vectorgate.proxy.config.GatewayConfig;
import io.vectorgate.proxy.testing.GatewayFixture;
import io.vectorgate.proxy.testing.MilvusLite;
import io.vectorgate.proxy.testing.OidcProvider;
import java.io.IOException;
import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
import no.nav.security.mock.oauth2.OAuth2Config;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real browser: Debian's headless Chromium through chromedriver
 * (scripts/chromium.sh installs both), mock-oauth2-server's interactive login page, a real gateway
 * with approvals (SQLite), recording and the dashboard, Milvus Lite and pymilvus
 * (python/approval_client.py). Screenshots of each page go to {@code target/dashboard-screenshots/}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardBrowserTest {
  @TempDir
  static Path work;
  static MilvusLite milvus;
  static MockOAuth2Server oidc;
  static String revA;
  static String revB;
  static Path repo;
  static final String PILOT_FREEZE = """
      package vectorgate

      import rego.v1

      deny contains {"code": "pilot_freeze", "message": "pat is frozen during the pilot"} if {
      	input.identity.subject == "pat"
      }
      """;
  static final String FAILING_TEST = """
      package vectorgate_test

      import rego.v1

      test_pat_may_read_during_the_pilot if {
      	not data.vectorgate.deny
      }
      """;
  static Gateway gw;
  static WebDriver browser;
  static String dashboard;
  static final Path SHOTS = Path.of("target", "dashboard-screenshots");

  @BeforeAll
  static void start() throws Exception {
    milvus = MilvusLite.start(work, 0);
    oidc = new MockOAuth2Server(OAuth2Config.Companion.fromJson("{\"interactiveLogin\": true}"));
    oidc.start(InetAddress.getByName("127.0.0.1"), 0);
    Path root = MilvusLite.root();
    // the policy comes from git: A (the shipped library, the Milvus sample's Rego and data), B (A + a freeze for
    // `pat`); the test adds C (B + a failing test)
    repo = work.resolve("policy-repo");
    try (Git git = Git.init().setDirectory(repo.toFile()).setInitialBranch("main").call()) {
      copyPolicy(root.resolve("rego-policies/src/main/rego"), repo.resolve("policies"));
      copyPolicy(root.resolve("samples/milvus-demo/rego"), repo.resolve("policies/milvus-demo"));
      Files.copy(root.resolve("samples/org/data.json"), repo.resolve("policies/data.json"));
      revA = commit(git, "sample policy");
      Files.writeString(repo.resolve("policies/pilot.rego"), PILOT_FREEZE);
      revB = commit(git, "freeze pat during the pilot");
    }
    Path config = work.resolve("gateway.yaml");
    Files.writeString(config, """
        listeners:
          - {name: milvus, kind: milvus-grpc, address: "127.0.0.1:0", connection: lite}
        connections:
          - {name: lite, kind: milvus, upstream: "%s", credential: {env: VG_MILVUS_TOKEN}, row_filter_binding: literal}
        identity:
          issuer: "%s"
          audiences: [vectorgate]
          algorithms: [RS256]
          groups_claim: groups
          tenant_claim: tenant
        policy:
          source:
            kind: git
            url: "%s"
            branch: main
            path: policies
            poll_interval_seconds: 3600
            instance_id: gw-browser
            work_dir: "%s"
        masking: {hmac_key: {env: VG_MASK_KEY}}
        approvals:
          store: {sqlite: %s}
          mode: hold
          max_wait_seconds: 120
          poll_interval_millis: 100
          admin: {read_all_groups: [admins]}
        recording:
          directory: %s
          acknowledge: durable
          admin: {auditor_groups: [auditors]}
        admin:
          address: 127.0.0.1:0
          reader_groups: [sre]
          operator_groups: [policy-admins]
          dashboard:
            client_id: vectorgate
            approver_groups: [db-admins]
        """.formatted(milvus.address(), issuer(), repo, work.resolve("rollout"), work.resolve("approvals.db"),
        work.resolve("recording")));
    GatewayConfig cfg = ConfigLoader.load(config);
    Clock policyClock = Clock.offset(Clock.systemUTC(), Duration.between(Instant.now(), GatewayFixture.POLICY_TIME));
    gw = Gateway.fromConfig(cfg, Map.of("VG_MILVUS_TOKEN", GatewayFixture.MILVUS_CREDENTIAL,
        "VG_MASK_KEY", "test-mask-key-0123456789abcdef")::get, policyClock);
    dashboard = "http://127.0.0.1:" + gw.adminPort() + "/dashboard";
    browser = chromium();
    Files.createDirectories(SHOTS);
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.quit();
    }
    if (gw != null) {
      gw.close();
    }
    if (oidc != null) {
      oidc.shutdown();
    }
    if (milvus != null) {
      milvus.close();
    }
  }

  /** Copies a folder's Rego (not its *_test.rego) and nothing else. */
  static void copyPolicy(Path from, Path to) throws IOException {
    try (var walk = Files.walk(from)) {
      for (Path f : walk.filter(Files::isRegularFile).toList()) {
        String n = f.getFileName().toString();
        if (n.endsWith(".rego") && !n.endsWith("_test.rego")) {
          Path t = to.resolve(from.relativize(f).toString());
          Files.createDirectories(t.getParent());
          Files.copy(f, t);
        }
      }
    }
  }

  static String commit(Git git, String message) throws Exception {
    git.add().addFilepattern(".").call();
    PersonIdent who = new PersonIdent("t", "t@example.test");
    return git.commit().setMessage(message).setAuthor(who).setCommitter(who).call().getName();
  }

  static String issuer() {
    return oidc.issuerUrl(OidcProvider.ISSUER_ID).toString().replaceAll("/$", "");
  }

  /** Headless Debian Chromium with a fresh profile; the binaries from the environment or scripts/chromium.sh. */
  static WebDriver chromium() throws IOException, InterruptedException {
    String browserBin = System.getenv("VECTORGATE_CHROMIUM");
    String driverBin = System.getenv("VECTORGATE_CHROMEDRIVER");
    if (browserBin == null || driverBin == null) {
      Process p = new ProcessBuilder(MilvusLite.root().resolve("scripts/chromium.sh").toString())
          .redirectError(ProcessBuilder.Redirect.INHERIT).start();
      String out = new String(p.getInputStream().readAllBytes());
      assertTrue(p.waitFor(600, TimeUnit.SECONDS) && p.exitValue() == 0, "scripts/chromium.sh failed: " + out);
      List<String> lines = out.lines().toList();
      browserBin = lines.get(0);
      driverBin = lines.get(1);
    }
    ChromeOptions o = new ChromeOptions();
    o.setBinary(browserBin);
    o.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--user-data-dir=" + Files.createTempDirectory(work, "chromium-profile"), "--window-size=1100,1400");
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(Path.of(driverBin).toFile())
        .usingAnyFreePort().build();
    ChromeDriver d = new ChromeDriver(service, o);
    d.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
    return d;
  }

  static String token(String user, List<String> groups, String tenant) {
    return oidc.issueToken(OidcProvider.ISSUER_ID, "vectorgate-client", new DefaultOAuth2TokenCallback(
        OidcProvider.ISSUER_ID, user, JOSEObjectType.JWT.getType(), List.of(OidcProvider.AUDIENCE),
        OidcProvider.claims(user, groups, tenant), 3600)).serialize();
  }

  static JsonNode client(String user, List<String> groups, String tenant, String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of("--gateway", "127.0.0.1:" + gw.port("milvus"), "--token",
        token(user, groups, tenant)));
    all.addAll(List.of(args));
    String out = MilvusLite.runPython(work, "approval_client.py", all.toArray(String[]::new));
    return new ObjectMapper().readTree(out.lines().reduce((a, b) -> b).orElseThrow());
  }

  static Process clientAsync(String tag, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(MilvusLite.venvBin("python").toString(),
        MilvusLite.root().resolve("python/approval_client.py").toString(), "--gateway", "127.0.0.1:" + gw.port("milvus"),
        "--token", token("carol", List.of("ml-engineers"), "acme")));
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).directory(MilvusLite.root().resolve("python").toFile())
        .redirectOutput(work.resolve(tag + ".out").toFile()).redirectError(work.resolve(tag + ".err").toFile()).start();
  }

  static JsonNode result(Process p, String tag) throws Exception {
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), tag + " did not finish: " + Files.readString(work.resolve(tag + ".err")));
    String out = Files.readString(work.resolve(tag + ".out"));
    return new ObjectMapper().readTree(out.lines().reduce((a, b) -> b).orElseThrow());
  }

  static void shot(String name) throws IOException {
    Path png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
    Files.copy(png, SHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
  }

  /**
   * A wait that polls through page changes: an element read while the page is being replaced goes stale, which means
   * "not yet", not failure.
   */
  static WebDriverWait waitUpTo(int seconds) {
    WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(seconds));
    wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
    return wait;
  }

  /** Opens {@code path}; on the provider's login page signs in as {@code user} with {@code groups}. */
  static void loginAndOpen(String path, String user, List<String> groups) throws IOException {
    browser.get(dashboard + path);
    WebDriverWait wait = waitUpTo(20);
    wait.until(d -> !d.findElements(By.name("username")).isEmpty());
    browser.findElement(By.name("username")).sendKeys(user);
    browser.findElement(By.name("claims")).sendKeys("{\"groups\": [\"" + String.join("\", \"", groups) + "\"]}");
    shot("login-" + user);
    browser.findElement(By.cssSelector("input[type=submit]")).click();
    wait.until(d -> d.getCurrentUrl().startsWith(dashboard + path) && !d.findElements(By.tagName("h1")).isEmpty());
  }

  static void logout() {
    browser.findElement(By.cssSelector("form.logout button")).click();
    waitUpTo(10).until(d -> d.findElement(By.tagName("h1")).getText()
        .equals("Logged out"));
  }

  /** Reloads the approvals page until a card mentions {@code text}; returns that card. */
  static WebElement awaitCard(String text) {
    return waitUpTo(60).pollingEvery(Duration.ofMillis(500)).until(d -> {
      d.navigate().refresh();
      return d.findElements(By.cssSelector("article.card")).stream().filter(c -> c.getText().contains(text)).findFirst()
          .orElse(null);
    });
  }

  static List<Long> ids() throws Exception {
    JsonNode r = client("alice", List.of("admins"), null, "ids", "--collection", "docs");
    assertTrue(r.get("ok").asBoolean(), r.toString());
    return StreamSupport.stream(r.get("value").spliterator(), false).map(JsonNode::asLong).toList();
  }

  @Test
  @Order(1)
  void approverApprovesAndRejectsHeldPymilvusDeletesInThePageAnalystIsRefusedAuditorSeesTheSession()
      throws Exception {
    JsonNode load = client("alice", List.of("admins"), null, "load");
    assertTrue(load.get("ok").asBoolean(), load.toString());

    // an approver logs in, sees carol's held bulk delete and approves it; the pymilvus call completes
    Process held = clientAsync("approve", "delete", "--collection", "docs", "--filter", "id >= 5");
    loginAndOpen("/approvals", "erin", List.of("db-admins"));
    WebElement card = awaitCard("id >= 5");
    assertTrue(card.getText().contains("carol"), card.getText());
    assertTrue(card.getText().contains("0 of 1 approvals"), card.getText());
    assertTrue(card.getText().contains("docs"), card.getText());
    shot("approvals-inbox");
    card.findElement(By.name("comment")).sendKeys("checked with carol");
    card.findElement(By.cssSelector("button.approve")).click();
    waitUpTo(20).until(d -> d.getPageSource().contains("was recorded"));
    shot("approvals-approved");
    JsonNode approved = result(held, "approve");
    assertTrue(approved.get("ok").asBoolean(), approved.toString());
    // carol is bound to tenant acme: the approved delete removed exactly the acme rows with id >= 5
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 7L, 9L), ids());

    // a rejection with a reason reaches the pymilvus caller
    Process rejectedCall = clientAsync("reject", "delete", "--collection", "docs", "--filter", "id >= 1");
    WebElement second = awaitCard("id >= 1");
    second.findElement(By.name("reason")).sendKeys("not during the audit window");
    second.findElement(By.cssSelector("button.reject")).click();
    waitUpTo(20).until(d -> d.getPageSource().contains("was recorded"));
    JsonNode rejected = result(rejectedCall, "reject");
    assertFalse(rejected.get("ok").asBoolean(), rejected.toString());
    assertTrue(rejected.get("error").asText().contains("not during the audit window"), rejected.toString());
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 7L, 9L), ids());
    assertTrue(browser.findElement(By.id("history")).findElement(By.xpath("..")).getText().contains("rejected"));
    shot("approvals-history");
    narrow("approvals-narrow");
    logout();

    // an analyst gets 403 on the approvals page
    loginAndOpen("/approvals", "mallory", List.of("analysts"));
    assertEquals("Forbidden", browser.findElement(By.tagName("h1")).getText());
    assertTrue(browser.getPageSource().contains("needs one of the groups [db-admins]"), browser.getPageSource());
    assertTrue(browser.findElements(By.cssSelector("article.card")).isEmpty());
    shot("approvals-forbidden-analyst");
    logout();

    // an auditor opens carol's session: the held, approved and rejected deletes, chain verified
    loginAndOpen("/sessions?subject=carol", "audrey", List.of("auditors"));
    assertTrue(browser.getPageSource().contains("Hash chain verified"), browser.getPageSource());
    List<WebElement> sessions = browser.findElements(By.cssSelector("tbody a"));
    assertFalse(sessions.isEmpty(), browser.getPageSource());
    shot("sessions-list");
    sessions.get(0).click();
    waitUpTo(10).until(d -> d.findElement(By.tagName("h1")).getText()
        .equals("Session"));
    String view = browser.findElement(By.tagName("main")).getText();
    assertTrue(view.contains("delete") && view.contains("carol"), view);
    shot("session-view");
    narrow("session-view-narrow");
  }

  /** pat's query through pymilvus: null when allowed, else the error text. */
  static String patQuery() throws Exception {
    JsonNode r = client("pat", List.of("admins"), null, "ids", "--collection", "docs");
    return r.get("ok").asBoolean() ? null : r.get("error").asText();
  }

  static String text(String id) {
    return browser.findElement(By.id(id)).getText();
  }

  static void submit(WebElement button, String expectedTitle) {
    button.click();
    waitUpTo(60)
        .until(d -> d.findElement(By.tagName("h1")).getText().equals(expectedTitle));
  }

  @Test
  @Order(2)
  void operatorPinsAndUnpinsFromThePolicyPageAndDecisionsFollowCrossSitePostsAreRefusedAuditorReplaysAndSeesTampering()
      throws Exception {
    JsonNode load = client("alice", List.of("admins"), null, "load");
    assertTrue(load.get("ok").asBoolean(), load.toString());
    // the branch head B serves: pat is frozen
    String frozen = patQuery();
    assertTrue(frozen != null && frozen.contains("pilot_freeze"), String.valueOf(frozen));
    String revC;
    try (Git git = Git.open(repo.toFile())) {
      Files.writeString(repo.resolve("policies/pilot_test.rego"), FAILING_TEST);
      revC = commit(git, "a test that fails");
    }

    // an analyst gets 403 on the policy page (a fresh login: the earlier test's session is dropped)
    browser.get(dashboard + "/static/dashboard.css");
    browser.manage().deleteAllCookies();
    loginAndOpen("/policy", "mallory", List.of("analysts"));
    assertEquals("Forbidden", browser.findElement(By.tagName("h1")).getText());
    assertTrue(browser.findElements(By.id("active-revision")).isEmpty());
    logout();

    // the operator sees B active, this instance and the history
    loginAndOpen("/policy", "otto", List.of("policy-admins"));
    assertEquals(revB, text("active-revision"));
    assertTrue(browser.findElement(By.id("instances")).findElement(By.xpath("..")).getText().contains("gw-browser"));
    assertTrue(browser.findElement(By.id("history")).findElement(By.xpath("..")).getText().contains(revB));

    // pin A (with a hostile reason): a confirmation page first, then A serves and pat may read
    browser.findElement(By.id("p-rev")).sendKeys(revA);
    browser.findElement(By.id("p-reason")).sendKeys("<script>alert(3)</script> pilot over");
    submit(browser.findElement(By.cssSelector("#p-rev ~ button")), "Confirm pin");
    assertTrue(text("confirm-question").contains("Pin revision " + revA), text("confirm-question"));
    assertTrue(browser.findElement(By.tagName("main")).getText().contains("Active now\n" + revB),
        "nothing changed before confirming: " + browser.findElement(By.tagName("main")).getText());
    shot("policy-confirm");
    submit(browser.findElement(By.id("confirm")), "Policy");
    assertEquals(revA, text("active-revision"));
    assertTrue(text("pin").contains(revA) && text("pin").contains("<script>alert(3)</script> pilot over"), text("pin"));
    assertTrue(browser.findElements(By.tagName("script")).isEmpty(), "the reason rendered as text");
    assertTrue(browser.getPageSource().contains("pin: activated"), browser.getPageSource());
    shot("policy-pinned");
    assertEquals(null, patQuery(), "A has no freeze: pat's query is allowed");

    // a pin of C is refused at its test stage, naming the failing test; A stays
    browser.findElement(By.id("p-rev")).sendKeys(revC);
    submit(browser.findElement(By.cssSelector("#p-rev ~ button")), "Confirm pin");
    submit(browser.findElement(By.id("confirm")), "Error");
    String refusal = browser.findElement(By.tagName("main")).getText();
    assertTrue(refusal.contains("refused at stage test") && refusal.contains("test_pat_may_read_during_the_pilot")
        && refusal.contains("policies/pilot_test.rego:5"), refusal);
    shot("policy-pin-refused");
    browser.get(dashboard + "/policy");
    assertEquals(revA, text("active-revision"));
    String history = browser.findElement(By.id("history")).findElement(By.xpath("..")).getText();
    assertFalse(history.contains(revC), "a refused pin is not stored: " + history);

    // a cross-site page posting a pin of B without the CSRF token is refused; nothing changes
    HttpServer evil = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 4);
    byte[] html = ("<!DOCTYPE html><html><head><title>Prize</title></head><body><form method=\"post\" action=\""
        + dashboard + "/policy/pin\"><input type=\"hidden\" name=\"revision\" value=\"" + revB + "\">"
        + "<input type=\"hidden\" name=\"confirmed\" value=\"yes\"><button id=\"win\">Claim</button></form>"
        + "</body></html>").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    evil.createContext("/", ex -> {
      ex.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
      ex.sendResponseHeaders(200, html.length);
      try (var out = ex.getResponseBody()) {
        out.write(html);
      }
    });
    evil.start();
    try {
      browser.get("http://127.0.0.1:" + evil.getAddress().getPort() + "/");
      browser.findElement(By.id("win")).click();
      waitUpTo(20).until(d -> d.getCurrentUrl().startsWith(dashboard));
      assertEquals("Forbidden", browser.findElement(By.tagName("h1")).getText(), browser.getPageSource());
      assertTrue(browser.getPageSource().contains("cross-site request refused"), browser.getPageSource());
      shot("policy-cross-site-refused");
    } finally {
      evil.stop(0);
    }
    browser.get(dashboard + "/policy");
    assertEquals(revA, text("active-revision"), "the cross-site post changed nothing");

    // unpin: the branch is followed again; its head C is broken, so B serves and pat is frozen again
    submit(browser.findElement(By.xpath("//button[text()='Unpin…']")), "Confirm unpin");
    submit(browser.findElement(By.id("confirm")), "Policy");
    assertEquals(revB, text("active-revision"));
    assertTrue(text("pin").startsWith("none"), text("pin"));
    WebElement failure = browser.findElement(By.cssSelector(".failure"));
    assertTrue(failure.getText().contains("The newest revision is broken") && failure.getText().contains(revC),
        failure.getText());
    assertEquals("test", failure.findElement(By.cssSelector(".stage")).getText());
    assertTrue(failure.findElement(By.cssSelector("ul.tests")).getText().contains("test_pat_may_read_during_the_pilot"));
    assertTrue(failure.findElement(By.cssSelector("ul.problems")).getText().contains("policies/pilot_test.rego:5"));
    shot("policy");
    narrow("policy-narrow");
    String again = patQuery();
    assertTrue(again != null && again.contains("pilot_freeze"), String.valueOf(again));
    logout();

    // an auditor: the overview, pat's denied sessions by reason, the replay of the allowed one, the export
    loginAndOpen("/overview", "audrey", List.of("auditors", "sre"));
    String overview = browser.findElement(By.tagName("main")).getText();
    assertTrue(overview.contains("pilot_freeze"), "a top deny reason: " + overview);
    assertTrue(overview.contains("pat") && overview.contains("docs"), overview);
    assertFalse(browser.findElements(By.cssSelector("svg.chart rect.s-denied")).isEmpty());
    shot("overview");
    narrow("overview-narrow");
    readmeShot("/overview?hours=1", "readme-overview"); // docs/images/dashboard-overview.png is a copy of it
    browser.get(dashboard + "/sessions?subject=pat&reason=pilot_freeze&database=milvus");
    assertEquals(2, browser.findElements(By.cssSelector("tbody a")).size(), browser.getPageSource());
    browser.get(dashboard + "/sessions?subject=pat&reason=" + Pages.enc("<script>alert(4)</script>"));
    assertEquals("<script>alert(4)</script>", browser.findElement(By.id("f-reason")).getAttribute("value"));
    assertTrue(browser.findElements(By.tagName("script")).isEmpty());
    assertTrue(browser.findElements(By.cssSelector("tbody a")).isEmpty());
    browser.get(dashboard + "/sessions?subject=pat&decision=allow");
    List<WebElement> allowed = browser.findElements(By.cssSelector("tbody a"));
    assertEquals(1, allowed.size(), browser.getPageSource());
    shot("sessions-filtered");
    allowed.get(0).click();
    waitUpTo(10).until(d -> !d.findElements(By.id("replay")).isEmpty());
    browser.findElement(By.id("replay")).click();
    waitUpTo(30).until(d -> !d.findElements(By.id("replay-summary")).isEmpty());
    String replay = browser.findElement(By.tagName("main")).getText();
    assertTrue(text("replay-summary").contains(revB), replay);
    assertTrue(replay.contains("now denied") && replay.contains("pilot_freeze"), replay);
    shot("session-replay");

    // export (JSONL) with the browser's own login
    String session = browser.getCurrentUrl().replaceAll(".*[?&]id=", "");
    String cookie = DashboardHandler.COOKIE + "=" + browser.manage().getCookieNamed(DashboardHandler.COOKIE).getValue();
    var http = java.net.http.HttpClient.newHttpClient();
    var export = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(dashboard
        + "/sessions/export?session=" + session)).header("Cookie", cookie).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertEquals(200, export.statusCode(), export.body());
    List<JsonNode> lines = new ArrayList<>();
    for (String l : export.body().lines().toList()) {
      lines.add(new ObjectMapper().readTree(l));
    }
    assertTrue(lines.stream().anyMatch(l -> l.path("kind").asText().equals("request")
        && l.path("identity").path("subject").asText().equals("pat")
        && l.path("decision").path("revision").asText().equals(revA)), export.body());

    // a segment edited on disk: the sessions page names the first bad record
    browser.get(dashboard + "/sessions");
    assertTrue(browser.getPageSource().contains("Hash chain verified"), browser.getPageSource());
    long editedSeq = tamperFirstRequestOf("pat");
    browser.get(dashboard + "/sessions");
    String broken = browser.findElement(By.cssSelector("p.notice.error")).getText();
    assertTrue(broken.contains("Hash chain BROKEN") && broken.contains("seq " + editedSeq + ":"), broken);
    shot("sessions-chain-broken");
  }

  /** Changes one byte of the first recorded request of {@code subject} in place; returns its seq. */
  static long tamperFirstRequestOf(String subject) throws IOException {
    try (var files = Files.list(work.resolve("recording"))) {
      for (Path seg : files.filter(f -> f.getFileName().toString().matches("segment-\\d+\\.jsonl")).sorted().toList()) {
        byte[] raw = Files.readAllBytes(seg);
        String text = new String(raw, java.nio.charset.StandardCharsets.ISO_8859_1);
        int at = 0;
        for (String line : text.split("\n", -1)) {
          if (line.contains("\"kind\":\"request\"") && line.contains("\"subject\":\"" + subject + "\"")) {
            int pos = at + line.indexOf("\"subject\":\"" + subject + "\"") + "\"subject\":\"".length();
            try (var f = new java.io.RandomAccessFile(seg.toFile(), "rw")) {
              f.seek(pos);
              f.write('q'); // pat -> qat: same length, the hash no longer matches
            }
            return new ObjectMapper().readTree(line).path("seq").asLong();
          }
          at += line.length() + 1;
        }
      }
    }
    throw new AssertionError("no recorded request of " + subject + " in " + work.resolve("recording"));
  }

  /** A 1000 x 760 screenshot of {@code path} (small enough for the README). */
  static void readmeShot(String path, String name) throws IOException {
    Dimension before = browser.manage().window().getSize();
    browser.manage().window().setSize(new Dimension(1000, 760));
    try {
      browser.get(dashboard + path);
      shot(name);
    } finally {
      browser.manage().window().setSize(before);
    }
  }

  /** On a 400 px wide window the page needs no horizontal scrolling; a screenshot of it. */
  static void narrow(String name) throws IOException {
    Dimension before = browser.manage().window().getSize();
    browser.manage().window().setSize(new Dimension(400, 900));
    try {
      Object fits = ((JavascriptExecutor) browser).executeScript(
          "return document.documentElement.scrollWidth <= window.innerWidth;");
      shot(name);
      assertEquals(Boolean.TRUE, fits, name + ": the page is wider than a 400 px window");
    } finally {
      browser.manage().window().setSize(before);
    }
  }
}
