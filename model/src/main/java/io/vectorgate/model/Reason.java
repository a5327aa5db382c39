package io.vectorgate.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Objects;

/** Why a decision came out as it did: a stable machine {@code code} and a sentence for people. */
public record Reason(@JsonProperty("code") String code, @JsonProperty("message") String message) {
  public Reason {
    Objects.requireNonNull(code, "code");
    message = message == null ? code : message;
  }
}
