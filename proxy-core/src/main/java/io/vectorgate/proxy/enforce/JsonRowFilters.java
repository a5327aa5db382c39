package io.vectorgate.proxy.enforce;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * The pre-read support of the HTTP adapters: the upstream reader the gateway supplies and the cap
 * on the ids one pre-read checks. Matching rows against the row filter is {@link RowFilterMatcher}.
 */
public final class JsonRowFilters {
  /** Default cap on the ids one pre-read checks; a write addressing more is refused. */
  public static final int DEFAULT_MAX_PRE_READ_IDS = 16_384;

  private JsonRowFilters() {}

  /**
   * A read the gateway sends to its upstream with its own credential, for the pre-read of rows a
   * write addresses by id: {@code segments} are the decoded path segments, {@code query} the
   * decoded query parameters (the gateway encodes both), {@code body} is JSON or null. Adapters
   * stay free of transport types: the gateway supplies the implementation.
   */
  @FunctionalInterface
  public interface UpstreamReader {
    /** No upstream: every pre-read fails, so row-filtered writes by id are refused. */
    UpstreamReader NONE = (method, segments, query, body) -> {
      throw new java.io.IOException("this adapter has no upstream to read rows from");
    };

    Reply read(String method, List<String> segments, java.util.Map<String, List<String>> query, JsonNode body)
        throws java.io.IOException;

    /** The upstream's status and JSON body (null when it sent none). */
    record Reply(int status, JsonNode body) {}
  }
}
