package io.vectorgate.proxy.testing;

import io.vectorgate.engine.PolicyEngine;
import io.vectorgate.proxy.Gateway;
import io.vectorgate.proxy.adapter.AdapterRegistry;
import io.vectorgate.proxy.config.ConfigLoader;
import io.vectorgate.proxy.config.GatewayConfig;
import io.vectorgate.proxy.pipeline.ApprovalGate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The one place in the tests that knows the shape of the gateway YAML: typed settings (listeners,
 * connections, identity, policy, masking) plus optional top-level sections ({@code approvals:},
 * {@code recording:}, {@code health:}, {@code admin:}, {@code budgets:}, {@code limits:}, ...),
 * written to a file, loaded with {@link ConfigLoader} (so the test goes through the production
 * parser) and started with {@link Gateway#start}. Peers are not started here: they stay in their
 * fixtures ({@link MilvusLite}, {@code e2e.ChromaServer}, {@link OidcProvider},
 * {@link PostgresFixture}, the fakes under {@code fakes}); pass their addresses in.
 *
 * <p>Defaults: the shipped Rego library plus no demo rules, the sample organisation
 * (samples/org/data.json), masking with {@link #MASK_KEY}, the policy clock at
 * {@link #POLICY_TIME}, {@link ApprovalGate#DENY}, {@link AdapterRegistry#defaults()}, and an
 * engine compiled from the config (owned, closed with the gateway) unless one is shared in.
 */
public final class GatewayTestBuilder {
  /** A Wednesday, 10:00 in Europe/Berlin (inside the sample write window). */
  public static final Instant POLICY_TIME = Instant.parse("2026-11-25T09:00:00Z");
  public static final String MASK_KEY = "test-mask-key-0123456789abcdef";

  private final Path dir;
  private String fileName = "gateway.yaml";
  private final List<Listener> listeners = new ArrayList<>();
  private final List<Connection> connections = new ArrayList<>();
  private Identity identity;
  private final List<Path> regoDirs = new ArrayList<>(List.of(MilvusLite.root().resolve("rego-policies/src/main/rego")));
  private Optional<Path> dataFile = Optional.of(MilvusLite.root().resolve("samples/org/data.json"));
  private String policyEngine;
  private final Map<String, String> sections = new LinkedHashMap<>();
  private String extraYaml = "";
  private final Map<String, String> env = new LinkedHashMap<>(Map.of("VG_MASK_KEY", MASK_KEY));
  private Clock clock;
  private PolicyEngine sharedEngine;
  private ApprovalGate approvalGate = ApprovalGate.DENY;
  private AdapterRegistry adapters = AdapterRegistry.defaults();

  private GatewayTestBuilder(Path dir) {
    this.dir = dir;
  }

  /** A builder whose config file is written into {@code dir}. */
  public static GatewayTestBuilder in(Path dir) {
    return new GatewayTestBuilder(dir);
  }

  /** The config file's name in the directory (default {@code gateway.yaml}). */
  public GatewayTestBuilder file(String name) {
    this.fileName = name;
    return this;
  }

  public GatewayTestBuilder listener(Listener l) {
    listeners.add(l);
    return this;
  }

  /** A connection; its credential's value is put into the gateway's environment. */
  public GatewayTestBuilder connection(Connection c) {
    connections.add(c);
    if (c.credentialEnv != null) {
      env.put(c.credentialEnv, c.credentialValue);
    }
    return this;
  }

  public GatewayTestBuilder identity(Identity i) {
    this.identity = i;
    return this;
  }

  /** Shorthand: the issuer of {@code oidc}, audience vectorgate, RS256, nothing else. */
  public GatewayTestBuilder identity(OidcProvider oidc) {
    return identity(Identity.of(oidc.issuer()));
  }

  /** A demo's Rego directory under samples/ (e.g. {@code milvus-demo}), compiled after the shipped library. */
  public GatewayTestBuilder sampleRego(String demo) {
    regoDirs.add(MilvusLite.root().resolve("samples/" + demo + "/rego"));
    return this;
  }

  /** Further Rego directories, compiled after those named so far. */
  public GatewayTestBuilder regoDirs(List<Path> dirs) {
    regoDirs.addAll(dirs);
    return this;
  }

  /** The policy data file (default: the sample organisation). */
  public GatewayTestBuilder dataFile(Path f) {
    this.dataFile = Optional.of(f);
    return this;
  }

  /** {@code policy.engine: <name>} ({@code wasm} or {@code plan}); unset, the gateway's default. */
  public GatewayTestBuilder policyEngine(String name) {
    this.policyEngine = name;
    return this;
  }

  /** No {@code data_file:} (policies that need no organisation data). */
  public GatewayTestBuilder noDataFile() {
    this.dataFile = Optional.empty();
    return this;
  }

  /**
   * An optional top-level section, {@code name:} followed by {@code body} indented under it
   * ({@code body} is YAML as it would stand under the key, e.g. {@code "store: {sqlite: x.db}\nmode: hold"}),
   * or {@code name: body} when {@code body} is one flow-style line ({@code {address: ...}}). A
   * {@code policy} section replaces the typed Rego directories and data file (e.g. a {@code source:}
   * for rollout tests).
   */
  public GatewayTestBuilder section(String name, String body) {
    if (sections.put(name, body) != null) {
      throw new IllegalArgumentException("section `" + name + "` given twice");
    }
    return this;
  }

  /** Raw YAML appended after everything else (for fixtures whose callers pass whole sections). */
  public GatewayTestBuilder extraYaml(String yaml) {
    this.extraYaml = yaml == null ? "" : yaml;
    return this;
  }

  /** A further environment variable the gateway reads ({@code env:} secrets). */
  public GatewayTestBuilder env(String name, String value) {
    env.put(name, value);
    return this;
  }

  /** The policy clock (default: the system clock offset to {@link #POLICY_TIME}). */
  public GatewayTestBuilder clock(Clock c) {
    this.clock = c;
    return this;
  }

  /** An engine compiled elsewhere (shared by several gateways); the gateway does not close it. */
  public GatewayTestBuilder engine(PolicyEngine e) {
    this.sharedEngine = e;
    return this;
  }

  public GatewayTestBuilder approvalGate(ApprovalGate g) {
    this.approvalGate = g;
    return this;
  }

  public GatewayTestBuilder adapters(AdapterRegistry a) {
    this.adapters = a;
    return this;
  }

  /** The YAML this builder writes. */
  public String yaml() {
    if (listeners.isEmpty() || identity == null) {
      throw new IllegalStateException("a gateway test config needs a listener and an identity issuer");
    }
    StringBuilder y = new StringBuilder("listeners:\n");
    listeners.forEach(l -> l.write(y));
    y.append(connections.isEmpty() ? "connections: []\n" : "connections:\n"); // [] : listeners of API-provided ones
    connections.forEach(c -> c.write(y));
    identity.write(y);
    if (!sections.containsKey("policy")) {
      y.append("policy:\n  rego_dirs: [");
      for (int i = 0; i < regoDirs.size(); i++) {
        y.append(i == 0 ? "" : ", ").append(quote(regoDirs.get(i).toString()));
      }
      y.append("]\n");
      dataFile.ifPresent(f -> y.append("  data_file: ").append(quote(f.toString())).append('\n'));
      if (policyEngine != null) {
        y.append("  engine: ").append(policyEngine).append('\n');
      }
    }
    y.append("masking:\n  hmac_key: {env: VG_MASK_KEY}\n");
    sections.forEach((name, body) -> {
      String b = body.strip();
      if (b.startsWith("{") && !b.contains("\n")) {
        y.append(name).append(": ").append(b).append('\n');
      } else {
        y.append(name).append(":\n");
        b.lines().forEach(line -> y.append("  ").append(line.stripTrailing()).append('\n'));
      }
    });
    return y + extraYaml;
  }

  /** Writes the config file and returns its path. */
  public Path write() throws IOException {
    Path f = dir.resolve(fileName);
    Files.writeString(f, yaml());
    return f;
  }

  /** Writes and loads the config through the production parser. */
  public GatewayConfig config() throws IOException {
    return ConfigLoader.load(write());
  }

  /** Writes, loads and compiles an engine for this config (the caller closes it; e.g. to share it). */
  public PolicyEngine compileEngine() throws IOException {
    return Gateway.compileEngine(config().policy());
  }

  /** Writes, loads and starts the gateway. */
  public Started start() throws IOException {
    GatewayConfig cfg = config();
    PolicyEngine engine = sharedEngine != null ? sharedEngine : Gateway.compileEngine(cfg.policy());
    try {
      Clock c = clock != null ? clock
          : Clock.offset(Clock.systemUTC(), Duration.between(Instant.now(), POLICY_TIME));
      Map<String, String> e = Map.copyOf(env);
      Gateway g = Gateway.start(cfg, e::get, c, engine, approvalGate, adapters);
      return new Started(g, engine, cfg, sharedEngine == null);
    } catch (IOException | RuntimeException | Error e) {
      if (sharedEngine == null) {
        engine.close();
      }
      throw e;
    }
  }

  /**
   * Writes, loads and starts the gateway as {@code GatewayMain} does ({@link Gateway#fromConfig}:
   * the gateway compiles and owns its engine, decision log and policy rollout, and opens the admin
   * API). Ignores {@link #engine}, {@link #approvalGate} and {@link #adapters}.
   */
  public Gateway startFromConfig() throws IOException {
    Map<String, String> e = Map.copyOf(env);
    Clock c = clock != null ? clock : Clock.offset(Clock.systemUTC(), Duration.between(Instant.now(), POLICY_TIME));
    return Gateway.fromConfig(config(), e::get, c);
  }

  /** A started gateway; {@link #close} closes the gateway and the engine when it compiled it. */
  public record Started(Gateway gateway, PolicyEngine engine, GatewayConfig config, boolean ownsEngine)
      implements AutoCloseable {
    public int port(String listener) {
      return gateway.port(listener);
    }

    @Override
    public void close() {
      try {
        gateway.close();
      } finally {
        if (ownsEngine) {
          engine.close();
        }
      }
    }
  }

  /** A listener: {@code kind} is {@code milvus-grpc} or {@code http}; options are written in the order given. */
  public static final class Listener {
    private final String name;
    private final String kind;
    private final String connection;
    private final Map<String, String> options = new LinkedHashMap<>();

    private Listener(String name, String kind, String connection) {
      this.name = name;
      this.kind = kind;
      this.connection = connection;
    }

    public static Listener milvus(String name, String connection) {
      return new Listener(name, "milvus-grpc", connection);
    }

    public static Listener http(String name, String connection) {
      return new Listener(name, "http", connection);
    }

    public Listener maxInboundBytes(int n) {
      return option("max_inbound_message_bytes", String.valueOf(n));
    }

    /** The {@code http:} options as flow YAML, e.g. {@code {max_json_depth: 32}}. */
    public Listener http(String flow) {
      return option("http", flow);
    }

    public Listener tls(Path certFile, Path keyFile) {
      return option("tls", "{cert_file: " + quote(certFile.toString()) + ", key_file: " + quote(keyFile.toString()) + "}");
    }

    /** Any further key with its YAML value as written. */
    public Listener option(String key, String yamlValue) {
      options.put(key, yamlValue);
      return this;
    }

    void write(StringBuilder y) {
      y.append("  - name: ").append(name).append('\n')
          .append("    kind: ").append(kind).append('\n')
          .append("    address: \"127.0.0.1:0\"\n")
          .append("    connection: ").append(connection).append('\n');
      options.forEach((k, v) -> y.append("    ").append(k).append(": ").append(v).append('\n'));
    }
  }

  /** A connection: {@code kind} milvus, chroma, qdrant or pinecone. */
  public static final class Connection {
    private final String name;
    private final String kind;
    private final String upstream;
    private String credentialEnv;
    private String credentialValue;
    private final Map<String, String> options = new LinkedHashMap<>();

    private Connection(String name, String kind, String upstream) {
      this.name = name;
      this.kind = kind;
      this.upstream = Objects.requireNonNull(upstream, "upstream");
    }

    public static Connection of(String name, String kind, String upstream) {
      return new Connection(name, kind, upstream);
    }

    /** {@code credential: {env: NAME}}, the gateway's environment holding {@code value}. */
    public Connection credential(String envName, String value) {
      this.credentialEnv = envName;
      this.credentialValue = value;
      return this;
    }

    public Connection timeoutSeconds(int s) {
      return option("timeout_seconds", String.valueOf(s));
    }

    /** {@code literal} for Milvus Lite 3.x, which has no filter templating. */
    public Connection rowFilterBinding(String binding) {
      return option("row_filter_binding", binding);
    }

    public Connection option(String key, String yamlValue) {
      options.put(key, yamlValue);
      return this;
    }

    void write(StringBuilder y) {
      y.append("  - name: ").append(name).append('\n')
          .append("    kind: ").append(kind).append('\n')
          .append("    upstream: ").append(quote(upstream)).append('\n');
      if (credentialEnv != null) {
        y.append("    credential: {env: ").append(credentialEnv).append("}\n");
      }
      options.forEach((k, v) -> y.append("    ").append(k).append(": ").append(v).append('\n'));
    }
  }

  /** The identity section: issuer, audience {@code vectorgate}, RS256, and the options set. */
  public static final class Identity {
    private final String issuer;
    private final Map<String, String> options = new LinkedHashMap<>();

    private Identity(String issuer) {
      this.issuer = issuer;
    }

    public static Identity of(String issuer) {
      return new Identity(issuer);
    }

    public Identity clockSkewSeconds(int s) {
      return option("clock_skew_seconds", String.valueOf(s));
    }

    /** {@code groups_claim: groups} and {@code tenant_claim: tenant}, written out. */
    public Identity sampleClaims() {
      return option("groups_claim", "groups").option("tenant_claim", "tenant");
    }

    public Identity option(String key, String yamlValue) {
      options.put(key, yamlValue);
      return this;
    }

    void write(StringBuilder y) {
      y.append("identity:\n  issuer: ").append(quote(issuer)).append('\n')
          .append("  audiences: [vectorgate]\n  algorithms: [RS256]\n");
      options.forEach((k, v) -> y.append("  ").append(k).append(": ").append(v).append('\n'));
    }
  }

  /** A YAML double-quoted scalar. */
  public static String quote(String s) {
    return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }
}
