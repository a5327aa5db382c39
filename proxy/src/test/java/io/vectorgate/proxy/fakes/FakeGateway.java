package io.vectorgate.proxy.fakes;

import io.vectorgate.engine.PolicyEngine;
import io.vectorgate.proxy.Gateway;
import io.vectorgate.proxy.config.ConfigLoader;
import io.vectorgate.proxy.config.GatewayConfig;
import io.vectorgate.proxy.pipeline.ApprovalGate;
import io.vectorgate.proxy.testing.MilvusLite;
import io.vectorgate.proxy.testing.OidcProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The gateway with one HTTP listener ({@code api}: HTTP/1.1 and h2c) in front of a fake upstream
 * (Qdrant or Pinecone, which cannot run here), a real OIDC provider, and the shipped Rego library
 * with the sample organisation (samples/org/data.json). The Pinecone adapter is registered with
 * the connection name as its index name. Policy time: a Wednesday morning in Europe/Berlin.
 */
public final class FakeGateway implements AutoCloseable {
  public static final String CREDENTIAL = "gateway-upstream-key";
  public static final Instant POLICY_TIME = Instant.parse("2026-11-25T09:00:00Z");
  /** alice admins (no tenant), bob analysts (acme), carol ml-engineers (acme). */
  public static final Map<String, List<String>> GROUPS = Map.of(
      "alice", List.of("admins"), "bob", List.of("analysts"), "carol", List.of("ml-engineers"));

  public final OidcProvider oidc;
  public final Gateway gateway;
  private final PolicyEngine engine;

  private FakeGateway(OidcProvider oidc, Gateway gateway, PolicyEngine engine) {
    this.oidc = oidc;
    this.gateway = gateway;
    this.engine = engine;
  }

  /**
   * @param kind {@code qdrant} or {@code pinecone}
   * @param connection the connection name (for Pinecone also the index name, i.e. the collection policies see)
   */
  public static FakeGateway start(Path dir, String kind, String connection, String upstream) throws Exception {
    return start(dir, kind, connection, upstream, "");
  }

  /** As above, with {@code extraYaml} appended to the gateway config (e.g. a {@code recording:} section). */
  public static FakeGateway start(Path dir, String kind, String connection, String upstream, String extraYaml)
      throws Exception {
    OidcProvider oidc = OidcProvider.start(0);
    PolicyEngine engine = null;
    try {
      Path root = MilvusLite.root();
      String yaml = """
          listeners:
            - name: api
              kind: http
              address: 127.0.0.1:0
              connection: %s
              max_inbound_message_bytes: 1048576
          connections:
            - name: %s
              kind: %s
              upstream: %s
              credential: {env: VG_UPSTREAM_KEY}
              timeout_seconds: 30
          identity:
            issuer: %s
            audiences: [vectorgate]
            algorithms: [RS256]
            clock_skew_seconds: 5
          policy:
            rego_dirs: [%s]
            data_file: %s
          masking:
            hmac_key: {env: VG_MASK_KEY}
          """.formatted(connection, connection, kind, upstream, oidc.issuer(), root.resolve("rego-policies/src/main/rego"),
          root.resolve("samples/org/data.json")) + extraYaml;
      Path cfgFile = dir.resolve(kind + "-gateway.yaml");
      Files.writeString(cfgFile, yaml);
      GatewayConfig cfg = ConfigLoader.load(cfgFile);
      engine = Gateway.compileEngine(cfg.policy());
      Clock clock = Clock.offset(Clock.systemUTC(), Duration.between(Instant.now(), POLICY_TIME));
      Gateway gateway = Gateway.start(cfg, Map.of("VG_UPSTREAM_KEY", CREDENTIAL,
          "VG_MASK_KEY", "test-mask-key-0123456789abcdef")::get, clock, engine, ApprovalGate.DENY);
      return new FakeGateway(oidc, gateway, engine);
    } catch (Exception | Error e) {
      if (engine != null) {
        engine.close();
      }
      oidc.close();
      throw e;
    }
  }

  public int port() {
    return gateway.port("api");
  }

  public String token(String user) {
    return oidc.token(user, GROUPS.get(user), user.equals("alice") ? null : "acme", 3600);
  }

  @Override
  public void close() {
    gateway.close();
    engine.close();
    oidc.close();
  }
}
