package io.vectorgate.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Operators a {@link RowFilter} may use. */
public enum FilterOp {
  @JsonProperty("eq") EQ,
  @JsonProperty("ne") NE,
  @JsonProperty("in") IN,
  @JsonProperty("not_in") NOT_IN
}
