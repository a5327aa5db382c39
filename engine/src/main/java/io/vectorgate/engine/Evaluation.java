package io.vectorgate.engine;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The outcome of a raw {@link PolicyEngine#evaluate(String, String)}: the entrypoint's value when
 * defined, or why there is none. {@code decisionId} and {@code revision} are always set.
 */
public record Evaluation(
    String decisionId,
    String revision,
    String entrypoint,
    Status status,
    JsonNode result,
    String reasonCode,
    String message,
    long evalNanos,
    long totalNanos) {

  /** DEFINED: {@code result} holds the value. UNDEFINED: no value. FAILED: see {@code reasonCode}. */
  public enum Status { DEFINED, UNDEFINED, FAILED }

  public boolean defined() {
    return status == Status.DEFINED;
  }
}
