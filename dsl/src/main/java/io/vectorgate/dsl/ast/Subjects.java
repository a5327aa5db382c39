package io.vectorgate.dsl.ast;

import java.util.List;

/** Who an allow or deny rule is about: anyone, or the members of any of the named roles. */
public record Subjects(boolean anyone, List<Name> roles, Span span) {
  public Subjects {
    roles = List.copyOf(roles);
    span = span == null ? Span.NONE : span;
    if (anyone != roles.isEmpty()) {
      throw new IllegalArgumentException("either anyone or a non-empty list of roles");
    }
  }

  public static final Subjects ANYONE = new Subjects(true, List.of(), Span.NONE);
}
