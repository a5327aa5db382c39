package io.vectorgate.dsl.ast;

import java.util.Objects;

/** {@code reason "code" "message"}: the reason code and (optional, null) message a rule reports. */
public record ReasonSpec(Str code, Str message) {
  public ReasonSpec {
    Objects.requireNonNull(code, "code");
  }
}
