package io.vectorgate.dsl.ast;

import java.util.Objects;

/** An identifier as written (action, role, weekday, mask method), with its span. */
public record Name(String value, Span span) {
  public Name {
    Objects.requireNonNull(value, "value");
    span = span == null ? Span.NONE : span;
  }

  public static Name of(String value) {
    return new Name(value, Span.NONE);
  }
}
