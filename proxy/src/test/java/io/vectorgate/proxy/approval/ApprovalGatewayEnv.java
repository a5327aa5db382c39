package io.vectorgate.proxy.approval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorgate.approvals.admin.AdminClient;
import io.vectorgate.engine.PolicyEngine;
import io.vectorgate.proxy.Gateway;
import io.vectorgate.proxy.testing.GatewayFixture;
import io.vectorgate.proxy.testing.GatewayTestBuilder;
import io.vectorgate.proxy.testing.GatewayTestBuilder.Connection;
import io.vectorgate.proxy.testing.GatewayTestBuilder.Identity;
import io.vectorgate.proxy.testing.GatewayTestBuilder.Listener;
import io.vectorgate.proxy.testing.MilvusLite;
import io.vectorgate.proxy.testing.OidcProvider;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Milvus Lite + the OIDC provider + gateways with an {@code approvals:} section, the shipped
 * library and the sample organisation (with short approval expiries so the expiry path runs in
 * seconds). Several gateways may share one store (PostgreSQL) and one Milvus Lite. Public so the
 * CLI's integration tests (which run the shaded {@code vectorgate} jar) reuse it from the test-jar.
 */
public final class ApprovalGatewayEnv implements AutoCloseable {
  public static final Map<String, List<String>> GROUPS = Map.of(
      "alice", List.of("admins"),
      "carol", List.of("ml-engineers"),
      "oscar", List.of("break-glass", "ml-engineers"),
      "erin", List.of("db-admins"),
      "frank", List.of("db-admins"),
      "gina", List.of("db-admins"),
      "mallory", List.of("analysts"));
  /** Approvals in the test organisation expire after this many seconds (unless the constructor says otherwise). */
  public static final int EXPIRES = 20;

  final Path work;
  final MilvusLite milvus;
  final OidcProvider oidc;
  final PolicyEngine engine;
  final Path dataFile;
  public final List<Gateway> gateways = new ArrayList<>();

  public ApprovalGatewayEnv(Path work) throws Exception {
    this(work, EXPIRES);
  }

  /** Like {@link #ApprovalGatewayEnv(Path)}, with approvals expiring after {@code expiresSeconds}. */
  public ApprovalGatewayEnv(Path work, int expiresSeconds) throws Exception {
    this(work, expiresSeconds, org -> { });
  }

  /** As above, with {@code editOrg} applied to the sample organisation's {@code vectorgate_config} first. */
  public ApprovalGatewayEnv(Path work, int expiresSeconds, java.util.function.Consumer<ObjectNode> editOrg)
      throws Exception {
    this.work = work;
    this.milvus = MilvusLite.start(work, 0);
    this.oidc = OidcProvider.start(0);
    ObjectMapper m = new ObjectMapper();
    ObjectNode org = (ObjectNode) m.readTree(MilvusLite.root().resolve("samples/org/data.json").toFile());
    ObjectNode vc = (ObjectNode) org.get("vectorgate_config");
    ((ObjectNode) vc.get("bulk_delete")).put("expires_in_seconds", expiresSeconds);
    ((ObjectNode) vc.get("destructive")).put("expires_in_seconds", expiresSeconds);
    editOrg.accept(vc);
    this.dataFile = work.resolve("org-data.json");
    Files.writeString(dataFile, m.writeValueAsString(org));
    this.engine = config("probe", "sqlite: " + work.resolve("probe.db"), "hold", "").compileEngine();
  }

  /** Starts a gateway whose approvals store is {@code storeYaml} (e.g. {@code sqlite: x.db}). */
  public Gateway startGateway(String name, String storeYaml, String mode) throws Exception {
    return startGateway(name, storeYaml, mode, "");
  }

  /** As above, with {@code extraYaml} (top-level sections such as {@code health:}) appended to the config. */
  public Gateway startGateway(String name, String storeYaml, String mode, String extraYaml) throws Exception {
    Gateway g = config(name, storeYaml, mode, extraYaml).engine(engine).start().gateway();
    gateways.add(g);
    return g;
  }

  private GatewayTestBuilder config(String name, String storeYaml, String mode, String extraYaml) {
    return GatewayTestBuilder.in(work).file(name + ".yaml")
        .listener(Listener.milvus("milvus", "lite"))
        .connection(Connection.of("lite", "milvus", milvus.address())
            .credential("VG_MILVUS_TOKEN", GatewayFixture.MILVUS_CREDENTIAL).rowFilterBinding("literal"))
        .identity(Identity.of(oidc.issuer()).sampleClaims())
        .sampleRego("milvus-demo").dataFile(dataFile)
        .section("approvals", """
            store: {%s}
            mode: %s
            max_wait_seconds: 120
            poll_interval_millis: 100
            admin:
              address: 127.0.0.1:0
              read_all_groups: [admins]
            """.formatted(storeYaml, mode))
        .extraYaml(extraYaml);
  }

  public static String address(Gateway g) {
    return "127.0.0.1:" + g.port("milvus");
  }

  public String token(String user) {
    return oidc.token(user, GROUPS.get(user), user.equals("carol") || user.equals("oscar") ? "acme" : null, 3600);
  }

  /** The base URL of {@code g}'s approvals admin API (what {@code vectorgate approvals --gateway} takes). */
  public static String adminUrl(Gateway g) {
    return "http://127.0.0.1:" + g.approvals().orElseThrow().adminPort();
  }

  public AdminClient admin(Gateway g, String user) {
    return new AdminClient(URI.create(adminUrl(g)), token(user));
  }

  /** Runs one approval_client.py step and returns its JSON line. */
  public JsonNode client(Gateway g, String user, String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of("--gateway", address(g), "--token", token(user)));
    all.addAll(List.of(args));
    String out = MilvusLite.runPython(work, "approval_client.py", all.toArray(String[]::new));
    return new ObjectMapper().readTree(out.lines().reduce((a, b) -> b).orElseThrow());
  }

  /** Starts one approval_client.py step in the background (a call that will be held). */
  public Process clientAsync(Gateway g, String user, String tag, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(MilvusLite.venvBin("python").toString(),
        MilvusLite.root().resolve("python/approval_client.py").toString(), "--gateway", address(g), "--token", token(user)));
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).directory(MilvusLite.root().resolve("python").toFile())
        .redirectOutput(work.resolve(tag + ".out").toFile()).redirectError(work.resolve(tag + ".err").toFile()).start();
  }

  public JsonNode result(Process p, String tag) throws Exception {
    assertTrue(p.waitFor(180, TimeUnit.SECONDS), tag + " did not finish; stderr: " + Files.readString(work.resolve(tag + ".err")));
    String out = Files.readString(work.resolve(tag + ".out"));
    assertEquals(0, p.exitValue(), tag + ": " + out + Files.readString(work.resolve(tag + ".err")));
    return new ObjectMapper().readTree(out.lines().reduce((a, b) -> b).orElseThrow());
  }

  /** Waits until {@code approver} sees a pending approval of {@code requester} whose summary contains {@code text}. */
  public JsonNode awaitPending(Gateway g, String approver, String requester, String text) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (System.nanoTime() < end) {
      for (JsonNode a : admin(g, approver).list("pending", 100).get("approvals")) {
        if (a.get("requester").get("subject").asText().equals(requester)
            && a.get("summary").get("text").asText().contains(text)) {
          return a;
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no pending approval of " + requester + " for `" + text + "` within 90 s");
  }

  @Override
  public void close() {
    gateways.forEach(Gateway::close);
    engine.close();
    oidc.close();
    milvus.close();
  }
}
