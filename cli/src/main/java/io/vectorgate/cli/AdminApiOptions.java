package io.vectorgate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * Where a gateway's admin API is and who is calling: the options every command that talks to it
 * shares ({@code approvals}, {@code policy status|pin|rollback}, {@code connections}). Used as a picocli mixin.
 */
class AdminApiOptions {
  @Option(names = "--gateway", defaultValue = "${env:VECTORGATE_GATEWAY}",
      description = "the gateway's admin API, e.g. http://127.0.0.1:9190 (env VECTORGATE_GATEWAY)")
  String gateway;

  @Option(names = "--token", defaultValue = "${env:VECTORGATE_TOKEN}",
      description = "your OIDC access token for the admin API (env VECTORGATE_TOKEN)")
  String token;

  /**
   * Why the admin API at {@code gateway} could not be reached, in one readable line. A port that
   * answers with HTTP/2 or gRPC frames (a listener, not the admin API) is named as such instead of
   * printing the frames; other messages lose their control characters.
   */
  static String unreachable(String what, String gateway, Exception e) {
    String m = String.valueOf(e.getMessage());
    boolean binary = m.contains("parsing HTTP/1.1 status line") || m.chars().anyMatch(c -> c < 0x20 && c != '\t');
    if (binary) {
      return "vectorgate: " + gateway + " is not " + what + ": it does not answer HTTP/1.1 (a gRPC or HTTP/2 port,"
          + " such as a Milvus listener?). The admin API is at the gateway config's admin.address, e.g. http://127.0.0.1:9190";
    }
    return "vectorgate: cannot reach " + what + " at " + gateway + ": " + e.getClass().getSimpleName()
        + (e.getMessage() == null ? "" : ": " + m);
  }

  /**
   * Calls {@code method path} on the admin API with the bearer token and an optional JSON
   * {@code body}; {@code headers} are name, value pairs. Returns the JSON answer of a 200; any
   * other answer is an {@link RolloutCommand.ApiError} with the API's error code and message (and
   * the field it names, if any).
   */
  JsonNode call(String method, String path, String body, String... headers)
      throws java.io.IOException, InterruptedException, RolloutCommand.ApiError {
    URI base;
    try {
      base = URI.create(gateway == null ? "" : gateway.strip().replaceAll("/+$", ""));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--gateway is not a URL: `" + gateway + "`", e);
    }
    if (base.getScheme() == null || !(base.getScheme().equals("http") || base.getScheme().equals("https"))) {
      throw new IllegalArgumentException("--gateway must be an http(s) URL (or set VECTORGATE_GATEWAY), was `"
          + gateway + "`");
    }
    if (token == null || token.isBlank()) {
      throw new IllegalArgumentException("no token: pass --token or set VECTORGATE_TOKEN (an OIDC access token)");
    }
    HttpRequest.Builder rb = HttpRequest.newBuilder(URI.create(base + path))
        .timeout(Duration.ofMinutes(5)).header("Authorization", "Bearer " + token.strip());
    for (int i = 0; i + 1 < headers.length; i += 2) {
      rb.header(headers[i], headers[i + 1]);
    }
    if (body != null) {
      rb.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
    } else {
      rb.method(method, HttpRequest.BodyPublishers.noBody());
    }
    HttpResponse<String> r = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()
        .send(rb.build(), HttpResponse.BodyHandlers.ofString());
    JsonNode n;
    try {
      n = JSON.readTree(r.body());
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new RolloutCommand.ApiError(r.statusCode(), "bad_response", "the gateway answered HTTP " + r.statusCode()
          + " without JSON (is " + base + " the admin API?)");
    }
    if (r.statusCode() != 200) {
      String field = n.path("field").asText("");
      throw new RolloutCommand.ApiError(r.statusCode(), n.path("error").asText("error"),
          n.path("message").asText(r.body()) + (field.isEmpty() || n.path("message").asText("").startsWith(field)
              ? "" : " (field `" + field + "`)"));
    }
    return n;
  }

  private static final ObjectMapper JSON = new ObjectMapper();
}
