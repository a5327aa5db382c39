package io.vectorgate.dsl.ast;

import java.util.List;

/** The collections a rule is about: any collection, or glob patterns ({@code *}, {@code ?}). */
public record Target(boolean any, List<Str> patterns, Span span) {
  public Target {
    patterns = List.copyOf(patterns);
    span = span == null ? Span.NONE : span;
    if (any != patterns.isEmpty()) {
      throw new IllegalArgumentException("either any collection or a non-empty list of patterns");
    }
  }

  public static final Target ANY = new Target(true, List.of(), Span.NONE);
}
