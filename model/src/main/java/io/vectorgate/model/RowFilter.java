package io.vectorgate.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Objects;

/**
 * One abstract row condition {@code field op value}. Adapters translate it per database and
 * bind {@code value} as data (template values / JSON), never by string concatenation.
 * {@code value} is a string, number, boolean, or (for {@code in}/{@code not_in}) a list of those.
 */
public record RowFilter(
    @JsonProperty("field") String field,
    @JsonProperty("op") FilterOp op,
    @JsonProperty("value") Object value) {
  public RowFilter {
    Objects.requireNonNull(field, "field");
    Objects.requireNonNull(op, "op");
  }
}
