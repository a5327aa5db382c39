package io.vectorgate.approvals;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the held request would do, for the people deciding: the wire method, the normalized
 * action, where, the filter exactly as sent (JSON text for JSON filters), the request's counts and
 * a one-line {@code text}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ApprovalSummary(
    @JsonProperty("method") String method,
    @JsonProperty("action") String action,
    @JsonProperty("database") String database,
    @JsonProperty("collection") String collection,
    @JsonProperty("namespace") String namespace,
    @JsonProperty("filter") String filter,
    @JsonProperty("counts") Map<String, Long> counts,
    @JsonProperty("text") String text) {

  public ApprovalSummary {
    counts = counts == null ? Map.of() : Map.copyOf(new TreeMap<>(counts));
  }
}
