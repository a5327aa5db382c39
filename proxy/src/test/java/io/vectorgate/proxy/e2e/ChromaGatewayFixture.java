package io.vectorgate.proxy.e2e;

import io.netty.handler.ssl.util.SelfSignedCertificate;
import io.vectorgate.engine.PolicyEngine;
import io.vectorgate.proxy.Gateway;
import io.vectorgate.proxy.config.ConfigLoader;
import io.vectorgate.proxy.config.GatewayConfig;
import io.vectorgate.proxy.pipeline.ApprovalGate;
import io.vectorgate.proxy.testing.MilvusLite;
import io.vectorgate.proxy.testing.OidcProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * Chroma + the OIDC provider + the gateway with two HTTP listeners in front of it: {@code chroma}
 * (cleartext: HTTP/1.1 and h2c) and {@code chroma-tls} (TLS, ALPN h2 / http/1.1, self-signed
 * certificate). Policy: the shipped library, the sample organisation and the Chroma handshake
 * rule (samples/chroma-demo/rego); the policy clock is the Milvus fixture's Wednesday morning.
 */
public final class ChromaGatewayFixture implements AutoCloseable {
  public static final String CHROMA_CREDENTIAL = "gateway-chroma-credential";
  /** A Wednesday, 10:00 in Europe/Berlin (inside the sample write window). */
  public static final Instant POLICY_TIME = Instant.parse("2026-11-25T09:00:00Z");
  /** The sample users of the three-user scenario: name → groups. */
  public static final Map<String, java.util.List<String>> GROUPS = Map.of(
      "alice", java.util.List.of("admins"),
      "bob", java.util.List.of("analysts"),
      "carol", java.util.List.of("ml-engineers"));

  public final ChromaServer chroma;
  public final OidcProvider oidc;
  public final Gateway gateway;
  public final SelfSignedCertificate cert;
  private final PolicyEngine engine;

  private ChromaGatewayFixture(ChromaServer chroma, OidcProvider oidc, Gateway gateway, PolicyEngine engine,
      SelfSignedCertificate cert) {
    this.chroma = chroma;
    this.oidc = oidc;
    this.gateway = gateway;
    this.engine = engine;
    this.cert = cert;
  }

  public static ChromaGatewayFixture start(Path workDir) throws Exception {
    return start(workDir, 1024 * 1024);
  }

  public static ChromaGatewayFixture start(Path workDir, int maxBody) throws Exception {
    return start(workDir, maxBody, "");
  }

  /** As above, with {@code extraYaml} appended to the gateway config (e.g. a {@code recording:} section). */
  public static ChromaGatewayFixture start(Path workDir, int maxBody, String extraYaml) throws Exception {
    ChromaServer chroma = ChromaServer.start(workDir);
    OidcProvider oidc = null;
    PolicyEngine engine = null;
    try {
      oidc = OidcProvider.start(0);
      SelfSignedCertificate cert = new SelfSignedCertificate("localhost");
      GatewayConfig cfg = ConfigLoader.load(writeConfig(workDir, oidc.issuer(), chroma.address(), cert, maxBody,
          extraYaml));
      engine = Gateway.compileEngine(cfg.policy());
      Clock policyClock = Clock.offset(Clock.systemUTC(), Duration.between(Instant.now(), POLICY_TIME));
      Gateway gateway = Gateway.start(cfg, Map.of("VG_CHROMA_TOKEN", CHROMA_CREDENTIAL,
              "VG_MASK_KEY", "test-mask-key-0123456789abcdef")::get,
          policyClock, engine, ApprovalGate.DENY);
      return new ChromaGatewayFixture(chroma, oidc, gateway, engine, cert);
    } catch (Exception | Error e) {
      if (engine != null) {
        engine.close();
      }
      if (oidc != null) {
        oidc.close();
      }
      chroma.close();
      throw e;
    }
  }

  private static Path writeConfig(Path dir, String issuer, String upstream, SelfSignedCertificate cert, int maxBody,
      String extraYaml) throws IOException {
    Path root = MilvusLite.root();
    String yaml = """
        listeners:
          - name: chroma
            kind: http
            address: 127.0.0.1:0
            connection: chroma
            max_inbound_message_bytes: %d
            http: {max_json_depth: 32}
          - name: chroma-tls
            kind: http
            address: 127.0.0.1:0
            connection: chroma
            max_inbound_message_bytes: %d
            tls: {cert_file: %s, key_file: %s}
        connections:
          - name: chroma
            kind: chroma
            upstream: %s
            credential: {env: VG_CHROMA_TOKEN}
            timeout_seconds: 30
        identity:
          issuer: %s
          audiences: [vectorgate]
          algorithms: [RS256]
          clock_skew_seconds: 5
        policy:
          rego_dirs: [%s, %s]
          data_file: %s
        masking:
          hmac_key: {env: VG_MASK_KEY}
        """.formatted(maxBody, maxBody, cert.certificate().getAbsolutePath(), cert.privateKey().getAbsolutePath(),
        upstream, issuer, root.resolve("rego-policies/src/main/rego"), root.resolve("samples/chroma-demo/rego"),
        root.resolve("samples/org/data.json")) + extraYaml;
    Path f = dir.resolve("chroma-gateway.yaml");
    Files.writeString(f, yaml);
    return f;
  }

  public int port() {
    return gateway.port("chroma");
  }

  public int tlsPort() {
    return gateway.port("chroma-tls");
  }

  /** A valid token of a sample user (alice admins, bob analysts/acme, carol ml-engineers/acme). */
  public String token(String user) {
    return oidc.token(user, GROUPS.get(user), user.equals("alice") ? null : "acme", 3600);
  }

  @Override
  public void close() {
    gateway.close();
    engine.close();
    oidc.close();
    chroma.close();
    cert.delete();
  }
}
