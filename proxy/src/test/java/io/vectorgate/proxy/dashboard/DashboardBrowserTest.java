package io.vectorgate.proxy.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEObjectType;
import io.vectorgate.engine.PolicyEngine;
import io.vectorgate.proxy.Gateway;
import io.vectorgate.proxy.config.ConfigLoader;
import io.vectorgate.proxy.config.GatewayConfig;
import io.vectorgate.proxy.pipeline.ApprovalGate;
import io.vectorgate.proxy.testing.GatewayFixture;
import io.vectorgate.proxy.testing.MilvusLite;
import io.vectorgate.proxy.testing.OidcProvider;
import java.io.IOException;
import java.net.InetAddress;
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
import no.nav.security.mock.oauth2.OAuth2Config;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
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
class DashboardBrowserTest {
  @TempDir
  static Path work;
  static MilvusLite milvus;
  static MockOAuth2Server oidc;
  static PolicyEngine engine;
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
          rego_dirs: [%s, %s]
          data_file: %s
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
          dashboard:
            client_id: vectorgate
            approver_groups: [db-admins]
        """.formatted(milvus.address(), issuer(), root.resolve("rego-policies/src/main/rego"),
        root.resolve("samples/milvus-demo/rego"), root.resolve("samples/org/data.json"), work.resolve("approvals.db"),
        work.resolve("recording")));
    GatewayConfig cfg = ConfigLoader.load(config);
    engine = Gateway.compileEngine(cfg.policy());
    Clock policyClock = Clock.offset(Clock.systemUTC(), Duration.between(Instant.now(), GatewayFixture.POLICY_TIME));
    gw = Gateway.start(cfg, Map.of("VG_MILVUS_TOKEN", GatewayFixture.MILVUS_CREDENTIAL,
        "VG_MASK_KEY", "test-mask-key-0123456789abcdef")::get, policyClock, engine, ApprovalGate.DENY);
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
    if (engine != null) {
      engine.close();
    }
    if (oidc != null) {
      oidc.shutdown();
    }
    if (milvus != null) {
      milvus.close();
    }
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

  /** Opens {@code path}; on the provider's login page signs in as {@code user} with {@code groups}. */
  static void loginAndOpen(String path, String user, List<String> groups) throws IOException {
    browser.get(dashboard + path);
    WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
    wait.until(d -> !d.findElements(By.name("username")).isEmpty());
    browser.findElement(By.name("username")).sendKeys(user);
    browser.findElement(By.name("claims")).sendKeys("{\"groups\": [\"" + String.join("\", \"", groups) + "\"]}");
    shot("login-" + user);
    browser.findElement(By.cssSelector("input[type=submit]")).click();
    wait.until(d -> d.getCurrentUrl().startsWith(dashboard + path) && !d.findElements(By.tagName("h1")).isEmpty());
  }

  static void logout() {
    browser.findElement(By.cssSelector("form.logout button")).click();
    new WebDriverWait(browser, Duration.ofSeconds(10)).until(d -> d.findElement(By.tagName("h1")).getText()
        .equals("Logged out"));
  }

  /** Reloads the approvals page until a card mentions {@code text}; returns that card. */
  static WebElement awaitCard(String text) {
    return new WebDriverWait(browser, Duration.ofSeconds(60)).pollingEvery(Duration.ofMillis(500)).until(d -> {
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
    new WebDriverWait(browser, Duration.ofSeconds(20)).until(d -> d.getPageSource().contains("was recorded"));
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
    new WebDriverWait(browser, Duration.ofSeconds(20)).until(d -> d.getPageSource().contains("was recorded"));
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
    new WebDriverWait(browser, Duration.ofSeconds(10)).until(d -> d.findElement(By.tagName("h1")).getText()
        .equals("Session"));
    String view = browser.findElement(By.tagName("main")).getText();
    assertTrue(view.contains("delete") && view.contains("carol"), view);
    shot("session-view");
    narrow("session-view-narrow");
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
