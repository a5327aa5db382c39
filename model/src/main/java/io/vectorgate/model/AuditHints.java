package io.vectorgate.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/**
 * Hints for the recorder: labels to attach to the record and whether request/response payloads
 * (beyond the normalized operation) may be stored. Raw vectors are never stored unless
 * {@code recordVectors} is true.
 */
public record AuditHints(
    @JsonProperty("labels") Map<String, String> labels,
    @JsonProperty("record_payloads") boolean recordPayloads,
    @JsonProperty("record_vectors") boolean recordVectors) {
  public AuditHints {
    labels = labels == null ? Map.of() : Map.copyOf(labels);
  }
}
