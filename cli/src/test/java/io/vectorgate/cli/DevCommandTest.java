package io.vectorgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.SignedJWT;
import io.vectorgate.cli.dev.DevIdp;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * `vectorgate dev idp`: the sample identity provider runs, prints its issuer and personas, and a
 * persona's token fetched from its token endpoint carries the persona's claims and verifies against
 * the provider's JWKS; it stops when asked, freeing the port.
 */
class DevCommandTest {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void runsPrintsIssuerAndPersonasAndServesPersonaTokens(@TempDir Path tmp) throws Exception {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = VectorgateCli.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    Path tokens = tmp.resolve("dev-idp/tokens.json");
    int[] code = {-1};
    Thread run = new Thread(() -> code[0] = cl.execute("dev", "idp", "--port", "0", "--hours", "1", "--tokens-out",
        tokens.toString(), "--persona", "gina:analysts,pii-readers:acme"), "dev-idp-test");
    run.start();
    DevCommand.Idp command = cl.getSubcommands().get("dev").getSubcommands().get("idp").getCommand();
    try {
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (!out.toString().contains("Stop: Ctrl-C") && run.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      String printed = out.toString();
      assertTrue(printed.contains("Stop: Ctrl-C"), printed + err);
      Matcher m = Pattern.compile("(?m)^issuer: (http://(?:localhost|127\\.0\\.0\\.1):\\d+/vectorgate)$").matcher(printed);
      assertTrue(m.find(), printed);
      String issuer = m.group(1);
      assertTrue(printed.contains("identity: {issuer: \"" + issuer + "\", audiences: [vectorgate], algorithms: [RS256]}"),
          printed);
      for (DevIdp.Persona p : DevIdp.samplePersonas()) {
        assertTrue(printed.contains("\n  " + p.subject() + "  groups=" + p.groups()), p.subject() + " in\n" + printed);
      }
      assertTrue(printed.contains("\n  gina  groups=[analysts, pii-readers] tenant=acme"), printed);

      JsonNode discovery = getJson(issuer + "/.well-known/openid-configuration");
      assertEquals(issuer, discovery.path("issuer").asText());
      JWKSet keys = JWKSet.parse(get(discovery.path("jwks_uri").asText()));

      JsonNode bob = claims(fetchToken(discovery.path("token_endpoint").asText(), "bob"), keys);
      assertEquals(issuer, bob.path("iss").asText());
      assertEquals("bob", bob.path("sub").asText());
      assertEquals("vectorgate", bob.path("aud").isArray() ? bob.path("aud").get(0).asText() : bob.path("aud").asText());
      assertEquals(List.of("analysts"), strings(bob.path("groups")));
      assertEquals("acme", bob.path("tenant").asText());
      assertEquals("bob@example.com", bob.path("email").asText());
      assertTrue(bob.path("exp").asLong() - bob.path("iat").asLong() <= 3600, bob.toString());

      JsonNode gina = claims(fetchToken(discovery.path("token_endpoint").asText(), "gina"), keys);
      assertEquals(List.of("analysts", "pii-readers"), strings(gina.path("groups")));
      JsonNode otto = claims(fetchToken(discovery.path("token_endpoint").asText(), "otto"), keys);
      assertEquals(List.of("policy-admins"), strings(otto.path("groups")));
      assertTrue(otto.path("tenant").isMissingNode(), otto.toString());

      JsonNode written = new ObjectMapper().readTree(tokens.toFile());
      assertEquals(DevIdp.samplePersonas().size() + 1, written.size(), written.toString());
      JsonNode carol = claims(written.path("carol").asText(), keys);
      assertEquals(List.of("ml-engineers", "on-call"), strings(carol.path("groups")));
      assertEquals(issuer, carol.path("iss").asText());
    } finally {
      command.stop.countDown();
      run.join(30_000);
    }
    assertEquals(0, code[0], err.toString());
    String issuerLine = out.toString().lines().filter(l -> l.startsWith("issuer: ")).findFirst().orElseThrow();
    assertThrows(IOException.class, () -> get(issuerLine.substring(8) + "/.well-known/openid-configuration"),
        "the provider is stopped");
  }

  @Test
  void badOptionsExitWithTwo() {
    for (String[] args : new String[][] {{"--persona", "no-groups"}, {"--persona", "-x:g"}, {"--hours", "0"},
        {"--port", "70000"}, {"--persona", "bob:analysts"}}) {
      StringWriter err = new StringWriter();
      CommandLine cl = VectorgateCli.commandLine();
      cl.setOut(new PrintWriter(new StringWriter(), true));
      cl.setErr(new PrintWriter(err, true));
      String[] full = new String[args.length + 4];
      full[0] = "dev";
      full[1] = "idp";
      full[2] = "--port";
      full[3] = "0";
      System.arraycopy(args, 0, full, 4, args.length);
      if (args[0].equals("--port")) {
        full = new String[] {"dev", "idp", "--port", args[1]};
      }
      assertEquals(2, cl.execute(full), String.join(" ", args) + ": " + err);
      assertTrue(err.toString().startsWith("dev idp: "), err.toString());
    }
  }

  private static String fetchToken(String endpoint, String persona) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(endpoint))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&client_id=" + persona
            + "&client_secret=anything&scope=openid")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    return new ObjectMapper().readTree(r.body()).path("access_token").asText();
  }

  /** The token's claims, after its RS256 signature verified against the provider's JWKS. */
  private static JsonNode claims(String jwt, JWKSet keys) throws Exception {
    SignedJWT t = SignedJWT.parse(jwt);
    RSAKey key = (RSAKey) keys.getKeyByKeyId(t.getHeader().getKeyID());
    assertTrue(key != null && t.verify(new RSASSAVerifier(key)), "signed by the provider's key");
    return new ObjectMapper().readTree(t.getPayload().toString());
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new java.util.ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static JsonNode getJson(String url) throws Exception {
    return new ObjectMapper().readTree(get(url));
  }

  private static String get(String url) throws IOException, InterruptedException {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException(url + ": HTTP " + r.statusCode());
    }
    return r.body();
  }
}
