package io.vectorgate.proxy.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;

/**
 * A real OIDC provider on loopback (no.nav.security:mock-oauth2-server): discovery document,
 * JWKS and RS256-signed tokens. Used by the tests and the demo.
 */
public final class OidcProvider implements AutoCloseable {
  /** The issuer id (path) tokens are issued under. */
  public static final String ISSUER_ID = "vectorgate";
  /** The audience the gateway accepts. */
  public static final String AUDIENCE = "vectorgate";

  private final MockOAuth2Server server;

  private OidcProvider(MockOAuth2Server server) {
    this.server = server;
  }

  /** Starts on 127.0.0.1 on a free port (or {@code port}). */
  public static OidcProvider start(int port) {
    return start(port, false);
  }

  /**
   * As {@link #start(int)}; with {@code interactiveLogin} the authorization endpoint shows
   * mock-oauth2-server's login form (user name and claims as JSON), for browser logins such as the
   * dashboard's. Tokens issued by {@link #token} are the same either way.
   */
  public static OidcProvider start(int port, boolean interactiveLogin) {
    OidcProvider p = new OidcProvider(interactiveLogin
        ? new MockOAuth2Server(no.nav.security.mock.oauth2.OAuth2Config.Companion.fromJson("{\"interactiveLogin\": true}"))
        : new MockOAuth2Server());
    try {
      p.server.start(InetAddress.getByName("127.0.0.1"), port);
    } catch (UnknownHostException e) {
      throw new IllegalStateException("cannot resolve 127.0.0.1", e);
    }
    return p;
  }

  /** The issuer URL, as in the discovery document and the tokens' {@code iss}. */
  public String issuer() {
    return issuer(ISSUER_ID);
  }

  public String issuer(String issuerId) {
    String url = server.issuerUrl(issuerId).toString();
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  /** A token for {@code subject} with groups and tenant claims, valid for {@code seconds} (negative: expired). */
  public String token(String subject, List<String> groups, String tenant, long seconds) {
    return token(ISSUER_ID, subject, List.of(AUDIENCE), claims(subject, groups, tenant), seconds);
  }

  /** A token with full control over issuer id, audience and claims. */
  public String token(String issuerId, String subject, List<String> audience, Map<String, Object> claims, long seconds) {
    return server.issueToken(issuerId, "vectorgate-client",
        new DefaultOAuth2TokenCallback(issuerId, subject, "JWT", audience, claims, seconds)).serialize();
  }

  /** The claims of a sample user. */
  public static Map<String, Object> claims(String subject, List<String> groups, String tenant) {
    return tenant == null
        ? Map.of("groups", groups, "email", subject + "@example.com")
        : Map.of("groups", groups, "tenant", tenant, "email", subject + "@example.com");
  }

  /** A valid token of a sample user ({@link GatewayFixture#GROUPS}, {@link GatewayFixture#tenantOf}). */
  public String sampleToken(String user) {
    return token(user, GatewayFixture.GROUPS.get(user), GatewayFixture.tenantOf(user), 3600);
  }

  /**
   * Writes the three-user scenario's {@code --tokens} file for python/milvus_e2e.py and chroma_e2e.py:
   * admin (alice), analyst (bob), engineer (carol), bob's expired token and bob's token for another audience.
   * Returns the tokens written, by role.
   */
  public Map<String, String> writeScenarioTokens(Path file) throws IOException {
    Map<String, String> tokens = Map.of(
        "admin", sampleToken("alice"),
        "analyst", sampleToken("bob"),
        "engineer", sampleToken("carol"),
        "expired", token("bob", List.of("analysts"), "acme", -600),
        "wrong_audience", token(ISSUER_ID, "bob", List.of("another-service"), claims("bob", List.of("analysts"), "acme"),
            600));
    Files.writeString(file, new ObjectMapper().writeValueAsString(tokens));
    return tokens;
  }

  public int port() {
    return server.baseUrl().port();
  }

  @Override
  public void close() {
    server.shutdown();
  }
}
