package io.vectorgate.rollout;

/**
 * A pin that was refused and not stored: the revision is malformed, unknown to the source, or fails
 * a pipeline stage. The admin API answers 400 with the stage and message.
 */
public final class PinRefusedException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;
  private final transient StageFailure failure;
  private final String revision;

  public PinRefusedException(String revision, StageFailure failure) {
    super("pin refused, nothing stored: revision " + GitPolicySource.printable(revision) + " failed at stage "
        + failure.stage().wireName() + ": " + failure.render());
    this.revision = revision;
    this.failure = failure;
  }

  public String revision() {
    return revision;
  }

  public StageFailure failure() {
    return failure;
  }
}
