package io.vectorgate.approvals;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** An {@link ApprovalAudit} that keeps every event (and also logs it), so tests can read the transitions. */
final class RecordingAudit implements ApprovalAudit {
  final List<ApprovalEvent> events = new CopyOnWriteArrayList<>();
  private final LoggingApprovalAudit log = new LoggingApprovalAudit();

  @Override
  public void record(ApprovalEvent event) {
    log.record(event);
    events.add(event);
  }

  List<ApprovalEvent.Kind> kinds(String approvalId) {
    return events.stream().filter(e -> e.approvalId().equals(approvalId)).map(ApprovalEvent::kind).toList();
  }
}
