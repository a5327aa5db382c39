package io.vectorgate.proxy.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP listener's transports against the real Chroma: HTTP/1.1, h2c by upgrade (JDK client),
 * h2c with prior knowledge (OkHttp) and HTTP/2 over TLS chosen by ALPN (JDK client); each
 * carries the caller's token, is decided and reaches Chroma with the gateway's credential.
 */
class ChromaTransportE2EIT {
  @TempDir
  static Path work;
  static ChromaGatewayFixture env;
  static final ObjectMapper JSON = new ObjectMapper();

  @BeforeAll
  static void start() throws Exception {
    env = ChromaGatewayFixture.start(work);
  }

  @AfterAll
  static void stop() {
    if (env != null) {
      env.close();
    }
  }

  private static HttpRequest.Builder get(String base, String path, String token) {
    return HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20))
        .header("authorization", "Bearer " + token).GET();
  }

  @Test
  void http11() throws Exception {
    HttpClient c = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpResponse<String> r = c.send(get("http://127.0.0.1:" + env.port(), "/api/v2/auth/identity", env.token("bob"))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    assertEquals(HttpClient.Version.HTTP_1_1, r.version());
    assertEquals("default_tenant", JSON.readTree(r.body()).get("tenant").asText());
  }

  @Test
  void h2cUpgrade() throws Exception {
    HttpClient c = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
    String base = "http://127.0.0.1:" + env.port();
    for (int i = 0; i < 3; i++) {
      HttpResponse<String> r = c.send(get(base, "/api/v2/heartbeat", env.token("bob")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), r.body());
      assertEquals(HttpClient.Version.HTTP_2, r.version());
      assertTrue(JSON.readTree(r.body()).has("nanosecond heartbeat"), r.body());
    }
  }

  @Test
  void h2cPriorKnowledge() throws Exception {
    OkHttpClient c = new OkHttpClient.Builder().protocols(List.of(Protocol.H2_PRIOR_KNOWLEDGE)).build();
    Request req = new Request.Builder().url("http://127.0.0.1:" + env.port() + "/api/v2/version")
        .header("x-chroma-token", env.token("carol")).build();
    try (Response r = c.newCall(req).execute()) {
      assertEquals(Protocol.H2_PRIOR_KNOWLEDGE, r.protocol());
      assertEquals(200, r.code());
      assertTrue(r.body().string().contains("."));
    }
    Request denied = new Request.Builder().url("http://127.0.0.1:" + env.port() + "/api/v2/version").build();
    try (Response r = c.newCall(denied).execute()) {
      assertEquals(401, r.code());
      JsonNode b = JSON.readTree(r.body().string());
      assertEquals("AuthError", b.get("error").asText());
      assertEquals("missing_token", b.get("code").asText());
    }
    c.dispatcher().executorService().shutdown();
    c.connectionPool().evictAll();
  }

  @Test
  void http2OverTlsWithAlpn() throws Exception {
    HttpClient c = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).sslContext(trustAll()).build();
    String base = "https://localhost:" + env.tlsPort();
    HttpResponse<String> r = c.send(get(base, "/api/v2/pre-flight-checks", env.token("alice")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    assertEquals(HttpClient.Version.HTTP_2, r.version());
    assertTrue(JSON.readTree(r.body()).has("max_batch_size"), r.body());
    HttpClient h1 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(trustAll()).build();
    HttpResponse<String> r1 = h1.send(get(base, "/api/v2/heartbeat", env.token("alice")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r1.statusCode(), r1.body());
    assertEquals(HttpClient.Version.HTTP_1_1, r1.version());
  }

  static SSLContext trustAll() throws Exception {
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, new TrustManager[] {new X509TrustManager() {
      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType) {
        if (chain.length == 0) {
          throw new IllegalArgumentException("no certificate");
        }
      }

      @Override
      public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
      }
    }}, null);
    return ctx;
  }
}
