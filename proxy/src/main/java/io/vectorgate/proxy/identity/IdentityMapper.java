package io.vectorgate.proxy.identity;

import com.nimbusds.jwt.JWTClaimsSet;
import io.vectorgate.model.Identity;
import io.vectorgate.proxy.config.GatewayConfig.IdentityConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Maps verified token claims to an {@link Identity}: {@code sub}, the configured email, groups and
 * tenant claims (dotted paths reach into nested objects, e.g. {@code realm_access.roles}), and the
 * extra claims an operator chose to pass to policies.
 */
public final class IdentityMapper {
  private final String groupsClaim;
  private final String tenantClaim;
  private final String emailClaim;
  private final List<String> extraClaims;

  public IdentityMapper(IdentityConfig cfg) {
    this.groupsClaim = cfg.groupsClaim();
    this.tenantClaim = cfg.tenantClaim();
    this.emailClaim = cfg.emailClaim();
    this.extraClaims = cfg.extraClaims();
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
      throw new AuthenticationException(AuthenticationException.Code.MISSING_CLAIM,
          "claim `" + tenantClaim + "` must be a string");
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

  private List<String> groups(Object v) throws AuthenticationException {
    if (v == null) {
      return List.of();
    }
    if (v instanceof String s) {
      List<String> out = new ArrayList<>();
      for (String part : s.split("[\\s,]+")) {
        if (!part.isEmpty()) {
          out.add(part);
        }
      }
      return out;
    }
    if (v instanceof List<?> list) {
      List<String> out = new ArrayList<>();
      for (Object o : list) {
        if (!(o instanceof String s)) {
          throw new AuthenticationException(AuthenticationException.Code.MISSING_CLAIM,
              "claim `" + groupsClaim + "` must hold strings only");
        }
        out.add(s);
      }
      return out;
    }
    throw new AuthenticationException(AuthenticationException.Code.MISSING_CLAIM,
        "claim `" + groupsClaim + "` must be a list of strings or a string");
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
