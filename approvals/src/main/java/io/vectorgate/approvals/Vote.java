package io.vectorgate.approvals;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;

/** One approver's answer: approve or reject, the approver's groups at that time, a comment or reason. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Vote(
    @JsonProperty("approver") String approver,
    @JsonProperty("approve") boolean approve,
    @JsonProperty("groups") List<String> groups,
    @JsonProperty("comment") String comment,
    @JsonProperty("at") Instant at) {
  public Vote {
    groups = groups == null ? List.of() : List.copyOf(groups);
  }
}
