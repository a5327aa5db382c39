package io.vectorgate.proxy.identity;

import com.nimbusds.jwt.JWTClaimsSet;
import io.vectorgate.model.Identity;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Maps verified token claims to an {@link Identity}: {@code sub}, the configured email, groups and
 * tenant claims (dotted paths reach into nested objects, e.g. {@code realm_access.roles}), and the
 * extra claims an operator chose to pass to policies. Strict: groups must be a JSON array of
 * strings and the tenant a string; the only other accepted shape is a groups string with an
 * explicitly configured separator ({@code identity.groups_claim_separator}). Anything else is
 * refused with {@code invalid_claim} naming the claim and the type found.
 */
public final class IdentityMapper {
  private final String groupsClaim;
  private final String tenantClaim;
  private final String emailClaim;
  private final List<String> extraClaims;
  private final String groupsSeparator;

  /**
   * The claims of {@code identity:} ({@code groups_claim}, {@code tenant_claim}, {@code email_claim},
   * {@code extra_claims}, {@code groups_claim_separator}: null for strict arrays).
   */
  public IdentityMapper(String groupsClaim, String tenantClaim, String emailClaim, List<String> extraClaims,
      String groupsSeparator) {
    this.groupsClaim = groupsClaim;
    this.tenantClaim = tenantClaim;
    this.emailClaim = emailClaim;
    this.extraClaims = extraClaims == null ? List.of() : List.copyOf(extraClaims);
    this.groupsSeparator = groupsSeparator;
  }

  /** Builds the identity; a missing {@code sub} or a groups/tenant claim of the wrong type is refused. */
  public Identity map(JWTClaimsSet claims) throws AuthenticationException {
    String subject = claims.getSubject();
    if (subject == null || subject.isBlank()) {
      throw new AuthenticationException(AuthenticationException.Code.MISSING_CLAIM, "token has no `sub` claim");
    }
    Map<String, Object> all = claims.getClaims();
    Object email = lookup(all, emailClaim);
    Object tenant = lookup(all, tenantClaim);
    if (tenant != null && !(tenant instanceof String)) {
      throw new AuthenticationException(AuthenticationException.Code.INVALID_CLAIM,
          "claim `" + tenantClaim + "` must be a string, got " + jsonType(tenant));
    }
    List<String> groups = groups(lookup(all, groupsClaim));
    Map<String, Object> extra = new LinkedHashMap<>();
    for (String name : extraClaims) {
      Object v = lookup(all, name);
      if (v != null) {
        extra.put(name, v);
      }
    }
    return new Identity(subject, email instanceof String s ? s : null, groups, (String) tenant,
        claims.getIssuer(), extra);
  }

  /**
   * The groups: a JSON array of strings; a single string only when {@code groups_claim_separator}
   * is configured, split on exactly that separator (each part stripped; an empty part is refused).
   */
  List<String> groups(Object v) throws AuthenticationException {
    if (v == null) {
      return List.of();
    }
    if (v instanceof String s) {
      if (groupsSeparator == null) {
        throw new AuthenticationException(AuthenticationException.Code.INVALID_CLAIM,
            "claim `" + groupsClaim + "` must be a JSON array of strings, got a string (to accept one string of"
                + " groups, configure identity.groups_claim_separator)");
      }
      List<String> out = new ArrayList<>();
      for (String part : s.split(java.util.regex.Pattern.quote(groupsSeparator), -1)) {
        String g = part.strip();
        if (g.isEmpty()) {
          throw new AuthenticationException(AuthenticationException.Code.INVALID_CLAIM,
              "claim `" + groupsClaim + "` has an empty group between separators `" + groupsSeparator + "`");
        }
        out.add(g);
      }
      return out;
    }
    if (v instanceof List<?> list) {
      List<String> out = new ArrayList<>();
      for (Object o : list) {
        if (!(o instanceof String s)) {
          throw new AuthenticationException(AuthenticationException.Code.INVALID_CLAIM,
              "claim `" + groupsClaim + "` must be a JSON array of strings, got an element of type "
                  + jsonType(o));
        }
        out.add(s);
      }
      return out;
    }
    throw new AuthenticationException(AuthenticationException.Code.INVALID_CLAIM,
        "claim `" + groupsClaim + "` must be a JSON array of strings, got " + jsonType(v));
  }

  /** The JSON type name of a claim value as the JWT library parsed it. */
  static String jsonType(Object v) {
    if (v == null) {
      return "null";
    }
    if (v instanceof String) {
      return "a string";
    }
    if (v instanceof Boolean) {
      return "a boolean";
    }
    if (v instanceof Number) {
      return "a number";
    }
    if (v instanceof List<?>) {
      return "an array";
    }
    if (v instanceof Map<?, ?>) {
      return "an object";
    }
    return "a " + v.getClass().getSimpleName();
  }

  @SuppressWarnings("unchecked")
  private static Object lookup(Map<String, Object> claims, String path) {
    if (claims.containsKey(path)) {
      return claims.get(path);
    }
    Object cur = claims;
    for (String part : path.split("\\.")) {
      if (!(cur instanceof Map<?, ?> m)) {
        return null;
      }
      cur = ((Map<String, Object>) m).get(part);
    }
    return cur;
  }
}
