package io.vectorgate.approvals;

/**
 * Tells people about approval requests: on creation and on resolution. Called after the state
 * change is stored; must not block the caller for long and must never influence the outcome.
 */
public interface ApprovalNotifier extends AutoCloseable {
  /** Nobody is told. */
  ApprovalNotifier NONE = (event, approval) -> {};

  /** {@code event} is {@code created}, {@code approved}, {@code rejected} or {@code expired}. */
  void notify(String event, Approval approval);

  @Override
  default void close() {}
}
