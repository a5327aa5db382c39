package io.vectorgate.proxy.http;

import io.vectorgate.proxy.config.ConfigLoader;
import io.vectorgate.proxy.config.GatewayConfig.ConnectionConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;

/**
 * The gateway's client to one HTTP upstream (Chroma, Qdrant, Pinecone): the JDK HTTP client,
 * which keeps connections alive and pools them per upstream. Requests carry only the headers the
 * listener chose (never the caller's credential) and the gateway's own credential; responses are
 * read up to a size limit.
 */
public final class HttpUpstream {
  private final HttpClient client;
  private final String name;
  private final String base;
  private final Duration timeout;
  private final int maxResponseBytes;

  public HttpUpstream(ConnectionConfig cfg, int maxResponseBytes, Executor executor) {
    ConfigLoader.HostPort hp = ConfigLoader.hostPort(cfg.upstream());
    String host = hp.host().indexOf(':') >= 0 ? "[" + hp.host() + "]" : hp.host();
    this.base = (cfg.upstreamTls() ? "https://" : "http://") + host + ":" + hp.port();
    this.name = cfg.name();
    this.timeout = Duration.ofSeconds(cfg.timeoutSeconds());
    this.maxResponseBytes = maxResponseBytes;
    this.client = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(Math.min(10, cfg.timeoutSeconds())))
        .followRedirects(HttpClient.Redirect.NEVER)
        .executor(executor)
        .build();
  }

  /** One upstream answer. */
  public record Response(int status, Optional<String> contentType, Optional<String> contentEncoding, byte[] body) {}

  /** A failure to reach the upstream or to read its answer (the client gets 502/504). */
  public static final class UpstreamException extends Exception {
    private static final long serialVersionUID = 1L;
    private final int status;

    public UpstreamException(int status, String message, Throwable cause) {
      super(message, cause);
      this.status = status;
    }

    public int status() {
      return status;
    }
  }

  /**
   * Sends {@code method target} (a canonical origin-form target) with {@code headers} and an
   * optional JSON {@code body}; blocks until the whole response is read.
   */
  public Response send(String method, String target, Map<String, String> headers, byte[] body)
      throws UpstreamException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + target)).timeout(timeout)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
    headers.forEach(b::header);
    HttpResponse<InputStream> r;
    try {
      r = client.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (HttpTimeoutException e) {
      throw new UpstreamException(504, "upstream `" + name + "` at " + base + " did not answer within " + timeout.toSeconds()
          + " s", e);
    } catch (IOException e) {
      throw new UpstreamException(502, "upstream `" + name + "` at " + base + " is unavailable: " + e.getMessage(), e);
    }
    try (InputStream in = r.body()) {
      byte[] data = in.readNBytes(maxResponseBytes + 1);
      if (data.length > maxResponseBytes) {
        throw new UpstreamException(502, "upstream `" + name + "` answered more than " + maxResponseBytes
            + " bytes", null);
      }
      return new Response(r.statusCode(), r.headers().firstValue("content-type"),
          r.headers().firstValue("content-encoding"), data);
    } catch (IOException e) {
      throw new UpstreamException(502, "reading the answer of upstream `" + name + "` failed: " + e.getMessage(), e);
    }
  }

  public String name() {
    return name;
  }

  /** Header names the JDK client refuses to set; the listener never forwards them. */
  static final List<String> RESTRICTED = List.of("connection", "content-length", "expect", "host", "upgrade");
}
