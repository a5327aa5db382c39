package io.vectorgate.harness.impact;

import io.vectorgate.harness.replay.Enforced;
import io.vectorgate.model.Operation;
import io.vectorgate.proxy.enforce.ResponseTally;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One effect of an obligations change on one recorded request: what the candidate's obligations
 * change in the forwarded request or in the response the client would see, compared with the
 * baseline's on the same recorded request and response.
 *
 * @param kind what changes
 * @param detail baseline → candidate values ({@code limit 100 -> 20}, {@code values masked 0 -> 4}),
 *     JSON pointers, or why the response could not be replayed
 */
public record Effect(EffectKind kind, String detail) {

  @Override
  public String toString() {
    return kind.wireName() + " (" + detail + ")";
  }

  /** The effects of replaying the same record with the baseline's ({@code before}) and the candidate's ({@code after}) obligations. */
  public static List<Effect> between(Enforced before, Enforced after) {
    List<Effect> out = new ArrayList<>();
    if (!before.applied() || !after.applied()) {
      if (!before.applied() && !after.applied() && before.refused().code().equals(after.refused().code())) {
        return out;
      }
      out.add(new Effect(EffectKind.OBLIGATION_UNENFORCEABLE, "baseline " + refusal(before) + ", candidate " + refusal(after)));
      return out;
    }
    Operation a = before.forwardedOperation();
    Operation b = after.forwardedOperation();
    boolean classified = false;
    if (a != null && b != null) {
      if (!Objects.equals(a.filter(), b.filter())) {
        out.add(new Effect(EffectKind.FORWARD_ROW_FILTER, "filter " + text(a.filter()) + " -> " + text(b.filter())));
        classified = true;
      }
      if (!Objects.equals(a.limit(), b.limit())) {
        out.add(new Effect(EffectKind.FORWARD_LIMIT, "limit " + a.limit() + " -> " + b.limit()));
        classified = true;
      }
      if (!Objects.equals(a.outputFields(), b.outputFields()) || a.vectorsRequested() != b.vectorsRequested()) {
        out.add(new Effect(EffectKind.FORWARD_FIELDS, "fields " + a.outputFields() + (a.vectorsRequested() ? "+vectors" : "")
            + " -> " + b.outputFields() + (b.vectorsRequested() ? "+vectors" : "")));
        classified = true;
      }
    }
    List<String> requestDiff = io.vectorgate.harness.replay.InputRebuilder.pointers(before.forwarded(), after.forwarded());
    if (!classified && !requestDiff.isEmpty()) {
      // the adapter does not decode its own rewrite (e.g. Milvus template values only the gateway sets):
      // classify each changed pointer by the field it is in
      java.util.Map<EffectKind, List<String>> by = new java.util.EnumMap<>(EffectKind.class);
      for (String p : requestDiff) {
        by.computeIfAbsent(classify(after.forwarded(), p), k -> new ArrayList<>()).add(p + ": "
            + value(before.forwarded(), p) + " -> " + value(after.forwarded(), p));
      }
      by.forEach((k, ps) -> out.add(new Effect(k, String.join(", ", ps))));
    }
    if (before.responseNotReplayed() != null || after.responseNotReplayed() != null) {
      var why = before.responseNotReplayed() != null ? before.responseNotReplayed() : after.responseNotReplayed();
      out.add(new Effect(EffectKind.RESPONSE_NOT_REPLAYED, why.code() + ": " + why.message()));
      return out;
    }
    ResponseTally ta = before.tally();
    ResponseTally tb = after.tally();
    count(out, EffectKind.RESPONSE_ROWS_CUT, "rows cut", ta.rowsCut(), tb.rowsCut());
    count(out, EffectKind.RESPONSE_ROWS_FILTERED, "rows outside the row filter", ta.rowFilterDropped(), tb.rowFilterDropped());
    count(out, EffectKind.RESPONSE_VALUES_MASKED, "values masked", ta.valuesMasked(), tb.valuesMasked());
    count(out, EffectKind.RESPONSE_VECTORS_STRIPPED, "vectors stripped", ta.vectorsStripped(), tb.vectorsStripped());
    List<String> responseDiff = io.vectorgate.harness.replay.InputRebuilder.pointers(before.client(), after.client());
    if (!responseDiff.isEmpty()) {
      out.add(new Effect(EffectKind.RESPONSE_CHANGED, "response " + responseDiff));
    }
    return out;
  }

  private static final java.util.Set<String> FILTER_FIELDS = java.util.Set.of("expr", "dsl", "expr_template_values",
      "where", "where_document", "filter");
  private static final java.util.Set<String> LIMIT_FIELDS = java.util.Set.of("limit", "topk", "top_k", "topK",
      "n_results", "offset");
  private static final java.util.Set<String> FIELD_FIELDS = java.util.Set.of("output_fields", "include", "with_payload",
      "with_vector", "with_vectors", "includeValues", "includeMetadata", "fields");

  /** The kind of a changed pointer of a forwarded request, by the field names on its path (a key/value entry by its {@code key}). */
  static EffectKind classify(com.fasterxml.jackson.databind.JsonNode request, String pointer) {
    String[] parts = pointer.split("/");
    StringBuilder at = new StringBuilder();
    for (String raw : parts) {
      if (raw.isEmpty()) {
        continue;
      }
      String part = raw.replace("~1", "/").replace("~0", "~");
      at.append('/').append(raw);
      com.fasterxml.jackson.databind.JsonNode node = request.at(at.toString());
      String name = node.isObject() && node.path("key").isTextual() ? node.get("key").textValue() : part;
      if (FILTER_FIELDS.contains(name)) {
        return EffectKind.FORWARD_ROW_FILTER;
      }
      if (LIMIT_FIELDS.contains(name)) {
        return EffectKind.FORWARD_LIMIT;
      }
      if (FIELD_FIELDS.contains(name)) {
        return EffectKind.FORWARD_FIELDS;
      }
    }
    return EffectKind.FORWARD_OTHER;
  }

  private static String value(com.fasterxml.jackson.databind.JsonNode n, String pointer) {
    com.fasterxml.jackson.databind.JsonNode v = n.at(pointer.equals("/") ? "" : pointer);
    return v.isMissingNode() ? "absent" : v.toString();
  }

  private static void count(List<Effect> out, EffectKind kind, String what, long a, long b) {
    if (a != b) {
      out.add(new Effect(kind, what + " " + a + " -> " + b));
    }
  }

  private static String refusal(Enforced e) {
    return e.applied() ? "applies" : "refused (" + e.refused().code() + ")";
  }

  private static String text(Object filter) {
    return filter == null ? "none" : io.vectorgate.engine.ContractJson.mapper().valueToTree(filter).toString();
  }
}
