package io.vectorgate.proxy.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.vectorgate.proxy.config.GatewayConfig.SecretRef;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * The {@code recording:} section: every request through the gateway is appended to a hash-chained
 * session log (module {@code recorder}, docs/recording.md). Without this section nothing is recorded.
 *
 * <ul>
 *   <li>{@code directory}: where segments, {@code recorder.id} and the SQLite index live (required);
 *   <li>{@code fsync}: {@code every_record} (default; group commit) or {@code interval}
 *       ({@code fsync_interval_millis}, default 100);
 *   <li>{@code overflow}: {@code fail_closed} (default: requests are refused while recording is
 *       impossible) or {@code drop} (requests go on, lost records are counted);
 *   <li>{@code acknowledge}: {@code queued} (default: the response does not wait for the disk) or
 *       {@code durable} (the response waits until its record is written, fsynced under
 *       {@code every_record}; a record that cannot be written turns the response into an error);
 *   <li>{@code queue_size}, {@code segment_max_bytes}, {@code segment_max_age_seconds},
 *       {@code retention_max_age_days} (absent: keep), {@code retention_max_bytes} (0: no limit);
 *   <li>{@code index}: {@code sqlite} (default, beside the segments), {@code postgres} (with
 *       {@code postgres: {url, user, password}}) or {@code none};
 *   <li>{@code record_payloads}: store request/response payloads when the decision has no audit
 *       hints (default true); {@code max_payload_bytes}: a larger payload is stored as a marker
 *       with its size (default 1 MiB);
 *   <li>{@code admin}: the sessions admin API: {@code auditor_groups} (required) and an optional
 *       {@code address} of its own; without one the routes are served by the approvals admin API.
 * </ul>
 */
public record RecordingConfig(
    @JsonProperty("directory") Path directory,
    @JsonProperty("fsync") String fsync,
    @JsonProperty("fsync_interval_millis") Long fsyncIntervalMillis,
    @JsonProperty("overflow") String overflow,
    @JsonProperty("acknowledge") String acknowledge,
    @JsonProperty("queue_size") Integer queueSize,
    @JsonProperty("segment_max_bytes") Long segmentMaxBytes,
    @JsonProperty("segment_max_age_seconds") Long segmentMaxAgeSeconds,
    @JsonProperty("retention_max_age_days") Long retentionMaxAgeDays,
    @JsonProperty("retention_max_bytes") Long retentionMaxBytes,
    @JsonProperty("index") String index,
    @JsonProperty("postgres") Postgres postgres,
    @JsonProperty("record_payloads") Boolean recordPayloads,
    @JsonProperty("max_payload_bytes") Integer maxPayloadBytes,
    @JsonProperty("admin") Admin admin) {

  public static final Set<String> FSYNC = Set.of("every_record", "interval");
  public static final Set<String> OVERFLOW = Set.of("fail_closed", "drop");
  public static final Set<String> ACKNOWLEDGE = Set.of("queued", "durable");
  public static final Set<String> INDEX = Set.of("sqlite", "postgres", "none");

  public RecordingConfig {
    fsync = fsync == null ? "every_record" : fsync;
    fsyncIntervalMillis = fsyncIntervalMillis == null ? 100L : fsyncIntervalMillis;
    overflow = overflow == null ? "fail_closed" : overflow;
    acknowledge = acknowledge == null ? "queued" : acknowledge;
    queueSize = queueSize == null ? 8192 : queueSize;
    segmentMaxBytes = segmentMaxBytes == null ? 64L * 1024 * 1024 : segmentMaxBytes;
    segmentMaxAgeSeconds = segmentMaxAgeSeconds == null ? 3600L : segmentMaxAgeSeconds;
    retentionMaxBytes = retentionMaxBytes == null ? 0L : retentionMaxBytes;
    index = index == null ? "sqlite" : index;
    recordPayloads = recordPayloads == null || recordPayloads;
    maxPayloadBytes = maxPayloadBytes == null ? 1024 * 1024 : maxPayloadBytes;
  }

  /** The shared PostgreSQL index: a JDBC URL, a user and the password secret. */
  public record Postgres(
      @JsonProperty("url") String url,
      @JsonProperty("user") String user,
      @JsonProperty("password") SecretRef password) {}

  /** The sessions admin API: who may read recordings, and optionally its own loopback address. */
  public record Admin(
      @JsonProperty("address") String address,
      @JsonProperty("auditor_groups") List<String> auditorGroups) {
    public Admin {
      auditorGroups = auditorGroups == null ? List.of() : List.copyOf(auditorGroups);
    }
  }

  /** Resolves relative paths against {@code base}. */
  RecordingConfig resolve(Path base) {
    Path dir = directory == null || base == null ? directory : base.resolve(directory).normalize();
    Postgres pg = postgres == null || postgres.password() == null || postgres.password().file() == null
        || base == null ? postgres : new Postgres(postgres.url(), postgres.user(),
        new SecretRef(postgres.password().env(), base.resolve(postgres.password().file()).normalize()));
    return new RecordingConfig(dir, fsync, fsyncIntervalMillis, overflow, acknowledge, queueSize, segmentMaxBytes,
        segmentMaxAgeSeconds, retentionMaxAgeDays, retentionMaxBytes, index, pg, recordPayloads, maxPayloadBytes, admin);
  }

  /** Validates every value; {@code at} is the key path prefix ({@code file: recording}). */
  void validate(String at, boolean approvalsAdmin) {
    if (directory == null) {
      throw new ConfigException(at + ".directory", "required: where the session log is written");
    }
    oneOf(fsync, FSYNC, at + ".fsync");
    oneOf(overflow, OVERFLOW, at + ".overflow");
    oneOf(acknowledge, ACKNOWLEDGE, at + ".acknowledge");
    oneOf(index, INDEX, at + ".index");
    if (fsyncIntervalMillis < 1 || fsyncIntervalMillis > 60_000) {
      throw new ConfigException(at + ".fsync_interval_millis", "must be between 1 and 60000, was " + fsyncIntervalMillis);
    }
    if (queueSize < 1 || queueSize > 1_000_000) {
      throw new ConfigException(at + ".queue_size", "must be between 1 and 1000000, was " + queueSize);
    }
    if (segmentMaxBytes < 4096) {
      throw new ConfigException(at + ".segment_max_bytes", "must be >= 4096, was " + segmentMaxBytes);
    }
    if (segmentMaxAgeSeconds < 1) {
      throw new ConfigException(at + ".segment_max_age_seconds", "must be >= 1, was " + segmentMaxAgeSeconds);
    }
    if (retentionMaxAgeDays != null && retentionMaxAgeDays < 1) {
      throw new ConfigException(at + ".retention_max_age_days", "must be >= 1 (omit it to keep everything), was "
          + retentionMaxAgeDays);
    }
    if (retentionMaxBytes < 0) {
      throw new ConfigException(at + ".retention_max_bytes", "must be >= 0 (0: no limit), was " + retentionMaxBytes);
    }
    if (maxPayloadBytes < 0) {
      throw new ConfigException(at + ".max_payload_bytes", "must be >= 0, was " + maxPayloadBytes);
    }
    if (index.equals("postgres")) {
      if (postgres == null || postgres.url() == null || !postgres.url().startsWith("jdbc:postgresql://")) {
        throw new ConfigException(at + ".postgres.url", "index `postgres` needs a jdbc:postgresql:// URL, was `"
            + (postgres == null ? null : postgres.url()) + "`");
      }
    } else if (postgres != null) {
      throw new ConfigException(at + ".postgres", "applies only to `index: postgres` (index is `" + index + "`)");
    }
    if (admin != null) {
      if (admin.auditorGroups().isEmpty()) {
        throw new ConfigException(at + ".admin.auditor_groups", "at least one group that may read recordings is required");
      }
      if (admin.address() != null) {
        ConfigLoader.requireHostPort(admin.address(), at + ".admin.address");
      } else if (!approvalsAdmin) {
        throw new ConfigException(at + ".admin.address", "required when there is no `approvals.admin` API to serve"
            + " the sessions routes");
      }
    }
  }

  private static void oneOf(String v, Set<String> allowed, String at) {
    if (!allowed.contains(v)) {
      throw new ConfigException(at, "must be one of " + new java.util.TreeSet<>(allowed) + ", was `" + v + "`");
    }
  }
}
