package io.vectorgate.engine;

import java.util.Comparator;

/**
 * One compile problem: where ({@code file}, 1-based {@code line} and {@code column}; 0 when OPA did
 * not say), OPA's error {@code code} (e.g. {@code rego_type_error}) and a message. Orders by
 * location.
 */
public record Diagnostic(String file, int line, int column, String code, String message)
    implements Comparable<Diagnostic> {

  private static final Comparator<Diagnostic> ORDER = Comparator
      .comparing((Diagnostic d) -> d.file == null ? "" : d.file)
      .thenComparingInt(Diagnostic::line)
      .thenComparingInt(Diagnostic::column)
      .thenComparing(d -> d.code == null ? "" : d.code)
      .thenComparing(d -> d.message == null ? "" : d.message);

  public Diagnostic {
    code = code == null || code.isBlank() ? "opa_error" : code;
    message = message == null ? "" : message;
  }

  @Override
  public int compareTo(Diagnostic o) {
    return ORDER.compare(this, o);
  }

  /** {@code file:line:column: code: message}, the form editors and CI annotate from. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    if (file != null) {
      sb.append(file);
      if (line > 0) {
        sb.append(':').append(line);
        if (column > 0) {
          sb.append(':').append(column);
        }
      }
      sb.append(": ");
    }
    return sb.append(code).append(": ").append(message).toString();
  }
}
