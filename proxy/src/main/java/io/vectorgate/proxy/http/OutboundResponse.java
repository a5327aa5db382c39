package io.vectorgate.proxy.http;

import java.util.Map;

/**
 * The answer to one request.
 *
 * @param status HTTP status
 * @param headers response headers (lower-case names) besides content-length
 * @param body the body
 * @param closeConnection close the connection after it (framing could not be trusted)
 */
public record OutboundResponse(int status, Map<String, String> headers, byte[] body, boolean closeConnection) {
  public OutboundResponse {
    headers = Map.copyOf(headers);
  }
}
