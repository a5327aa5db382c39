package io.vectorgate.proxy.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The whole gateway configuration (one YAML file). Relative paths in the file are resolved
 * against the file's directory by {@link ConfigLoader}; every value here is validated.
 */
public record GatewayConfig(
    @JsonProperty("listeners") List<ListenerConfig> listeners,
    @JsonProperty("connections") List<ConnectionConfig> connections,
    @JsonProperty("identity") IdentityConfig identity,
    @JsonProperty("policy") PolicyConfig policy,
    @JsonProperty("masking") MaskingConfig masking,
    @JsonProperty("limits") LimitsConfig limits,
    @JsonProperty("approvals") ApprovalsConfig approvals,
    @JsonProperty("recording") RecordingConfig recording,
    @JsonProperty("admin") AdminConfig admin,
    @JsonProperty("decision_log") DecisionLogConfig decisionLog,
    @JsonProperty("budgets") BudgetsConfig budgets,
    @JsonProperty("health") HealthConfig health,
    @JsonProperty("tracing") TracingConfig tracing) {

  /** Without a {@code tracing:} section (tracing off). */
  public GatewayConfig(List<ListenerConfig> listeners, List<ConnectionConfig> connections, IdentityConfig identity,
      PolicyConfig policy, MaskingConfig masking, LimitsConfig limits, ApprovalsConfig approvals,
      RecordingConfig recording, AdminConfig admin, DecisionLogConfig decisionLog, BudgetsConfig budgets,
      HealthConfig health) {
    this(listeners, connections, identity, policy, masking, limits, approvals, recording, admin, decisionLog, budgets,
        health, null);
  }

  /** Without {@code budgets:} (usage counted in memory) and {@code health:} sections. */
  public GatewayConfig(List<ListenerConfig> listeners, List<ConnectionConfig> connections, IdentityConfig identity,
      PolicyConfig policy, MaskingConfig masking, LimitsConfig limits, ApprovalsConfig approvals,
      RecordingConfig recording, AdminConfig admin, DecisionLogConfig decisionLog) {
    this(listeners, connections, identity, policy, masking, limits, approvals, recording, admin, decisionLog, null, null);
  }

  /** Without {@code admin:} and {@code decision_log:} sections. */
  public GatewayConfig(List<ListenerConfig> listeners, List<ConnectionConfig> connections, IdentityConfig identity,
      PolicyConfig policy, MaskingConfig masking, LimitsConfig limits, ApprovalsConfig approvals,
      RecordingConfig recording) {
    this(listeners, connections, identity, policy, masking, limits, approvals, recording, null, null, null, null);
  }

  /** Without a {@code recording:} section. */
  public GatewayConfig(List<ListenerConfig> listeners, List<ConnectionConfig> connections, IdentityConfig identity,
      PolicyConfig policy, MaskingConfig masking, LimitsConfig limits, ApprovalsConfig approvals) {
    this(listeners, connections, identity, policy, masking, limits, approvals, null, null, null, null, null);
  }

  /** Without an {@code approvals:} section. */
  public GatewayConfig(List<ListenerConfig> listeners, List<ConnectionConfig> connections, IdentityConfig identity,
      PolicyConfig policy, MaskingConfig masking, LimitsConfig limits) {
    this(listeners, connections, identity, policy, masking, limits, null, null, null, null, null, null);
  }

  public GatewayConfig {
    listeners = listeners == null ? List.of() : List.copyOf(listeners);
    connections = connections == null ? List.of() : List.copyOf(connections);
    limits = limits == null ? LimitsConfig.DEFAULTS : limits;
  }

  /** The connection named {@code name}, if configured. */
  public Optional<ConnectionConfig> connection(String name) {
    return connections.stream().filter(c -> c.name().equals(name)).findFirst();
  }

  /**
   * One listening socket: {@code kind} is the wire protocol served ({@code milvus-grpc}, or
   * {@code http} for the HTTP APIs of Chroma, Qdrant and Pinecone); requests go to
   * {@code connection}. For {@code http} listeners {@code max_inbound_message_bytes} is the body
   * size limit and {@code http} holds the HTTP-only settings.
   *
   * <p>{@code connection_source} is {@code yaml} (default: {@code connection} names an entry of
   * {@code connections:}) or {@code api}: the connections API's store provides it
   * ({@code admin.connections}); until it does, the listener refuses with a retriable
   * {@code connection_unavailable} naming it. {@code connection_kind} is the database kind the
   * listener's clients speak, required with {@code api} on {@code http} listeners ({@code milvus}
   * on {@code milvus-grpc} ones); a stored connection of another kind is refused.
   */
  public record ListenerConfig(
      @JsonProperty("name") String name,
      @JsonProperty("kind") String kind,
      @JsonProperty("address") String address,
      @JsonProperty("connection") String connection,
      @JsonProperty("tls") TlsConfig tls,
      @JsonProperty("max_inbound_message_bytes") Integer maxInboundMessageBytes,
      @JsonProperty("http") HttpSettings http,
      @JsonProperty("connection_source") String connectionSource,
      @JsonProperty("connection_kind") String connectionKind) {
    /** {@code connection_source} values. */
    public static final String SOURCE_YAML = "yaml";
    public static final String SOURCE_API = "api";

    public ListenerConfig {
      maxInboundMessageBytes = maxInboundMessageBytes == null ? 64 * 1024 * 1024 : maxInboundMessageBytes;
      connectionSource = connectionSource == null ? SOURCE_YAML : connectionSource;
      if (connectionKind == null && SOURCE_API.equals(connectionSource) && "milvus-grpc".equals(kind)) {
        connectionKind = "milvus";
      }
    }

    /** A listener of a connection defined in {@code connections:}. */
    public ListenerConfig(String name, String kind, String address, String connection, TlsConfig tls,
        Integer maxInboundMessageBytes, HttpSettings http) {
      this(name, kind, address, connection, tls, maxInboundMessageBytes, http, null, null);
    }

    /** Whether the connections API's store provides the connection ({@code connection_source: api}). */
    public boolean connectionFromApi() {
      return SOURCE_API.equals(connectionSource);
    }
  }

  /**
   * Settings of an {@code http} listener: the deepest JSON nesting accepted in a request body,
   * the largest request head (line plus headers), HTTP/2 concurrent streams per connection and
   * the idle timeout of client connections.
   */
  public record HttpSettings(
      @JsonProperty("max_json_depth") Integer maxJsonDepth,
      @JsonProperty("max_header_bytes") Integer maxHeaderBytes,
      @JsonProperty("max_concurrent_streams") Integer maxConcurrentStreams,
      @JsonProperty("idle_timeout_seconds") Long idleTimeoutSeconds) {
    public static final HttpSettings DEFAULTS = new HttpSettings(null, null, null, null);

    public HttpSettings {
      maxJsonDepth = maxJsonDepth == null ? 64 : maxJsonDepth;
      maxHeaderBytes = maxHeaderBytes == null ? 16 * 1024 : maxHeaderBytes;
      maxConcurrentStreams = maxConcurrentStreams == null ? 128 : maxConcurrentStreams;
      idleTimeoutSeconds = idleTimeoutSeconds == null ? 300L : idleTimeoutSeconds;
    }
  }

  /** A PEM certificate chain and private key (files). */
  public record TlsConfig(
      @JsonProperty("cert_file") Path certFile,
      @JsonProperty("key_file") Path keyFile) {}

  /**
   * An upstream database and the gateway's own credential for it. {@code row_filter_binding} is
   * {@code template} (values travel as expr_template_values; Milvus 2.5+) or {@code literal} (for
   * upstreams without filter templating, e.g. Milvus Lite 3.x). {@code max_pre_read_ids} is the most
   * ids one row-filtered write by id (upsert, Pinecone update) may address: the gateway reads those
   * rows first to check they are the caller's, and refuses larger writes ({@code row_filter_unverifiable}).
   */
  public record ConnectionConfig(
      @JsonProperty("name") String name,
      @JsonProperty("kind") String kind,
      @JsonProperty("upstream") String upstream,
      @JsonProperty("credential") SecretRef credential,
      @JsonProperty("upstream_tls") Boolean upstreamTls,
      @JsonProperty("timeout_seconds") Long timeoutSeconds,
      @JsonProperty("row_filter_binding") String rowFilterBinding,
      @JsonProperty("max_pre_read_ids")
      @com.fasterxml.jackson.databind.annotation.JsonDeserialize(using = WholeNumber.class) Long maxPreReadIds) {
    /** Default of {@code max_pre_read_ids}. */
    public static final long DEFAULT_MAX_PRE_READ_IDS = 16_384;
    /** Largest accepted {@code max_pre_read_ids}. */
    public static final long MAX_MAX_PRE_READ_IDS = 1_000_000;

    public ConnectionConfig {
      upstreamTls = upstreamTls != null && upstreamTls;
      rowFilterBinding = rowFilterBinding == null ? "template" : rowFilterBinding;
      timeoutSeconds = timeoutSeconds == null ? 60L : timeoutSeconds;
      maxPreReadIds = maxPreReadIds == null ? DEFAULT_MAX_PRE_READ_IDS : maxPreReadIds;
    }

    /** With the default {@code max_pre_read_ids}. */
    public ConnectionConfig(String name, String kind, String upstream, SecretRef credential, Boolean upstreamTls,
        Long timeoutSeconds, String rowFilterBinding) {
      this(name, kind, upstream, credential, upstreamTls, timeoutSeconds, rowFilterBinding, null);
    }

    /** {@code max_pre_read_ids} as the adapters take it (validated to 1..1,000,000 by the loader). */
    public int preReadIdCap() {
      return Math.toIntExact(maxPreReadIds);
    }
  }

  /** A {@code Long} that must be written as a whole number (Jackson would otherwise truncate 1.5 to 1). */
  static final class WholeNumber extends com.fasterxml.jackson.databind.deser.std.StdDeserializer<Long> {
    WholeNumber() {
      super(Long.class);
    }

    @Override
    public Long deserialize(com.fasterxml.jackson.core.JsonParser p,
        com.fasterxml.jackson.databind.DeserializationContext ctxt) throws java.io.IOException {
      if (p.currentToken() != com.fasterxml.jackson.core.JsonToken.VALUE_NUMBER_INT) {
        return (Long) ctxt.handleUnexpectedToken(Long.class, p);
      }
      return p.getLongValue();
    }
  }

  /** A secret read from an environment variable or a file (exactly one). */
  public record SecretRef(@JsonProperty("env") String env, @JsonProperty("file") Path file) {}

  /**
   * OIDC token validation and claim mapping. The groups claim must be a JSON array of strings and
   * the tenant claim a string; {@code groups_claim_separator} (e.g. {@code ","}) is the one
   * documented mapping that also accepts groups as one string, split on exactly that separator.
   */
  public record IdentityConfig(
      @JsonProperty("issuer") String issuer,
      @JsonProperty("audiences") List<String> audiences,
      @JsonProperty("algorithms") List<String> algorithms,
      @JsonProperty("hmac_secret") SecretRef hmacSecret,
      @JsonProperty("clock_skew_seconds") Long clockSkewSeconds,
      @JsonProperty("groups_claim") String groupsClaim,
      @JsonProperty("tenant_claim") String tenantClaim,
      @JsonProperty("email_claim") String emailClaim,
      @JsonProperty("extra_claims") List<String> extraClaims,
      @JsonProperty("token_cache_seconds") Long tokenCacheSeconds,
      @JsonProperty("token_cache_entries") Integer tokenCacheEntries,
      @JsonProperty("jwks_refresh_min_interval_seconds") Long jwksRefreshMinIntervalSeconds,
      @JsonProperty("jwks_cache_seconds") Long jwksCacheSeconds,
      @JsonProperty("groups_claim_separator") String groupsClaimSeparator) {
    /** Without {@code groups_claim_separator}: the groups claim must be a JSON array of strings. */
    public IdentityConfig(String issuer, List<String> audiences, List<String> algorithms, SecretRef hmacSecret,
        Long clockSkewSeconds, String groupsClaim, String tenantClaim, String emailClaim, List<String> extraClaims,
        Long tokenCacheSeconds, Integer tokenCacheEntries, Long jwksRefreshMinIntervalSeconds, Long jwksCacheSeconds) {
      this(issuer, audiences, algorithms, hmacSecret, clockSkewSeconds, groupsClaim, tenantClaim, emailClaim,
          extraClaims, tokenCacheSeconds, tokenCacheEntries, jwksRefreshMinIntervalSeconds, jwksCacheSeconds, null);
    }

    public IdentityConfig {
      if (groupsClaimSeparator != null && groupsClaimSeparator.isEmpty()) {
        throw new IllegalArgumentException("identity.groups_claim_separator must not be empty (leave it out to"
            + " require a JSON array of strings)");
      }
      audiences = audiences == null ? List.of() : List.copyOf(audiences);
      algorithms = algorithms == null ? List.of("RS256", "ES256") : List.copyOf(algorithms);
      clockSkewSeconds = clockSkewSeconds == null ? 30L : clockSkewSeconds;
      groupsClaim = groupsClaim == null ? "groups" : groupsClaim;
      tenantClaim = tenantClaim == null ? "tenant" : tenantClaim;
      emailClaim = emailClaim == null ? "email" : emailClaim;
      extraClaims = extraClaims == null ? List.of() : List.copyOf(extraClaims);
      tokenCacheSeconds = tokenCacheSeconds == null ? 300L : tokenCacheSeconds;
      tokenCacheEntries = tokenCacheEntries == null ? 10_000 : tokenCacheEntries;
      jwksRefreshMinIntervalSeconds = jwksRefreshMinIntervalSeconds == null ? 30L : jwksRefreshMinIntervalSeconds;
      jwksCacheSeconds = jwksCacheSeconds == null ? 300L : jwksCacheSeconds;
    }
  }

  /**
   * Where the policy comes from: directories of .rego files plus one data file, compiled once at
   * start-up; or {@code source}, a git repository or bundle server the policy is rolled out from
   * (see {@link io.vectorgate.proxy.rollout.PolicySourceConfig}).
   */
  public record PolicyConfig(
      @JsonProperty("rego_dirs") List<Path> regoDirs,
      @JsonProperty("data_file") Path dataFile,
      @JsonProperty("source") io.vectorgate.proxy.rollout.PolicySourceConfig source,
      @JsonProperty("engine") String engine,
      @JsonProperty("shadow_rate") Double shadowRate) {
    public PolicyConfig {
      regoDirs = regoDirs == null ? List.of() : List.copyOf(regoDirs);
    }

    public PolicyConfig(List<Path> regoDirs, Path dataFile, io.vectorgate.proxy.rollout.PolicySourceConfig source) {
      this(regoDirs, dataFile, source, null, null);
    }

    /** Static directories, no rollout source. */
    public PolicyConfig(List<Path> regoDirs, Path dataFile) {
      this(regoDirs, dataFile, null);
    }

    /**
     * {@code engine: wasm|plan}; without the key, {@code EngineConfig.Engine.defaultEngine()} (plan,
     * unless {@code -Dvectorgate.engine} / {@code VECTORGATE_ENGINE} name another). Unknown names are
     * an IllegalArgumentException.
     */
    public io.vectorgate.engine.EngineConfig.Engine engineKind() {
      return engine == null ? io.vectorgate.engine.EngineConfig.Engine.defaultEngine()
          : io.vectorgate.engine.EngineConfig.Engine.parse(engine);
    }

    /**
     * This section's engine settings on {@code b}: the {@code engine} key when present (an explicit
     * choice: {@code engine: plan} then refuses bundles the plan engine cannot load, see
     * {@code EngineConfig.planFallback}), else the builder's default (plan, falling back to Wasm for
     * such bundles); and {@code shadow_rate}.
     */
    public io.vectorgate.engine.EngineConfig.Builder applyTo(io.vectorgate.engine.EngineConfig.Builder b) {
      if (engine != null) {
        b.engine(io.vectorgate.engine.EngineConfig.Engine.parse(engine));
      }
      return b.shadowRate(shadowRateOrZero());
    }

    /** {@code shadow_rate} (default 0): share of plan decisions also run on the Wasm engine and compared. */
    public double shadowRateOrZero() {
      return shadowRate == null ? 0 : shadowRate;
    }
  }

  /** The key of keyed-hash masking. */
  public record MaskingConfig(@JsonProperty("hmac_key") SecretRef hmacKey) {}

  /** Resource bounds of request handling. */
  public record LimitsConfig(
      @JsonProperty("worker_threads") Integer workerThreads,
      @JsonProperty("queue_size") Integer queueSize,
      @JsonProperty("max_message_bytes_ceiling") Integer maxMessageBytesCeiling,
      @JsonProperty("io_threads") Integer ioThreads) {
    public static final LimitsConfig DEFAULTS = new LimitsConfig(null, null, null, null);

    public LimitsConfig {
      workerThreads = workerThreads == null ? Math.max(4, 2 * Runtime.getRuntime().availableProcessors()) : workerThreads;
      queueSize = queueSize == null ? 1024 : queueSize;
      maxMessageBytesCeiling = maxMessageBytesCeiling == null ? 512 * 1024 * 1024 : maxMessageBytesCeiling;
      ioThreads = ioThreads == null ? Runtime.getRuntime().availableProcessors() : ioThreads;
    }
  }
}
