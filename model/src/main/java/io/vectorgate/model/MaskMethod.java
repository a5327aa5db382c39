package io.vectorgate.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * How a masked value is rewritten: {@code redact} replaces it with a fixed marker, {@code hash}
 * with a keyed hash (joinable, not reversible), {@code partial} keeps a short prefix/suffix,
 * {@code drop} removes the field from the response.
 */
public enum MaskMethod {
  @JsonProperty("redact") REDACT,
  @JsonProperty("hash") HASH,
  @JsonProperty("partial") PARTIAL,
  @JsonProperty("drop") DROP
}
