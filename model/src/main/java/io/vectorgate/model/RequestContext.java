package io.vectorgate.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Circumstances of a request: when ({@code time} RFC 3339 and {@code time_ns}), from where,
 * its request id, and the caller's recent usage as counted by the gateway.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RequestContext(
    @JsonProperty("time") String time,
    @JsonProperty("time_ns") long timeNs,
    @JsonProperty("client_address") String clientAddress,
    @JsonProperty("request_id") String requestId,
    @JsonProperty("usage") Usage usage) {

  public RequestContext {
    usage = usage == null ? Usage.NONE : usage;
  }
}
