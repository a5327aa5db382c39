package io.vectorgate.proxy.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorgate.recorder.RecordFormat;
import io.vectorgate.recorder.RecordingReader;
import io.vectorgate.recorder.RecordingStore;
import io.vectorgate.recorder.VerifyReport;
import io.vectorgate.recorder.index.IndexConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.LoggerFactory;

/**
 * What the recording e2e tests check on a recording made by a gateway that ran a client scenario:
 * the request ids the gateway logged on {@code io.vectorgate.requests} (captured independently of
 * the recorder) are exactly the recorded ones, the chain verifies, vectors are stripped, sessions
 * were started and ended, and raw tokens never reached the files.
 */
final class RecordingChecks {
  /** Field names whose values must be vector-stripped markers in a recording without record_vectors. */
  static final Set<String> VECTOR_FIELDS = Set.of("placeholder_group", "embeddings", "query_embeddings", "embedding",
      "vector", "vectors", "float_vector", "binary_vector", "float16_vector", "bfloat16_vector", "int8_vector");

  private final ListAppender<ILoggingEvent> requests = new ListAppender<>();
  private final Logger logger = (Logger) LoggerFactory.getLogger("io.vectorgate.requests");

  /** Starts capturing the gateway's per-request log lines. */
  RecordingChecks() {
    requests.start();
    logger.addAppender(requests);
  }

  /** The request ids the gateway logged (the first argument of every {@code event=request} line). */
  Set<String> loggedRequestIds() {
    Set<String> ids = new HashSet<>();
    for (ILoggingEvent e : new ArrayList<>(requests.list)) {
      if (e.getMessage().startsWith("event=request ") && e.getArgumentArray() != null) {
        ids.add(String.valueOf(e.getArgumentArray()[0]));
      }
    }
    return ids;
  }

  void stop() {
    logger.detachAppender(requests);
  }

  /** Every entry of the recording in seq order. */
  static List<ObjectNode> entries(Path dir) throws IOException {
    List<ObjectNode> out = new ArrayList<>();
    new RecordingReader(dir).forEach(e -> {
      out.add(e.entry());
      return true;
    });
    return out;
  }

  static List<ObjectNode> requests(List<ObjectNode> all) {
    return all.stream().filter(e -> RecordFormat.KIND_REQUEST.equals(e.path("kind").asText())).toList();
  }

  /** The common checks; returns the request entries. */
  List<ObjectNode> checkAll(Path dir, Map<String, String> tokens) throws IOException {
    List<ObjectNode> all = entries(dir);
    List<ObjectNode> reqs = requests(all);
    Set<String> recorded = new HashSet<>();
    for (ObjectNode e : reqs) {
      assertTrue(recorded.add(e.path("request_id").asText()), "request id recorded twice: " + e);
    }
    Set<String> logged = loggedRequestIds();
    assertFalse(logged.isEmpty(), "the scenario made no requests");
    Set<String> missing = new HashSet<>(logged);
    missing.removeAll(recorded);
    assertEquals(Set.of(), missing, "requests the gateway answered but did not record");
    for (ObjectNode e : reqs) {
      if (!logged.contains(e.path("request_id").asText())) {
        // only requests refused before the per-request handler (unknown/streaming gRPC methods, framing) lack a log line
        assertEquals("refused", e.path("enforcement").path("outcome").asText(), e.toString());
      }
      assertTrue(e.hasNonNull("session"), "request without session: " + e);
      assertTrue(e.path("client").hasNonNull("connection_id"), "request without connection id: " + e);
      assertFalse(e.path("recording").path("vectors").asBoolean(), "vectors recorded: " + e);
      assertVectorsStripped(e.path("request"), "request", e);
      assertVectorsStripped(e.path("response"), "response", e);
    }
    // sessions: every started session ended (client closed or gateway stopped), counters add up
    Set<String> started = new HashSet<>();
    Set<String> ended = new HashSet<>();
    long counted = 0;
    for (ObjectNode e : all) {
      switch (e.path("kind").asText()) {
        case RecordFormat.KIND_SESSION_START -> started.add(e.path("session").asText());
        case RecordFormat.KIND_SESSION_END -> {
          ended.add(e.path("session").asText());
          counted += e.path("counters").path("requests").asLong();
        }
        default -> { }
      }
    }
    assertEquals(started, ended, "sessions started but never ended");
    assertEquals(reqs.size(), counted, "session counters do not add up to the request entries");
    for (ObjectNode e : reqs) {
      assertTrue(started.contains(e.path("session").asText()), "request in a session that never started: " + e);
    }
    // raw tokens never reach the files
    String everything = all.toString();
    tokens.forEach((name, token) -> assertFalse(everything.contains(token), "token `" + name + "` was recorded"));
    try (RecordingStore store = RecordingStore.open(dir, IndexConfig.sqlite(dir.resolve("index.sqlite")))) {
      VerifyReport report = store.verify();
      assertTrue(report.ok(), "the chain does not verify: " + report.problems());
      assertEquals(all.size(), report.entries());
    }
    return reqs;
  }

  /** No raw vector under a vector-carrying field name anywhere in {@code n}. */
  static void assertVectorsStripped(JsonNode n, String where, JsonNode entry) {
    if (n.isObject()) {
      Iterator<Map.Entry<String, JsonNode>> it = n.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> f = it.next();
        JsonNode v = f.getValue();
        if (VECTOR_FIELDS.contains(f.getKey()) && !v.isNull() && !(v.isArray() && v.isEmpty())) {
          assertTrue(v.isObject() && v.has("vectorgate_stripped"), where + "." + f.getKey() + " holds a raw vector: " + entry);
        } else {
          assertVectorsStripped(v, where + "." + f.getKey(), entry);
        }
      }
    } else if (n.isArray()) {
      for (JsonNode c : n) {
        assertVectorsStripped(c, where + "[]", entry);
      }
    }
  }

  /** The request entries of {@code subject} whose operation is {@code action} (on {@code collection}, if given). */
  static List<ObjectNode> of(List<ObjectNode> reqs, String subject, String action, String collection) {
    return reqs.stream()
        .filter(e -> subject == null ? !e.has("identity") : subject.equals(e.path("identity").path("subject").asText()))
        .filter(e -> action.equals(e.path("operation").path("action").asText()))
        .filter(e -> collection == null || collection.equals(e.path("operation").path("resource").path("collection").asText()))
        .toList();
  }

  static List<String> reasonCodes(JsonNode e) {
    List<String> out = new ArrayList<>();
    e.path("decision").path("reasons").forEach(r -> out.add(r.path("code").asText()));
    return out;
  }
}
