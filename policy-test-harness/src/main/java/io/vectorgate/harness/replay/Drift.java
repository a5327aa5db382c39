package io.vectorgate.harness.replay;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One difference between the operation the gateway recorded and the one the harness rebuilt from the
 * recorded raw request with the same adapter: a JSON pointer into the operation and both values
 * (null when absent on that side). {@code explanation} is set when the difference is expected:
 * {@value #STRIPPED} (the recorder did not store vectors the adapter counts) or {@value #SCHEMA_UNKNOWN}
 * (the recording holds no schema for the collection, so the recorded, schema-aware value was used for
 * the decision); null for real drift.
 */
public record Drift(String pointer, JsonNode recorded, JsonNode rebuilt, String explanation) {
  public static final String STRIPPED = "vectors not recorded";
  public static final String SCHEMA_UNKNOWN = "schema not recorded; the recorded value was used";

  public boolean explained() {
    return explanation != null;
  }

  @Override
  public String toString() {
    return pointer + ": recorded " + (recorded == null ? "(absent)" : recorded.toString()) + ", rebuilt "
        + (rebuilt == null ? "(absent)" : rebuilt.toString()) + (explanation == null ? "" : " (" + explanation + ")");
  }
}
