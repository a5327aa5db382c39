package io.vectorgate.proxy.adapter.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/**
 * An HTTP request after the listener has normalized and checked it: the path is percent-decoded
 * once, dot segments and duplicate slashes resolved (ambiguous paths were already refused);
 * headers are lower-cased; the body is parsed JSON (strict: no duplicate keys, depth-limited) or
 * null when the request has none.
 *
 * @param method upper-case HTTP method
 * @param path the normalized path, starting with '/'
 * @param segments the path's segments (no empty ones)
 * @param query decoded query parameters, in order
 * @param headers lower-cased header names → values
 * @param body parsed JSON body, or null
 */
public record HttpRequestView(
    String method,
    String path,
    List<String> segments,
    Map<String, List<String>> query,
    Map<String, List<String>> headers,
    JsonNode body) {

  public HttpRequestView {
    segments = List.copyOf(segments);
    query = Map.copyOf(query);
    headers = Map.copyOf(headers);
  }

  /** A copy with another body (for request rewrites). */
  public HttpRequestView withBody(JsonNode newBody) {
    return new HttpRequestView(method, path, segments, query, headers, newBody);
  }

  /** A copy with another path (e.g. a pinned namespace or resolved collection). */
  public HttpRequestView withPath(String newPath, List<String> newSegments) {
    return new HttpRequestView(method, newPath, newSegments, query, headers, body);
  }

  public String firstQuery(String name) {
    List<String> v = query.get(name);
    return v == null || v.isEmpty() ? null : v.get(0);
  }
}
