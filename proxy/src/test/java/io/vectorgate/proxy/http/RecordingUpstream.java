package io.vectorgate.proxy.http;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * A tiny loopback HTTP server standing in for Chroma in the hostile suite: it records every
 * request that reaches it (method, target, lower-cased headers, body) and answers with a
 * function of the request, so tests can prove what the gateway let through, and in which form.
 */
final class RecordingUpstream implements AutoCloseable {
  /** One request that reached the upstream. */
  record Seen(String method, String target, Map<String, List<String>> headers, String body) {}

  /** An answer: status and JSON text. */
  record Answer(int status, String json) {}

  final List<Seen> seen = new CopyOnWriteArrayList<>();
  private final HttpServer server;

  RecordingUpstream(Function<Seen, Answer> answers) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 64);
    server.setExecutor(Executors.newFixedThreadPool(4));
    server.createContext("/", ex -> {
      byte[] body = ex.getRequestBody().readAllBytes();
      Map<String, List<String>> headers = new java.util.TreeMap<>();
      ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), List.copyOf(v)));
      Seen s = new Seen(ex.getRequestMethod(), ex.getRequestURI().getRawPath()
          + (ex.getRequestURI().getRawQuery() == null ? "" : "?" + ex.getRequestURI().getRawQuery()), headers,
          new String(body, StandardCharsets.UTF_8));
      seen.add(s);
      Answer a = answers.apply(s);
      byte[] out = a.json().getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("content-type", "application/json");
      ex.sendResponseHeaders(a.status(), out.length == 0 ? -1 : out.length);
      if (out.length > 0) {
        ex.getResponseBody().write(out);
      }
      ex.close();
    });
    server.start();
  }

  String address() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }
}
