package io.vectorgate.proxy.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.vectorgate.proxy.testing.OidcProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * The sample identity provider on its own ({@code scripts/dev-idp.sh}), for trying a gateway or
 * rollout by hand: mock-oauth2-server on loopback with the sample personas (those of
 * samples/org/data.json, and an admin-API reader and operator), their tokens written to a JSON
 * file, and the {@code identity:} lines a gateway config needs. Runs until interrupted.
 */
public final class DevIdp implements AutoCloseable {
  /** A persona: subject, groups, tenant (null: none) and what it is for. */
  public record Persona(String subject, List<String> groups, String tenant, String role) {
    /** {@code name:group1,group2[:tenant]}. */
    static Persona parse(String spec) {
      String[] p = spec.split(":", -1);
      if (p.length < 2 || p.length > 3 || p[0].isBlank() || !p[0].matches("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")) {
        throw new IllegalArgumentException("--persona `" + spec + "`: expected name:group1,group2[:tenant]");
      }
      List<String> groups = p[1].isEmpty() ? List.of() : Arrays.stream(p[1].split(",")).map(String::strip).toList();
      return new Persona(p[0], groups, p.length == 3 && !p[2].isEmpty() ? p[2] : null, "added with --persona");
    }
  }

  /** The sample personas: the organisation's users of samples/org/data.json, then the admin API's reader and operator. */
  public static List<Persona> samplePersonas() {
    List<Persona> out = new ArrayList<>();
    for (DemoMain.Persona u : DemoMain.USERS) {
      out.add(new Persona(u.name(), u.groups(), u.tenant(), u.shows()));
    }
    out.add(new Persona("rita", List.of("sre"), null, "admin API reader (admin.reader_groups: [sre])"));
    out.add(new Persona("otto", List.of("policy-admins"), null,
        "admin API operator: pin, rollback, approvals (admin.operator_groups: [policy-admins])"));
    return out;
  }

  private final OidcProvider oidc;
  private final Map<String, String> tokens = new LinkedHashMap<>();
  private final List<Persona> personas;

  private DevIdp(OidcProvider oidc, List<Persona> personas, long seconds) {
    this.oidc = oidc;
    this.personas = List.copyOf(personas);
    for (Persona p : personas) {
      tokens.put(p.subject(), oidc.token(p.subject(), p.groups(), p.tenant(), seconds));
    }
  }

  /** Starts on 127.0.0.1:{@code port} (0: a free port) and issues a token per persona, valid {@code seconds}. */
  public static DevIdp start(int port, List<Persona> personas, long seconds) {
    return new DevIdp(OidcProvider.start(port), personas, seconds);
  }

  public String issuer() {
    return oidc.issuer();
  }

  public Map<String, String> tokens() {
    return tokens;
  }

  /** A fresh token for a persona (tokens are also written at start). */
  public String token(Persona p, long seconds) {
    return oidc.token(p.subject(), p.groups(), p.tenant(), seconds);
  }

  /** What to print: issuer, the identity section for a gateway config, every persona with its token. */
  public String describe(Path tokensFile) {
    StringBuilder sb = new StringBuilder();
    sb.append("OIDC provider (mock-oauth2-server): ").append(issuer()).append('\n');
    sb.append("discovery: ").append(issuer()).append("/.well-known/openid-configuration\n\n");
    sb.append("gateway config:\n  identity: {issuer: \"").append(issuer()).append("\", audiences: [")
        .append(OidcProvider.AUDIENCE).append("], algorithms: [RS256]}\n\n");
    sb.append("personas (tokens also in ").append(tokensFile).append("):\n");
    for (Persona p : personas) {
      sb.append("  ").append(p.subject()).append("  groups=").append(p.groups())
          .append(p.tenant() == null ? "" : " tenant=" + p.tenant()).append("  ").append(p.role()).append('\n');
      sb.append("    token=").append(tokens.get(p.subject())).append('\n');
    }
    return sb.toString();
  }

  @Override
  public void close() {
    oidc.close();
  }

  /** {@code [--port 18080] [--tokens-out FILE] [--hours 8] [--persona name:groups[:tenant]]…} */
  public static void main(String[] args) throws IOException, InterruptedException {
    int port = 18080;
    Path out = Path.of(".dev-idp/tokens.json");
    long hours = 8;
    List<Persona> personas = new ArrayList<>(samplePersonas());
    try {
      for (int i = 0; i < args.length; i++) {
        String v = i + 1 < args.length ? args[i + 1] : null;
        switch (args[i]) {
          case "--port" -> port = Integer.parseInt(required(args[i], v));
          case "--tokens-out" -> out = Path.of(required(args[i], v));
          case "--hours" -> hours = Long.parseLong(required(args[i], v));
          case "--persona" -> personas.add(Persona.parse(required(args[i], v)));
          default -> throw new IllegalArgumentException("unknown argument `" + args[i] + "`");
        }
        i++;
      }
      if (port < 0 || port > 65535 || hours < 1 || hours > 24 * 30) {
        throw new IllegalArgumentException("--port must be 0..65535 and --hours 1..720");
      }
    } catch (IllegalArgumentException e) {
      System.err.println("dev-idp: " + e.getMessage());
      System.err.println("usage: dev-idp [--port 18080] [--tokens-out FILE] [--hours 8] [--persona name:g1,g2[:tenant]]...");
      System.exit(2);
      return;
    }
    DevIdp idp = start(port, personas, hours * 3600);
    Path parent = out.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    Files.writeString(out, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(idp.tokens()));
    System.out.println(idp.describe(out));
    System.out.println("Stop: Ctrl-C");
    System.out.flush();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      idp.close();
      stopped.countDown();
    }, "vectorgate-dev-idp-shutdown"));
    stopped.await();
  }

  private static String required(String option, String value) {
    if (value == null) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return value;
  }
}
