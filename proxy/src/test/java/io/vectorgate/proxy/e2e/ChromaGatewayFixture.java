package io.vectorgate.proxy.e2e;

import io.netty.handler.ssl.util.SelfSignedCertificate;
import io.vectorgate.engine.PolicyEngine;
import io.vectorgate.proxy.Gateway;
import io.vectorgate.proxy.testing.GatewayFixture;
import io.vectorgate.proxy.testing.GatewayTestBuilder;
import io.vectorgate.proxy.testing.GatewayTestBuilder.Connection;
import io.vectorgate.proxy.testing.GatewayTestBuilder.Identity;
import io.vectorgate.proxy.testing.GatewayTestBuilder.Listener;
import io.vectorgate.proxy.testing.OidcProvider;
import java.nio.file.Path;
import java.util.Map;

/**
 * Chroma + the OIDC provider + the gateway with two HTTP listeners in front of it: {@code chroma}
 * (cleartext: HTTP/1.1 and h2c) and {@code chroma-tls} (TLS, ALPN h2 / http/1.1, self-signed
 * certificate). Policy: the shipped library, the sample organisation and the Chroma handshake
 * rule (samples/chroma-demo/rego); the policy clock is {@link GatewayTestBuilder#POLICY_TIME}. The
 * gateway config is written by {@link GatewayTestBuilder}.
 */
public final class ChromaGatewayFixture implements AutoCloseable {
  public static final String CHROMA_CREDENTIAL = "gateway-chroma-credential";
  /** The sample users of the three-user scenario: name → groups. */
  public static final Map<String, java.util.List<String>> GROUPS = GatewayFixture.GROUPS;

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
    SelfSignedCertificate cert = null;
    try {
      oidc = OidcProvider.start(0);
      cert = new SelfSignedCertificate("localhost");
      GatewayTestBuilder.Started started = GatewayTestBuilder.in(workDir).file("chroma-gateway.yaml")
          .listener(Listener.http("chroma", "chroma").maxInboundBytes(maxBody).http("{max_json_depth: 32}"))
          .listener(Listener.http("chroma-tls", "chroma").maxInboundBytes(maxBody)
              .tls(cert.certificate().toPath(), cert.privateKey().toPath()))
          .connection(Connection.of("chroma", "chroma", chroma.address())
              .credential("VG_CHROMA_TOKEN", CHROMA_CREDENTIAL).timeoutSeconds(30))
          .identity(Identity.of(oidc.issuer()).clockSkewSeconds(5))
          .sampleRego("chroma-demo")
          .extraYaml(extraYaml)
          .start();
      return new ChromaGatewayFixture(chroma, oidc, started.gateway(), started.engine(), cert);
    } catch (Exception | Error e) {
      if (cert != null) {
        cert.delete();
      }
      if (oidc != null) {
        oidc.close();
      }
      chroma.close();
      throw e;
    }
  }

  public int port() {
    return gateway.port("chroma");
  }

  public int tlsPort() {
    return gateway.port("chroma-tls");
  }

  /** A valid token of a sample user (alice admins, bob analysts/acme, carol ml-engineers/acme). */
  public String token(String user) {
    return oidc.sampleToken(user);
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
