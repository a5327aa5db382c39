package io.vectorgate.dsl.ast;

import java.util.Objects;

/** A string literal (already unescaped), with its span. */
public record Str(String value, Span span) {
  public Str {
    Objects.requireNonNull(value, "value");
    span = span == null ? Span.NONE : span;
  }

  public static Str of(String value) {
    return new Str(value, Span.NONE);
  }
}
