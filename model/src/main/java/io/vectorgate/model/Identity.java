package io.vectorgate.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * A verified caller. {@code claims} holds the extra token claims an operator chose to map
 * (never the raw token).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Identity(
    @JsonProperty("subject") String subject,
    @JsonProperty("email") String email,
    @JsonProperty("groups") List<String> groups,
    @JsonProperty("tenant") String tenant,
    @JsonProperty("issuer") String issuer,
    @JsonProperty("claims") Map<String, Object> claims) {

  public Identity {
    groups = groups == null ? List.of() : List.copyOf(groups);
    claims = claims == null ? Map.of() : Map.copyOf(claims);
  }

  public boolean inGroup(String group) {
    return groups.contains(group);
  }
}
