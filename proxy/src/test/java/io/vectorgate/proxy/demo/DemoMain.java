package io.vectorgate.proxy.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.vectorgate.engine.PolicyEngine;
import io.vectorgate.proxy.Gateway;
import io.vectorgate.proxy.config.ConfigException;
import io.vectorgate.proxy.config.ConfigLoader;
import io.vectorgate.proxy.config.GatewayConfig;
import io.vectorgate.proxy.grpc.AdapterMilvusProtocol;
import io.vectorgate.proxy.pipeline.ApprovalGate;
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
 * token per sample user, and the gateway from {@code --config} with the sample organisation's
 * policy. Writes the tokens to {@code --tokens-out} and runs until interrupted.
 */
public final class DemoMain {
  /** Sample users of samples/org/data.json: groups and tenant. */
  static final Map<String, Object[]> USERS = new LinkedHashMap<>();

  static {
    USERS.put("alice", new Object[] {List.of("admins"), null, "admin: every action, but drop/truncate need break-glass"});
    USERS.put("bob", new Object[] {List.of("analysts"), "acme", "analyst, tenant acme: reads, PII masked, no vectors"});
    USERS.put("carol", new Object[] {List.of("ml-engineers"), "acme", "ML engineer, tenant acme: reads with vectors, writes docs"});
    USERS.put("dave", new Object[] {List.of("analysts", "pii-readers"), "globex", "analyst + PII reader, tenant globex"});
  }

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
    OidcProvider oidc = OidcProvider.start(oidcPort);
    if (!oidc.issuer().equals(cfg.identity().issuer())) {
      oidc.close();
      throw new IllegalStateException("the demo OIDC provider's issuer is " + oidc.issuer() + " but " + config
          + " expects identity.issuer " + cfg.identity().issuer());
    }
    PolicyEngine engine = Gateway.compileEngine(cfg.policy());
    Gateway gateway = Gateway.start(cfg, System::getenv, Clock.systemUTC(), engine, ApprovalGate.DENY,
        AdapterMilvusProtocol.factory());
    gateway.own(engine);
    gateway.own(oidc);

    Map<String, String> tokens = new LinkedHashMap<>();
    for (var u : USERS.entrySet()) {
      @SuppressWarnings("unchecked")
      List<String> groups = (List<String>) u.getValue()[0];
      tokens.put(u.getKey(), oidc.token(u.getKey(), groups, (String) u.getValue()[1], 8 * 3600));
    }
    Files.createDirectories(tokensOut.toAbsolutePath().getParent());
    Files.writeString(tokensOut, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(tokens));

    String gw = cfg.listeners().get(0).address().replaceAll(":0$", ":" + gateway.port(cfg.listeners().get(0).name()));
    StringBuilder sb = new StringBuilder();
    sb.append("\n=== Vectorgate demo is up ===\n");
    sb.append("gateway (Milvus gRPC):  ").append(gw).append("   upstream Milvus Lite: ")
        .append(cfg.connections().get(0).upstream()).append('\n');
    sb.append("OIDC provider:          ").append(oidc.issuer()).append("/.well-known/openid-configuration\n");
    sb.append("policy:                 rego-policies/src/main/rego + samples/org/data.json\n\n");
    sb.append("Sample users (tokens valid 8 hours, also in ").append(tokensOut).append("):\n");
    for (var u : USERS.entrySet()) {
      sb.append("  ").append(u.getKey()).append(": ").append(u.getValue()[2]).append('\n');
      sb.append("    token=").append(tokens.get(u.getKey())).append('\n');
    }
    sb.append("\nConnect with pymilvus (.venv/bin/python):\n");
    sb.append("  import json; from pymilvus import MilvusClient\n");
    sb.append("  tok = json.load(open('").append(tokensOut).append("'))\n");
    sb.append("  bob = MilvusClient(uri='http://").append(gw).append("', token=tok['bob'])\n");
    sb.append("  bob.search('docs', data=[[4.0, 1.0, 0.5, 0.25]], limit=5, output_fields=['title', 'embedding'])\n");
    sb.append("  bob.query('customers', filter='id >= 1', output_fields=['name', 'email', 'phone'])\n");
    sb.append("  bob.drop_collection('docs')   # MilvusException(code=1401) with the policy's reasons and decision id\n\n");
    sb.append("Scripted session: scripts/demo-session.sh      Stop: Ctrl-C\n");
    System.out.println(sb);
    System.out.flush();

    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      gateway.close();
      stopped.countDown();
    }, "vectorgate-demo-shutdown"));
    stopped.await();
  }
}
