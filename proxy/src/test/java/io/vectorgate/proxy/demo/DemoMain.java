package io.vectorgate.proxy.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.vectorgate.proxy.Gateway;
import io.vectorgate.proxy.config.ConfigException;
import io.vectorgate.proxy.config.ConfigLoader;
import io.vectorgate.proxy.config.GatewayConfig;
import io.vectorgate.proxy.testing.OidcProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * The demo's gateway process (run by scripts/demo.sh): an OIDC provider on loopback that issues a
 * token per sample user, and the gateway from {@code --config} exactly as {@code GatewayMain} runs it
 * (listeners, recording, approvals, admin API, decision log). Writes the tokens to
 * {@code --tokens-out} (JSON) and one file per user next to it ({@code tokens/<user>}), prints how to
 * connect, and runs until interrupted.
 */
public final class DemoMain {
  /** A sample user of samples/org/data.json. */
  record Persona(String name, List<String> groups, String tenant, String shows) {}

  static final List<Persona> USERS = List.of(
      new Persona("alice", List.of("admins"), null,
          "admin: every tenant; drop/truncate of docs need break-glass; quick-starts in the sandbox"),
      new Persona("bob", List.of("analysts"), "acme", "analyst, tenant acme: reads, PII masked, no vectors"),
      new Persona("carol", List.of("ml-engineers", "on-call"), "acme",
          "ML engineer, tenant acme: vectors, writes docs; on call, so no write window; bulk deletes need approval"),
      new Persona("dave", List.of("analysts", "pii-readers"), "globex", "analyst + PII reader, tenant globex"),
      new Persona("erin", List.of("db-admins"), null, "database admin: the approver of bulk deletes"),
      new Persona("frank", List.of("developers"), null,
          "developer: anything on collections of the sandbox `quick-starts` (all but docs, customers, kb_*, embeddings_*)"));

  private DemoMain() {}

  public static void main(String[] args) throws Exception {
    Path config = null;
    Path tokensOut = null;
    int oidcPort = 18080;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--config" -> config = Path.of(args[i + 1]);
        case "--tokens-out" -> tokensOut = Path.of(args[i + 1]);
        case "--oidc-port" -> oidcPort = Integer.parseInt(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    if (config == null || tokensOut == null) {
      System.err.println("usage: DemoMain --config gateway.yaml --tokens-out tokens.json [--oidc-port 18080]");
      System.exit(2);
    }
    GatewayConfig cfg;
    try {
      cfg = ConfigLoader.load(config);
    } catch (ConfigException e) {
      System.err.println("vectorgate demo: invalid configuration: " + e.getMessage());
      System.exit(2);
      return;
    }
    OidcProvider oidc = OidcProvider.start(oidcPort, true); // interactive: the dashboard's login form
    if (!oidc.issuer().equals(cfg.identity().issuer())) {
      oidc.close();
      throw new IllegalStateException("the demo OIDC provider's issuer is " + oidc.issuer() + " but " + config
          + " expects identity.issuer " + cfg.identity().issuer());
    }
    Gateway gateway;
    try {
      gateway = Gateway.fromConfig(cfg, System::getenv, Clock.systemUTC());
    } catch (RuntimeException | java.io.IOException e) {
      oidc.close();
      throw e;
    }
    gateway.own(oidc);

    Map<String, String> tokens = new LinkedHashMap<>();
    Path tokenDir = tokensOut.toAbsolutePath().getParent().resolve("tokens");
    Files.createDirectories(tokenDir);
    for (Persona p : USERS) {
      String token = oidc.token(p.name(), p.groups(), p.tenant(), 8 * 3600);
      tokens.put(p.name(), token);
      Files.writeString(tokenDir.resolve(p.name()), token);
    }
    Files.writeString(tokensOut, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(tokens));

    System.out.println(banner(cfg, gateway, oidc, tokensOut, tokenDir));
    System.out.flush();

    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      gateway.close();
      stopped.countDown();
    }, "vectorgate-demo-shutdown"));
    stopped.await();
  }

  private static String banner(GatewayConfig cfg, Gateway gateway, OidcProvider oidc, Path tokensOut, Path tokenDir) {
    Path root = Path.of(System.getProperty("vectorgate.root", ".")).toAbsolutePath().normalize();
    String milvus = null;
    String chroma = null;
    StringBuilder sb = new StringBuilder("\n=== Vectorgate demo is up ===\n\n");
    for (var l : cfg.listeners()) {
      String addr = "127.0.0.1:" + gateway.port(l.name());
      var c = cfg.connection(l.connection()).orElseThrow();
      if (l.kind().equals("milvus-grpc")) {
        milvus = addr;
      } else if (c.kind().equals("chroma")) {
        chroma = addr;
      }
      sb.append(String.format("%-24s %s   -> %s %s%n", "gateway (" + c.kind() + "):", addr, c.name(), c.upstream()));
    }
    String admin = cfg.admin() == null ? null : "http://127.0.0.1:" + gateway.adminPort();
    if (admin != null) {
      sb.append(String.format("%-24s %s   (/v1/approvals, /v1/sessions, /v1/policy/status)%n", "admin API:", admin));
      sb.append(String.format("%-24s %s/metrics   (curl it: no token needed in the demo)%n", "metrics:", admin));
    }
    if (admin != null && cfg.admin().dashboard() != null) {
      sb.append(String.format("%-24s %s/dashboard/   (logins below)%n", "dashboard:", admin));
    }
    sb.append(String.format("%-24s %s/.well-known/openid-configuration%n", "OIDC provider:", oidc.issuer()));
    sb.append(String.format("%-24s %s%n", "policy:", "rego-policies/src/main/rego + samples/org/data.json"));
    if (cfg.recording() != null) {
      sb.append(String.format("%-24s %s (hash-chained; vectorgate sessions list -d %s)%n", "recording:",
          rel(root, cfg.recording().directory()), rel(root, cfg.recording().directory())));
    }
    if (cfg.approvals() != null) {
      sb.append(String.format("%-24s %s mode: a held call waits until an approver answers%n", "approvals:",
          cfg.approvals().mode()));
    }
    sb.append("\nSample users (tokens valid 8 hours; all in ").append(rel(root, tokensOut)).append(", one per file in ")
        .append(rel(root, tokenDir)).append("/):\n");
    for (Persona p : USERS) {
      sb.append(String.format("  %-6s %s%n", p.name(), p.shows()));
    }
    sb.append("\nThe sample organisation allows writes Monday-Friday 07:00-20:00 Europe/Berlin; carol is in\n")
        .append("`on-call` and frank writes in his sandbox, so the demo's writes work at any time.\n");
    String tok = rel(root, tokenDir);
    if (milvus != null) {
      sb.append("\npymilvus (.venv/bin/python):\n")
          .append("  from pymilvus import MilvusClient\n")
          .append("  bob = MilvusClient(uri='http://").append(milvus).append("', token=open('").append(tok)
          .append("/bob').read())\n")
          .append("  bob.search('docs', data=[[4.0, 1.0, 0.5, 0.25]], limit=5, output_fields=['title', 'embedding'])\n")
          .append("  bob.query('customers', filter='id >= 1', output_fields=['name', 'email', 'phone'])\n")
          .append("  bob.drop_collection('docs')   # MilvusException(code=1401) with the policy's reason and decision id\n");
    }
    if (chroma != null) {
      String[] hp = chroma.split(":");
      sb.append("\nchromadb (.venv/bin/python):\n")
          .append("  import chromadb\n")
          .append("  bob = chromadb.HttpClient(host='").append(hp[0]).append("', port=").append(hp[1])
          .append(", headers={'X-Chroma-Token': open('").append(tok).append("/bob').read()})\n")
          .append("  bob.get_collection('docs').query(query_embeddings=[[4.0, 1.0, 0.5, 0.25]], n_results=5)\n");
    }
    if (admin != null && cfg.approvals() != null) {
      sb.append("\nApprovals (as the approver erin):\n")
          .append("  VECTORGATE_TOKEN=$(cat ").append(tok).append("/erin) scripts/vectorgate approvals list --gateway ")
          .append(admin).append('\n');
    }
    if (admin != null && cfg.admin().dashboard() != null) {
      sb.append(dashboardLogins(cfg, admin));
    }
    sb.append(System.getProperty("vectorgate.demo.footer",
        "\nScripted tour: scripts/demo-session.sh (second terminal)   Logs: .demo/*.log   Stop: Ctrl-C\n"));
    return sb.toString();
  }

  /**
   * Which sample user opens which dashboard page, from the config's groups, and what to type on the
   * provider's login form (user name, and the claims as JSON).
   */
  static String dashboardLogins(GatewayConfig cfg, String admin) {
    var d = cfg.admin().dashboard();
    List<String> auditors = !d.auditorGroups().isEmpty() ? d.auditorGroups()
        : cfg.recording() == null || cfg.recording().admin() == null ? List.of() : cfg.recording().admin().auditorGroups();
    List<String> readers = new java.util.ArrayList<>(cfg.admin().readerGroups());
    readers.addAll(cfg.admin().operatorGroups());
    StringBuilder sb = new StringBuilder("\nDashboard logins (").append(admin).append("/dashboard/: on the provider's page")
        .append(" type the user name and the claims shown):\n");
    for (Persona p : USERS) {
      List<String> pages = new java.util.ArrayList<>();
      boolean auditor = p.groups().stream().anyMatch(auditors::contains);
      boolean reader = p.groups().stream().anyMatch(readers::contains);
      if (auditor || reader) {
        pages.add("Overview");
      }
      if (cfg.approvals() != null && p.groups().stream().anyMatch(d.approverGroups()::contains)) {
        pages.add("Approvals");
      }
      if (auditor && cfg.recording() != null) {
        pages.add("Sessions");
      }
      if (reader) {
        pages.add(p.groups().stream().anyMatch(cfg.admin().operatorGroups()::contains) ? "Policy (pin/rollback)"
            : "Policy (read-only)");
      }
      String claims = "{\"groups\": [" + String.join(", ", p.groups().stream().map(g -> "\"" + g + "\"").toList())
          + "]}";
      sb.append(String.format("  %-6s %-50s claims %s%n", p.name(),
          pages.isEmpty() ? "no page (403 everywhere)" : String.join(", ", pages), claims));
    }
    return sb.toString();
  }

  private static String rel(Path root, Path p) {
    Path abs = p.toAbsolutePath().normalize();
    return abs.startsWith(root) ? root.relativize(abs).toString() : abs.toString();
  }
}
