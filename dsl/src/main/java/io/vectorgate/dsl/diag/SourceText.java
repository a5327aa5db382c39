package io.vectorgate.dsl.diag;

import io.vectorgate.dsl.ast.Span;
import java.util.List;

/** A policy file's name and text, split into lines for caret snippets. */
public final class SourceText {
  private final String file;
  private final String text;
  private final List<String> lines;

  public SourceText(String file, String text) {
    this.file = file;
    this.text = text;
    this.lines = text.lines().toList();
  }

  public String file() {
    return file;
  }

  public String text() {
    return text;
  }

  /**
   * The source line of {@code span} with carets under the spanned columns (to the end of the line
   * when the span covers several lines). Tabs are kept so the caret lines up.
   */
  public String snippet(Span span) {
    if (span.line() < 1 || span.line() > lines.size()) {
      return "";
    }
    String line = lines.get(span.line() - 1);
    int start = Math.max(1, Math.min(span.column(), line.length() + 1));
    int end = span.endLine() == span.line() ? Math.max(start, span.endColumn()) : Math.max(start, line.length());
    end = Math.min(end, Math.max(start, line.length()));
    StringBuilder caret = new StringBuilder("  ");
    for (int i = 1; i < start; i++) {
      caret.append(i - 1 < line.length() && line.charAt(i - 1) == '\t' ? '\t' : ' ');
    }
    caret.append("^".repeat(end - start + 1));
    return "  " + line + "\n" + caret;
  }

  /** A diagnostic at {@code span} with this file's snippet. */
  public Diagnostic diagnostic(String code, Severity severity, Span span, String message) {
    return new Diagnostic(code, severity, span, message, snippet(span));
  }
}
