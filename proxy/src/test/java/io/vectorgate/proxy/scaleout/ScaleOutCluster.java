package io.vectorgate.proxy.scaleout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorgate.proxy.e2e.ChromaServer;
import io.vectorgate.proxy.testing.GatewayFixture;
import io.vectorgate.proxy.testing.MilvusLite;
import io.vectorgate.proxy.testing.OidcProvider;
import io.vectorgate.proxy.testing.PostgresFixture;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Three gateway instances, each a separate JVM ({@code java -cp <test classpath>
 * io.vectorgate.proxy.GatewayMain --config ...}, so SIGKILL and SIGTERM are real), behind HAProxy
 * from Debian ({@code scripts/haproxy.sh}; gRPC over h2c with {@code proto h2} and HTTP, health
 * checks on {@code /readyz}), sharing one PostgreSQL (approvals and budgets) and one Milvus Lite
 * and one Chroma, with mock-oauth2-server as the OIDC provider. Everything on loopback, every port
 * free-picked. The organisation is the sample one with a low analysts' request budget (so the
 * budget case runs in seconds), a high one for admins (the writers of the load case) and the
 * write window waived for the writers (so writes do not depend on when the suite runs; the
 * instances use the system clock).
 */
final class ScaleOutCluster implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();
  /** The analysts' requests_per_minute in this cluster's organisation. */
  static final int ANALYST_BUDGET = 40;
  /** budgets.flush_units of every instance. */
  static final int FLUSH_UNITS = 10;
  static final int INSTANCES = 3;
  static final Map<String, List<String>> GROUPS = Map.of(
      "alice", List.of("admins"),
      "bob", List.of("analysts"),
      "mallory", List.of("analysts"),
      "carol", List.of("ml-engineers"),
      "erin", List.of("db-admins"));

  final Path work;
  final PostgresFixture postgres;
  final MilvusLite milvus;
  final ChromaServer chroma;
  final OidcProvider oidc;
  final List<Instance> instances = new ArrayList<>();
  private Process haproxy;
  private Path repo;
  private org.eclipse.jgit.api.Git git;
  /** The policy repository's first commit: active on every instance after start. */
  String firstRevision;
  int milvusFrontend;
  int chromaFrontend;

  /** One gateway process and its ports. */
  static final class Instance {
    final String name;
    final int milvusPort;
    final int chromaPort;
    final int healthPort;
    final int adminPort;
    final Path recording;
    final Path log;
    Process process;

    Instance(String name, Path work) {
      this.name = name;
      this.milvusPort = MilvusLite.freePort();
      this.chromaPort = MilvusLite.freePort();
      this.healthPort = MilvusLite.freePort();
      this.adminPort = MilvusLite.freePort();
      this.recording = work.resolve(name + "-recording");
      this.log = work.resolve(name + ".log");
    }

    String milvusAddress() {
      return "127.0.0.1:" + milvusPort;
    }
  }

  private ScaleOutCluster(Path work, PostgresFixture postgres, MilvusLite milvus, ChromaServer chroma, OidcProvider oidc) {
    this.work = work;
    this.postgres = postgres;
    this.milvus = milvus;
    this.chroma = chroma;
    this.oidc = oidc;
  }

  static ScaleOutCluster start(Path work) throws Exception {
    PostgresFixture pg = PostgresFixture.start();
    MilvusLite milvus = null;
    ChromaServer chroma = null;
    OidcProvider oidc = null;
    try {
      milvus = MilvusLite.start(work, 0);
      chroma = ChromaServer.start(work);
      oidc = OidcProvider.start(0);
      ScaleOutCluster c = new ScaleOutCluster(work, pg, milvus, chroma, oidc);
      try {
        c.startInstances();
        c.startHaproxy();
        return c;
      } catch (Exception | Error e) {
        c.close();
        throw e;
      }
    } catch (Exception | Error e) {
      if (oidc != null) {
        oidc.close();
      }
      if (chroma != null) {
        chroma.close();
      }
      if (milvus != null) {
        milvus.close();
      }
      pg.close();
      throw e;
    }
  }

  private void startInstances() throws Exception {
    String approvals = postgres.freshDatabase("vg_scale_apr");
    String budgets = postgres.freshDatabase("vg_scale_budget");
    String rolloutState = postgres.freshDatabase("vg_scale_rollout");
    policyRepository();
    for (int i = 1; i <= INSTANCES; i++) {
      instances.add(new Instance("gw" + i, work));
    }
    for (Instance in : instances) {
      Path cfg = work.resolve(in.name + ".yaml");
      Files.writeString(cfg, config(in, approvals, budgets, rolloutState));
      launch(in, cfg);
    }
    for (Instance in : instances) {
      awaitReady(in);
    }
  }

  /**
   * The git repository every instance follows ({@code policy.source}, one shared rollout state):
   * {@code policies/} holds the shipped library, the demos' client-handshake rules and the
   * organisation below; the first commit is {@link #firstRevision}.
   */
  private void policyRepository() throws Exception {
    Path root = MilvusLite.root();
    repo = work.resolve("policy-repo");
    Path policies = Files.createDirectories(repo.resolve("policies"));
    Path lib = root.resolve("rego-policies/src/main/rego");
    try (var files = Files.walk(lib)) {
      for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
        Path to = policies.resolve(lib.relativize(f).toString()); // vectorgate/core.rego: the table, as shipped
        Files.createDirectories(to.getParent());
        Files.copy(f, to);
      }
    }
    Files.copy(root.resolve("samples/milvus-demo/rego/session.rego"), policies.resolve("milvus_session.rego"));
    Files.copy(root.resolve("samples/chroma-demo/rego/session.rego"), policies.resolve("chroma_session.rego"));
    Files.writeString(policies.resolve("data.json"), organisation());
    git = org.eclipse.jgit.api.Git.init().setDirectory(repo.toFile()).setInitialBranch("main").call();
    git.add().addFilepattern("policies").call();
    firstRevision = commitAll("the shipped library and the test organisation");
  }

  /** Writes {@code content} to {@code policies/<file>} and commits; the commit's SHA. */
  String commit(String file, String content) throws Exception {
    Files.writeString(repo.resolve("policies").resolve(file), content);
    git.add().addFilepattern("policies/" + file).call();
    return commitAll(file);
  }

  private String commitAll(String message) throws Exception {
    org.eclipse.jgit.lib.PersonIdent who = new org.eclipse.jgit.lib.PersonIdent("scaleout", "scaleout@example.test");
    return git.commit().setMessage(message).setAuthor(who).setCommitter(who).call().getName();
  }

  /** The sample organisation: analysts' budget lowered, the write window waived for the writers. */
  private static String organisation() throws IOException {
    Path root = MilvusLite.root();
    ObjectNode org = (ObjectNode) JSON.readTree(root.resolve("samples/org/data.json").toFile());
    ObjectNode vc = (ObjectNode) org.get("vectorgate_config");
    ((ObjectNode) vc.get("roles").get("analysts").get("budget")).put("requests_per_minute", ANALYST_BUDGET);
    // the writers under load (admins) would otherwise run into the default 120 requests per minute
    ((ObjectNode) vc.get("roles").get("admins")).putObject("budget").put("requests_per_minute", 1_000_000)
        .put("rows_per_hour", 1_000_000_000).put("vectors_per_hour", 1_000_000_000).put("pages_per_hour", 1_000_000)
        .put("max_offset", 16384);
    ArrayNode exempt = (ArrayNode) vc.get("write_window").get("exempt_groups");
    exempt.add("admins").add("ml-engineers");
    ((ObjectNode) vc.get("bulk_delete")).put("expires_in_seconds", 300);
    return JSON.writeValueAsString(org);
  }

  private String config(Instance in, String approvalsUrl, String budgetsUrl, String rolloutState) {
    return """
        listeners:
          - {name: milvus, kind: milvus-grpc, address: "127.0.0.1:%d", connection: lite}
          - {name: chroma, kind: http, address: "127.0.0.1:%d", connection: chroma}
        connections:
          - {name: lite, kind: milvus, upstream: "%s", credential: {env: VG_MILVUS_TOKEN}, row_filter_binding: literal,
             timeout_seconds: 60}
          - {name: chroma, kind: chroma, upstream: "%s", credential: {env: VG_CHROMA_TOKEN}, timeout_seconds: 60}
        identity: {issuer: "%s", audiences: [vectorgate], algorithms: [RS256], groups_claim: groups, tenant_claim: tenant}
        policy:
          source:
            kind: git
            url: "%s"
            branch: main
            path: policies
            poll_interval_seconds: 1
            state: "%s"
            instance_id: %s
            work_dir: "%s"
        masking: {hmac_key: {env: VG_MASK_KEY}}
        admin:
          address: "127.0.0.1:%d"
          reader_groups: [sre]
          operator_groups: [policy-admins]
          metrics: {auth: none}
        approvals:
          store: {postgres: "%s"}
          mode: hold
          max_wait_seconds: 120
          poll_interval_millis: 100
          admin: {read_all_groups: [admins]}
        budgets:
          store: postgres
          postgres: {url: "%s"}
          flush_units: %d
        health: {address: "127.0.0.1:%d", drain_delay_ms: 2000, in_flight_timeout_ms: 10000}
        recording:
          directory: "%s"
          fsync: every_record
          acknowledge: durable
        """.formatted(in.milvusPort, in.chromaPort, milvus.address(), chroma.address(), oidc.issuer(),
        repo, rolloutState, in.name, work.resolve(in.name + "-rollout"), in.adminPort, approvalsUrl, budgetsUrl,
        FLUSH_UNITS, in.healthPort, in.recording);
  }

  /** The test JVM's classpath (surefire/failsafe put it in a system property; the JVM's own may be a manifest jar). */
  static String classpath() {
    String cp = System.getProperty("surefire.test.class.path");
    return cp == null || cp.isBlank() ? System.getProperty("java.class.path") : cp;
  }

  private void launch(Instance in, Path cfg) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Path root = MilvusLite.root();
    ProcessBuilder pb = new ProcessBuilder(List.of(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-Dvectorgate.root=" + root, "-Dvectorgate.opa=" + root.resolve("tools/bin/opa"),
        "-cp", classpath(), "io.vectorgate.proxy.GatewayMain", "--config", cfg.toString()))
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(in.log.toFile()));
    pb.environment().put("VG_MILVUS_TOKEN", GatewayFixture.MILVUS_CREDENTIAL);
    pb.environment().put("VG_CHROMA_TOKEN", "gateway-secret");
    pb.environment().put("VG_MASK_KEY", "test-mask-key-0123456789abcdef");
    in.process = pb.start();
  }

  private void awaitReady(Instance in) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    while (System.nanoTime() < end) {
      if (!in.process.isAlive()) {
        throw new IllegalStateException(in.name + " exited with " + in.process.exitValue() + ":\n" + Files.readString(in.log));
      }
      if (ready(in) == 200) {
        return;
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException(in.name + " not ready within 180 s:\n" + Files.readString(in.log));
  }

  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  /** The instance's /readyz status, or -1 when nothing answers. */
  static int ready(Instance in) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + in.healthPort + "/readyz"))
          .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private void startHaproxy() throws Exception {
    Path bin = haproxyBinary();
    milvusFrontend = MilvusLite.freePort();
    chromaFrontend = MilvusLite.freePort();
    StringBuilder milvusServers = new StringBuilder();
    StringBuilder chromaServers = new StringBuilder();
    for (Instance in : instances) {
      milvusServers.append("  server ").append(in.name).append(" 127.0.0.1:").append(in.milvusPort)
          .append(" proto h2 check port ").append(in.healthPort)
          // the health listener speaks HTTP/1.1; without check-proto the checks would inherit h2 and fail
          .append(" check-proto h1 inter 300ms fall 2 rise 2\n");
      chromaServers.append("  server ").append(in.name).append(" 127.0.0.1:").append(in.chromaPort)
          .append(" check port ").append(in.healthPort).append(" inter 300ms fall 2 rise 2\n");
    }
    String cfg = """
        global
          maxconn 4000
        defaults
          mode http
          timeout connect 2s
          timeout client 180s
          timeout server 180s
          timeout check 1s
          retries 2
          option redispatch
        frontend milvus
          bind 127.0.0.1:%d proto h2
          default_backend gw_milvus
        backend gw_milvus
          balance roundrobin
          option httpchk GET /readyz
          http-check expect status 200
        %sfrontend chroma
          bind 127.0.0.1:%d
          default_backend gw_chroma
        backend gw_chroma
          balance roundrobin
          option httpchk GET /readyz
          http-check expect status 200
        %s""".formatted(milvusFrontend, milvusServers, chromaFrontend, chromaServers);
    Path f = work.resolve("haproxy.cfg");
    Files.writeString(f, cfg);
    Path log = work.resolve("haproxy.log");
    haproxy = new ProcessBuilder(List.of(bin.toString(), "-db", "-f", f.toString()))
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < end) {
      if (!haproxy.isAlive()) {
        throw new IllegalStateException("haproxy exited with " + haproxy.exitValue() + ":\n" + Files.readString(log));
      }
      if (listening(milvusFrontend) && listening(chromaFrontend)) {
        Thread.sleep(1_000); // the first health checks (inter 300 ms, rise 2) mark the servers up
        return;
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("haproxy did not listen within 30 s:\n" + Files.readString(log));
  }

  /** {@code VECTORGATE_HAPROXY}, else what {@code scripts/haproxy.sh} prints (it installs Debian's package when missing). */
  static Path haproxyBinary() throws Exception {
    String env = System.getenv("VECTORGATE_HAPROXY");
    if (env != null && !env.isBlank()) {
      return Path.of(env);
    }
    Process p = new ProcessBuilder(List.of(MilvusLite.root().resolve("scripts/haproxy.sh").toString())).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(10, TimeUnit.MINUTES), "scripts/haproxy.sh timed out");
    assertEquals(0, p.exitValue(), () -> "scripts/haproxy.sh failed: " + err);
    return Path.of(out.lines().reduce((a, b) -> b).orElseThrow());
  }

  private static boolean listening(int port) {
    try (java.net.Socket s = new java.net.Socket()) {
      s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  String milvusFrontend() {
    return "127.0.0.1:" + milvusFrontend;
  }

  String chromaFrontend() {
    return "127.0.0.1:" + chromaFrontend;
  }

  /** A token of a user of {@link #GROUPS}; every user but alice is in tenant acme. */
  String token(String user) {
    return oidc.token(user, GROUPS.get(user), user.equals("alice") ? null : "acme", 3600);
  }

  private static final Pattern REQUESTS = Pattern.compile(
      "^vectorgate_requests_total\\{outcome=\"([a-z_]+)\"} ([0-9.eE+]+)$", Pattern.MULTILINE);

  /** The instance's {@code vectorgate_requests_total} by outcome, from its /metrics. */
  static Map<String, Long> requests(Instance in) throws Exception {
    String body = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + in.adminPort + "/metrics"))
        .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString()).body();
    Map<String, Long> out = new java.util.TreeMap<>();
    Matcher m = REQUESTS.matcher(body);
    while (m.find()) {
      out.put(m.group(1), (long) Double.parseDouble(m.group(2)));
    }
    return out;
  }

  /** Runs a step of python/scaleout_client.py; its JSON line. */
  JsonNode client(String... args) throws Exception {
    String out = MilvusLite.runPython(work, "scaleout_client.py", args);
    return JSON.readTree(out.lines().reduce((a, b) -> b).orElseThrow());
  }

  /** GET or POST (with a JSON body) on an instance's admin API as {@code user}; status and JSON body. */
  JsonNode admin(Instance in, String user, String path, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + in.adminPort + path))
        .header("authorization", "Bearer " + oidc.token(user, List.of(user.equals("otto") ? "policy-admins" : "sre"),
            null, 3600))
        .timeout(Duration.ofSeconds(60));
    b = body == null ? b.GET() : b.header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
    HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), path + ": " + r.body());
    return JSON.readTree(r.body());
  }

  /** The revision active on the instance ({@code GET /v1/policy/status} as a reader). */
  String activeRevision(Instance in) throws Exception {
    return admin(in, "rita", "/v1/policy/status", null).path("active_revision").asText();
  }

  @Override
  public void close() {
    if (git != null) {
      git.close();
    }
    if (haproxy != null) {
      haproxy.destroy();
      await(haproxy);
    }
    for (Instance in : instances) {
      if (in.process != null && in.process.isAlive()) {
        in.process.destroy(); // SIGTERM: the drain
        await(in.process);
      }
    }
    oidc.close();
    chroma.close();
    milvus.close();
    try {
      postgres.close();
    } catch (Exception e) {
      throw new IllegalStateException("stopping PostgreSQL failed", e);
    }
  }

  private static void await(Process p) {
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
