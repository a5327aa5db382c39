package io.vectorgate.proxy.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The stand-alone sample identity provider (scripts/dev-idp.sh): discovery, and one token per persona. */
class DevIdpTest {
  @Test
  void servesDiscoveryAndIssuesATokenPerPersonaWithItsClaims() throws Exception {
    List<DevIdp.Persona> personas = new java.util.ArrayList<>(DevIdp.samplePersonas());
    personas.add(DevIdp.Persona.parse("gina:analysts,pii-readers:acme"));
    try (DevIdp idp = DevIdp.start(0, personas, 600)) {
      HttpResponse<String> d = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create(idp.issuer() + "/.well-known/openid-configuration")).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, d.statusCode(), d.body());
      assertEquals(idp.issuer(), new ObjectMapper().readTree(d.body()).path("issuer").asText());
      assertEquals(List.of("alice", "bob", "carol", "dave", "erin", "frank", "rita", "otto", "gina"),
          List.copyOf(idp.tokens().keySet()));
      JsonNode bob = claims(idp.tokens().get("bob"));
      assertEquals(idp.issuer(), bob.path("iss").asText());
      assertEquals("acme", bob.path("tenant").asText());
      assertEquals("analysts", bob.path("groups").get(0).asText());
      JsonNode gina = claims(idp.tokens().get("gina"));
      assertEquals(List.of("analysts", "pii-readers"), List.of(gina.path("groups").get(0).asText(),
          gina.path("groups").get(1).asText()));
      assertEquals("acme", gina.path("tenant").asText());
      assertTrue(idp.describe(java.nio.file.Path.of("t.json")).contains("identity: {issuer: \"" + idp.issuer() + "\""));
    }
    assertThrows(IllegalArgumentException.class, () -> DevIdp.Persona.parse("no-groups"));
    assertThrows(IllegalArgumentException.class, () -> DevIdp.Persona.parse("-oProxy:x"));
  }

  private static JsonNode claims(String jwt) throws Exception {
    return new ObjectMapper().readTree(new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]),
        StandardCharsets.UTF_8));
  }
}
