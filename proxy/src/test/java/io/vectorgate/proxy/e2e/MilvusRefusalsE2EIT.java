package io.vectorgate.proxy.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.milvus.v2.client.ConnectConfig;
import io.milvus.v2.client.MilvusClientV2;
import io.milvus.v2.exception.ErrorCode;
import io.milvus.v2.exception.MilvusClientException;
import io.milvus.v2.service.collection.request.DropCollectionReq;
import io.vectorgate.proxy.grpc.MilvusRefusals;
import io.vectorgate.proxy.testing.GatewayFixture;
import io.vectorgate.proxy.testing.MilvusLite;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * What users of unmodified pymilvus (python/milvus_refusals_e2e.py) and the Milvus Java SDK see when
 * the gateway refuses (issue 17 item 3), and repeated security metadata (issue 14 findings 4 and
 * 5), against Milvus Lite. Refusals come in band, so both clients raise their own exception type
 * with the reason code, the message, the decision id (policy decisions) and the request id, at
 * connect too; the gateway's request counters prove that neither client retried. The last test
 * stops Milvus Lite (upstream unreachable), so the order is fixed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MilvusRefusalsE2EIT {
  static final String UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  static Path work;
  static GatewayFixture env;
  static Path tokens;

  @BeforeAll
  static void start() throws Exception {
    env = GatewayFixture.start(work);
    MilvusLite.runPython(work, "load_sample.py", "--uri", "http://" + env.address(), "--token", env.token("alice"));
    tokens = writeTokens(work, Map.of("admin", env.token("alice"), "analyst", env.token("bob"),
        "engineer", env.token("carol"), "expired", env.oidc.token("bob", List.of("analysts"), "acme", -600),
        // issue 14 finding 6: groups as one string (it used to be split on commas and spaces: admins)
        "string_groups", env.oidc.token(io.vectorgate.proxy.testing.OidcProvider.ISSUER_ID, "bob",
            List.of(io.vectorgate.proxy.testing.OidcProvider.AUDIENCE),
            Map.of("groups", "analysts, admins", "tenant", "acme"), 600)));
  }

  @AfterAll
  static void stop() {
    if (env != null) {
      env.close();
    }
  }

  static Path writeTokens(Path dir, Map<String, String> t) throws Exception {
    Path f = Files.createTempFile(dir, "tokens", ".json");
    Files.writeString(f, JSON.writeValueAsString(t));
    return f;
  }

  static JsonNode pymilvus(GatewayFixture gw, Path tokenFile, String... step) throws Exception {
    String[] args = new String[6 + step.length];
    System.arraycopy(new String[] {"--gateway", gw.address(), "--direct", gw.milvus.address(), "--tokens",
        tokenFile.toString()}, 0, args, 0, 6);
    System.arraycopy(step, 0, args, 6, step.length);
    String out = MilvusLite.runPython(work, "milvus_refusals_e2e.py", args);
    return JSON.readTree(out.lines().reduce((a, b) -> b).orElseThrow());
  }

  /** A pymilvus refusal: MilvusException with Milvus's code and the gateway's reason as its message. */
  static String milvusException(JsonNode r, int code, String reasonStart) {
    assertFalse(r.get("ok").asBoolean(), r.toString());
    assertEquals("MilvusException", r.get("type").asText(), r.toString());
    assertEquals(code, r.get("code").asInt(), r.toString());
    String message = r.get("message").asText();
    assertTrue(message.startsWith("vectorgate: " + reasonStart), message);
    assertTrue(Pattern.compile("\\(request " + UUID + "\\)$").matcher(message).find(), message);
    assertEquals("<MilvusException: (code=" + code + ", message=" + message + ")>", r.get("text").asText());
    return message;
  }

  static long count(GatewayFixture gw, String metric) {
    return gw.gateway.metrics().get(metric);
  }

  static MilvusClientV2 javaClient(GatewayFixture gw, String token) {
    return new MilvusClientV2(ConnectConfig.builder().uri("http://" + gw.address()).token(token).build());
  }

  @Test
  @Order(1)
  void repeatedDbnameOrAuthorizationIsRefusedAndNothingLandsInTheOtherDatabase() throws Exception {
    long before = count(env, "rejected_request");
    JsonNode r = pymilvus(env, tokens, "repeated");
    for (String step : List.of("upsert_two_dbnames", "upsert_same_dbname_twice", "query_two_dbnames")) {
      String m = milvusException(r.get(step), MilvusRefusals.INVALID_PARAMETER,
          "duplicate_metadata: metadata key `dbname` appears 2 times;");
      assertTrue(m.contains("at most once"), m);
    }
    // carol (acme) could not overwrite globex's rows of other.docs
    assertEquals(JSON.readTree("[{\"id\":501,\"tenant_id\":\"globex\",\"title\":\"globex other 501\"},"
        + "{\"id\":502,\"tenant_id\":\"globex\",\"title\":\"globex other 502\"}]"), r.get("other_docs_after"));
    for (String step : List.of("two_tokens", "same_token_twice")) {
      milvusException(r.get(step), MilvusRefusals.INVALID_PARAMETER,
          "duplicate_metadata: metadata key `authorization` appears 2 times;");
    }
    assertTrue(r.get("single_dbname").get("ok").asBoolean(), r.get("single_dbname").toString());
    assertEquals(before + 5, count(env, "rejected_request"), "one refusal per call, no retries");
  }

  @Test
  @Order(2)
  void pymilvusRaisesMilvusExceptionWithReasonCodeMessageAndDecisionId() throws Exception {
    long before = count(env, "denied");
    JsonNode r = pymilvus(env, tokens, "deny");
    String m = milvusException(r.get("drop"), MilvusRefusals.NOT_PERMITTED, "denied by policy (decision ");
    assertTrue(Pattern.compile("^vectorgate: denied by policy \\(decision " + UUID
        + "\\): destructive_requires_break_glass: [^;]+").matcher(m).find(), m);
    assertEquals(before + 1, count(env, "denied"), "pymilvus retried the refusal");
  }

  @Test
  @Order(3)
  void pymilvusShowsARefusedTokenAtConnect() throws Exception {
    long before = count(env, "unauthenticated");
    JsonNode r = pymilvus(env, tokens, "connect");
    milvusException(r.get("expired"), MilvusRefusals.NOT_AUTHENTICATED, "expired_token: ");
    assertEquals(before + 1, count(env, "unauthenticated"), "pymilvus retried Connect");
    JsonNode claims = pymilvus(env, tokens, "connect-only", "string_groups");
    milvusException(claims.get("connect"), MilvusRefusals.NOT_AUTHENTICATED,
        "invalid_claim: claim `groups` must be a JSON array of strings, got a string");
    assertEquals(before + 2, count(env, "unauthenticated"), "pymilvus retried Connect");
  }

  @Test
  @Order(4)
  void javaSdkRaisesServerErrorWithReasonCodeMessageAndDecisionId() {
    long before = count(env, "denied");
    MilvusClientV2 bob = javaClient(env, env.token("bob"));
    try {
      MilvusClientException e = assertThrows(MilvusClientException.class,
          () -> bob.dropCollection(DropCollectionReq.builder().collectionName("docs").build()));
      assertEquals(ErrorCode.SERVER_ERROR, e.getErrorCode(), e.toString());
      assertEquals(MilvusRefusals.NOT_PERMITTED, e.getServerErrCode(), e.toString());
      assertEquals(io.milvus.grpc.ErrorCode.PermissionDenied.getNumber(), e.getLegacyServerCode(), e.toString());
      assertTrue(Pattern.compile("^vectorgate: denied by policy \\(decision " + UUID
          + "\\): destructive_requires_break_glass: .+ \\(request " + UUID + "\\)$").matcher(e.getMessage()).find(),
          e.getMessage());
    } finally {
      bob.close();
    }
    assertEquals(before + 1, count(env, "denied"), "the Java SDK retried the refusal");
  }

  @Test
  @Order(5)
  void javaSdkShowsARefusedTokenAtConnect() {
    long before = count(env, "unauthenticated");
    String expired = env.oidc.token("bob", List.of("analysts"), "acme", -600);
    RuntimeException e = assertThrows(RuntimeException.class, () -> javaClient(env, expired).close());
    assertTrue(e.getMessage().startsWith("Failed to initialize connection. Error: vectorgate: expired_token: "),
        e.getMessage());
    assertTrue(Pattern.compile("\\(request " + UUID + "\\)$").matcher(e.getMessage()).find(), e.getMessage());
    assertEquals(before + 1, count(env, "unauthenticated"), "the Java SDK retried Connect");
  }

  @Test
  @Order(6)
  void anUnreachableIdentityProviderIsShownAtConnectByBothClients(@TempDir Path other) throws Exception {
    try (GatewayFixture idpDown = GatewayFixture.start(other)) {
      String bob = idpDown.token("bob");
      idpDown.oidc.close(); // before the gateway's first discovery: nothing is cached
      Path t = writeTokens(other, Map.of("analyst", bob));
      JsonNode r = pymilvus(idpDown, t, "connect-only", "analyst");
      milvusException(r.get("connect"), MilvusRefusals.SERVICE_UNAVAILABLE, "identity_provider_unavailable: ");
      assertEquals(1, count(idpDown, "identity_unavailable"), "pymilvus retried Connect");

      RuntimeException e = assertThrows(RuntimeException.class, () -> javaClient(idpDown, bob).close());
      assertTrue(e.getMessage().startsWith("Failed to initialize connection. Error: vectorgate:"
          + " identity_provider_unavailable: "), e.getMessage());
      assertEquals(2, count(idpDown, "identity_unavailable"), "the Java SDK retried Connect");
    }
  }

  @Test
  @Order(7)
  void anUnreachableUpstreamIsShownAtConnectByBothClients() throws Exception {
    env.milvus.close();
    long before = count(env, "upstream_error");
    JsonNode r = pymilvus(env, tokens, "connect-only", "analyst");
    String m = milvusException(r.get("connect"), MilvusRefusals.SERVICE_UNAVAILABLE,
        "upstream_unavailable: upstream Milvus `lite` at " + env.milvus.address() + " is unavailable");
    assertFalse(m.contains("Fail connecting"), m);
    assertEquals(before + 1, count(env, "upstream_error"), "pymilvus retried Connect");

    RuntimeException e = assertThrows(RuntimeException.class, () -> javaClient(env, env.token("bob")).close());
    assertTrue(e.getMessage().startsWith("Failed to initialize connection. Error: vectorgate: upstream_unavailable:"
        + " upstream Milvus `lite` at " + env.milvus.address()), e.getMessage());
    assertEquals(before + 2, count(env, "upstream_error"), "the Java SDK retried Connect");
  }
}
