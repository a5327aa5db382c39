package io.vectorgate.dsl.ast;

/**
 * Where a node came from: file, 1-based line and column of its first character, and of its last.
 *
 * <p>A span is location metadata, not meaning: every span equals every other span, so two ASTs
 * are equal when they say the same thing, wherever it was written (this is what lets
 * {@code parse(format(ast))} be compared with {@code ast}).
 */
public record Span(String file, int line, int column, int endLine, int endColumn) {

  /** The span of nodes built in code rather than parsed. */
  public static final Span NONE = new Span("<none>", 0, 0, 0, 0);

  @Override
  public boolean equals(Object o) {
    return o instanceof Span;
  }

  @Override
  public int hashCode() {
    return 0;
  }

  /** {@code file:line:column}. */
  public String location() {
    return file + ":" + line + ":" + column;
  }
}
