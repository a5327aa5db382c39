package io.vectorgate.proxy.fakes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A loopback HTTP/1.1 server (JDK {@code com.sun.net.httpserver}) standing in for an upstream that
 * cannot run here. Subclasses answer routes with spec-shaped JSON; every request is recorded
 * (method, path, query, lower-cased headers, parsed body, protocol) so tests can assert exactly
 * what reached the upstream. The gateway's upstream client speaks HTTP/1.1, so this is the
 * protocol the fake needs; clients reach the gateway itself over HTTP/1.1 and h2c.
 */
public abstract class FakeUpstream implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(FakeUpstream.class);
  protected static final ObjectMapper JSON = new ObjectMapper();

  /** One request as the upstream saw it. */
  public record Recorded(String method, String path, Map<String, List<String>> query, Map<String, String> headers,
      JsonNode body, String protocol) {}

  /** A status and a JSON body. */
  public record Reply(int status, JsonNode body) {}

  private final HttpServer server;
  private final ExecutorService executor;
  private final List<Recorded> requests = Collections.synchronizedList(new ArrayList<>());

  protected FakeUpstream() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    executor = Executors.newFixedThreadPool(4, r -> {
      Thread t = new Thread(r, getClass().getSimpleName() + "-http");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.createContext("/", this::exchange);
    server.start();
  }

  /** {@code 127.0.0.1:port}. */
  public String address() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  /** Every request so far, in arrival order. */
  public List<Recorded> requests() {
    synchronized (requests) {
      return List.copyOf(requests);
    }
  }

  /** The requests to {@code path} so far. */
  public List<Recorded> requestsTo(String method, String path) {
    return requests().stream().filter(r -> r.method().equals(method) && r.path().equals(path)).toList();
  }

  public void clearRequests() {
    requests.clear();
  }

  /** Answers one request; unknown routes should answer the API's own 404. */
  protected abstract Reply handle(Recorded request);

  private void exchange(HttpExchange ex) throws IOException {
    try (ex) {
      Map<String, String> headers = new LinkedHashMap<>();
      ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), String.join(",", v)));
      byte[] raw;
      try (InputStream in = ex.getRequestBody()) {
        raw = in.readAllBytes();
      }
      JsonNode body = raw.length == 0 ? null : JSON.readTree(raw);
      Recorded r = new Recorded(ex.getRequestMethod(), ex.getRequestURI().getRawPath(), query(ex.getRequestURI().getRawQuery()),
          headers, body, ex.getProtocol());
      requests.add(r);
      Reply reply;
      try {
        reply = handle(r);
      } catch (RuntimeException e) {
        LOG.warn("event=fake_upstream_error path={} error={}", r.path(), e.toString(), e);
        reply = new Reply(500, JSON.createObjectNode().put("error", e.toString()));
      }
      byte[] out = JSON.writeValueAsBytes(reply.body());
      ex.getResponseHeaders().set("content-type", "application/json");
      ex.sendResponseHeaders(reply.status(), out.length);
      try (OutputStream os = ex.getResponseBody()) {
        os.write(out);
      }
    }
  }

  private static Map<String, List<String>> query(String raw) {
    Map<String, List<String>> q = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return q;
    }
    for (String pair : raw.split("&")) {
      String[] kv = pair.split("=", 2);
      q.computeIfAbsent(URLDecoder.decode(kv[0], StandardCharsets.UTF_8), k -> new ArrayList<>())
          .add(kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
    }
    return q;
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  /** Dot product of two vectors (the fakes score with it). */
  protected static double dot(JsonNode a, JsonNode b) {
    double s = 0;
    for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
      s += a.get(i).asDouble() * b.get(i).asDouble();
    }
    return s;
  }

  /** The values of a payload / metadata field as a list (arrays element by element, missing = empty). */
  protected static List<JsonNode> values(JsonNode v) {
    List<JsonNode> out = new ArrayList<>();
    if (v == null || v.isNull()) {
      return out;
    }
    if (v.isArray()) {
      v.forEach(out::add);
    } else {
      out.add(v);
    }
    return out;
  }

  protected static boolean same(JsonNode a, JsonNode b) {
    if (a.isNumber() && b.isNumber()) {
      return a.decimalValue().compareTo(b.decimalValue()) == 0;
    }
    return a.equals(b);
  }

  protected static boolean contains(JsonNode arr, JsonNode v) {
    for (JsonNode a : arr) {
      if (same(a, v)) {
        return true;
      }
    }
    return false;
  }
}
