package io.vectorgate.engine.builtins;

/**
 * A host builtin rejected its arguments or could not compute a result. Thrown out of the Wasm
 * evaluation, so the evaluation fails (and the engine denies) instead of returning garbage.
 */
public final class BuiltinException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final String builtin;

  public BuiltinException(String builtin, String message) {
    super(builtin + ": " + message);
    this.builtin = builtin;
  }

  public BuiltinException(String builtin, String message, Throwable cause) {
    super(builtin + ": " + message, cause);
    this.builtin = builtin;
  }

  /** The Rego name of the builtin that failed, e.g. {@code time.parse_ns}. */
  public String builtin() {
    return builtin;
  }
}
