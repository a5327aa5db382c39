package io.vectorgate.cli.dev;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.OAuth2Config;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;

/**
 * The sample identity provider on its own, for trying a gateway, rollout or approvals by hand:
 * mock-oauth2-server on 127.0.0.1 (a real OIDC provider: discovery, JWKS, RS256 tokens) with the
 * sample personas. A token per persona is issued at start; a fresh one is had from the token
 * endpoint with the client-credentials grant, the persona's name as {@code client_id} (any secret):
 * its {@code sub}, {@code groups}, {@code tenant} and {@code email} are the persona's, its audience
 * {@value #AUDIENCE}. Not for production: anyone who reaches the port gets any persona's token.
 */
public final class DevIdp implements AutoCloseable {
  /** The issuer id (URL path) tokens are issued under. */
  public static final String ISSUER_ID = "vectorgate";
  /** The audience of every token (the gateway's {@code identity.audiences}). */
  public static final String AUDIENCE = "vectorgate";

  /** A persona: subject, groups, tenant (null: none) and what it is for. */
  public record Persona(String subject, List<String> groups, String tenant, String role) {
    public Persona {
      groups = List.copyOf(groups);
    }

    /** {@code name:group1,group2[:tenant]}; the name as a subject and client id may use letters, digits and {@code ._@-}. */
    public static Persona parse(String spec) {
      String[] p = spec.split(":", -1);
      if (p.length < 2 || p.length > 3 || !p[0].matches("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")) {
        throw new IllegalArgumentException("--persona `" + spec + "`: expected name:group1,group2[:tenant] (a name of "
            + "letters, digits and ._@-)");
      }
      List<String> groups = p[1].isEmpty() ? List.of() : Arrays.stream(p[1].split(",")).map(String::strip).toList();
      if (groups.stream().anyMatch(String::isEmpty)) {
        throw new IllegalArgumentException("--persona `" + spec + "`: an empty group name");
      }
      return new Persona(p[0], groups, p.length == 3 && !p[2].isEmpty() ? p[2] : null, "added with --persona");
    }

    /** The token claims: groups, tenant when there is one, e-mail {@code <subject>@example.com}. */
    Map<String, Object> claims() {
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("groups", groups);
      if (tenant != null) {
        c.put("tenant", tenant);
      }
      c.put("email", subject + "@example.com");
      return c;
    }
  }

  /**
   * The sample personas: the users of the sample organisation (samples/org, the demo's users), then
   * the admin API's reader and operator.
   */
  public static List<Persona> samplePersonas() {
    return List.of(
        new Persona("alice", List.of("admins"), null,
            "admin: every tenant; drop/truncate of docs need break-glass; quick-starts in the sandbox"),
        new Persona("bob", List.of("analysts"), "acme", "analyst, tenant acme: reads, PII masked, no vectors"),
        new Persona("carol", List.of("ml-engineers", "on-call"), "acme",
            "ML engineer, tenant acme: vectors, writes docs; on call, so no write window; bulk deletes need approval"),
        new Persona("dave", List.of("analysts", "pii-readers"), "globex", "analyst + PII reader, tenant globex"),
        new Persona("erin", List.of("db-admins"), null, "database admin: the approver of bulk deletes"),
        new Persona("frank", List.of("developers"), null,
            "developer: anything on collections of the sandbox `quick-starts` (all but docs, customers, kb_*, embeddings_*)"),
        new Persona("rita", List.of("sre"), null, "admin API reader (admin.reader_groups: [sre])"),
        new Persona("otto", List.of("policy-admins"), null,
            "admin API operator: pin, rollback, approvals (admin.operator_groups: [policy-admins])"));
  }

  private final MockOAuth2Server server;
  private final List<Persona> personas;
  private final Map<String, String> tokens = new LinkedHashMap<>();

  private DevIdp(MockOAuth2Server server, List<Persona> personas, long seconds) {
    this.server = server;
    this.personas = List.copyOf(personas);
    for (Persona p : personas) {
      tokens.put(p.subject(), token(p, seconds));
    }
  }

  /**
   * Starts on 127.0.0.1:{@code port} (0: a free port); tokens, at start and from the token endpoint,
   * are valid {@code seconds}. Two personas with one name are refused.
   */
  public static DevIdp start(int port, List<Persona> personas, long seconds) {
    if (personas.stream().map(Persona::subject).distinct().count() != personas.size()) {
      throw new IllegalArgumentException("two personas have the same name");
    }
    MockOAuth2Server server = new MockOAuth2Server(OAuth2Config.Companion.fromJson(config(personas, seconds)));
    try {
      server.start(InetAddress.getByName("127.0.0.1"), port);
    } catch (UnknownHostException e) {
      throw new IllegalStateException("cannot resolve 127.0.0.1", e);
    }
    try {
      return new DevIdp(server, personas, seconds);
    } catch (RuntimeException e) {
      server.shutdown();
      throw e;
    }
  }

  /** mock-oauth2-server's JSON configuration: per persona, a client-credentials mapping on {@code client_id}. */
  static String config(List<Persona> personas, long seconds) {
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = json.createObjectNode().put("interactiveLogin", false);
    ObjectNode callback = root.putArray("tokenCallbacks").addObject().put("issuerId", ISSUER_ID).put("tokenExpiry", seconds);
    ArrayNode mappings = callback.putArray("requestMappings");
    for (Persona p : personas) {
      ObjectNode claims = json.valueToTree(p.claims());
      claims.put("sub", p.subject());
      claims.putArray("aud").add(AUDIENCE);
      mappings.addObject().put("requestParam", "client_id").put("match", p.subject()).set("claims", claims);
    }
    return root.toString();
  }

  /** The issuer URL, as in the discovery document and the tokens' {@code iss} (no trailing slash). */
  public String issuer() {
    String url = server.issuerUrl(ISSUER_ID).toString();
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  /** The token endpoint (client-credentials grant, the persona's name as {@code client_id}). */
  public String tokenEndpoint() {
    return server.tokenEndpointUrl(ISSUER_ID).toString();
  }

  /** The token issued at start, per persona name. */
  public Map<String, String> tokens() {
    return tokens;
  }

  /** A fresh token for {@code p}, valid {@code seconds}. */
  public String token(Persona p, long seconds) {
    return server.issueToken(ISSUER_ID, "vectorgate-dev-idp", new DefaultOAuth2TokenCallback(ISSUER_ID, p.subject(),
        "JWT", List.of(AUDIENCE), p.claims(), seconds)).serialize();
  }

  /** What to print: the issuer, the identity section for a gateway config, how to get a token, every persona. */
  public String describe(String tokensFile) {
    StringBuilder sb = new StringBuilder();
    sb.append("issuer: ").append(issuer()).append('\n');
    sb.append("discovery: ").append(issuer()).append("/.well-known/openid-configuration\n\n");
    sb.append("gateway config:\n  identity: {issuer: \"").append(issuer()).append("\", audiences: [")
        .append(AUDIENCE).append("], algorithms: [RS256]}\n\n");
    sb.append("a fresh token: curl -s -d grant_type=client_credentials -d client_id=bob -d client_secret=x ")
        .append(tokenEndpoint()).append('\n');
    sb.append("\npersonas").append(tokensFile == null ? "" : " (their tokens also in " + tokensFile + ")").append(":\n");
    for (Persona p : personas) {
      sb.append("  ").append(p.subject()).append("  groups=").append(p.groups())
          .append(p.tenant() == null ? "" : " tenant=" + p.tenant()).append("  ").append(p.role()).append('\n');
      sb.append("    token=").append(tokens.get(p.subject())).append('\n');
    }
    return sb.toString();
  }

  /** The personas served. */
  public List<Persona> personas() {
    return new ArrayList<>(personas);
  }

  @Override
  public void close() {
    server.shutdown();
  }
}
