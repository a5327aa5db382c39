package io.vectorgate.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A policy's answer. {@code allow=false} denies whatever the obligations say. With
 * {@code allow=true} the gateway forwards after applying {@link Obligations}; if
 * {@code obligations.approval} is set it first holds the request for human approval.
 *
 * <p>{@code decisionId} and {@code revision} are filled by the engine, not by the policy.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Decision(
    @JsonProperty("allow") boolean allow,
    @JsonProperty("reasons") List<Reason> reasons,
    @JsonProperty("obligations") Obligations obligations,
    @JsonProperty("decision_id") String decisionId,
    @JsonProperty("revision") String revision) {

  public Decision {
    reasons = reasons == null ? List.of() : List.copyOf(reasons);
    obligations = obligations == null ? Obligations.NONE : obligations;
  }

  /** A fail-closed deny carrying one reason. */
  public static Decision deny(String code, String message) {
    return new Decision(false, List.of(new Reason(code, message)), Obligations.NONE, null, null);
  }

  public Decision withIdentity(String decisionId, String revision) {
    return new Decision(allow, reasons, obligations, decisionId, revision);
  }

  public boolean requiresApproval() {
    return allow && obligations.approval() != null;
  }

  /** Reason codes, in order. */
  public List<String> reasonCodes() {
    return reasons.stream().map(Reason::code).collect(Collectors.toList());
  }
}
