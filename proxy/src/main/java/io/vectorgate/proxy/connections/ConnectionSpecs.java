package io.vectorgate.proxy.connections;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorgate.proxy.config.ConfigException;
import io.vectorgate.proxy.config.ConfigLoader;
import io.vectorgate.proxy.config.ConnectionsApiConfig;
import io.vectorgate.proxy.config.GatewayConfig.ConnectionConfig;
import io.vectorgate.proxy.config.GatewayConfig.SecretRef;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A connection as the admin API and the store write it: the YAML's {@code connections[i]} keys
 * as a JSON object, parsed and validated by the same code as the YAML ({@link ConfigLoader}),
 * plus the rules of connections written at run time: an id usable in a URL path, a secret
 * reference the operator may use ({@code admin.connections.secret_env_prefixes} /
 * {@code secret_dirs}, or one the YAML's connections already use), and absolute secret files.
 * A connection renders with its secret reference only; the gateway never reads a secret to
 * render it.
 */
public final class ConnectionSpecs {
  /** Ids: a letter or digit, then letters, digits, {@code .}, {@code _}, {@code -}; at most 64. */
  public static final Pattern ID = ConfigLoader.CONNECTION_ID;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<String> envPrefixes;
  private final List<Path> secretDirs;
  private final Set<SecretRef> yamlRefs;

  /**
   * @param api the {@code admin.connections} section
   * @param yamlConnections the YAML file's connections, whose secret references the API may reuse
   */
  public ConnectionSpecs(ConnectionsApiConfig api, List<ConnectionConfig> yamlConnections) {
    this.envPrefixes = api.secretEnvPrefixes();
    this.secretDirs = api.secretDirs().stream().map(p -> p.toAbsolutePath().normalize()).toList();
    Set<SecretRef> refs = new HashSet<>();
    yamlConnections.forEach(c -> refs.add(c.credential()));
    this.yamlRefs = Set.copyOf(refs);
  }

  /** Whether {@code id} is a valid connection id. */
  public static boolean validId(String id) {
    return id != null && ID.matcher(id).matches();
  }

  /**
   * Parses and validates the body of {@code PUT /v1/connections/{id}}: a {@code name}, when given,
   * must equal {@code id}. Errors are {@link ConfigException}s naming the field ({@code connection.upstream}, ...).
   */
  public ConnectionConfig parse(String id, JsonNode body) {
    String at = "connection";
    if (!validId(id)) {
      throw new ConfigException(at + ".name", "a connection id is 1 to 64 letters, digits, `.`, `_` or `-`, starting"
          + " with a letter or digit");
    }
    if (body != null && body.isObject() && !body.has("name")) {
      body = ((ObjectNode) body.deepCopy()).put("name", id);
    }
    ConnectionConfig c = ConfigLoader.connectionFromJson(body, at);
    if (!id.equals(c.name())) {
      throw new ConfigException(at + ".name", "the body names another connection than the path (`" + id + "`)");
    }
    ConfigLoader.validateConnection(c, at);
    checkReference(c.credential(), at + ".credential");
    return c;
  }

  /** A reference written through the API must be one the operator was allowed to use. */
  private void checkReference(SecretRef ref, String at) {
    if (yamlRefs.contains(ref)) {
      return;
    }
    if (ref.env() != null) {
      if (envPrefixes.stream().noneMatch(ref.env()::startsWith) || !ref.env().matches("[A-Za-z_][A-Za-z0-9_]*")) {
        throw new ConfigException(at + ".env", "`" + printable(ref.env()) + "` is not an upstream credential this"
            + " gateway lets the API use: its name must start with one of " + envPrefixes
            + " (admin.connections.secret_env_prefixes) or be one the YAML's connections use");
      }
      return;
    }
    Path f = ref.file();
    if (!f.isAbsolute() || !f.normalize().equals(f)) {
      throw new ConfigException(at + ".file", "must be an absolute path without `.` or `..` segments");
    }
    if (secretDirs.stream().noneMatch(d -> f.startsWith(d) && !f.equals(d))) {
      throw new ConfigException(at + ".file", "not inside a directory of admin.connections.secret_dirs "
          + secretDirs + " (nor a file the YAML's connections use)");
    }
  }

  /**
   * The connection as JSON: the YAML keys with their effective values, the credential as its
   * reference ({@code {"env": NAME}} or {@code {"file": PATH}}).
   */
  public static ObjectNode toJson(ConnectionConfig c) {
    ObjectNode o = JSON.createObjectNode();
    o.put("name", c.name());
    o.put("kind", c.kind());
    o.put("upstream", c.upstream());
    ObjectNode cred = o.putObject("credential");
    if (c.credential().env() != null) {
      cred.put("env", c.credential().env());
    } else {
      cred.put("file", c.credential().file().toString());
    }
    o.put("upstream_tls", c.upstreamTls());
    o.put("timeout_seconds", c.timeoutSeconds());
    o.put("row_filter_binding", c.rowFilterBinding());
    o.put("max_pre_read_ids", c.maxPreReadIds());
    return o;
  }

  /** The stored form of {@code c}. */
  public static String toSpec(ConnectionConfig c) {
    return toJson(c).toString();
  }

  /**
   * A stored spec, checked again as the YAML would be and against the references the operators
   * may use (a store written by another build, or by hand, is not trusted). The error names the
   * connection.
   */
  public ConnectionConfig stored(String id, String spec) {
    ConnectionConfig c = fromSpec(id, spec);
    checkReference(c.credential(), "connections store: " + id + ".credential");
    return c;
  }

  /** A stored spec checked as the YAML would be (see {@link #stored} for the reference check too). */
  public static ConnectionConfig fromSpec(String id, String spec) {
    JsonNode n;
    try {
      n = JSON.readTree(spec);
    } catch (JsonProcessingException e) {
      throw new ConfigException("connections store: " + id, "the stored spec is not JSON: " + e.getOriginalMessage(), e);
    }
    ConnectionConfig c = ConfigLoader.connectionFromJson(n, "connections store: " + id);
    ConfigLoader.validateConnection(c, "connections store: " + id);
    if (!c.name().equals(id)) {
      throw new ConfigException("connections store: " + id + ".name", "the stored spec names `" + c.name() + "`");
    }
    return c;
  }

  private static String printable(String s) {
    String t = s.length() > 80 ? s.substring(0, 80) + "..." : s;
    return t.replaceAll("[^\\x20-\\x7e]", "?");
  }
}
