package io.vectorgate.proxy.identity;

import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vectorgate.proxy.config.GatewayConfig.IdentityConfig;
import io.vectorgate.proxy.grpc.MilvusCredentials;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Hostile input to the token path never gets through and never fails with anything but a refusal. */
class TokenVerifierProperties {
  private final TokenVerifier verifier = new TokenVerifier(new IdentityConfig("http://127.0.0.1:1/issuer",
      List.of("vectorgate"), List.of("RS256"), null, 5L, null, null, null, null, null, null, 1L, null),
      null, Clock.systemUTC());

  @Property(tries = 300)
  void arbitraryTokensAreRefused(@ForAll("tokens") String token) {
    assertThrows(AuthenticationException.class, () -> verifier.verify(token));
  }

  @Property(tries = 300)
  void arbitraryAuthorizationValuesDecodeOrAreRefused(@ForAll("tokens") String raw) {
    String header = Base64.getEncoder().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    try {
      String token = MilvusCredentials.fromHeaderValue(header);
      assertThrows(AuthenticationException.class, () -> verifier.verify(token));
    } catch (AuthenticationException expected) {
      // refused while decoding: fine
    }
  }

  @Provide
  Arbitrary<String> tokens() {
    Arbitrary<String> segment = Arbitraries.strings().withChars("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        .ofMaxLength(80);
    Arbitrary<String> jwsLike = segment.list().ofMinSize(1).ofMaxSize(6).map(l -> String.join(".", l));
    Arbitrary<String> headerLike = Arbitraries.of("{\"alg\":\"RS256\"}", "{\"alg\":\"none\"}", "{\"alg\":\"HS256\"}",
            "{\"alg\":\"RS256\",\"kid\":\"x\",\"crit\":[\"exp\"]}", "{}", "[]", "{\"alg\":1}")
        .flatMap(h -> segment.map(rest -> Base64.getUrlEncoder().withoutPadding()
            .encodeToString(h.getBytes(StandardCharsets.UTF_8)) + "." + rest + "." + rest));
    return Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(200), jwsLike, headerLike);
  }
}
