package io.vectorgate.rollout;

/** A stage failed; carries the structured {@link StageFailure}. */
public final class RolloutException extends Exception {
  private static final long serialVersionUID = 1L;
  private final transient StageFailure failure;

  public RolloutException(StageFailure failure) {
    super(failure.stage().wireName() + ": " + failure.message());
    this.failure = failure;
  }

  public RolloutException(StageFailure failure, Throwable cause) {
    super(failure.stage().wireName() + ": " + failure.message(), cause);
    this.failure = failure;
  }

  public RolloutException(Stage stage, String message) {
    this(StageFailure.of(stage, message));
  }

  public RolloutException(Stage stage, String message, Throwable cause) {
    this(StageFailure.of(stage, message), cause);
  }

  public StageFailure failure() {
    return failure;
  }
}
