package io.vectorgate.proxy.adapter.http;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * An HTTP answer as the adapters see it: the status and the parsed JSON body (null when empty).
 */
public record HttpReply(int status, JsonNode body) {
  public boolean success() {
    return status >= 200 && status < 300;
  }
}
