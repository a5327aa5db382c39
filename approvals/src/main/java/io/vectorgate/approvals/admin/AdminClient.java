package io.vectorgate.approvals.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorgate.approvals.ApprovalIds;
import io.vectorgate.approvals.ApprovalJson;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A client of {@link AdminServer} (what {@code vectorgate approvals} uses): every call sends the
 * approver's bearer token; API errors come back as {@link ApiError} with the HTTP status and the
 * server's code and message.
 */
public final class AdminClient {
  private final URI base;
  private final String token;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  /** {@code gateway} is the admin API's base URL, e.g. {@code http://127.0.0.1:9091}. */
  public AdminClient(URI gateway, String token) {
    if (gateway.getScheme() == null || !(gateway.getScheme().equals("http") || gateway.getScheme().equals("https"))
        || gateway.getHost() == null) {
      throw new IllegalArgumentException("--gateway must be an http(s) URL such as http://127.0.0.1:9091, was `"
          + gateway + "`");
    }
    if (token == null || token.isBlank()) {
      throw new IllegalArgumentException("no token: pass --token or set VECTORGATE_TOKEN to your OIDC access token");
    }
    String s = gateway.toString();
    this.base = URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
    this.token = token.strip();
  }

  /** An error answer of the API. */
  public static final class ApiError extends Exception {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final String code;

    ApiError(int status, String code, String message) {
      super(message);
      this.status = status;
      this.code = code;
    }

    public int status() {
      return status;
    }

    public String code() {
      return code;
    }
  }

  public JsonNode list(String status, int limit) throws IOException, InterruptedException, ApiError {
    String q = "?limit=" + limit + (status == null ? "" : "&status=" + URLEncoder.encode(status, StandardCharsets.UTF_8));
    return send(HttpRequest.newBuilder(URI.create(base + "/v1/approvals" + q)).GET());
  }

  public JsonNode show(String id) throws IOException, InterruptedException, ApiError {
    return send(HttpRequest.newBuilder(URI.create(base + "/v1/approvals/" + ApprovalIds.require(id))).GET());
  }

  public JsonNode approve(String id, String comment, int uses) throws IOException, InterruptedException, ApiError {
    ObjectNode body = ApprovalJson.mapper().createObjectNode();
    if (comment != null) {
      body.put("comment", comment);
    }
    body.put("uses", uses);
    return post(ApprovalIds.require(id) + "/approve", body);
  }

  public JsonNode reject(String id, String reason) throws IOException, InterruptedException, ApiError {
    ObjectNode body = ApprovalJson.mapper().createObjectNode();
    body.put("reason", reason);
    return post(ApprovalIds.require(id) + "/reject", body);
  }

  private JsonNode post(String path, JsonNode body) throws IOException, InterruptedException, ApiError {
    return send(HttpRequest.newBuilder(URI.create(base + "/v1/approvals/" + path))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(ApprovalJson.mapper().writeValueAsBytes(body))));
  }

  private JsonNode send(HttpRequest.Builder rb) throws IOException, InterruptedException, ApiError {
    HttpResponse<byte[]> r = http.send(rb.header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    JsonNode n;
    try {
      n = ApprovalJson.mapper().readTree(r.body());
    } catch (IOException e) {
      throw new IOException("the approvals API at " + base + " answered HTTP " + r.statusCode() + " with a body that is not JSON", e);
    }
    if (r.statusCode() / 100 != 2) {
      throw new ApiError(r.statusCode(), n == null ? "unknown" : n.path("error").asText("unknown"),
          n == null ? "HTTP " + r.statusCode() : n.path("message").asText("HTTP " + r.statusCode()));
    }
    return n;
  }
}
