package io.vectorgate.dsl.ast;

import java.util.List;

/** The actions a rule is about: {@code any action}, or a list of action names. */
public record Actions(boolean any, List<Name> names, Span span) {
  public Actions {
    names = List.copyOf(names);
    span = span == null ? Span.NONE : span;
    if (any != names.isEmpty()) {
      throw new IllegalArgumentException("either any action or a non-empty list of actions");
    }
  }

  public static final Actions ANY = new Actions(true, List.of(), Span.NONE);
}
