package io.vectorgate.proxy.http;

import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * One complete request as the transport received it, before normalization.
 *
 * @param method the method as sent
 * @param target the raw request-target
 * @param headers header (name as sent, value) pairs in order
 * @param body the body bytes (empty when none)
 * @param protocol {@code HTTP/1.1}, {@code HTTP/1.0} or {@code HTTP/2}
 * @param clientAddress the peer's address
 * @param connectionId the gateway's id of the client connection (null when not tracked)
 * @param clientGone true once the client can no longer receive the response (HTTP/1.1 connection
 *     closed, HTTP/2 stream reset or connection closed); asked while a request is held for approval
 */
public record InboundRequest(String method, String target, List<Map.Entry<String, String>> headers, byte[] body,
    String protocol, String clientAddress, String connectionId, BooleanSupplier clientGone) {
  public InboundRequest {
    headers = List.copyOf(headers);
    clientGone = clientGone == null ? () -> false : clientGone;
  }

  /** Without a probe of the client's connection (never gone). */
  public InboundRequest(String method, String target, List<Map.Entry<String, String>> headers, byte[] body,
      String protocol, String clientAddress, String connectionId) {
    this(method, target, headers, body, protocol, clientAddress, connectionId, null);
  }

  /** Without a connection id (recording off, or a request not tied to a tracked connection). */
  public InboundRequest(String method, String target, List<Map.Entry<String, String>> headers, byte[] body,
      String protocol, String clientAddress) {
    this(method, target, headers, body, protocol, clientAddress, null);
  }
}
