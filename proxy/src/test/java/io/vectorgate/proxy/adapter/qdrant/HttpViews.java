package io.vectorgate.proxy.adapter.qdrant;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vectorgate.proxy.adapter.http.HttpRequestView;
import io.vectorgate.proxy.enforce.ValueMasker;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Test helper: builds {@link HttpRequestView}s the way the listener hands them to adapters. */
public final class HttpViews {
  public static final ObjectMapper JSON = new ObjectMapper();

  private HttpViews() {}

  /** {@code target} is a path with an optional query string; {@code body} JSON text or null. */
  public static HttpRequestView view(String method, String target, String body) {
    String path = target;
    Map<String, List<String>> query = new LinkedHashMap<>();
    int q = target.indexOf('?');
    if (q >= 0) {
      path = target.substring(0, q);
      for (String pair : target.substring(q + 1).split("&")) {
        String[] kv = pair.split("=", 2);
        query.computeIfAbsent(URLDecoder.decode(kv[0], StandardCharsets.UTF_8), k -> new ArrayList<>())
            .add(kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
      }
    }
    List<String> segments = Arrays.stream(path.split("/")).filter(s -> !s.isEmpty()).toList();
    return new HttpRequestView(method, path, segments, query, Map.of(), body == null ? null : json(body));
  }

  public static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("bad test JSON: " + text, e);
    }
  }

  public static ValueMasker masker() {
    return new ValueMasker("0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8));
  }
}
