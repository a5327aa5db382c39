package io.vectorgate.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * What the gateway must do to an allowed request and its response.
 *
 * <ul>
 *   <li>{@code mask}: response fields to redact, hash, partially show or drop;
 *   <li>{@code stripVectors}: remove embeddings from the response;
 *   <li>{@code rowFilter}: conditions ANDed into the request's filter (all must hold);
 *   <li>{@code limitCap}: the most rows/top_k the request may ask for;
 *   <li>{@code approval}: hold for human approval before forwarding;
 *   <li>{@code audit}: labels and whether payloads may be recorded.
 * </ul>
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Obligations(
    @JsonProperty("mask") List<FieldMask> mask,
    @JsonProperty("strip_vectors") boolean stripVectors,
    @JsonProperty("row_filter") List<RowFilter> rowFilter,
    @JsonProperty("limit_cap") LimitCap limitCap,
    @JsonProperty("approval") ApprovalRequirement approval,
    @JsonProperty("audit") AuditHints audit) {

  public static final Obligations NONE = new Obligations(List.of(), false, List.of(), null, null, null);

  public Obligations {
    mask = mask == null ? List.of() : List.copyOf(mask);
    rowFilter = rowFilter == null ? List.of() : List.copyOf(rowFilter);
  }

  /** Nothing to enforce. Not part of the JSON contract (Jackson would otherwise emit {@code "empty"}). */
  @JsonIgnore
  public boolean isEmpty() {
    return mask.isEmpty() && !stripVectors && rowFilter.isEmpty() && limitCap == null && approval == null;
  }
}
