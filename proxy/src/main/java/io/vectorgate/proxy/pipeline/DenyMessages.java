package io.vectorgate.proxy.pipeline;

import io.vectorgate.model.Decision;
import io.vectorgate.model.Reason;
import java.util.stream.Collectors;

/** The client-facing text of a policy deny. */
public final class DenyMessages {
  private DenyMessages() {}

  /** {@code denied by policy (decision <id>): <code>: <message>; ...}. */
  public static String format(Decision d) {
    String reasons = d.reasons().isEmpty() ? "no_reason: the policy gave no reason"
        : d.reasons().stream().map(DenyMessages::reason).collect(Collectors.joining("; "));
    return "denied by policy (decision " + (d.decisionId() == null ? "none" : d.decisionId()) + "): " + reasons;
  }

  private static String reason(Reason r) {
    return r.code() + ": " + r.message();
  }
}
