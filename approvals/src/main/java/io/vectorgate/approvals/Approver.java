package io.vectorgate.approvals;

import java.util.List;
import java.util.Objects;

/** An authenticated person acting on approvals: the verified subject and groups (from OIDC). */
public record Approver(String subject, List<String> groups) {
  public Approver {
    Objects.requireNonNull(subject, "subject");
    groups = groups == null ? List.of() : List.copyOf(groups);
  }
}
