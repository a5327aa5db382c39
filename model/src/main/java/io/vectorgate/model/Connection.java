package io.vectorgate.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Objects;

/** The configured upstream database a request goes to: its name in the gateway config and its kind. */
public record Connection(@JsonProperty("name") String name, @JsonProperty("kind") DatabaseKind kind) {
  public Connection {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(kind, "kind");
  }
}
