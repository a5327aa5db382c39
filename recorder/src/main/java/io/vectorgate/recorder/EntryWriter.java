package io.vectorgate.recorder;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorgate.model.AuditHints;
import io.vectorgate.model.Identity;
import io.vectorgate.model.Reason;
import io.vectorgate.recorder.index.IndexedRecord;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns each queued item into an {@link Entry}: an object that writes the entry's canonical JSON
 * (members in name order, without {@code hash}) straight to the segment buffer once the chain
 * assigns its {@code seq}, {@code id} and {@code prev_hash}, and that gives the entry's index row
 * from the same values, without reading the entry back. Keeps the per-session counters that
 * {@code session_end} entries carry. Writer thread only.
 *
 * <p>Request, session start and session end entries are streamed (no JSON tree is built; the
 * payloads are the gateway's trees, written canonically with vectors stripped); the rare entries
 * that arrive as trees (approval, seal, recovery, retention) are written from their tree.
 */
final class EntryWriter {
  static final String F_REQUEST = "request";
  static final String F_RESPONSE = "response";

  private final RecorderConfig config;
  private final Map<String, SessionState> sessions = new HashMap<>();

  /** One entry ready to be written at its place in the chain. */
  sealed interface Entry permits TreeEntry, RequestEntry, StartEntry, EndEntry {
    /** Writes the entry object without {@code hash} (canonical member order). */
    void write(JsonGenerator g, long seq, String id, String prevHash) throws IOException;

    /** The index row of the entry as written. */
    IndexedRecord row(String recorderId, long seq, String id, long segment);
  }

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

  EntryWriter(RecorderConfig config) {
    this.config = config;
  }

  /** A new entry tree with {@code format}, {@code kind} and {@code time} (for the rare tree entries). */
  static ObjectNode newEntry(String kind, Instant time) {
    ObjectNode e = RecordFormat.mapper().createObjectNode();
    e.put(RecordFormat.F_FORMAT, RecordFormat.FORMAT);
    e.put(RecordFormat.F_KIND, kind);
    e.put(RecordFormat.F_TIME, time.toString());
    return e;
  }

  /** The entry of a queued (non-control) item; updates the session counters. */
  Entry entry(Queued.Item item) {
    if (item instanceof Queued.Request r) {
      return request(r.draft());
    } else if (item instanceof Queued.Start s) {
      sessions.put(s.sessionId(), new SessionState(s.start()));
      return new StartEntry(s.sessionId(), s.start());
    } else if (item instanceof Queued.End e) {
      SessionState c = sessions.remove(e.sessionId());
      return c == null ? new EndEntry(e, null, 0, 0, 0) : new EndEntry(e, c.start, c.requests, c.allowed, c.denied);
    } else if (item instanceof Queued.Approval a) {
      ObjectNode entry = newEntry(RecordFormat.KIND_APPROVAL, a.time());
      if (a.sessionId() != null) {
        entry.put(RecordFormat.F_SESSION, a.sessionId());
      }
      entry.setAll(a.fields());
      return new TreeEntry(entry);
    }
    throw new IllegalStateException("unknown queue item " + item.getClass());
  }

  private Entry request(RecordDraft d) {
    if (d.sessionId() != null) {
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
    AuditHints audit = d.decision().obligations().audit();
    boolean payloads = audit == null ? config.recordPayloadsByDefault() : audit.recordPayloads();
    boolean vectors = audit != null && audit.recordVectors();
    return new RequestEntry(d, payloads, vectors, vectors ? null : config.vectorStripper());
  }

  /** An entry given as a tree (it becomes the writer's: seq, id and prev_hash are put into it). */
  record TreeEntry(ObjectNode tree) implements Entry {
    @Override
    public void write(JsonGenerator g, long seq, String id, String prevHash) throws IOException {
      tree.put(RecordFormat.F_SEQ, seq);
      tree.put(RecordFormat.F_ID, id);
      tree.put(RecordFormat.F_PREV_HASH, prevHash);
      tree.remove(RecordFormat.F_HASH);
      RecordFormat.writeCanonical(tree, g, null);
    }

    @Override
    public IndexedRecord row(String recorderId, long seq, String id, long segment) {
      return IndexedRecord.fromEntry(recorderId, segment, tree);
    }
  }

  /** A {@code request} entry, streamed from the draft. */
  record RequestEntry(RecordDraft d, boolean payloads, boolean vectors, VectorStripper strip) implements Entry {
    @Override
    public void write(JsonGenerator g, long seq, String id, String prevHash) throws IOException {
      CanonicalValues.writeObject(g, v -> {
        g.writeStartObject();
        v.write("client", d.client());
        v.write("connection", d.connection());
        v.write("decision", d.decision());
        v.write("enforcement", d.enforcement());
        g.writeStringField(RecordFormat.F_FORMAT, RecordFormat.FORMAT);
        g.writeStringField(RecordFormat.F_ID, id);
        v.write("identity", d.identity());
        g.writeStringField(RecordFormat.F_KIND, RecordFormat.KIND_REQUEST);
        v.write("operation", d.operation());
        g.writeStringField(RecordFormat.F_PREV_HASH, prevHash);
        g.writeObjectFieldStart("recording");
        g.writeBooleanField("payloads", payloads);
        g.writeBooleanField("vectors", vectors);
        g.writeEndObject();
        if (payloads) {
          payload(g, F_REQUEST, d.request(), strip);
        }
        if (d.requestId() != null) {
          g.writeStringField("request_id", d.requestId());
        }
        if (payloads) {
          payload(g, F_RESPONSE, d.response(), strip);
        }
        g.writeNumberField(RecordFormat.F_SEQ, seq);
        if (d.sessionId() != null) {
          g.writeStringField(RecordFormat.F_SESSION, d.sessionId());
        }
        g.writeStringField(RecordFormat.F_TIME, d.time().toString());
        v.write("upstream", d.upstream());
        g.writeEndObject();
      });
    }

    @Override
    public IndexedRecord row(String recorderId, long seq, String id, long segment) {
      Identity who = d.identity();
      ClientInfo client = d.client();
      List<String> reasons = new ArrayList<>(d.decision().reasons().size());
      for (Reason r : d.decision().reasons()) {
        if (r.code() != null) {
          reasons.add(r.code());
        }
      }
      return new IndexedRecord(recorderId, seq, id, RecordFormat.KIND_REQUEST, d.time(), d.sessionId(),
          who == null ? null : who.subject(), who == null ? null : who.issuer(), who == null ? null : who.groups(),
          client == null ? null : client.address(), client == null ? null : client.connectionId(),
          client == null ? null : client.transport(), d.connection() == null ? null : d.connection().name(),
          d.operation().resource().collection(), d.operation().action().wireName(), d.decision().allow(),
          d.decision().decisionId(), d.decision().revision(), reasons,
          d.enforcement() == null ? null : d.enforcement().outcome(),
          d.upstream() == null ? null : d.upstream().status(), segment, 0, 0, 0);
    }
  }

  /** A {@code session_start} entry. */
  record StartEntry(String sessionId, SessionStart start) implements Entry {
    @Override
    public void write(JsonGenerator g, long seq, String id, String prevHash) throws IOException {
      CanonicalValues.writeObject(g, v -> {
        g.writeStartObject();
        v.write("client", start.client());
        g.writeStringField(RecordFormat.F_FORMAT, RecordFormat.FORMAT);
        g.writeStringField(RecordFormat.F_ID, id);
        v.write("identity", start.identity());
        g.writeStringField(RecordFormat.F_KIND, RecordFormat.KIND_SESSION_START);
        g.writeStringField(RecordFormat.F_PREV_HASH, prevHash);
        g.writeNumberField(RecordFormat.F_SEQ, seq);
        g.writeStringField(RecordFormat.F_SESSION, sessionId);
        g.writeStringField(RecordFormat.F_TIME, start.time().toString());
        g.writeEndObject();
      });
    }

    @Override
    public IndexedRecord row(String recorderId, long seq, String id, long segment) {
      return sessionRow(recorderId, seq, id, RecordFormat.KIND_SESSION_START, start.time(), sessionId, start, segment,
          0, 0, 0);
    }
  }

  /** A {@code session_end} entry with the session's counters ({@code start} null: the session was unknown). */
  record EndEntry(Queued.End end, SessionStart start, long requests, long allowed, long denied) implements Entry {
    @Override
    public void write(JsonGenerator g, long seq, String id, String prevHash) throws IOException {
      CanonicalValues.writeObject(g, v -> {
        g.writeStartObject();
        if (start != null) {
          v.write("client", start.client());
        }
        g.writeObjectFieldStart("counters");
        g.writeNumberField("allowed", allowed);
        g.writeNumberField("denied", denied);
        g.writeNumberField("requests", requests);
        if (start == null) {
          g.writeBooleanField("unknown_session", true);
        }
        g.writeEndObject();
        g.writeStringField(RecordFormat.F_FORMAT, RecordFormat.FORMAT);
        g.writeStringField(RecordFormat.F_ID, id);
        if (start != null) {
          v.write("identity", start.identity());
        }
        g.writeStringField(RecordFormat.F_KIND, RecordFormat.KIND_SESSION_END);
        g.writeStringField(RecordFormat.F_PREV_HASH, prevHash);
        if (end.reason() != null) {
          g.writeStringField("reason", end.reason());
        }
        g.writeNumberField(RecordFormat.F_SEQ, seq);
        g.writeStringField(RecordFormat.F_SESSION, end.sessionId());
        g.writeStringField(RecordFormat.F_TIME, end.time().toString());
        g.writeEndObject();
      });
    }

    @Override
    public IndexedRecord row(String recorderId, long seq, String id, long segment) {
      return sessionRow(recorderId, seq, id, RecordFormat.KIND_SESSION_END, end.time(), end.sessionId(), start, segment,
          requests, allowed, denied);
    }
  }

  private static IndexedRecord sessionRow(String recorderId, long seq, String id, String kind, Instant time,
      String sessionId, SessionStart start, long segment, long requests, long allowed, long denied) {
    Identity who = start == null ? null : start.identity();
    ClientInfo client = start == null ? null : start.client();
    return new IndexedRecord(recorderId, seq, id, kind, time, sessionId,
        who == null ? null : who.subject(), who == null ? null : who.issuer(), who == null ? null : who.groups(),
        client == null ? null : client.address(), client == null ? null : client.connectionId(),
        client == null ? null : client.transport(), null, null, null, null, null, null, List.of(), null, null, segment,
        requests, allowed, denied);
  }

  /** A payload member, written canonically with vectors stripped by {@code strip} (null: kept). */
  private static void payload(JsonGenerator g, String name, JsonNode payload, VectorStripper strip) throws IOException {
    if (payload != null) {
      g.writeFieldName(name);
      RecordFormat.writeCanonical(payload, g, strip);
    }
  }
}
