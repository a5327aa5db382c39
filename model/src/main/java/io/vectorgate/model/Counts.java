package io.vectorgate.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Sizes of the request: explicit ids named, rows written, and query vectors (nq) sent.
 * Zero when the request carries none of that kind.
 */
public record Counts(
    @JsonProperty("ids") long ids,
    @JsonProperty("rows") long rows,
    @JsonProperty("queries") long queries) {
  public static final Counts NONE = new Counts(0, 0, 0);
}
