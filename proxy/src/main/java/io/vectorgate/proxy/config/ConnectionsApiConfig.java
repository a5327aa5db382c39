package io.vectorgate.proxy.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code admin.connections}: upstream connections managed through the admin API
 * (docs/operations.md, "Connections API").
 *
 * <ul>
 *   <li>{@code store}: where API-made changes live, shared by every instance: {@code sqlite: <file>}
 *       (the instances of one host) or {@code postgres: <jdbc url>} with {@code user} and
 *       {@code password} (the shape of {@code approvals.store}); absent: this process only;
 *   <li>{@code poll_interval_millis} (default 1000, 50..60,000): how often an instance checks the
 *       store's revision and applies changes;
 *   <li>{@code secret_env_prefixes} (default {@code [VECTORGATE_UPSTREAM_]}) and {@code secret_dirs}
 *       (default none): the only secret references a connection written through the API may use,
 *       besides those the YAML's own connections use; so the API cannot make the gateway send
 *       another of its secrets (the masking key, a database password) to an upstream.
 * </ul>
 */
public record ConnectionsApiConfig(
    @JsonProperty("store") ApprovalsConfig.Store store,
    @JsonProperty("poll_interval_millis") Long pollIntervalMillis,
    @JsonProperty("secret_env_prefixes") List<String> secretEnvPrefixes,
    @JsonProperty("secret_dirs") List<Path> secretDirs) {

  public static final String DEFAULT_ENV_PREFIX = "VECTORGATE_UPSTREAM_";
  private static final Pattern ENV_PREFIX = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,63}");

  public ConnectionsApiConfig {
    pollIntervalMillis = pollIntervalMillis == null ? 1000L : pollIntervalMillis;
    secretEnvPrefixes = secretEnvPrefixes == null ? List.of(DEFAULT_ENV_PREFIX) : List.copyOf(secretEnvPrefixes);
    secretDirs = secretDirs == null ? List.of() : List.copyOf(secretDirs);
  }

  ConnectionsApiConfig resolve(Path base) {
    List<Path> dirs = new ArrayList<>();
    for (Path d : secretDirs) {
      dirs.add(d == null || base == null ? d : base.resolve(d).normalize());
    }
    return new ConnectionsApiConfig(store == null ? null : store.resolve(base), pollIntervalMillis, secretEnvPrefixes,
        dirs);
  }

  void validate(String at) {
    if (store != null) {
      store.validate(at + ".store");
    }
    if (pollIntervalMillis < 50 || pollIntervalMillis > 60_000) {
      throw new ConfigException(at + ".poll_interval_millis", "must be between 50 and 60000, was " + pollIntervalMillis);
    }
    for (int i = 0; i < secretEnvPrefixes.size(); i++) {
      String p = secretEnvPrefixes.get(i);
      if (p == null || !ENV_PREFIX.matcher(p).matches()) {
        throw new ConfigException(at + ".secret_env_prefixes[" + i + "]", "must be the start of an environment"
            + " variable name (letters, digits, `_`; 1 to 64), was `" + p + "`");
      }
    }
    for (int i = 0; i < secretDirs.size(); i++) {
      Path d = secretDirs.get(i);
      if (d == null || !Files.isDirectory(d)) {
        throw new ConfigException(at + ".secret_dirs[" + i + "]", "not a directory: `" + d + "`");
      }
    }
  }
}
