package io.vectorgate.recorder;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorgate.model.AuditHints;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The oracle for the streaming encoder: the tree-based entry builder and encoder the recorder used
 * until commit c9be351 (an {@code ObjectNode} per entry, {@code valueToTree} for the model records,
 * then a canonical walk), kept verbatim apart from the glue. The streaming encoder must write the
 * same bytes.
 */
final class TreeEncoderOracle {
  private final RecorderConfig config;
  private final ObjectMapper mapper = RecordFormat.mapper();
  private final Map<String, SessionState> sessions = new HashMap<>();

  /** An entry and the vector stripper its payloads are written with (null: vectors kept). */
  record Built(ObjectNode entry, VectorStripper strip) {}

  /** Writer-thread view of an open session: who, from where, and its counters. */
  private static final class SessionState {
    final SessionStart start;
    long requests;
    long allowed;
    long denied;

    SessionState(SessionStart start) {
      this.start = start;
    }
  }

  TreeEncoderOracle(RecorderConfig config) {
    this.config = config;
  }

  /** The entry of a queued (non-control) item; a RuntimeException means the draft cannot be serialized. */
  /** The stored line (with newline) of {@code item} at (seq, id, prevHash), as the tree encoder wrote it. */
  byte[] line(Queued.Item item, long seq, String id, String prevHash) throws IOException {
    Built b = build(item);
    b.entry().put(RecordFormat.F_SEQ, seq);
    b.entry().put(RecordFormat.F_ID, id);
    b.entry().put(RecordFormat.F_PREV_HASH, prevHash);
    return encode(b.entry(), b.strip());
  }

  /** The tree encoding of an entry that is a tree (seal, recovery, approval): the old EntryEncoder. */
  static byte[] encode(ObjectNode entry, VectorStripper payloadStripper) throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    try (JsonGenerator g = RecordFormat.mapper().getFactory().createGenerator(buf)) {
      g.writeStartObject();
      List<String> names = new ArrayList<>(entry.size());
      Iterator<String> it = entry.fieldNames();
      while (it.hasNext()) {
        String n = it.next();
        if (!RecordFormat.F_HASH.equals(n)) {
          names.add(n);
        }
      }
      Collections.sort(names);
      for (String n : names) {
        JsonNode child = entry.get(n);
        g.writeFieldName(n);
        boolean payload = "request".equals(n) || "response".equals(n);
        RecordFormat.writeCanonical(child, g, payload ? payloadStripper : null);
      }
      g.writeEndObject();
    }
    byte[] b = buf.toByteArray();
    String hash = RecordFormat.sha256Hex(b, b.length);
    String line = new String(b, 0, b.length - 1, StandardCharsets.UTF_8) + ",\"hash\":\"" + hash + "\"}\n";
    return line.getBytes(StandardCharsets.UTF_8);
  }

  Built build(Queued.Item item) {
    if (item instanceof Queued.Request r) {
      RecordDraft d = r.draft();
      AuditHints audit = d.decision().obligations().audit();
      return new Built(requestEntry(d), audit == null || !audit.recordVectors() ? config.vectorStripper() : null);
    } else if (item instanceof Queued.Start s) {
      return new Built(sessionStartEntry(s), null);
    } else if (item instanceof Queued.End e) {
      return new Built(sessionEndEntry(e), null);
    } else if (item instanceof Queued.Approval a) {
      ObjectNode entry = newEntry(RecordFormat.KIND_APPROVAL, a.time());
      putOpt(entry, RecordFormat.F_SESSION, a.sessionId());
      entry.setAll(a.fields());
      return new Built(entry, null);
    }
    throw new IllegalStateException("unknown queue item " + item.getClass());
  }

  /** A new entry tree with {@code format}, {@code kind} and {@code time}. */
  static ObjectNode newEntry(String kind, Instant time) {
    ObjectNode e = RecordFormat.mapper().createObjectNode();
    e.put(RecordFormat.F_FORMAT, RecordFormat.FORMAT);
    e.put(RecordFormat.F_KIND, kind);
    e.put(RecordFormat.F_TIME, time.toString());
    return e;
  }

  private ObjectNode requestEntry(RecordDraft d) {
    ObjectNode e = newEntry(RecordFormat.KIND_REQUEST, d.time());
    if (d.sessionId() != null) {
      e.put(RecordFormat.F_SESSION, d.sessionId());
      SessionState c = sessions.get(d.sessionId());
      if (c != null) {
        c.requests++;
        if (d.decision().allow()) {
          c.allowed++;
        } else {
          c.denied++;
        }
      }
    }
    putOpt(e, "request_id", d.requestId());
    putPojo(e, "identity", d.identity());
    putPojo(e, "client", d.client());
    putPojo(e, "connection", d.connection());
    e.set("operation", mapper.valueToTree(d.operation()));
    e.set("decision", mapper.valueToTree(d.decision()));
    putPojo(e, "enforcement", d.enforcement());
    putPojo(e, "upstream", d.upstream());
    AuditHints audit = d.decision().obligations().audit();
    boolean payloads = audit == null ? config.recordPayloadsByDefault() : audit.recordPayloads();
    boolean vectors = audit != null && audit.recordVectors();
    ObjectNode rec = e.putObject("recording");
    rec.put("payloads", payloads);
    rec.put("vectors", vectors);
    if (payloads) {
      if (d.request() != null) {
        e.set("request", d.request());
      }
      if (d.response() != null) {
        e.set("response", d.response());
      }
    }
    return e;
  }

  private ObjectNode sessionStartEntry(Queued.Start s) {
    ObjectNode e = newEntry(RecordFormat.KIND_SESSION_START, s.start().time());
    e.put(RecordFormat.F_SESSION, s.sessionId());
    putPojo(e, "identity", s.start().identity());
    putPojo(e, "client", s.start().client());
    sessions.put(s.sessionId(), new SessionState(s.start()));
    return e;
  }

  private ObjectNode sessionEndEntry(Queued.End end) {
    ObjectNode e = newEntry(RecordFormat.KIND_SESSION_END, end.time());
    e.put(RecordFormat.F_SESSION, end.sessionId());
    putOpt(e, "reason", end.reason());
    SessionState c = sessions.remove(end.sessionId());
    if (c != null) {
      putPojo(e, "identity", c.start.identity());
      putPojo(e, "client", c.start.client());
    }
    ObjectNode counters = e.putObject("counters");
    counters.put("requests", c == null ? 0 : c.requests);
    counters.put("allowed", c == null ? 0 : c.allowed);
    counters.put("denied", c == null ? 0 : c.denied);
    if (c == null) {
      counters.put("unknown_session", true);
    }
    return e;
  }

  private static void putOpt(ObjectNode e, String field, String value) {
    if (value != null) {
      e.put(field, value);
    }
  }

  private void putPojo(ObjectNode e, String field, Object value) {
    if (value != null) {
      e.set(field, mapper.valueToTree(value));
    }
  }
}
