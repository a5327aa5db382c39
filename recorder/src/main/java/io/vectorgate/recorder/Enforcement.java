package io.vectorgate.recorder;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * What enforcement did to one request.
 *
 * <ul>
 *   <li>{@code outcome}: {@code forwarded}, {@code denied}, {@code held} (waiting for approval),
 *       {@code approved}, {@code rejected} (approval refused/expired) or {@code error};
 *   <li>{@code filterAdded}: the row filter the gateway ANDed into the request, in the database's
 *       syntax (a string for Milvus, a JSON object otherwise), null when none;
 *   <li>{@code fieldsMasked}: response fields that were masked or dropped;
 *   <li>{@code vectorsStripped}: embeddings were removed from the response;
 *   <li>{@code limitRequested}/{@code limitClamped}: the client's limit and the clamped one, when clamped;
 *   <li>{@code approvalId}: the approval request, when one was created.
 * </ul>
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Enforcement(
    @JsonProperty("outcome") String outcome,
    @JsonProperty("filter_added") Object filterAdded,
    @JsonProperty("fields_masked") List<String> fieldsMasked,
    @JsonProperty("vectors_stripped") boolean vectorsStripped,
    @JsonProperty("limit_requested") Long limitRequested,
    @JsonProperty("limit_clamped") Long limitClamped,
    @JsonProperty("approval_id") String approvalId) {

  public Enforcement {
    fieldsMasked = fieldsMasked == null ? List.of() : List.copyOf(fieldsMasked);
  }

  public static Enforcement forwarded() {
    return new Enforcement("forwarded", null, List.of(), false, null, null, null);
  }

  public static Enforcement denied() {
    return new Enforcement("denied", null, List.of(), false, null, null, null);
  }
}
