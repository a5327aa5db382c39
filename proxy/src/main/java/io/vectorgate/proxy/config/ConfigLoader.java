package io.vectorgate.proxy.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.vectorgate.proxy.config.GatewayConfig.ConnectionConfig;
import io.vectorgate.proxy.config.GatewayConfig.IdentityConfig;
import io.vectorgate.proxy.config.GatewayConfig.ListenerConfig;
import io.vectorgate.proxy.config.GatewayConfig.PolicyConfig;
import io.vectorgate.proxy.config.GatewayConfig.SecretRef;
import io.vectorgate.proxy.config.GatewayConfig.TlsConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Loads {@link GatewayConfig} from YAML strictly: unknown keys, duplicate keys, wrong types and
 * missing or inconsistent values fail with a {@link ConfigException} naming the key path.
 */
public final class ConfigLoader {
  /** Listener kinds this build serves. */
  public static final Set<String> LISTENER_KINDS = Set.of("milvus-grpc", "http");
  /** Connection kinds this build speaks. */
  public static final Set<String> CONNECTION_KINDS = Set.of("milvus", "chroma", "qdrant", "pinecone");
  /** Connection kinds an {@code http} listener can front (their HTTP APIs). */
  public static final Set<String> HTTP_CONNECTION_KINDS = Set.of("chroma", "qdrant", "pinecone");
  /**
   * Connection ids the connections API accepts (they appear in URL paths): a letter or digit, then
   * letters, digits, {@code .}, {@code _}, {@code -}; at most 64.
   */
  public static final java.util.regex.Pattern CONNECTION_ID = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  /** Asymmetric JWS algorithms accepted in {@code identity.algorithms}. */
  public static final Set<String> ASYMMETRIC_ALGORITHMS = Set.of(
      "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA", "Ed25519");
  /** Symmetric JWS algorithms, accepted only together with {@code identity.hmac_secret}. */
  public static final Set<String> HMAC_ALGORITHMS = Set.of("HS256", "HS384", "HS512");

  private static final ObjectMapper YAML = YAMLMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .build();

  private ConfigLoader() {}

  /** Reads, resolves (relative paths against the file's directory) and validates {@code file}. */
  public static GatewayConfig load(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new ConfigException(file.toString(), "cannot read config file: " + e.getMessage(), e);
    }
    Path base = file.toAbsolutePath().getParent();
    return parse(text, base, file.toString());
  }

  /** Parses YAML text; relative paths resolve against {@code baseDir}; {@code source} names it in errors. */
  public static GatewayConfig parse(String yaml, Path baseDir, String source) {
    if (yaml.isBlank()) {
      throw new ConfigException(source, "the file is empty");
    }
    com.fasterxml.jackson.databind.JsonNode tree;
    try {
      tree = YAML.readTree(yaml);
    } catch (com.fasterxml.jackson.dataformat.yaml.JacksonYAMLParseException e) {
      // a YAML syntax error (indentation, an unclosed quote, a tab): no key path, only the position
      if (e.getCause() instanceof org.yaml.snakeyaml.error.MarkedYAMLException m && m.getProblemMark() != null) {
        String what = (m.getContext() == null ? "" : m.getContext() + ": ") + (m.getProblem() == null ? "" : m.getProblem());
        throw new ConfigException(source + ":" + (m.getProblemMark().getLine() + 1) + ":"
            + (m.getProblemMark().getColumn() + 1), "not valid YAML: " + what.replace("\t", "\\t"), e);
      }
      throw new ConfigException(source + at(e), "not valid YAML: " + firstLine(e.getOriginalMessage()), e);
    } catch (JsonProcessingException e) {
      tree = null; // reported with its key path or line by readValue below
    }
    boolean shared = tree != null && shareAdminAddress(tree, source);
    GatewayConfig raw;
    try {
      raw = shared ? YAML.treeToValue(tree, GatewayConfig.class) : YAML.readValue(yaml, GatewayConfig.class);
    } catch (UnrecognizedPropertyException e) {
      java.util.SortedSet<String> known = new java.util.TreeSet<>();
      e.getKnownPropertyIds().forEach(k -> known.add(String.valueOf(k)));
      String guess = didYouMean(e.getPropertyName(), known);
      throw new ConfigException(source + keyAt(yaml, e) + ": " + keyPath(e), "unknown key `" + e.getPropertyName() + "`"
          + (guess == null ? "" : "; did you mean `" + guess + "`?") + " known keys here: " + String.join(", ", known), e);
    } catch (JsonMappingException e) {
      if (e instanceof com.fasterxml.jackson.databind.exc.MismatchedInputException m
          && m.getTargetType() == GatewayConfig.SecretRef.class) {
        // Jackson's message quotes the value: a literal secret must not reach the error (nor its cause)
        throw new ConfigException(source + at(e) + ": " + keyPath(e), "must be a secret reference, {env: NAME} or"
            + " {file: /path}; a literal secret is not accepted (and is not echoed)");
      }
      throw new ConfigException(source + at(e) + ": " + keyPath(e), firstLine(e.getOriginalMessage()), e);
    } catch (JsonProcessingException e) {
      throw new ConfigException(source + at(e), "not valid YAML: " + firstLine(e.getOriginalMessage()), e);
    }
    if (raw == null) {
      throw new ConfigException(source, "the file is empty");
    }
    GatewayConfig resolved = resolvePaths(raw, baseDir);
    validate(resolved, source);
    return resolved;
  }

  private static final ObjectMapper JSON = com.fasterxml.jackson.databind.json.JsonMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .build();

  /**
   * One connection from a JSON object (the admin API's body), mapped as strictly as the YAML file:
   * unknown keys, duplicate keys and wrong types fail with a {@link ConfigException} whose key path
   * starts with {@code at}. A {@code credential} that is not a reference object ({@code {"env": NAME}}
   * or {@code {"file": PATH}}) is refused without echoing its value. Not yet validated: see
   * {@link #validateConnection}.
   */
  public static ConnectionConfig connectionFromJson(com.fasterxml.jackson.databind.JsonNode body, String at) {
    if (body == null || !body.isObject()) {
      throw new ConfigException(at, "must be a JSON object");
    }
    com.fasterxml.jackson.databind.JsonNode cred = body.get("credential");
    if (cred != null && !cred.isNull()) {
      if (!cred.isObject()) {
        throw new ConfigException(at + ".credential", "must be a secret reference, {\"env\": \"NAME\"} or"
            + " {\"file\": \"/path\"}; a literal secret is not accepted (and is not echoed)");
      }
      var names = cred.fieldNames();
      while (names.hasNext()) {
        String n = names.next();
        if (!n.equals("env") && !n.equals("file")) {
          throw new ConfigException(at + ".credential", "a secret reference has only `env` or `file` (literal secrets"
              + " are not accepted; the unknown key is not echoed)");
        }
        if (!cred.get(n).isTextual()) {
          throw new ConfigException(at + ".credential." + n, "must be a string");
        }
      }
    }
    try {
      return JSON.treeToValue(body, ConnectionConfig.class);
    } catch (UnrecognizedPropertyException e) {
      java.util.SortedSet<String> known = new java.util.TreeSet<>();
      e.getKnownPropertyIds().forEach(k -> known.add(String.valueOf(k)));
      String guess = didYouMean(e.getPropertyName(), known);
      throw new ConfigException(at + "." + keyPath(e), "unknown key `" + printable(e.getPropertyName()) + "`"
          + (guess == null ? "" : "; did you mean `" + guess + "`?") + " known keys here: " + String.join(", ", known), e);
    } catch (JsonMappingException e) {
      throw new ConfigException(at + "." + keyPath(e), firstLine(e.getOriginalMessage()), e);
    } catch (JsonProcessingException e) {
      throw new ConfigException(at, "not valid JSON: " + firstLine(e.getOriginalMessage()), e);
    }
  }

  /** At most 80 printable ASCII characters of {@code s} (for echoing input in errors). */
  static String printable(String s) {
    String t = s == null ? "" : s.length() > 80 ? s.substring(0, 80) + "..." : s;
    return t.replaceAll("[^\\x20-\\x7e]", "?");
  }

  /**
   * With a top-level {@code admin:} section the approvals API is served on the admin address:
   * {@code approvals.admin.address} is filled in from {@code admin.address} (default
   * {@value AdminConfig#DEFAULT_ADDRESS}); a different address there is an error.
   *
   * @return whether the tree was changed
   */
  private static boolean shareAdminAddress(com.fasterxml.jackson.databind.JsonNode tree, String source) {
    if (!(tree instanceof com.fasterxml.jackson.databind.node.ObjectNode root) || !root.path("admin").isObject()
        || !root.path("approvals").isObject()) {
      return false;
    }
    com.fasterxml.jackson.databind.JsonNode a = root.path("admin").path("address");
    String address = a.isTextual() ? a.asText() : a.isMissingNode() || a.isNull() ? AdminConfig.DEFAULT_ADDRESS : null;
    if (address == null) {
      return false; // a wrong type: the normal mapping reports it with its key path
    }
    var approvals = (com.fasterxml.jackson.databind.node.ObjectNode) root.get("approvals");
    com.fasterxml.jackson.databind.JsonNode apAdmin = approvals.get("admin");
    if (apAdmin == null || apAdmin.isNull()) {
      approvals.putObject("admin").put("address", address);
      return true;
    }
    if (!(apAdmin instanceof com.fasterxml.jackson.databind.node.ObjectNode o)) {
      return false;
    }
    com.fasterxml.jackson.databind.JsonNode given = o.get("address");
    if (given == null || given.isNull()) {
      o.put("address", address);
      return true;
    }
    if (!given.isTextual() || !given.asText().equals(address)) {
      throw new ConfigException(source + ": approvals.admin.address", "with a top-level `admin:` section the approvals"
          + " API is served on `admin.address` (" + address + "); remove `approvals.admin.address`");
    }
    return false;
  }

  /** True for 127.0.0.0/8, ::1 and localhost. */
  static boolean isLoopback(String host) {
    if (host.equals("localhost") || host.equals("::1") || host.equals("0:0:0:0:0:0:0:1")) {
      return true;
    }
    String[] parts = host.split("\\.", -1);
    if (parts.length != 4 || !parts[0].equals("127")) {
      return false;
    }
    for (String p : parts) {
      if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit) || Integer.parseInt(p) > 255) {
        return false;
      }
    }
    return true;
  }

  /** Reads a secret; the key path names where it was configured. */
  public static String readSecret(SecretRef ref, String keyPath, Function<String, String> env) {
    if (ref == null) {
      throw new ConfigException(keyPath, "required");
    }
    if ((ref.env() == null) == (ref.file() == null)) {
      throw new ConfigException(keyPath, "set exactly one of `env` or `file`");
    }
    if (ref.env() != null) {
      String v = env.apply(ref.env());
      if (v == null || v.isEmpty()) {
        throw new ConfigException(keyPath + ".env", "environment variable `" + ref.env() + "` is not set");
      }
      return v;
    }
    try {
      String v = Files.readString(ref.file()).strip();
      if (v.isEmpty()) {
        throw new ConfigException(keyPath + ".file", "file `" + ref.file() + "` is empty");
      }
      return v;
    } catch (IOException e) {
      throw new ConfigException(keyPath + ".file", "cannot read `" + ref.file() + "`: " + e.getMessage(), e);
    }
  }

  private static GatewayConfig resolvePaths(GatewayConfig c, Path base) {
    List<ListenerConfig> listeners = new ArrayList<>();
    for (ListenerConfig l : c.listeners()) {
      if (l == null) {
        listeners.add(null);
        continue;
      }
      TlsConfig tls = l.tls() == null ? null
          : new TlsConfig(resolve(base, l.tls().certFile()), resolve(base, l.tls().keyFile()));
      listeners.add(new ListenerConfig(l.name(), l.kind(), l.address(), l.connection(), tls, l.maxInboundMessageBytes(),
          l.http(), l.connectionSource(), l.connectionKind()));
    }
    List<ConnectionConfig> connections = new ArrayList<>();
    for (ConnectionConfig k : c.connections()) {
      connections.add(k == null ? null : new ConnectionConfig(k.name(), k.kind(), k.upstream(),
          resolve(base, k.credential()), k.upstreamTls(), k.timeoutSeconds(), k.rowFilterBinding(), k.maxPreReadIds()));
    }
    IdentityConfig id = c.identity();
    if (id != null) {
      id = new IdentityConfig(id.issuer(), id.audiences(), id.algorithms(), resolve(base, id.hmacSecret()),
          id.clockSkewSeconds(), id.groupsClaim(), id.tenantClaim(), id.emailClaim(), id.extraClaims(),
          id.tokenCacheSeconds(), id.tokenCacheEntries(), id.jwksRefreshMinIntervalSeconds(), id.jwksCacheSeconds(),
          id.groupsClaimSeparator());
    }
    PolicyConfig pol = c.policy();
    if (pol != null) {
      List<Path> dirs = new ArrayList<>();
      for (Path d : pol.regoDirs()) {
        dirs.add(resolve(base, d));
      }
      pol = new PolicyConfig(dirs, resolve(base, pol.dataFile()),
          pol.source() == null ? null : pol.source().resolve(base), pol.engine(), pol.shadowRate());
    }
    GatewayConfig.MaskingConfig masking = c.masking() == null ? null
        : new GatewayConfig.MaskingConfig(resolve(base, c.masking().hmacKey()));
    return new GatewayConfig(listeners, connections, id, pol, masking, c.limits(),
        c.approvals() == null ? null : c.approvals().resolve(base),
        c.recording() == null ? null : c.recording().resolve(base),
        c.admin() == null ? null : c.admin().resolve(base),
        c.decisionLog() == null ? null : c.decisionLog().resolve(base),
        c.budgets() == null ? null : c.budgets().resolve(base), c.health(),
        c.tracing() == null ? null : c.tracing().resolve(base));
  }

  private static SecretRef resolve(Path base, SecretRef ref) {
    return ref == null ? null : new SecretRef(ref.env(), resolve(base, ref.file()));
  }

  private static Path resolve(Path base, Path p) {
    return p == null || base == null ? p : base.resolve(p).normalize();
  }

  private static void validate(GatewayConfig c, String src) {
    boolean apiListeners = c.listeners().stream().anyMatch(l -> l != null && l.connectionFromApi());
    if (c.connections().isEmpty() && !apiListeners) {
      throw new ConfigException(src + ": connections", "at least one connection is required (or a listener with"
          + " `connection_source: api`)");
    }
    Set<String> names = new HashSet<>();
    for (int i = 0; i < c.connections().size(); i++) {
      String at = src + ": connections[" + i + "]";
      ConnectionConfig k = c.connections().get(i);
      validateConnection(k, at);
      if (!names.add(k.name())) {
        throw new ConfigException(at + ".name", "duplicate connection name `" + k.name() + "`");
      }
    }
    if (c.listeners().isEmpty()) {
      throw new ConfigException(src + ": listeners", "at least one listener is required");
    }
    Set<String> listenerNames = new HashSet<>();
    for (int i = 0; i < c.listeners().size(); i++) {
      String at = src + ": listeners[" + i + "]";
      ListenerConfig l = c.listeners().get(i);
      if (l == null) {
        throw new ConfigException(at, "empty entry");
      }
      requireText(l.name(), at + ".name");
      if (!listenerNames.add(l.name())) {
        throw new ConfigException(at + ".name", "duplicate listener name `" + l.name() + "`");
      }
      requireText(l.kind(), at + ".kind");
      if (!LISTENER_KINDS.contains(l.kind())) {
        throw new ConfigException(at + ".kind", "unknown kind `" + l.kind() + "`; supported: " + LISTENER_KINDS);
      }
      requireHostPort(l.address(), at + ".address");
      requireText(l.connection(), at + ".connection");
      ConnectionConfig fronted = validateConnectionSource(c, l, at);
      if (l.maxInboundMessageBytes() < 1024 || l.maxInboundMessageBytes() > c.limits().maxMessageBytesCeiling()) {
        throw new ConfigException(at + ".max_inbound_message_bytes", "must be between 1024 and limits.max_message_bytes_ceiling ("
            + c.limits().maxMessageBytesCeiling() + "), was " + l.maxInboundMessageBytes());
      }
      if (l.tls() != null) {
        requireFile(l.tls().certFile(), at + ".tls.cert_file");
        requireFile(l.tls().keyFile(), at + ".tls.key_file");
      }
      validateListenerKind(l, fronted, at);
    }
    validateIdentity(c.identity(), src + ": identity");
    PolicyConfig p = c.policy();
    if (p == null) {
      throw new ConfigException(src + ": policy", "required");
    }
    if (p.source() != null) {
      if (!p.regoDirs().isEmpty() || p.dataFile() != null) {
        throw new ConfigException(src + ": policy", "set either `source` or `rego_dirs`/`data_file`, not both");
      }
      p.source().validate(src + ": policy.source");
    } else if (p.regoDirs().isEmpty()) {
      throw new ConfigException(src + ": policy.rego_dirs", "at least one directory of .rego files is required");
    }
    for (int i = 0; i < p.regoDirs().size(); i++) {
      Path d = p.regoDirs().get(i);
      if (d == null || !Files.isDirectory(d)) {
        throw new ConfigException(src + ": policy.rego_dirs[" + i + "]", "not a directory: `" + d + "`");
      }
    }
    if (p.dataFile() != null) {
      requireFile(p.dataFile(), src + ": policy.data_file");
    }
    try {
      p.engineKind();
    } catch (IllegalArgumentException e) {
      throw new ConfigException(src + ": policy.engine", e.getMessage());
    }
    if (!(p.shadowRateOrZero() >= 0 && p.shadowRateOrZero() <= 1)) {
      throw new ConfigException(src + ": policy.shadow_rate", "must be within 0..1, was " + p.shadowRate());
    }
    if (c.approvals() != null) {
      c.approvals().validate(src + ": approvals");
    }
    if (c.admin() != null) {
      c.admin().validate(src + ": admin");
      if (c.recording() != null && c.recording().admin() != null && c.recording().admin().address() != null) {
        throw new ConfigException(src + ": recording.admin.address", "with a top-level `admin:` section the sessions"
            + " API is served on `admin.address`; remove `recording.admin.address`");
      }
    }
    if (c.recording() != null) {
      c.recording().validate(src + ": recording", c.approvals() != null || c.admin() != null);
    }
    if (c.decisionLog() != null) {
      c.decisionLog().validate(src + ": decision_log");
    }
    if (c.budgets() != null) {
      c.budgets().validate(src + ": budgets");
    }
    if (c.health() != null) {
      c.health().validate(src + ": health");
    }
    if (c.tracing() != null) {
      c.tracing().validate(src + ": tracing");
    }
    if (c.masking() == null || c.masking().hmacKey() == null) {
      throw new ConfigException(src + ": masking.hmac_key", "required (`env` or `file`): the key of hash masking");
    }
    var lim = c.limits();
    if (lim.workerThreads() < 1 || lim.workerThreads() > 1024) {
      throw new ConfigException(src + ": limits.worker_threads", "must be between 1 and 1024");
    }
    if (lim.ioThreads() < 1 || lim.ioThreads() > 256) {
      throw new ConfigException(src + ": limits.io_threads", "must be between 1 and 256");
    }
    if (lim.queueSize() < 1) {
      throw new ConfigException(src + ": limits.queue_size", "must be >= 1");
    }
    if (lim.maxMessageBytesCeiling() < 1024) {
      throw new ConfigException(src + ": limits.max_message_bytes_ceiling", "must be >= 1024");
    }
  }

  /**
   * Checks one connection on its own (every rule except uniqueness of its name among the others):
   * what the YAML's {@code connections[i]} and the admin API's connection bodies both pass through.
   * {@code at} is the key path prefix (e.g. {@code file: connections[0]}).
   */
  public static void validateConnection(ConnectionConfig k, String at) {
    if (k == null) {
      throw new ConfigException(at, "empty entry");
    }
    requireText(k.name(), at + ".name");
    requireText(k.kind(), at + ".kind");
    if (!CONNECTION_KINDS.contains(k.kind())) {
      throw new ConfigException(at + ".kind", "unknown kind `" + k.kind() + "`; supported: " + CONNECTION_KINDS);
    }
    requireHostPort(k.upstream(), at + ".upstream");
    if (k.credential() == null) {
      throw new ConfigException(at + ".credential", "required (the gateway's own upstream credential: `env` or `file`)");
    }
    if ((k.credential().env() == null) == (k.credential().file() == null)) {
      throw new ConfigException(at + ".credential", "set exactly one of `env` or `file`");
    }
    if (!Set.of("template", "literal").contains(k.rowFilterBinding())) {
      throw new ConfigException(at + ".row_filter_binding", "must be `template` or `literal`, was `"
          + k.rowFilterBinding() + "`");
    }
    if (k.timeoutSeconds() <= 0) {
      throw new ConfigException(at + ".timeout_seconds", "must be > 0");
    }
    if (k.maxPreReadIds() < 1 || k.maxPreReadIds() > ConnectionConfig.MAX_MAX_PRE_READ_IDS) {
      throw new ConfigException(at + ".max_pre_read_ids", "must be between 1 and "
          + ConnectionConfig.MAX_MAX_PRE_READ_IDS + ", was " + k.maxPreReadIds());
    }
    if (k.kind().equals("milvus") && k.maxPreReadIds() > ConnectionConfig.DEFAULT_MAX_PRE_READ_IDS) {
      throw new ConfigException(at + ".max_pre_read_ids", "a Milvus pre-read is one Query, which returns at most "
          + ConnectionConfig.DEFAULT_MAX_PRE_READ_IDS + " rows; was " + k.maxPreReadIds());
    }
  }

  /**
   * The connection listener {@code l} fronts: its {@code connections:} entry, or (with
   * {@code connection_source: api}) a stand-in of its {@code connection_kind} until the connections
   * API's store provides it. Checks {@code connection_source} and {@code connection_kind}.
   */
  private static ConnectionConfig validateConnectionSource(GatewayConfig c, ListenerConfig l, String at) {
    String source = l.connectionSource();
    if (!Set.of(ListenerConfig.SOURCE_YAML, ListenerConfig.SOURCE_API).contains(source)) {
      throw new ConfigException(at + ".connection_source", "must be `yaml` (an entry of connections:) or `api` (the"
          + " connections API provides it), was `" + printable(source) + "`");
    }
    if (!l.connectionFromApi()) {
      if (l.connectionKind() != null) {
        throw new ConfigException(at + ".connection_kind", "only with `connection_source: api`; the kind of a YAML"
            + " connection is its `connections[].kind`");
      }
      return c.connection(l.connection()).orElseThrow(() -> new ConfigException(at + ".connection",
          "no connection named `" + l.connection() + "`" + (c.admin() != null && c.admin().connections() != null
              ? " in connections: (for one the connections API provides, add `connection_source: api`)" : "")));
    }
    if (c.admin() == null || c.admin().connections() == null) {
      throw new ConfigException(at + ".connection_source", "`api` needs the connections API (`admin.connections`,"
          + " with a `store` shared by the instances), which provides connection `" + l.connection() + "`");
    }
    if (c.connection(l.connection()).isPresent()) {
      throw new ConfigException(at + ".connection_source", "`api`, but `" + l.connection() + "` is defined in"
          + " connections:; remove `connection_source: api` (the API can still replace it) or the YAML entry");
    }
    if (!CONNECTION_ID.matcher(l.connection()).matches()) {
      throw new ConfigException(at + ".connection", "a connection id is 1 to 64 letters, digits, `.`, `_` or `-`,"
          + " starting with a letter or digit, was `" + printable(l.connection()) + "`");
    }
    if (l.connectionKind() == null) {
      throw new ConfigException(at + ".connection_kind", "required with `connection_source: api` on an `http` listener:"
          + " the database its clients speak, one of " + new java.util.TreeSet<>(HTTP_CONNECTION_KINDS));
    }
    if (!CONNECTION_KINDS.contains(l.connectionKind())) {
      throw new ConfigException(at + ".connection_kind", "unknown kind `" + printable(l.connectionKind())
          + "`; supported: " + CONNECTION_KINDS);
    }
    ConnectionConfig standIn = awaitedConnection(l);
    requireListenerFronts(l, standIn, at);
    return standIn;
  }

  /**
   * The stand-in for the connection a {@code connection_source: api} listener waits for: its id and
   * {@code connection_kind}, no upstream and no credential. It only renders the listener's refusals;
   * nothing is ever sent with it.
   */
  public static ConnectionConfig awaitedConnection(ListenerConfig l) {
    return new ConnectionConfig(l.connection(), l.connectionKind(), "unavailable.invalid:1", null, false, null, null);
  }

  /**
   * Whether listener {@code l} can front connection {@code k} (their kinds, and the listener's
   * {@code connection_kind} when it names one); the exception names {@code at + ".connection"}.
   */
  public static void requireListenerFronts(ListenerConfig l, ConnectionConfig k, String at) {
    if (l.connectionKind() != null && !l.connectionKind().equals(k.kind())) {
      throw new ConfigException(at + ".connection", "listener `" + l.name() + "` serves `" + l.connectionKind()
          + "` clients (connection_kind); `" + k.name() + "` is `" + k.kind() + "`");
    }
    boolean http = l.kind().equals("http");
    if (http && !HTTP_CONNECTION_KINDS.contains(k.kind())) {
      throw new ConfigException(at + ".connection", "an `http` listener fronts " + HTTP_CONNECTION_KINDS
          + " connections; `" + k.name() + "` is `" + k.kind() + "`");
    }
    if (!http && !k.kind().equals("milvus")) {
      throw new ConfigException(at + ".connection", "a `" + l.kind() + "` listener fronts `milvus` connections; `"
          + k.name() + "` is `" + k.kind() + "` (use kind `http`)");
    }
  }

  /** A listener's kind must match its connection's kind; HTTP settings only on HTTP listeners. */
  private static void validateListenerKind(ListenerConfig l, ConnectionConfig k, String at) {
    requireListenerFronts(l, k, at);
    boolean http = l.kind().equals("http");
    if (!http && l.http() != null) {
      throw new ConfigException(at + ".http", "only `http` listeners take HTTP settings");
    }
    if (http) {
      GatewayConfig.HttpSettings h = l.http() == null ? GatewayConfig.HttpSettings.DEFAULTS : l.http();
      if (h.maxJsonDepth() < 2 || h.maxJsonDepth() > 1000) {
        throw new ConfigException(at + ".http.max_json_depth", "must be between 2 and 1000, was " + h.maxJsonDepth());
      }
      if (h.maxHeaderBytes() < 1024 || h.maxHeaderBytes() > 1024 * 1024) {
        throw new ConfigException(at + ".http.max_header_bytes", "must be between 1024 and 1048576, was "
            + h.maxHeaderBytes());
      }
      if (h.maxConcurrentStreams() < 1 || h.maxConcurrentStreams() > 10_000) {
        throw new ConfigException(at + ".http.max_concurrent_streams", "must be between 1 and 10000, was "
            + h.maxConcurrentStreams());
      }
      if (h.idleTimeoutSeconds() < 1) {
        throw new ConfigException(at + ".http.idle_timeout_seconds", "must be >= 1");
      }
    }
  }

  private static void validateIdentity(IdentityConfig id, String at) {
    if (id == null) {
      throw new ConfigException(at, "required");
    }
    requireText(id.issuer(), at + ".issuer");
    try {
      URI u = URI.create(id.issuer());
      if (u.getScheme() == null || !(u.getScheme().equals("https") || u.getScheme().equals("http")) || u.getHost() == null) {
        throw new ConfigException(at + ".issuer", "must be an http(s) URL, was `" + id.issuer() + "`");
      }
    } catch (IllegalArgumentException e) {
      throw new ConfigException(at + ".issuer", "not a URL: `" + id.issuer() + "`", e);
    }
    if (id.audiences().isEmpty()) {
      throw new ConfigException(at + ".audiences", "at least one accepted audience is required");
    }
    if (id.algorithms().isEmpty()) {
      throw new ConfigException(at + ".algorithms", "at least one algorithm is required");
    }
    boolean hmac = false;
    for (int i = 0; i < id.algorithms().size(); i++) {
      String a = id.algorithms().get(i);
      if (HMAC_ALGORITHMS.contains(a)) {
        hmac = true;
      } else if (!ASYMMETRIC_ALGORITHMS.contains(a)) {
        throw new ConfigException(at + ".algorithms[" + i + "]", "algorithm `" + a + "` is not accepted; use one of "
            + ASYMMETRIC_ALGORITHMS + " (or " + HMAC_ALGORITHMS + " with identity.hmac_secret)");
      }
    }
    if (hmac && id.hmacSecret() == null) {
      throw new ConfigException(at + ".hmac_secret", "required when identity.algorithms lists an HS* algorithm");
    }
    if (!hmac && id.hmacSecret() != null) {
      throw new ConfigException(at + ".hmac_secret", "set, but identity.algorithms lists no HS* algorithm");
    }
    if (id.clockSkewSeconds() < 0 || id.clockSkewSeconds() > 300) {
      throw new ConfigException(at + ".clock_skew_seconds", "must be between 0 and 300");
    }
    if (id.tokenCacheSeconds() < 0) {
      throw new ConfigException(at + ".token_cache_seconds", "must be >= 0");
    }
    if (id.tokenCacheEntries() < 0) {
      throw new ConfigException(at + ".token_cache_entries", "must be >= 0");
    }
    if (id.jwksRefreshMinIntervalSeconds() < 1) {
      throw new ConfigException(at + ".jwks_refresh_min_interval_seconds", "must be >= 1");
    }
    if (id.jwksCacheSeconds() < 1) {
      throw new ConfigException(at + ".jwks_cache_seconds", "must be >= 1");
    }
  }

  private static void requireText(String v, String at) {
    if (v == null || v.isBlank()) {
      throw new ConfigException(at, "required");
    }
  }

  private static void requireFile(Path p, String at) {
    if (p == null) {
      throw new ConfigException(at, "required");
    }
    if (!Files.isRegularFile(p)) {
      throw new ConfigException(at, "no such file: `" + p + "`");
    }
  }

  /** The host of {@code host:port}: a name or IPv4 address, or an IPv6 address in brackets. */
  private static final java.util.regex.Pattern HOST =
      java.util.regex.Pattern.compile("[A-Za-z0-9_](?:[A-Za-z0-9._-]{0,252})|\\[[0-9A-Fa-f:.]{2,45}\\]");

  /** Validates {@code host:port}. */
  static void requireHostPort(String v, String at) {
    requireText(v, at);
    int colon = v.lastIndexOf(':');
    if (colon <= 0 || colon == v.length() - 1) {
      throw new ConfigException(at, "expected host:port, was `" + v + "`");
    }
    String host = v.substring(0, colon);
    if (!HOST.matcher(host).matches()) {
      throw new ConfigException(at, "expected host:port with a host name, an IPv4 address or an [IPv6] address (no"
          + " scheme, user or path), was `" + v + "`");
    }
    try {
      int port = Integer.parseInt(v.substring(colon + 1));
      if (port < 0 || port > 65535) {
        throw new ConfigException(at, "port out of range in `" + v + "`");
      }
    } catch (NumberFormatException e) {
      throw new ConfigException(at, "expected host:port, was `" + v + "`", e);
    }
  }

  private static String keyPath(JsonMappingException e) {
    StringBuilder sb = new StringBuilder();
    for (JsonMappingException.Reference r : e.getPath()) {
      if (r.getIndex() >= 0) {
        sb.append('[').append(r.getIndex()).append(']');
      } else if (r.getFieldName() != null) {
        if (sb.length() > 0) {
          sb.append('.');
        }
        sb.append(r.getFieldName());
      }
    }
    return sb.length() == 0 ? "(root)" : sb.toString();
  }

  /** {@code :line:column} of a parse or mapping error in the YAML text, or "" when Jackson has none. */
  private static String at(JsonProcessingException e) {
    var loc = e.getLocation();
    return loc == null || loc.getLineNr() < 1 ? "" : ":" + loc.getLineNr() + ":" + Math.max(1, loc.getColumnNr());
  }

  /**
   * {@code :line:column} of an unknown key. The YAML parser reports the position after the key's
   * value, so the key itself is looked up on that line and the lines above it.
   */
  private static String keyAt(String yaml, UnrecognizedPropertyException e) {
    var loc = e.getLocation();
    if (loc == null || loc.getLineNr() < 1) {
      return "";
    }
    String[] lines = yaml.split("\n", -1);
    java.util.regex.Pattern key = java.util.regex.Pattern.compile("(?:^|[\\s{,-])(\"?'?)"
        + java.util.regex.Pattern.quote(e.getPropertyName()) + "\\1\\s*:");
    for (int l = Math.min(loc.getLineNr(), lines.length); l >= 1; l--) {
      java.util.regex.Matcher m = key.matcher(lines[l - 1]);
      if (m.find()) {
        return ":" + l + ":" + (m.start(1) + 1);
      }
    }
    return at(e);
  }

  /**
   * The known key closest to {@code key} (case-insensitive edit distance at most 2, or at most a
   * third of its length for long keys), or null: the suggestion of an unknown-key error.
   */
  static String didYouMean(String key, java.util.Collection<String> known) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    String k = key.toLowerCase(java.util.Locale.ROOT);
    for (String candidate : known) {
      int d = editDistance(k, candidate.toLowerCase(java.util.Locale.ROOT));
      if (d < bestDistance) {
        best = candidate;
        bestDistance = d;
      }
    }
    return best != null && bestDistance <= Math.max(2, key.length() / 3) && bestDistance < key.length() ? best : null;
  }

  private static int editDistance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "invalid value";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  /** Splits {@code host:port}. */
  public static HostPort hostPort(String v) {
    int colon = v.lastIndexOf(':');
    String host = v.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    return new HostPort(host, Integer.parseInt(v.substring(colon + 1)));
  }

  /** A host and a port. */
  public record HostPort(String host, int port) {}
}
