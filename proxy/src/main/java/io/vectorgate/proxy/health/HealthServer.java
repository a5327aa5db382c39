package io.vectorgate.proxy.health;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.vectorgate.proxy.config.ConfigLoader;
import io.vectorgate.proxy.config.HealthConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code health:} listener, unauthenticated: {@code GET /livez} answers 200 while the process
 * serves (it does not depend on peers, so a slow database never gets an instance restarted);
 * {@code GET /readyz} answers 200 only while the instance is {@link State#READY}, 503 while it
 * starts or drains. Bodies are one JSON object, {@code {"status": "..."}}, nothing else.
 */
public final class HealthServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HealthServer.class);

  /** The instance's lifecycle as the probes see it. */
  public enum State {
    STARTING, READY, DRAINING
  }

  private final HttpServer server;
  private final AtomicReference<State> state = new AtomicReference<>(State.STARTING);
  private final long drainDelayMs;

  private HealthServer(HttpServer server, long drainDelayMs) {
    this.server = server;
    this.drainDelayMs = drainDelayMs;
  }

  /** Binds {@code cfg.address()} and serves the probes (state {@link State#STARTING}). */
  public static HealthServer start(HealthConfig cfg) throws IOException {
    ConfigLoader.HostPort hp = ConfigLoader.hostPort(cfg.address());
    HttpServer server = HttpServer.create(new InetSocketAddress(hp.host(), hp.port()), 16);
    HealthServer h = new HealthServer(server, cfg.drainDelayMs());
    server.createContext("/livez", ex -> h.answer(ex, 200, "live"));
    server.createContext("/readyz", ex -> {
      State s = h.state.get();
      h.answer(ex, s == State.READY ? 200 : 503, s.name().toLowerCase(java.util.Locale.ROOT));
    });
    server.setExecutor(Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "vectorgate-health");
      t.setDaemon(true);
      return t;
    }));
    server.start();
    LOG.info("event=health_listening address={}:{}", hp.host(), h.port());
    return h;
  }

  private void answer(HttpExchange ex, int status, String body) throws IOException {
    try (ex) {
      String method = ex.getRequestMethod();
      if (!method.equals("GET") && !method.equals("HEAD")) {
        ex.getResponseHeaders().set("Allow", "GET, HEAD");
        ex.sendResponseHeaders(405, -1);
        return;
      }
      if (!ex.getRequestURI().getPath().equals(ex.getHttpContext().getPath())) {
        ex.sendResponseHeaders(404, -1);
        return;
      }
      byte[] b = ("{\"status\":\"" + body + "\"}").getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", "application/json");
      ex.getResponseHeaders().set("Cache-Control", "no-store");
      if (method.equals("HEAD")) {
        ex.sendResponseHeaders(status, -1);
        return;
      }
      ex.sendResponseHeaders(status, b.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(b);
      }
    }
  }

  /** The bound port (useful with port 0). */
  public int port() {
    return server.getAddress().getPort();
  }

  public State state() {
    return state.get();
  }

  /** Every listener is up: the instance takes traffic. */
  public void ready() {
    state.compareAndSet(State.STARTING, State.READY);
  }

  /**
   * First step of a graceful shutdown: readiness turns 503 at once, and the instance keeps serving
   * for the configured drain delay so load balancers take it out of rotation before its listeners
   * stop accepting. Returns when the delay has passed (at once on a second call, or when the
   * instance never became ready: no balancer sends it traffic).
   */
  public void drain() {
    State before = state.getAndSet(State.DRAINING);
    if (before != State.READY) {
      return;
    }
    LOG.info("event=drain_started drain_delay_ms={}", drainDelayMs);
    try {
      Thread.sleep(drainDelayMs);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      LOG.warn("event=drain_delay_interrupted");
    }
  }

  @Override
  public void close() {
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }
}
