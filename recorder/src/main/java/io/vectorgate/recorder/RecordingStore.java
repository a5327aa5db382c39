package io.vectorgate.recorder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorgate.recorder.index.IndexConfig;
import io.vectorgate.recorder.index.IndexException;
import io.vectorgate.recorder.index.IndexedRecord;
import io.vectorgate.recorder.index.Page;
import io.vectorgate.recorder.index.RecordIndex;
import io.vectorgate.recorder.index.RecordQuery;
import io.vectorgate.recorder.index.SessionSummary;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Read-side facade over one recording directory and its index, for the {@code vectorgate sessions}
 * CLI and the admin API: list, sessions, show, export, verify, reindex. Safe to use while a
 * gateway records into the same directory (reads only; reindex should run with the gateway stopped).
 */
public final class RecordingStore implements AutoCloseable {
  private final Path dir;
  private final String recorderId;
  private final RecordIndex index;

  private RecordingStore(Path dir, String recorderId, RecordIndex index) {
    this.dir = dir;
    this.recorderId = recorderId;
    this.index = index;
  }

  /** Opens the recording in {@code dir} with the given index ({@link IndexConfig#none()} scans segments). */
  public static RecordingStore open(Path dir, IndexConfig indexConfig) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new IOException("recording directory `" + dir + "` does not exist");
    }
    String id = readRecorderId(dir);
    try {
      return new RecordingStore(dir, id, indexConfig.open());
    } catch (IndexException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  static String readRecorderId(Path dir) throws IOException {
    Path f = dir.resolve(Recorder.ID_FILE);
    if (!Files.exists(f)) {
      throw new IOException("`" + dir + "` is not a recording: " + Recorder.ID_FILE + " is missing");
    }
    String id = Files.readString(f, StandardCharsets.US_ASCII).trim();
    if (!id.matches("[a-z0-9-]{1,64}")) {
      throw new RecordingCorruptException(f + ": recorder id `" + id + "` is not [a-z0-9-]{1,64}", null);
    }
    return id;
  }

  public String recorderId() {
    return recorderId;
  }

  public boolean hasIndex() {
    return index != null;
  }

  /** Entries matching {@code q}, oldest first, paged (from the index, else by scanning the segments). */
  public Page<IndexedRecord> list(RecordQuery q) throws IOException {
    if (index != null) {
      try {
        return index.find(q);
      } catch (IndexException e) {
        throw new IOException(e.getMessage(), e);
      }
    }
    long after = q.cursor() == null ? 0 : parseScanCursor(q.cursor());
    List<IndexedRecord> out = new ArrayList<>();
    boolean[] more = {false};
    new RecordingReader(dir).forEach(e -> {
      if (e.seq() <= after) {
        return true;
      }
      IndexedRecord r = IndexedRecord.fromEntry(recorderId, e.segment().firstSeq(), e.entry());
      if (q.matches(r)) {
        if (out.size() == q.limit()) {
          more[0] = true;
          return false;
        }
        out.add(r);
      }
      return true;
    });
    return new Page<>(out, more[0] ? "seq:" + out.get(out.size() - 1).seq() : null);
  }

  private static long parseScanCursor(String c) {
    if (!c.startsWith("seq:")) {
      throw new IllegalArgumentException("invalid page cursor `" + c + "` for a recording without index");
    }
    try {
      return Long.parseLong(c.substring(4));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("invalid page cursor `" + c + "`", e);
    }
  }

  /** Sessions matching {@code q} (needs an index). */
  public Page<SessionSummary> sessions(RecordQuery q) throws IOException {
    requireIndex("sessions list");
    try {
      return index.sessions(q);
    } catch (IndexException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  /** Every entry of one session (start, requests, end) in seq order; empty entries when unknown. */
  public SessionTranscript show(String sessionId) throws IOException {
    SessionSummary summary = null;
    Set<Long> segments = null;
    if (index != null) {
      try {
        summary = index.session(sessionId);
        segments = new HashSet<>();
        RecordQuery q = RecordQuery.builder().sessionId(sessionId).kind("*").limit(RecordQuery.MAX_LIMIT).build();
        Page<IndexedRecord> page;
        do {
          page = index.find(q);
          for (IndexedRecord r : page.items()) {
            segments.add(r.segment());
          }
          q = q.withCursor(page.nextCursor());
        } while (page.nextCursor() != null);
      } catch (IndexException e) {
        throw new IOException(e.getMessage(), e);
      }
      if (segments.isEmpty()) {
        return new SessionTranscript(sessionId, summary, List.of());
      }
    }
    List<ObjectNode> entries = new ArrayList<>();
    new RecordingReader(dir).forEach(segments, e -> {
      if (sessionId.equals(e.entry().path(RecordFormat.F_SESSION).asText(null))) {
        entries.add(e.entry());
      }
      return true;
    });
    return new SessionTranscript(sessionId, summary, entries);
  }

  /** Renders a session readably, request by request. */
  public static void render(SessionTranscript t, Appendable out) throws IOException {
    out.append("session ").append(t.sessionId()).append('\n');
    SessionSummary s = t.summary();
    if (s != null) {
      out.append("  identity ").append(str(s.subject())).append(" (issuer ").append(str(s.issuer())).append(")\n");
      out.append("  client   ").append(str(s.clientAddress())).append(" connection ").append(str(s.connectionId()))
          .append(' ').append(str(s.transport())).append('\n');
      out.append("  started  ").append(str(s.started())).append("  ended ").append(str(s.ended())).append('\n');
      out.append("  requests ").append(Long.toString(s.requests())).append(" (allowed ").append(Long.toString(s.allowed()))
          .append(", denied ").append(Long.toString(s.denied())).append(")\n");
    }
    if (t.entries().isEmpty()) {
      out.append("  (no recorded entries)\n");
    }
    for (ObjectNode e : t.entries()) {
      String kind = e.path(RecordFormat.F_KIND).asText();
      out.append("#").append(e.path(RecordFormat.F_SEQ).asText()).append(' ').append(e.path(RecordFormat.F_TIME).asText())
          .append(' ');
      switch (kind) {
        case RecordFormat.KIND_SESSION_START -> out.append("session start: ")
            .append(e.path("identity").path("subject").asText("?")).append(" from ")
            .append(e.path("client").path("address").asText("?")).append('\n');
        case RecordFormat.KIND_SESSION_END -> out.append("session end")
            .append(e.hasNonNull("reason") ? " (" + e.get("reason").asText() + ")" : "").append(": ")
            .append(e.path("counters").toString()).append('\n');
        case RecordFormat.KIND_REQUEST -> renderRequest(e, out);
        default -> out.append(kind).append('\n');
      }
    }
  }

  private static void renderRequest(ObjectNode e, Appendable out) throws IOException {
    JsonNode op = e.path("operation");
    JsonNode d = e.path("decision");
    out.append(op.path("action").asText("?")).append(' ')
        .append(op.path("resource").path("collection").asText("-"))
        .append(d.path("allow").asBoolean() ? "  ALLOW" : "  DENY");
    List<String> codes = new ArrayList<>();
    for (JsonNode r : d.path("reasons")) {
      codes.add(r.path("code").asText());
    }
    if (!codes.isEmpty()) {
      out.append(" ").append(codes.toString());
    }
    if (d.hasNonNull("decision_id")) {
      out.append(" decision ").append(d.get("decision_id").asText());
    }
    out.append('\n');
    JsonNode enf = e.path("enforcement");
    if (!enf.isMissingNode()) {
      out.append("    enforcement: ").append(enf.path("outcome").asText("?"));
      if (enf.hasNonNull("filter_added")) {
        out.append(", filter added ").append(enf.get("filter_added").toString());
      }
      if (enf.path("fields_masked").size() > 0) {
        out.append(", masked ").append(enf.get("fields_masked").toString());
      }
      if (enf.path("vectors_stripped").asBoolean()) {
        out.append(", vectors stripped");
      }
      if (enf.hasNonNull("limit_clamped")) {
        out.append(", limit ").append(enf.path("limit_requested").asText("?")).append(" -> ")
            .append(enf.get("limit_clamped").asText());
      }
      if (enf.hasNonNull("approval_id")) {
        out.append(", approval ").append(enf.get("approval_id").asText());
      }
      out.append('\n');
    }
    JsonNode up = e.path("upstream");
    if (!up.isMissingNode()) {
      out.append("    upstream: ").append(up.path("status").asText("?")).append(" in ")
          .append(up.path("duration_us").asText("?")).append(" us\n");
    }
    if (e.has("request")) {
      out.append("    request:  ").append(abbreviate(e.get("request").toString())).append('\n');
    }
    if (e.has("response")) {
      out.append("    response: ").append(abbreviate(e.get("response").toString())).append('\n');
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 300 ? s : s.substring(0, 300) + "… (" + s.length() + " chars)";
  }

  private static String str(Object o) {
    return o == null ? "-" : o.toString();
  }

  /** Exports matching entries as JSONL (lines exactly as stored). */
  public long export(RecordQuery q, OutputStream out) throws IOException {
    return Exporter.export(dir, q, out);
  }

  /** Verifies the chain; with an index, also checks that no entries were cut from the end. */
  public VerifyReport verify() throws IOException {
    Long indexLast = null;
    if (index != null) {
      try {
        indexLast = index.lastSeq(recorderId);
      } catch (IndexException e) {
        throw new IOException(e.getMessage(), e);
      }
    }
    return Verifier.verify(dir, indexLast);
  }

  /** Rebuilds this recorder's part of the index from the segments; returns the number of entries indexed. */
  public long reindex() throws IOException {
    requireIndex("reindex");
    try {
      index.clear(recorderId);
      List<IndexedRecord> batch = new ArrayList<>();
      long[] n = {0};
      new RecordingReader(dir).forEach(e -> {
        batch.add(IndexedRecord.fromEntry(recorderId, e.segment().firstSeq(), e.entry()));
        if (batch.size() >= 1000) {
          flushIndex(batch);
          n[0] += 1000;
        }
        return true;
      });
      n[0] += batch.size();
      flushIndex(batch);
      return n[0];
    } catch (IndexException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  private void flushIndex(List<IndexedRecord> batch) throws IOException {
    try {
      index.add(batch);
    } catch (IndexException e) {
      throw new IOException(e.getMessage(), e);
    }
    batch.clear();
  }

  private void requireIndex(String what) {
    if (index == null) {
      throw new IllegalStateException(what + " needs an index; this recording was opened without one");
    }
  }

  @Override
  public void close() throws IOException {
    if (index != null) {
      try {
        index.close();
      } catch (IndexException e) {
        throw new IOException(e.getMessage(), e);
      }
    }
  }
}
