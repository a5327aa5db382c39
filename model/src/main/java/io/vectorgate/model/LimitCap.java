package io.vectorgate.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The most results (limit / top_k / n_results) a request may ask for. {@code clamp} rewrites a
 * larger limit down to {@code max}; {@code deny} refuses the request instead.
 */
public record LimitCap(@JsonProperty("max") long max, @JsonProperty("mode") CapMode mode) {
  public LimitCap {
    if (max < 0) {
      throw new IllegalArgumentException("limit_cap.max must be >= 0, was " + max);
    }
    mode = mode == null ? CapMode.CLAMP : mode;
  }

  /** What to do with a request over the cap. */
  public enum CapMode {
    @JsonProperty("clamp") CLAMP,
    @JsonProperty("deny") DENY
  }
}
