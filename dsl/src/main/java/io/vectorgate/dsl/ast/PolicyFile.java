package io.vectorgate.dsl.ast;

import java.util.List;

/**
 * One parsed policy file: {@code policy "name" version N}, its statements in source order, and
 * comments after the last statement.
 */
public record PolicyFile(Str name, long version, List<Statement> statements, List<String> headerComments,
    List<String> trailingComments, Span span) {
  public PolicyFile {
    statements = List.copyOf(statements);
    headerComments = List.copyOf(headerComments);
    trailingComments = List.copyOf(trailingComments);
  }
}
