package io.vectorgate.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The raw protocol facts an operation was decoded from: {@code protocol} is {@code grpc} or
 * {@code http}; gRPC sets {@code rpc} (full method name), HTTP sets {@code method} and {@code path}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ProtocolFacts(
    @JsonProperty("protocol") String protocol,
    @JsonProperty("rpc") String rpc,
    @JsonProperty("method") String method,
    @JsonProperty("path") String path) {

  public static ProtocolFacts grpc(String fullMethodName) {
    return new ProtocolFacts("grpc", fullMethodName, null, null);
  }

  public static ProtocolFacts http(String method, String path) {
    return new ProtocolFacts("http", null, method, path);
  }
}
