package io.vectorgate.recorder;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The client side of a request: its address ({@code host:port}), the gateway's id of the client
 * connection (gRPC channel / HTTP connection) and the transport ({@code grpc}, {@code http}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ClientInfo(
    @JsonProperty("address") String address,
    @JsonProperty("connection_id") String connectionId,
    @JsonProperty("transport") String transport) {}
