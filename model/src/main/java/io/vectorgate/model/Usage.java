package io.vectorgate.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Per-identity usage counters the gateway maintains, as of the moment before this request:
 * requests in the last minute, rows and vectors returned in the last hour, and iterator /
 * scroll pages fetched in the last hour.
 */
public record Usage(
    @JsonProperty("requests_last_minute") long requestsLastMinute,
    @JsonProperty("rows_last_hour") long rowsLastHour,
    @JsonProperty("vectors_last_hour") long vectorsLastHour,
    @JsonProperty("pages_last_hour") long pagesLastHour) {
  public static final Usage NONE = new Usage(0, 0, 0, 0);
}
