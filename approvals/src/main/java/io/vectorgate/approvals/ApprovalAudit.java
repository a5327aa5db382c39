package io.vectorgate.approvals;

/**
 * Receives every approval transition so the gateway can write it to the session log (the recorder
 * is wired here). Implementations must not throw for a record they cannot write: they report it to
 * the operator themselves; an audit failure never approves anything.
 */
@FunctionalInterface
public interface ApprovalAudit {
  void record(ApprovalEvent event);
}
