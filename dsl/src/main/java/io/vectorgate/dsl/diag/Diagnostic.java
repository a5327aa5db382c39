package io.vectorgate.dsl.diag;

import io.vectorgate.dsl.ast.Span;
import java.util.Comparator;
import java.util.Objects;

/**
 * One finding about a policy file: a stable {@code code} (e.g. {@code VG101}), severity, where,
 * a lowercase message with user input in backticks, and a caret snippet of the source line.
 */
public record Diagnostic(String code, Severity severity, Span span, String message, String snippet) {

  /** Sorts by file, line, column, then code. */
  public static final Comparator<Diagnostic> BY_LOCATION = Comparator
      .comparing((Diagnostic d) -> d.span().file())
      .thenComparingInt(d -> d.span().line())
      .thenComparingInt(d -> d.span().column())
      .thenComparing(Diagnostic::code)
      .thenComparing(Diagnostic::message);

  public Diagnostic {
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(span, "span");
    Objects.requireNonNull(message, "message");
    snippet = snippet == null ? "" : snippet;
  }

  public boolean isError() {
    return severity == Severity.ERROR;
  }

  /** {@code file:line:col: error VG101: message} followed by the snippet lines. */
  public String render() {
    String head = span.location() + ": " + severity.label() + " " + code + ": " + message;
    return snippet.isEmpty() ? head : head + "\n" + snippet;
  }

  @Override
  public String toString() {
    return render();
  }
}
