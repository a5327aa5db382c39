package io.vectorgate.approvals;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes every transition as one structured line on the {@code io.vectorgate.approvals.audit} logger. */
public final class LoggingApprovalAudit implements ApprovalAudit {
  private static final Logger LOG = LoggerFactory.getLogger("io.vectorgate.approvals.audit");

  @Override
  public void record(ApprovalEvent e) {
    LOG.info("event=approval_{} approval_id={} actor={} status={} at={} detail=\"{}\"", e.kind().wire(), e.approvalId(),
        e.actor(), e.status() == null ? "-" : e.status().wire(), e.at(),
        e.detail() == null ? "" : e.detail().replace("\"", "'"));
  }
}
