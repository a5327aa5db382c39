package io.vectorgate.dsl.diag;

/** How bad a diagnostic is: errors stop compilation, warnings do not. */
public enum Severity {
  ERROR, WARNING;

  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
