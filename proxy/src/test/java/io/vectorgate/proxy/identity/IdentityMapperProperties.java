package io.vectorgate.proxy.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jwt.JWTClaimsSet;
import io.vectorgate.model.Identity;
import io.vectorgate.proxy.config.GatewayConfig.IdentityConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Strict claims: groups are a JSON array of strings and the tenant a string; any other shape is
 * refused with {@code invalid_claim} naming the claim, unless {@code groups_claim_separator} is
 * configured, and then a groups string is split on exactly that separator and nothing else.
 */
class IdentityMapperProperties {
  private static final IdentityMapper STRICT = mapper(config(null));
  private static final IdentityMapper COMMA = mapper(config(","));

  /** The mapper the gateway's TokenVerifier builds from {@code identity:}. */
  static IdentityMapper mapper(IdentityConfig c) {
    return new IdentityMapper(c.groupsClaim(), c.tenantClaim(), c.emailClaim(), c.extraClaims(), c.groupsClaimSeparator());
  }

  static IdentityConfig config(String separator) {
    return new IdentityConfig("https://idp.example", List.of("vectorgate"), List.of("RS256"), null, 5L, "groups",
        "tenant", null, null, null, null, null, null, separator);
  }

  static JWTClaimsSet claims(Object groups, Object tenant) {
    JWTClaimsSet.Builder b = new JWTClaimsSet.Builder().subject("bob");
    if (groups != null) {
      b.claim("groups", groups);
    }
    if (tenant != null) {
      b.claim("tenant", tenant);
    }
    return b.build();
  }

  /** Finding 6 of issue 14: one string of groups was split on commas and spaces (and `admins` won). */
  @Example
  void aGroupsStringIsRefusedWithoutAConfiguredSeparator() {
    AuthenticationException e = assertThrows(AuthenticationException.class,
        () -> STRICT.map(claims("analysts, admins", "acme")));
    assertEquals(AuthenticationException.Code.INVALID_CLAIM, e.code());
    assertTrue(e.getMessage().contains("claim `groups` must be a JSON array of strings, got a string"), e.getMessage());
    assertTrue(e.getMessage().contains("groups_claim_separator"), e.getMessage());
  }

  @Property(tries = 300)
  void arraysOfStringsAreTakenAsIs(@ForAll("groupNames") List<String> groups) throws AuthenticationException {
    assertEquals(groups, STRICT.map(claims(groups, "acme")).groups());
    assertEquals(groups, COMMA.map(claims(groups, "acme")).groups());
  }

  @Property(tries = 300)
  void anyOtherGroupsShapeIsRefusedNamingTheClaim(@ForAll("notAnArrayOfStrings") Object groups) {
    AuthenticationException e = assertThrows(AuthenticationException.class, () -> STRICT.map(claims(groups, "acme")));
    assertEquals(AuthenticationException.Code.INVALID_CLAIM, e.code(), e.getMessage());
    assertTrue(e.getMessage().startsWith("claim `groups` must be a JSON array of strings, got "), e.getMessage());
  }

  @Property(tries = 300)
  void aTenantThatIsNotAStringIsRefused(@ForAll("nonStrings") Object tenant) {
    AuthenticationException e = assertThrows(AuthenticationException.class,
        () -> STRICT.map(claims(List.of("analysts"), tenant)));
    assertEquals(AuthenticationException.Code.INVALID_CLAIM, e.code());
    assertTrue(e.getMessage().startsWith("claim `tenant` must be a string, got "), e.getMessage());
  }

  /** With a separator, a string splits on exactly that separator: spaces and other punctuation stay. */
  @Property(tries = 300)
  void aConfiguredSeparatorSplitsOnItAlone(@ForAll("groupNames") List<String> groups) throws AuthenticationException {
    if (groups.isEmpty()) {
      return;
    }
    Identity id = COMMA.map(claims(String.join(" , ", groups), "acme"));
    assertEquals(groups, id.groups());
  }

  @Example
  void spacesAreNotSeparatorsAndEmptyPartsAreRefused() throws AuthenticationException {
    assertEquals(List.of("data analysts", "admins"), COMMA.map(claims("data analysts, admins", null)).groups());
    AuthenticationException e = assertThrows(AuthenticationException.class, () -> COMMA.map(claims("a,,b", null)));
    assertEquals(AuthenticationException.Code.INVALID_CLAIM, e.code());
  }

  @Provide
  Arbitrary<List<String>> groupNames() {
    // names as IdPs emit them: no separator inside, no surrounding space
    return Arbitraries.strings().withChars("abcdefghijklmnopqrstuvwxyz-_:/ ").ofMinLength(1).ofMaxLength(20)
        .map(String::strip).filter(s -> !s.isEmpty()).list().ofMaxSize(6);
  }

  @Provide
  Arbitrary<Object> nonStrings() {
    return Arbitraries.oneOf(Arbitraries.integers().map(i -> (Object) i), Arbitraries.of(true, false).map(b -> (Object) b),
        Arbitraries.strings().ofMaxLength(5).list().ofMaxSize(3).map(l -> (Object) l),
        Arbitraries.strings().ofMaxLength(5).map(s -> (Object) Map.of("name", s)));
  }

  @Provide
  Arbitrary<Object> notAnArrayOfStrings() {
    Arbitrary<Object> mixed = Arbitraries.strings().ofMaxLength(8).list().ofMinSize(0).ofMaxSize(3)
        .flatMap(l -> Arbitraries.oneOf(Arbitraries.integers().map(i -> (Object) i),
                Arbitraries.of(true, false).map(b -> (Object) b),
                Arbitraries.strings().ofMaxLength(3).list().ofMaxSize(2).map(x -> (Object) x))
            .map(bad -> {
              List<Object> out = new ArrayList<>(l);
              out.add(out.size() / 2, bad);
              return (Object) out;
            }));
    return Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(30).map(s -> (Object) s),
        Arbitraries.integers().map(i -> (Object) i), Arbitraries.of(true, false).map(b -> (Object) b),
        Arbitraries.strings().ofMaxLength(5).map(s -> (Object) Map.of("g", s)), mixed);
  }
}
