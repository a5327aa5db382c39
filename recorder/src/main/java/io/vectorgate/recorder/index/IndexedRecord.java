package io.vectorgate.recorder.index;

import com.fasterxml.jackson.databind.JsonNode;
import io.vectorgate.recorder.RecordFormat;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * What the index keeps about one entry: where it is (recorder, seq, the first seq of its segment)
 * and the fields queries filter on. {@code allow} is null for entries that carry no decision.
 * For {@code session_end} entries the counters are in {@code requests/allowed/denied}.
 */
public record IndexedRecord(
    String recorderId,
    long seq,
    String recordId,
    String kind,
    Instant time,
    String sessionId,
    String subject,
    String issuer,
    List<String> groups,
    String clientAddress,
    String connectionId,
    String transport,
    String connection,
    String collection,
    String action,
    Boolean allow,
    String decisionId,
    String revision,
    List<String> reasonCodes,
    String outcome,
    String upstreamStatus,
    long segment,
    long requests,
    long allowed,
    long denied) {

  public IndexedRecord {
    groups = groups == null ? List.of() : List.copyOf(groups);
    reasonCodes = reasonCodes == null ? List.of() : List.copyOf(reasonCodes);
  }

  /**
   * Extracts the indexed fields from a stored entry. Throws {@link IllegalArgumentException}
   * naming the field when a required one (seq, id, kind, time) is missing or malformed.
   */
  public static IndexedRecord fromEntry(String recorderId, long segment, JsonNode e) {
    JsonNode seqNode = e.get(RecordFormat.F_SEQ);
    if (seqNode == null || !seqNode.canConvertToLong()) {
      throw new IllegalArgumentException("entry field `seq` missing or not an integer");
    }
    String id = requiredText(e, RecordFormat.F_ID);
    String kind = requiredText(e, RecordFormat.F_KIND);
    String timeText = requiredText(e, RecordFormat.F_TIME);
    Instant time;
    try {
      time = Instant.parse(timeText);
    } catch (DateTimeParseException ex) {
      throw new IllegalArgumentException("entry field `time` is not an RFC 3339 UTC instant: `" + timeText + "`", ex);
    }
    JsonNode identity = e.path("identity");
    JsonNode client = e.path("client");
    JsonNode op = e.path("operation");
    JsonNode decision = e.path("decision");
    Boolean allow = decision.has("allow") ? decision.get("allow").asBoolean() : null;
    List<String> reasons = new ArrayList<>();
    for (JsonNode r : decision.path("reasons")) {
      if (r.hasNonNull("code")) {
        reasons.add(r.get("code").asText());
      }
    }
    List<String> groups = new ArrayList<>();
    for (JsonNode g : identity.path("groups")) {
      groups.add(g.asText());
    }
    JsonNode counters = e.path("counters");
    return new IndexedRecord(recorderId, seqNode.longValue(), id, kind, time,
        text(e, RecordFormat.F_SESSION), text(identity, "subject"), text(identity, "issuer"), groups,
        text(client, "address"), text(client, "connection_id"), text(client, "transport"),
        text(e.path("connection"), "name"), text(op.path("resource"), "collection"), text(op, "action"),
        allow, text(decision, "decision_id"), text(decision, "revision"), reasons,
        text(e.path("enforcement"), "outcome"), text(e.path("upstream"), "status"), segment,
        counters.path("requests").asLong(0), counters.path("allowed").asLong(0), counters.path("denied").asLong(0));
  }

  private static String requiredText(JsonNode e, String field) {
    JsonNode n = e.get(field);
    if (n == null || !n.isTextual()) {
      throw new IllegalArgumentException("entry field `" + field + "` missing or not a string");
    }
    return n.textValue();
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }
}
