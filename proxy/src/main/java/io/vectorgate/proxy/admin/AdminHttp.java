package io.vectorgate.proxy.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import io.vectorgate.approvals.Approver;
import io.vectorgate.approvals.admin.AdminAuthenticator;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** Shared request handling of the gateway's admin routes: bearer tokens, group checks, strict JSON bodies, JSON errors. */
final class AdminHttp {
  static final ObjectMapper JSON = new ObjectMapper();
  static final int MAX_BODY = 16 * 1024;

  private AdminHttp() {}

  /** An answer other than 200: a status, a stable code and a message. */
  static final class Refusal extends Exception {
    private static final long serialVersionUID = 1L;
    final int status;
    final String code;

    Refusal(int status, String code, String message) {
      super(message, null, false, false);
      this.status = status;
      this.code = code;
    }

    Refusal(int status, String code, String message, Throwable cause) {
      super(message, cause, false, false);
      this.status = status;
      this.code = code;
    }
  }

  /** The bearer token of the request (exactly one {@code Authorization: Bearer} header). */
  static String bearer(HttpExchange ex) throws Refusal {
    return bearer(ex.getRequestHeaders().get("Authorization"));
  }

  /** The bearer token of these {@code Authorization} header values (null: none). */
  static String bearer(List<String> h) throws Refusal {
    if (h == null || h.isEmpty()) {
      throw new Refusal(401, "missing_token", "no `Authorization: Bearer <token>` header");
    }
    if (h.size() > 1) {
      throw new Refusal(401, "malformed_token", "more than one Authorization header");
    }
    String v = h.get(0);
    if (v.length() <= 7 || !v.regionMatches(true, 0, "Bearer ", 0, 7) || v.substring(7).isBlank()) {
      throw new Refusal(401, "malformed_token", "the Authorization header must be `Bearer <token>`");
    }
    return v.substring(7).strip();
  }

  /** The verified caller; 401 when the token is not accepted. */
  static Approver authenticate(HttpExchange ex, AdminAuthenticator auth) throws Refusal {
    String token = bearer(ex);
    try {
      return auth.authenticate(token);
    } catch (AdminAuthenticator.Refused e) {
      throw new Refusal(401, e.code(), e.getMessage(), e);
    }
  }

  /** 403 unless {@code who} holds one of {@code groups}. */
  static void requireGroup(Approver who, Set<String> groups, String what) throws Refusal {
    if (who.groups().stream().noneMatch(groups::contains)) {
      throw new Refusal(403, "forbidden", what + " needs one of the groups " + new TreeSet<>(groups));
    }
  }

  static void requireMethod(HttpExchange ex, String method) throws Refusal {
    if (!ex.getRequestMethod().equals(method)) {
      ex.getResponseHeaders().set("Allow", method);
      throw new Refusal(405, "method_not_allowed", "use " + method + " here, not " + printable(ex.getRequestMethod()));
    }
  }

  /** A JSON object body of at most {@value #MAX_BODY} bytes with only {@code fields}; empty means {@code {}}. */
  static JsonNode body(HttpExchange ex, Set<String> fields) throws IOException, Refusal {
    byte[] raw;
    try (InputStream in = ex.getRequestBody()) {
      raw = in.readNBytes(MAX_BODY + 1);
    }
    return body(raw, fields);
  }

  /** Parses a request body (see {@link #body(HttpExchange, Set)}); {@code fields} null: the caller checks the keys. */
  static JsonNode body(byte[] raw, Set<String> fields) throws Refusal {
    if (raw.length > MAX_BODY) {
      throw new Refusal(413, "too_large", "request body is larger than " + MAX_BODY + " bytes");
    }
    if (raw.length == 0) {
      return JSON.createObjectNode();
    }
    JsonNode n;
    try {
      n = JSON.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .with(StreamReadFeature.STRICT_DUPLICATE_DETECTION).readTree(raw);
    } catch (JsonProcessingException e) {
      throw new Refusal(400, "invalid_json", "request body is not valid JSON" + (e.getLocation() == null ? ""
          : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr()), e);
    } catch (IOException e) {
      throw new Refusal(400, "invalid_json", "request body cannot be read as JSON: " + e.getMessage(), e);
    }
    if (n == null || !n.isObject()) {
      throw new Refusal(400, "invalid_request", "request body must be a JSON object");
    }
    var names = n.fieldNames();
    while (fields != null && names.hasNext()) {
      String f = names.next();
      if (!fields.contains(f)) {
        throw new Refusal(400, "invalid_request", "unknown field `" + printable(f) + "` in the request body; known: "
            + new TreeSet<>(fields));
      }
    }
    return n;
  }

  /** An optional string field; 400 when present with another type. */
  static String text(JsonNode body, String field) throws Refusal {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw new Refusal(400, "invalid_request", "`" + field + "` must be a string");
    }
    return v.asText();
  }

  static ObjectNode error(String code, String message) {
    return JSON.createObjectNode().put("error", code).put("message", message);
  }

  static void respond(HttpExchange ex, int status, JsonNode body) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(body);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    if (status == 401) {
      ex.getResponseHeaders().set("WWW-Authenticate", "Bearer");
    }
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** At most 80 printable ASCII characters of {@code s} (for echoing caller input). */
  static String printable(String s) {
    String t = s == null ? "" : s.length() > 80 ? s.substring(0, 80) + "..." : s;
    return t.replaceAll("[^\\x20-\\x7e]", "?");
  }
}
