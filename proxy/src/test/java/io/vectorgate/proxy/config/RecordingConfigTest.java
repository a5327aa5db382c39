package io.vectorgate.proxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectorgate.proxy.recording.GatewayRecording;
import io.vectorgate.recorder.FsyncPolicy;
import io.vectorgate.recorder.OverflowPolicy;
import io.vectorgate.recorder.RecorderConfig;
import io.vectorgate.recorder.index.IndexConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code recording:} section: defaults, path resolution, the recorder it stands for, errors naming the key. */
class RecordingConfigTest {
  @TempDir
  Path dir;

  private String base() throws Exception {
    Files.createDirectories(dir.resolve("rego"));
    return """
        listeners: [{name: m, kind: milvus-grpc, address: "127.0.0.1:0", connection: c}]
        connections: [{name: c, kind: milvus, upstream: "127.0.0.1:19530", credential: {env: X}}]
        identity: {issuer: "http://127.0.0.1:1/i", audiences: [vectorgate]}
        policy: {rego_dirs: [rego]}
        masking: {hmac_key: {env: K}}
        """;
  }

  private GatewayConfig parse(String recording) throws Exception {
    return ConfigLoader.parse(base() + recording, dir, "gw.yaml");
  }

  @Test
  void defaultsAreFailClosedQueuedSqliteAndTheDirectoryResolves() throws Exception {
    assertNull(parse("").recording());
    RecordingConfig r = parse("recording: {directory: rec}\n").recording();
    assertEquals(dir.resolve("rec"), r.directory());
    assertEquals("every_record", r.fsync());
    assertEquals("fail_closed", r.overflow());
    assertEquals("queued", r.acknowledge());
    assertEquals("sqlite", r.index());
    RecorderConfig rc = GatewayRecording.recorderConfig(r, Map.<String, String>of()::get);
    assertEquals(FsyncPolicy.EVERY_RECORD, rc.fsync());
    assertEquals(OverflowPolicy.FAIL_CLOSED, rc.overflow());
    assertEquals(8192, rc.queueCapacity());
    assertEquals(IndexConfig.Kind.SQLITE, rc.index().kind());
    assertEquals(dir.resolve("rec/index.sqlite"), rc.index().sqliteFile());
    assertNull(rc.retentionMaxAge());
  }

  @Test
  void everySettingReachesTheRecorder() throws Exception {
    Files.writeString(dir.resolve("pw"), "secret\n");
    RecordingConfig r = parse("""
        recording:
          directory: /tmp/elsewhere
          fsync: interval
          fsync_interval_millis: 250
          overflow: drop
          acknowledge: durable
          queue_size: 100
          segment_max_bytes: 1048576
          segment_max_age_seconds: 60
          retention_max_age_days: 30
          retention_max_bytes: 1073741824
          index: postgres
          postgres: {url: "jdbc:postgresql://127.0.0.1:5432/vg", user: vg, password: {file: pw}}
          record_payloads: false
          max_payload_bytes: 2048
          admin: {address: "127.0.0.1:0", auditor_groups: [auditors]}
        """).recording();
    RecorderConfig rc = GatewayRecording.recorderConfig(r, Map.<String, String>of()::get);
    assertEquals(FsyncPolicy.INTERVAL, rc.fsync());
    assertEquals(Duration.ofMillis(250), rc.fsyncInterval());
    assertEquals(OverflowPolicy.DROP, rc.overflow());
    assertEquals(100, rc.queueCapacity());
    assertEquals(1048576, rc.segmentMaxBytes());
    assertEquals(Duration.ofSeconds(60), rc.segmentMaxAge());
    assertEquals(Duration.ofDays(30), rc.retentionMaxAge());
    assertEquals(1073741824L, rc.retentionMaxBytes());
    assertEquals(IndexConfig.Kind.POSTGRES, rc.index().kind());
    assertEquals("secret", rc.index().password());
    assertEquals(false, rc.recordPayloadsByDefault());
    assertEquals("durable", r.acknowledge());
    assertEquals(2048, r.maxPayloadBytes());
  }

  @Test
  void badValuesNameTheirKey() {
    String[][] cases = {
        {"recording: {fsync: interval}", "recording.directory"},
        {"recording: {directory: r, fsync: sometimes}", "recording.fsync"},
        {"recording: {directory: r, overflow: ignore}", "recording.overflow"},
        {"recording: {directory: r, acknowledge: never}", "recording.acknowledge"},
        {"recording: {directory: r, index: mysql}", "recording.index"},
        {"recording: {directory: r, queue_size: 0}", "recording.queue_size"},
        {"recording: {directory: r, segment_max_bytes: 10}", "recording.segment_max_bytes"},
        {"recording: {directory: r, segment_max_age_seconds: 0}", "recording.segment_max_age_seconds"},
        {"recording: {directory: r, retention_max_age_days: 0}", "recording.retention_max_age_days"},
        {"recording: {directory: r, retention_max_bytes: -1}", "recording.retention_max_bytes"},
        {"recording: {directory: r, max_payload_bytes: -1}", "recording.max_payload_bytes"},
        {"recording: {directory: r, fsync_interval_millis: 0}", "recording.fsync_interval_millis"},
        {"recording: {directory: r, index: postgres}", "recording.postgres.url"},
        {"recording: {directory: r, index: postgres, postgres: {url: \"mysql://x\"}}", "recording.postgres.url"},
        {"recording: {directory: r, postgres: {url: \"jdbc:postgresql://x/y\"}}", "recording.postgres"},
        {"recording: {directory: r, admin: {address: \"127.0.0.1:0\"}}", "recording.admin.auditor_groups"},
        {"recording: {directory: r, admin: {auditor_groups: [a]}}", "recording.admin.address"},
        {"recording: {directory: r, admin: {address: nowhere, auditor_groups: [a]}}", "recording.admin.address"},
        {"recording: {directory: r, surprise: 1}", "recording"},
    };
    for (String[] c : cases) {
      ConfigException e = assertThrows(ConfigException.class, () -> parse(c[0] + "\n"), c[0]);
      assertTrue(e.getMessage().contains(c[1]), c[0] + " -> " + e.getMessage());
    }
  }
}
