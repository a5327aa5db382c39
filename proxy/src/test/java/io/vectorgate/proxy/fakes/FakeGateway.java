package io.vectorgate.proxy.fakes;

import io.vectorgate.engine.PolicyEngine;
import io.vectorgate.proxy.Gateway;
import io.vectorgate.proxy.testing.GatewayFixture;
import io.vectorgate.proxy.testing.GatewayTestBuilder;
import io.vectorgate.proxy.testing.GatewayTestBuilder.Connection;
import io.vectorgate.proxy.testing.GatewayTestBuilder.Identity;
import io.vectorgate.proxy.testing.GatewayTestBuilder.Listener;
import io.vectorgate.proxy.testing.OidcProvider;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The gateway with one HTTP listener ({@code api}: HTTP/1.1 and h2c) in front of a fake upstream
 * (Qdrant or Pinecone, which cannot run here), a real OIDC provider, and the shipped Rego library
 * with the sample organisation (samples/org/data.json). The Pinecone adapter is registered with
 * the connection name as its index name. Policy time: {@link GatewayTestBuilder#POLICY_TIME}; the
 * config is written by {@link GatewayTestBuilder}.
 */
public final class FakeGateway implements AutoCloseable {
  public static final String CREDENTIAL = "gateway-upstream-key";
  /** alice admins (no tenant), bob analysts (acme), carol ml-engineers (acme). */
  public static final Map<String, List<String>> GROUPS = GatewayFixture.GROUPS;

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
    try {
      GatewayTestBuilder.Started started = GatewayTestBuilder.in(dir).file(kind + "-gateway.yaml")
          .listener(Listener.http("api", connection).maxInboundBytes(1024 * 1024))
          .connection(Connection.of(connection, kind, upstream).credential("VG_UPSTREAM_KEY", CREDENTIAL)
              .timeoutSeconds(30))
          .identity(Identity.of(oidc.issuer()).clockSkewSeconds(5))
          .extraYaml(extraYaml)
          .start();
      return new FakeGateway(oidc, started.gateway(), started.engine());
    } catch (Exception | Error e) {
      oidc.close();
      throw e;
    }
  }

  public int port() {
    return gateway.port("api");
  }

  public String token(String user) {
    return oidc.sampleToken(user);
  }

  @Override
  public void close() {
    gateway.close();
    engine.close();
    oidc.close();
  }
}
