package io.vectorgate.proxy.recording;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorgate.approvals.ApprovalAudit;
import io.vectorgate.approvals.ApprovalEvent;
import io.vectorgate.approvals.LoggingApprovalAudit;
import io.vectorgate.proxy.pipeline.GatewayMetrics;
import io.vectorgate.recorder.Recorder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends every approval transition to the session log as an {@code approval} entry
 * ({@code approval_id}, {@code event}, {@code actor}, {@code status}, {@code detail}) and also
 * writes it to the structured audit log. A transition that cannot be recorded is logged and
 * counted ({@code recording_failed}); it never changes the approval's outcome.
 */
public final class RecordingApprovalAudit implements ApprovalAudit {
  private static final Logger LOG = LoggerFactory.getLogger(RecordingApprovalAudit.class);

  private final Recorder recorder;
  private final GatewayMetrics metrics;
  private final LoggingApprovalAudit log = new LoggingApprovalAudit();

  public RecordingApprovalAudit(Recorder recorder, GatewayMetrics metrics) {
    this.recorder = recorder;
    this.metrics = metrics;
  }

  @Override
  public void record(ApprovalEvent e) {
    log.record(e);
    ObjectNode f = JsonNodeFactory.instance.objectNode();
    f.put("approval_id", e.approvalId());
    f.put("event", e.kind().wire());
    if (e.actor() != null) {
      f.put("actor", e.actor());
    }
    if (e.status() != null) {
      f.put("status", e.status().wire());
    }
    if (e.detail() != null) {
      f.put("detail", e.detail());
    }
    try {
      recorder.appendApproval(e.at(), null, f).whenComplete((ack, err) -> {
        if (err != null) {
          failed(e, err);
        }
      });
    } catch (RuntimeException ex) {
      failed(e, ex);
    }
  }

  private void failed(ApprovalEvent e, Throwable err) {
    metrics.count("recording_failed");
    LOG.error("event=recording_failed kind=approval approval_id={} transition={} error=\"{}\"", e.approvalId(),
        e.kind().wire(), err.getMessage(), err);
  }
}
