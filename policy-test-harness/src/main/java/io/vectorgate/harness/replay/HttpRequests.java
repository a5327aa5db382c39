package io.vectorgate.harness.replay;

import com.fasterxml.jackson.databind.JsonNode;
import io.vectorgate.harness.HarnessException;
import io.vectorgate.proxy.adapter.http.HttpRequestView;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Rebuilds an {@link HttpRequestView} from a recorded HTTP request. Two recorded shapes are read:
 *
 * <ol>
 *   <li>{@code request = {"method", "path", "query"?, "headers"?, "body"?}} (the path may carry a
 *       {@code ?query}; {@code query}/{@code headers} values are strings or arrays of strings);
 *   <li>otherwise {@code request} is the body, and method and path come from the recorded
 *       operation's protocol facts.
 * </ol>
 */
public final class HttpRequests {
  private HttpRequests() {}

  static boolean isEnvelope(JsonNode request) {
    return request != null && request.isObject() && request.path("method").isTextual() && request.path("path").isTextual();
  }

  /** The recorded request path (without query), or null. */
  static String pathOf(RecordedRequest r) {
    String p = null;
    if (isEnvelope(r.request())) {
      p = r.request().get("path").textValue();
    } else if (r.operation() != null && r.operation().protocol() != null) {
      p = r.operation().protocol().path();
    }
    if (p == null) {
      return null;
    }
    int q = p.indexOf('?');
    return q < 0 ? p : p.substring(0, q);
  }

  static List<String> segments(String path) {
    List<String> out = new ArrayList<>();
    for (String s : path.split("/")) {
      if (!s.isEmpty()) {
        out.add(s);
      }
    }
    return out;
  }

  /** The view the adapter decodes. */
  public static HttpRequestView view(RecordedRequest r) {
    String method;
    String path;
    JsonNode body;
    Map<String, List<String>> query = new LinkedHashMap<>();
    Map<String, List<String>> headers = new LinkedHashMap<>();
    JsonNode req = r.request();
    if (isEnvelope(req)) {
      method = req.get("method").textValue();
      path = req.get("path").textValue();
      body = req.hasNonNull("body") ? req.get("body") : null;
      readMulti(req.get("query"), query, "request.query", r, false);
      readMulti(req.get("headers"), headers, "request.headers", r, true);
    } else {
      if (r.operation() == null || r.operation().protocol() == null
          || r.operation().protocol().method() == null || r.operation().protocol().path() == null) {
        throw new HarnessException(r.location(), "record `" + r.id()
            + "`: HTTP request without method and path (neither in `request` nor in `operation.protocol`)");
      }
      method = r.operation().protocol().method();
      path = r.operation().protocol().path();
      body = req;
    }
    int q = path.indexOf('?');
    if (q >= 0) {
      for (String pair : path.substring(q + 1).split("&")) {
        if (pair.isEmpty()) {
          continue;
        }
        int eq = pair.indexOf('=');
        String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
        String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        query.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
      }
      path = path.substring(0, q);
    }
    if (!path.startsWith("/")) {
      throw new HarnessException(r.location(), "record `" + r.id() + "`: HTTP path `" + path + "` does not start with /");
    }
    Map<String, List<String>> frozenQuery = new LinkedHashMap<>();
    query.forEach((k, v) -> frozenQuery.put(k, List.copyOf(v)));
    Map<String, List<String>> frozenHeaders = new LinkedHashMap<>();
    headers.forEach((k, v) -> frozenHeaders.put(k, List.copyOf(v)));
    return new HttpRequestView(method.toUpperCase(Locale.ROOT), path, segments(path), frozenQuery, frozenHeaders,
        body == null ? null : Payloads.withoutStrippedVectors(body).node());
  }

  private static void readMulti(JsonNode n, Map<String, List<String>> out, String field, RecordedRequest r, boolean lower) {
    if (n == null || n.isNull()) {
      return;
    }
    if (!n.isObject()) {
      throw new HarnessException(r.location(), "record `" + r.id() + "`: `" + field + "` must be an object");
    }
    Iterator<Map.Entry<String, JsonNode>> it = n.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      String k = lower ? e.getKey().toLowerCase(Locale.ROOT) : e.getKey();
      List<String> values = out.computeIfAbsent(k, x -> new ArrayList<>());
      if (e.getValue().isArray()) {
        for (JsonNode v : e.getValue()) {
          values.add(scalar(v, field + "." + e.getKey(), r));
        }
      } else {
        values.add(scalar(e.getValue(), field + "." + e.getKey(), r));
      }
    }
  }

  private static String scalar(JsonNode v, String field, RecordedRequest r) {
    if (!v.isValueNode() || v.isNull()) {
      throw new HarnessException(r.location(), "record `" + r.id() + "`: `" + field + "` values must be strings");
    }
    return v.asText();
  }
}
