package io.vectorgate.engine;

/** A bundle could not become active; the previously active bundle (if any) stays. */
public final class PolicyActivationException extends Exception {
  private static final long serialVersionUID = 1L;

  public PolicyActivationException(String message) {
    super(message);
  }

  public PolicyActivationException(String message, Throwable cause) {
    super(message, cause);
  }
}
