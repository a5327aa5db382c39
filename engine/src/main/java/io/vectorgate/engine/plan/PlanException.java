package io.vectorgate.engine.plan;

/** A plan that cannot be read or linked, or an evaluation that failed (conflict, builtin halt). */
public class PlanException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public PlanException(String message) {
    super(message);
  }

  public PlanException(String message, Throwable cause) {
    super(message, cause);
  }
}
