package io.vectorgate.harness.replay;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One difference between the operation the gateway recorded and the one the harness rebuilt from the
 * recorded raw request with the same adapter: a JSON pointer into the operation and both values
 * (null when absent on that side). {@code explainedByStripping} is true when the recorder did not
 * store vectors the adapter counts (so counts derived from them differ).
 */
public record Drift(String pointer, JsonNode recorded, JsonNode rebuilt, boolean explainedByStripping) {
  @Override
  public String toString() {
    return pointer + ": recorded " + (recorded == null ? "(absent)" : recorded.toString()) + ", rebuilt "
        + (rebuilt == null ? "(absent)" : rebuilt.toString()) + (explainedByStripping ? " (vectors not recorded)" : "");
  }
}
