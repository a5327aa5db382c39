package io.vectorgate.proxy.testing;

import io.vectorgate.engine.PolicyEngine;
import io.vectorgate.proxy.Gateway;
import io.vectorgate.proxy.testing.GatewayTestBuilder.Connection;
import io.vectorgate.proxy.testing.GatewayTestBuilder.Identity;
import io.vectorgate.proxy.testing.GatewayTestBuilder.Listener;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Milvus Lite + the OIDC provider + the gateway with the shipped Rego library and the sample
 * organisation (samples/org/data.json) plus the demo's client-handshake rule
 * (samples/milvus-demo/rego), all on loopback. The policy clock is set to a Wednesday
 * 10:00 Europe/Berlin (inside the sample write window) so writes do not depend on when tests run.
 */
public final class GatewayFixture implements AutoCloseable {
  /** A Wednesday, 10:00 in Europe/Berlin. */
  public static final Instant POLICY_TIME = GatewayTestBuilder.POLICY_TIME;
  public static final String MILVUS_CREDENTIAL = "root:Milvus";

  public final MilvusLite milvus;
  public final OidcProvider oidc;
  public final Gateway gateway;
  public final Path workDir;
  private final PolicyEngine engine;

  private GatewayFixture(MilvusLite milvus, OidcProvider oidc, Gateway gateway, PolicyEngine engine, Path workDir) {
    this.milvus = milvus;
    this.oidc = oidc;
    this.gateway = gateway;
    this.engine = engine;
    this.workDir = workDir;
  }

  /** The sample users: name → (groups, tenant). */
  public static final Map<String, List<String>> GROUPS = Map.of(
      "alice", List.of("admins"),
      "bob", List.of("analysts"),
      "carol", List.of("ml-engineers"));

  public static String tenantOf(String user) {
    return user.equals("alice") ? null : "acme";
  }

  public static GatewayFixture start(Path workDir) throws Exception {
    return start(workDir, null);
  }

  /** As {@link #start(Path)}, on the engine {@code policy.engine} names ({@code wasm} or {@code plan}). */
  public static GatewayFixture startOnEngine(Path workDir, String engine) throws Exception {
    return start(workDir, null, "", io.vectorgate.proxy.adapter.AdapterRegistry.defaults(), List.of(), engine);
  }

  /** Starts everything; {@code upstreamOverride} points the connection elsewhere (e.g. a closed port). */
  public static GatewayFixture start(Path workDir, String upstreamOverride) throws Exception {
    return start(workDir, upstreamOverride, "");
  }

  /** As above, with {@code extraYaml} appended to the gateway config (e.g. a {@code recording:} section). */
  public static GatewayFixture start(Path workDir, String upstreamOverride, String extraYaml) throws Exception {
    return start(workDir, upstreamOverride, extraYaml, io.vectorgate.proxy.adapter.AdapterRegistry.defaults());
  }

  /** As above, with the adapters of {@code adapters} (e.g. one that fails on purpose). */
  public static GatewayFixture start(Path workDir, String upstreamOverride, String extraYaml,
      io.vectorgate.proxy.adapter.AdapterRegistry adapters) throws Exception {
    return start(workDir, upstreamOverride, extraYaml, adapters, List.of(), null);
  }

  /** As {@link #start(Path)}, with test-only Rego directories compiled after the shipped ones. */
  public static GatewayFixture startWithRego(Path workDir, List<Path> extraRegoDirs) throws Exception {
    return start(workDir, null, "", io.vectorgate.proxy.adapter.AdapterRegistry.defaults(), extraRegoDirs, null);
  }

  private static GatewayFixture start(Path workDir, String upstreamOverride, String extraYaml,
      io.vectorgate.proxy.adapter.AdapterRegistry adapters, List<Path> extraRegoDirs, String engine) throws Exception {
    MilvusLite milvus = MilvusLite.start(workDir, 0);
    OidcProvider oidc = null;
    try {
      oidc = OidcProvider.start(0);
      GatewayTestBuilder.Started started = GatewayTestBuilder.in(workDir)
          .listener(Listener.milvus("milvus", "lite").maxInboundBytes(64 * 1024 * 1024))
          .connection(Connection.of("lite", "milvus", upstreamOverride == null ? milvus.address() : upstreamOverride)
              .credential("VG_MILVUS_TOKEN", MILVUS_CREDENTIAL).timeoutSeconds(60)
              .rowFilterBinding("literal"))   // Milvus Lite 3.x has no filter templating
          .identity(Identity.of(oidc.issuer()).clockSkewSeconds(5).sampleClaims())
          .sampleRego("milvus-demo").regoDirs(extraRegoDirs).policyEngine(engine)
          .extraYaml(extraYaml)
          .adapters(adapters)
          .start();
      return new GatewayFixture(milvus, oidc, started.gateway(), started.engine(), workDir);
    } catch (Exception | Error e) {
      if (oidc != null) {
        oidc.close();
      }
      milvus.close();
      throw e;
    }
  }

  /** The gateway's engine. */
  public PolicyEngine engine() {
    return engine;
  }

  public int port() {
    return gateway.port("milvus");
  }

  public String address() {
    return "127.0.0.1:" + port();
  }

  /** A valid token of a sample user. */
  public String token(String user) {
    return oidc.sampleToken(user);
  }

  @Override
  public void close() {
    gateway.close();
    engine.close();
    oidc.close();
    milvus.close();
  }
}
