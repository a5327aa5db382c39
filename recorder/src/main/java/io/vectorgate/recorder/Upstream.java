package io.vectorgate.recorder;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The upstream call: its status as the database reported it ({@code OK}/{@code NOT_FOUND} for
 * gRPC, {@code 200} for HTTP) and how long it took in microseconds. Null in a record when the
 * request was never forwarded.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Upstream(
    @JsonProperty("status") String status,
    @JsonProperty("duration_us") long durationMicros) {}
