package io.vectorgate.proxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vectorgate.engine.PolicyEngine;
import io.vectorgate.proxy.Gateway;
import io.vectorgate.proxy.testing.Closer;
import io.vectorgate.proxy.testing.GatewayTestBuilder;
import io.vectorgate.proxy.testing.GatewayTestBuilder.Connection;
import io.vectorgate.proxy.testing.GatewayTestBuilder.Listener;
import io.vectorgate.proxy.testing.OidcProvider;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile requests against the HTTP listener, over raw sockets, with a recording upstream in place
 * of Chroma: path tricks, request smuggling, method overrides, encoded and malformed bodies,
 * duplicate JSON keys, oversized and deeply nested bodies, unknown routes. Each is refused with
 * the documented status and code, and none reaches the upstream; allowed requests reach it only in
 * their enforced form (row filter added, gateway credential, no caller token).
 */
class HostileRequestTest {
  static final String DOCS_ID = "0a1b2c3d-0000-4000-8000-00000000d0c5";
  static final String CUST_ID = "0a1b2c3d-0000-4000-8000-0000000c0575";
  static final String DB = "/api/v2/tenants/default_tenant/databases/default_database";
  static final int MAX_BODY = 64 * 1024;
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  static Path work;
  static RecordingUpstream upstream;
  static OidcProvider oidc;
  static PolicyEngine engine;
  static Gateway gateway;
  static int port;
  static String analyst;

  @BeforeAll
  static void start() throws Exception {
    upstream = new RecordingUpstream(HostileRequestTest::answer);
    oidc = OidcProvider.start(0);
    GatewayTestBuilder.Started started = GatewayTestBuilder.in(work)
        .listener(Listener.http("chroma", "chroma").maxInboundBytes(MAX_BODY)
            .http("{max_json_depth: 32, max_header_bytes: 8192}"))
        .connection(Connection.of("chroma", "chroma", upstream.address()).credential("VG_CHROMA_TOKEN", "gateway-secret")
            .timeoutSeconds(10))
        .identity(oidc)
        .sampleRego("chroma-demo")
        .start();
    engine = started.engine();
    gateway = started.gateway();
    port = gateway.port("chroma");
    analyst = oidc.token("bob", List.of("analysts"), "acme", 3600);
  }

  @AfterAll
  static void stop() throws Exception {
    Closer.closeAll(gateway, engine, oidc, upstream);
  }

  @BeforeEach
  void clear() {
    upstream.seen.clear();
  }

  static RecordingUpstream.Answer answer(RecordingUpstream.Seen s) {
    String t = s.target();
    if (t.equals(DB + "/collections/docs")) {
      return new RecordingUpstream.Answer(200, "{\"id\":\"" + DOCS_ID + "\",\"name\":\"docs\",\"tenant\":\"default_tenant\","
          + "\"database\":\"default_database\",\"metadata\":null}");
    }
    if (t.equals(DB + "/collections/customers")) {
      return new RecordingUpstream.Answer(200, "{\"id\":\"" + CUST_ID + "\",\"name\":\"customers\",\"tenant\":"
          + "\"default_tenant\",\"database\":\"default_database\",\"metadata\":null}");
    }
    if (t.contains("/by-id/")) {
      return new RecordingUpstream.Answer(404, "{\"error\":\"NotFoundError\",\"message\":\"no such collection\"}");
    }
    if (t.equals(DB + "/collections/" + DOCS_ID + "/query")) {
      return new RecordingUpstream.Answer(200, "{\"ids\":[[\"2\"]],\"embeddings\":[[[1.0,2.0]]],\"documents\":[[\"d\"]],"
          + "\"uris\":null,\"metadatas\":[[{\"tenant_id\":\"acme\",\"title\":\"t\"}]],\"distances\":[[0.5]],"
          + "\"include\":[\"embeddings\",\"documents\",\"metadatas\",\"distances\"]}");
    }
    if (t.equals(DB + "/collections/" + DOCS_ID + "/get")) {
      // a broken or hostile upstream: ignores the injected where and the limit, sends embeddings anyway
      StringBuilder ids = new StringBuilder();
      StringBuilder metas = new StringBuilder();
      StringBuilder embs = new StringBuilder();
      for (int i = 0; i < 250; i++) {
        String sep = i == 0 ? "" : ",";
        ids.append(sep).append('"').append(i).append('"');
        metas.append(sep).append("{\"tenant_id\":\"").append(i % 2 == 0 ? "acme" : "globex").append("\"}");
        embs.append(sep).append("[").append(i).append(".5,1.0]");
      }
      return new RecordingUpstream.Answer(200, "{\"ids\":[" + ids + "],\"metadatas\":[" + metas + "],\"embeddings\":["
          + embs + "],\"documents\":null,\"uris\":null,\"include\":[\"metadatas\",\"embeddings\"]}");
    }
    if (t.equals(DB + "/collections/" + CUST_ID + "/get")) {
      return new RecordingUpstream.Answer(200, "{\"ids\":[\"1\"],\"embeddings\":null,\"documents\":[\"doc\"],\"uris\":null,"
          + "\"metadatas\":[{\"name\":\"Ada\",\"email\":\"ada@acme.example\",\"phone\":\"+44 20 7946 0001\","
          + "\"ssn\":\"123-45-6789\"}],\"include\":[\"metadatas\",\"documents\"]}");
    }
    return new RecordingUpstream.Answer(200, "{\"nanosecond heartbeat\":1}");
  }

  // ---------------------------------------------------------------- raw HTTP helpers

  record Reply(int status, String head, String body, boolean closed) {
    JsonNode json() throws IOException {
      return JSON.readTree(body);
    }
  }

  /** Sends raw bytes; reads one response (and whether the server then closed). */
  static Reply raw(String request) throws IOException {
    return raw(request.getBytes(StandardCharsets.ISO_8859_1)).get(0);
  }

  static List<Reply> raw(byte[] request) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(5000);
      s.getOutputStream().write(request);
      s.getOutputStream().flush();
      InputStream in = s.getInputStream();
      List<Reply> out = new ArrayList<>();
      while (true) {
        String head = readHead(in);
        if (head == null) {
          break;
        }
        int status = Integer.parseInt(head.substring(9, 12));
        int len = 0;
        for (String line : head.split("\r\n")) {
          if (line.toLowerCase().startsWith("content-length:")) {
            len = Integer.parseInt(line.substring(15).strip());
          }
        }
        byte[] body = in.readNBytes(len);
        if (status == 100) {
          continue;
        }
        boolean closed;
        try {
          s.setSoTimeout(out.isEmpty() && request.length < 100_000 ? 700 : 700);
          int next = in.read();
          closed = next < 0;
          if (!closed) {
            // another response follows (pipelining): push the byte back by reading the rest
            String more = (char) next + readHeadRest(in);
            out.add(new Reply(status, head, new String(body, StandardCharsets.UTF_8), false));
            int st = Integer.parseInt(more.substring(9, 12));
            int l2 = 0;
            for (String line : more.split("\r\n")) {
              if (line.toLowerCase().startsWith("content-length:")) {
                l2 = Integer.parseInt(line.substring(15).strip());
              }
            }
            out.add(new Reply(st, more, new String(in.readNBytes(l2), StandardCharsets.UTF_8), false));
            return out;
          }
        } catch (SocketTimeoutException e) {
          closed = false;
        }
        out.add(new Reply(status, head, new String(body, StandardCharsets.UTF_8), closed));
        return out;
      }
      throw new IOException("no response; connection closed");
    }
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) >= 0) {
      b.write(c);
      if (b.size() >= 4 && b.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
        return b.toString(StandardCharsets.ISO_8859_1);
      }
    }
    return b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
  }

  private static String readHeadRest(InputStream in) throws IOException {
    String h = readHead(in);
    return h == null ? "" : h;
  }

  static String get(String target, String... headers) {
    return "GET " + target + " HTTP/1.1\r\nHost: gw\r\nX-Chroma-Token: " + analyst + "\r\n"
        + String.join("", java.util.Arrays.stream(headers).map(h -> h + "\r\n").toList()) + "\r\n";
  }

  static String post(String target, String body, String... headers) {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    return "POST " + target + " HTTP/1.1\r\nHost: gw\r\nX-Chroma-Token: " + analyst
        + "\r\nContent-Type: application/json\r\nContent-Length: " + b.length + "\r\n"
        + String.join("", java.util.Arrays.stream(headers).map(h -> h + "\r\n").toList()) + "\r\n" + body;
  }

  static void refused(Reply r, int status, String code) throws IOException {
    assertEquals(status, r.status(), r.head() + r.body());
    JsonNode b = r.json();
    assertEquals(code, b.get("code").asText(), r.body());
    assertTrue(b.get("error").isTextual() && b.get("message").isTextual(), r.body());
    assertTrue(upstream.seen.isEmpty(), "reached the upstream: " + upstream.seen);
  }

  // ---------------------------------------------------------------- path tricks

  @Test
  void dotSegmentsAndEncodedDotsAreRefused() throws IOException {
    refused(raw(get(DB + "/collections/docs/../../../../../reset")), 400, "ambiguous_path");
    refused(raw(get("/api/v2/tenants/default_tenant/./databases")), 400, "ambiguous_path");
    refused(raw(get(DB + "/collections/%2e%2e/x")), 400, "ambiguous_path");
    refused(raw(get(DB + "/collections/%2E")), 400, "ambiguous_path");
  }

  @Test
  void slashTricksAreRefused() throws IOException {
    refused(raw(get("//api/v2/heartbeat")), 400, "ambiguous_path");
    refused(raw(get("/api//v2/heartbeat")), 400, "ambiguous_path");
    refused(raw(get("/api/v2/heartbeat/")), 400, "ambiguous_path");
    refused(raw(get(DB + "/collections/docs%2F..%2Fcustomers")), 400, "ambiguous_path");
    refused(raw(get(DB + "/collections/docs%5C")), 400, "ambiguous_path");
    refused(raw(get("/api/v2/heart%00beat")), 400, "bad_target_character");
    refused(raw(get("/api/v2/heart%zzbeat")), 400, "bad_percent_encoding");
    refused(raw(get("/api/v2/heart%C0%AEbeat")), 400, "bad_percent_encoding");
  }

  @Test
  void nonOriginFormsAreRefused() throws IOException {
    refused(raw(get("http://evil.example/api/v2/heartbeat")), 400, "target_form");
    refused(raw("GET * HTTP/1.1\r\nHost: gw\r\n\r\n"), 400, "target_form");
    refused(raw("OPTIONS * HTTP/1.1\r\nHost: gw\r\n\r\n"), 405, "method_not_allowed");
  }

  @Test
  void unknownRoutesMethodsAndCaseVariantsAreDenied() throws IOException {
    refused(raw(get("/API/V2/heartbeat")), 403, "unknown_route");
    refused(raw(get("/api/v1/collections")), 403, "unknown_route");
    refused(raw(get("/api/v2/tenants/default_tenant/databases/default_database/collections/" + DOCS_ID
        + "/functions/attach")), 403, "unknown_route");
    refused(raw(post(DB + "/collections/" + DOCS_ID + "/conditional/get", "{}")), 403, "unknown_route");
    refused(raw("PATCH " + DB + "/collections HTTP/1.1\r\nHost: gw\r\nX-Chroma-Token: " + analyst + "\r\n\r\n"), 403,
        "unknown_route");
    refused(raw("TRACE /api/v2/heartbeat HTTP/1.1\r\nHost: gw\r\n\r\n"), 405, "method_not_allowed");
    refused(raw(get("/v2/vectordb/entities/query")), 403, "milvus_rest_not_supported");
    refused(raw(get(DB + "/collections?limit=1&evil=1")), 400, "unknown_field");
  }

  // ---------------------------------------------------------------- smuggling

  @Test
  void contentLengthWithTransferEncodingIsRefusedAndClosed() throws IOException {
    String body = "5\r\nhello\r\n0\r\n\r\n";
    Reply r = raw("POST " + DB + "/collections HTTP/1.1\r\nHost: gw\r\nContent-Type: application/json\r\n"
        + "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n" + body + get("/api/v2/heartbeat"));
    refused(r, 400, "ambiguous_framing");
    assertTrue(r.closed(), "the connection stayed open after an ambiguous frame");
  }

  @Test
  void oddTransferEncodingsAreRefused() throws IOException {
    for (String te : List.of("chunked, identity", "xchunked", "gzip, chunked", "identity")) {
      Reply r = raw("POST " + DB + "/collections HTTP/1.1\r\nHost: gw\r\nContent-Type: application/json\r\n"
          + "Transfer-Encoding: " + te + "\r\n\r\n2\r\n{}\r\n0\r\n\r\n");
      assertTrue(r.status() == 400 || r.status() == 501, te + ": " + r.head());
      assertTrue(upstream.seen.isEmpty(), te + " reached the upstream");
    }
  }

  @Test
  void duplicateOrBadContentLengthsAreRefused() throws IOException {
    Reply dup = raw("POST " + DB + "/collections HTTP/1.1\r\nHost: gw\r\nContent-Type: application/json\r\n"
        + "Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}x");
    assertEquals(400, dup.status(), dup.head());
    Reply same = raw("POST " + DB + "/collections HTTP/1.1\r\nHost: gw\r\nContent-Type: application/json\r\n"
        + "Content-Length: 2\r\nContent-Length: 2\r\n\r\n{}");
    assertEquals(400, same.status(), same.head());
    Reply neg = raw("POST " + DB + "/collections HTTP/1.1\r\nHost: gw\r\nContent-Length: -1\r\n\r\n");
    assertEquals(400, neg.status(), neg.head());
    assertTrue(upstream.seen.isEmpty(), "reached the upstream: " + upstream.seen);
  }

  @Test
  void badChunkingObsFoldAndBareLineFeedsAreRefused() throws IOException {
    Reply badChunk = raw("POST " + DB + "/collections HTTP/1.1\r\nHost: gw\r\nContent-Type: application/json\r\n"
        + "Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n");
    assertEquals(400, badChunk.status(), badChunk.head());
    assertTrue(badChunk.closed());
    Reply lf = raw("GET /api/v2/heartbeat HTTP/1.1\nHost: gw\nX-Chroma-Token: " + analyst + "\n\n");
    assertEquals(400, lf.status(), lf.head());
    Reply spaceColon = raw("POST " + DB + "/collections HTTP/1.1\r\nHost: gw\r\nContent-Length : 2\r\n\r\n{}");
    assertEquals(400, spaceColon.status(), spaceColon.head());
    Reply twoHosts = raw("GET /api/v2/heartbeat HTTP/1.1\r\nHost: a\r\nHost: b\r\nX-Chroma-Token: " + analyst + "\r\n\r\n");
    assertEquals(400, twoHosts.status(), twoHosts.head());
    Reply trailer = raw("POST " + DB + "/collections HTTP/1.1\r\nHost: gw\r\nContent-Type: application/json\r\n"
        + "Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\nX-Chroma-Token: smuggled\r\n\r\n");
    assertEquals(400, trailer.status(), trailer.head());
    assertTrue(upstream.seen.isEmpty(), "reached the upstream: " + upstream.seen);
  }

  /**
   * obs-fold is unfolded to a space by the decoder (RFC 9112 §5.2 allows that or a 400) and client
   * headers are never forwarded raw: the folded field does not reach the upstream at all.
   */
  @Test
  void obsFoldIsUnfoldedAndNeverForwarded() throws IOException {
    Reply fold = raw("GET /api/v2/heartbeat HTTP/1.1\r\nHost: gw\r\nX-Chroma-Token: " + analyst
        + "\r\nX-Other: a\r\n Transfer-Encoding: chunked\r\n\r\n");
    assertEquals(200, fold.status(), fold.head());
    assertEquals(1, upstream.seen.size());
    assertFalse(upstream.seen.get(0).headers().containsKey("x-other"), upstream.seen.toString());
    assertFalse(upstream.seen.get(0).headers().containsKey("transfer-encoding"), upstream.seen.toString());
  }

  @Test
  void methodOverridesAndEncodedBodiesAreRefused() throws IOException {
    refused(raw(get("/api/v2/heartbeat", "X-HTTP-Method-Override: DELETE")), 400, "method_override");
    refused(raw(post(DB + "/collections/" + DOCS_ID + "/get", "{}", "X-Method-Override: DELETE")), 400,
        "method_override");
    refused(raw(post(DB + "/collections", "{}", "Content-Encoding: gzip")), 415, "encoded_body");
    refused(raw(post(DB + "/collections", "name=docs").replace("application/json", "application/x-www-form-urlencoded")),
        415, "unsupported_media_type");
  }

  // ---------------------------------------------------------------- bodies

  @Test
  void nonStrictJsonIsRefused() throws IOException {
    refused(raw(post(DB + "/collections", "{\"name\":\"docs\",\"name\":\"customers\"}")), 400, "json_duplicate_key");
    refused(raw(post(DB + "/collections/" + DOCS_ID + "/get", "{\"where\":{\"a\":1,\"a\":2}}")), 400,
        "json_duplicate_key");
    refused(raw(post(DB + "/collections/" + DOCS_ID + "/query", "{\"n_results\":NaN}")), 400, "malformed_json");
    refused(raw(post(DB + "/collections/" + DOCS_ID + "/query", "{\"n_results\":010}")), 400, "malformed_json");
    refused(raw(post(DB + "/collections/" + DOCS_ID + "/query", "{\"n_results\":+1}")), 400, "malformed_json");
    refused(raw(post(DB + "/collections/" + DOCS_ID + "/query", "{\"n_results\":1} {}")), 400, "malformed_json");
    refused(raw(post(DB + "/collections/" + DOCS_ID + "/query", "{'n_results':1}")), 400, "malformed_json");
    refused(raw(post(DB + "/collections/" + DOCS_ID + "/query", "{\"a\":1 /* c */}")), 400, "malformed_json");
    String deep = "{\"where\":" + "{\"$and\":[".repeat(40) + "{}" + "]}".repeat(40) + "}";
    refused(raw(post(DB + "/collections/" + DOCS_ID + "/get", deep)), 400, "json_limits");
  }

  @Test
  void oversizedBodiesAreRefused() throws IOException {
    Reply declared = raw("POST " + DB + "/collections HTTP/1.1\r\nHost: gw\r\nContent-Type: application/json\r\n"
        + "Content-Length: " + (MAX_BODY + 1) + "\r\n\r\n{");
    refused(declared, 413, "body_too_large");
    assertTrue(declared.closed());
    StringBuilder chunked = new StringBuilder("POST " + DB + "/collections HTTP/1.1\r\nHost: gw\r\n"
        + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
    String piece = "x".repeat(8192);
    for (int i = 0; i < 10; i++) {
      chunked.append(Integer.toHexString(piece.length())).append("\r\n").append(piece).append("\r\n");
    }
    chunked.append("0\r\n\r\n");
    Reply streamed = raw(chunked.toString());
    refused(streamed, 413, "body_too_large");
    assertTrue(streamed.closed());
  }

  @Test
  void unknownBodyFieldsAndUnknownCollectionIdsAreRefused() throws IOException {
    refused(raw(post(DB + "/collections", "{\"name\":\"docs\",\"get_or_create\":false,\"tenant\":\"other\"}")), 400,
        "unknown_field");
    Reply unknownId = raw(post(DB + "/collections/0a1b2c3d-0000-4000-8000-00000000ffff/get", "{}"));
    assertEquals(400, unknownId.status(), unknownId.body());
    assertEquals("unknown_collection", unknownId.json().get("code").asText());
    // the only request that reached the upstream is the gateway's own id lookup, with its own credential
    assertEquals(1, upstream.seen.size(), upstream.seen.toString());
    assertTrue(upstream.seen.get(0).target().endsWith("/collections/by-id/0a1b2c3d-0000-4000-8000-00000000ffff"));
    assertEquals(List.of("gateway-secret"), upstream.seen.get(0).headers().get("x-chroma-token"));
  }

  @Test
  void missingOrConflictingTokensAreUnauthenticated() throws IOException {
    refused(raw("GET /api/v2/heartbeat HTTP/1.1\r\nHost: gw\r\n\r\n"), 401, "missing_token");
    refused(raw("GET /api/v2/heartbeat HTTP/1.1\r\nHost: gw\r\nAuthorization: Basic YTpi\r\n\r\n"), 401,
        "malformed_token");
    refused(raw(get("/api/v2/heartbeat", "Authorization: Bearer " + oidc.token("alice", List.of("admins"), null, 600))),
        401, "malformed_token");
    refused(raw("GET /api/v2/heartbeat HTTP/1.1\r\nHost: gw\r\nApi-Key: not-a-jwt\r\n\r\n"), 401, "malformed_token");
  }

  /**
   * Issue 14 items 3 and 5: a credential, database or forwarded header sent twice is refused naming
   * it, in Chroma's error shape, even when both values are equal; nothing reaches the upstream.
   */
  @Test
  void repeatedCredentialDatabaseAndForwardedHeadersAreRefusedNamingThem() throws IOException {
    String other = oidc.token("alice", List.of("admins"), null, 600);
    String[][] cases = {
        {"X-Chroma-Token: " + analyst, "X-Chroma-Token: " + analyst},
        {"X-Chroma-Token: " + analyst, "x-chroma-token: " + other},
        {"Api-Key: " + analyst, "Api-Key: " + analyst},
        {"Authorization: Bearer " + analyst, "Authorization: Bearer " + analyst},
        {"Authorization: Bearer " + analyst, "Authorization: Bearer " + other},
        {"X-Api-Key: " + analyst, "X-Api-Key: " + analyst},
        {"Token: " + analyst, "token: " + other},
        {"DBName: other", "dbname: default"},
        {"X-Pinecone-Api-Version: 2025-04", "X-Pinecone-Api-Version: 2024-07"},
        {"Accept: application/json", "Accept: application/json"},
        {"User-Agent: a", "User-Agent: a"}};
    for (String[] c : cases) {
      String name = c[0].substring(0, c[0].indexOf(':')).toLowerCase(java.util.Locale.ROOT);
      String credential = List.of("x-chroma-token", "api-key", "authorization").contains(name) ? ""
          : "X-Chroma-Token: " + analyst + "\r\n";
      Reply r = raw("GET /api/v2/heartbeat HTTP/1.1\r\nHost: gw\r\n" + credential + c[0] + "\r\n" + c[1]
          + "\r\n\r\n");
      refused(r, 400, "duplicate_header");
      assertTrue(r.json().get("message").asText().startsWith("header `" + name + "` appears 2 times;"), r.body());
      assertTrue(r.closed(), name + ": the connection stayed open");
    }
  }

  /** What is forwarded or read as a token is a singleton: the value forwarded is the value checked. */
  @Test
  void everyForwardedAndTokenHeaderMustBeSingle() {
    assertTrue(io.vectorgate.proxy.identity.SingletonKeys.HTTP.containsAll(HttpRequestProcessor.BASE_FORWARDED));
    assertTrue(io.vectorgate.proxy.identity.SingletonKeys.HTTP.containsAll(HttpRequestProcessor.TOKEN_HEADERS));
  }

  // ---------------------------------------------------------------- enforced, not refused

  @Test
  void allowedRequestsReachTheUpstreamOnlyInEnforcedForm() throws IOException {
    Reply describe = raw(get(DB + "/collections/docs"));
    assertEquals(200, describe.status(), describe.body());
    upstream.seen.clear();
    Reply q = raw(post(DB + "/collections/" + DOCS_ID + "/query",
        "{\"query_embeddings\":[\"AACAPwAAAEA=\"],\"n_results\":5000,\"where\":{\"title\":\"t\"},"
            + "\"include\":[\"embeddings\",\"metadatas\",\"documents\",\"distances\"]}"));
    assertEquals(200, q.status(), q.body());
    assertEquals(1, upstream.seen.size());
    RecordingUpstream.Seen seen = upstream.seen.get(0);
    JsonNode sent = JSON.readTree(seen.body());
    assertEquals(JSON.readTree("{\"$and\":[{\"title\":\"t\"},{\"tenant_id\":{\"$eq\":\"acme\"}}]}"), sent.get("where"));
    assertEquals(100, sent.get("n_results").asInt(), "n_results not clamped to the analysts' cap");
    assertFalse(sent.get("include").toString().contains("embeddings"), sent.toString());
    assertEquals(List.of("gateway-secret"), seen.headers().get("x-chroma-token"));
    assertFalse(seen.headers().containsKey("authorization"));
    assertFalse(seen.body().contains(analyst));
    JsonNode resp = q.json();
    assertTrue(resp.get("embeddings").isNull(), resp.toString());

    upstream.seen.clear();
    Reply cust = raw(get(DB + "/collections/customers"));
    assertEquals(200, cust.status());
    Reply rows = raw(post(DB + "/collections/" + CUST_ID + "/get", "{\"ids\":[\"1\"]}"));
    JsonNode m = rows.json().get("metadatas").get(0);
    assertTrue(m.get("email").asText().startsWith("hmac:"), m.toString());
    assertTrue(m.get("phone").asText().contains("***"), m.toString());
    assertFalse(m.has("ssn"), m.toString());
    assertEquals("Ada", m.get("name").asText());
  }

  @Test
  void pipelinedRequestsAreAnsweredInOrder() throws IOException {
    String two = get("/api/v2/heartbeat") + get("/api/v2/version");
    List<Reply> replies = raw(two.getBytes(StandardCharsets.ISO_8859_1));
    assertEquals(2, replies.size(), replies.toString());
    assertEquals(200, replies.get(0).status());
    assertEquals(200, replies.get(1).status());
    assertEquals(2, upstream.seen.size());
    assertEquals("/api/v2/heartbeat", upstream.seen.get(0).target());
    assertEquals("/api/v2/version", upstream.seen.get(1).target());
  }

  // ---------------------------------------------------------------- a hostile upstream

  @Test
  void guaranteesHoldOnWhatComesBackWhateverTheUpstreamDid() throws IOException {
    assertEquals(200, raw(get(DB + "/collections/docs")).status());
    long violations = gateway.metrics().get("row_filter_response_violation");
    long cut = gateway.metrics().get("response_rows_cut");
    Reply r = raw(post(DB + "/collections/" + DOCS_ID + "/get", "{\"include\":[\"metadatas\",\"embeddings\"]}"));
    assertEquals(200, r.status(), r.body());
    JsonNode b = r.json();
    assertTrue(b.get("embeddings").isNull(), "embeddings reached the analyst: " + b.get("embeddings"));
    assertEquals(100, b.get("ids").size(), "the analysts' cap is 100");
    assertEquals(100, b.get("metadatas").size());
    for (JsonNode m : b.get("metadatas")) {
      assertEquals("acme", m.get("tenant_id").asText(), "another tenant's row reached the analyst");
    }
    assertEquals(violations + 1, gateway.metrics().get("row_filter_response_violation"));
    assertEquals(cut + 1, gateway.metrics().get("response_rows_cut"));
    JsonNode sent = JSON.readTree(upstream.seen.get(upstream.seen.size() - 1).body());
    assertEquals(100, sent.get("limit").asInt(), sent.toString());
    assertFalse(sent.get("include").toString().contains("embeddings"), sent.toString());
  }
}
