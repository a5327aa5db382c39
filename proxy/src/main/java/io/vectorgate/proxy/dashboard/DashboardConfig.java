package io.vectorgate.proxy.dashboard;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.vectorgate.proxy.config.ConfigException;
import java.net.URI;
import java.util.List;

/**
 * The {@code admin.dashboard:} section: the browser dashboard under {@code /dashboard/} on the
 * admin server.
 *
 * <ul>
 *   <li>{@code client_id} (required): the OIDC client the dashboard logs in as (public client,
 *       authorization code + PKCE); the ID token's audience must be accepted by {@code identity.audiences};
 *   <li>{@code approver_groups}: may open the approvals page (answering still needs one of the
 *       approval's own approver groups, as in the API);
 *   <li>{@code auditor_groups}: may open the sessions pages (default: {@code recording.admin.auditor_groups});
 *   <li>{@code public_url}: the dashboard's external base URL ({@code https://...} behind a TLS
 *       proxy marks the cookie {@code Secure}); default: the request's {@code Host} over http;
 *   <li>{@code session_minutes}: idle lifetime of a login (default 30, 1..720).
 * </ul>
 */
public record DashboardConfig(
    @JsonProperty("client_id") String clientId,
    @JsonProperty("approver_groups") List<String> approverGroups,
    @JsonProperty("auditor_groups") List<String> auditorGroups,
    @JsonProperty("public_url") String publicUrl,
    @JsonProperty("session_minutes") Integer sessionMinutes) {

  public DashboardConfig {
    approverGroups = approverGroups == null ? List.of() : List.copyOf(approverGroups);
    auditorGroups = auditorGroups == null ? List.of() : List.copyOf(auditorGroups);
    sessionMinutes = sessionMinutes == null ? 30 : sessionMinutes;
    publicUrl = publicUrl == null || !publicUrl.endsWith("/") ? publicUrl : publicUrl.substring(0, publicUrl.length() - 1);
  }

  /** Refuses a bad section, naming the key under {@code at}. */
  public void validate(String at) {
    if (clientId == null || clientId.isBlank()) {
      throw new ConfigException(at + ".client_id", "required: the OIDC client id the dashboard logs in as");
    }
    check(approverGroups, at + ".approver_groups");
    check(auditorGroups, at + ".auditor_groups");
    if (sessionMinutes < 1 || sessionMinutes > 720) {
      throw new ConfigException(at + ".session_minutes", "must be within 1..720, was " + sessionMinutes);
    }
    if (publicUrl != null) {
      URI u;
      try {
        u = URI.create(publicUrl);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(at + ".public_url", "not a URL: " + e.getMessage(), e);
      }
      if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null
          || u.getRawQuery() != null || u.getRawFragment() != null) {
        throw new ConfigException(at + ".public_url", "must be an http(s) URL without query or fragment, was `"
            + publicUrl + "`");
      }
    }
  }

  /** Whether the cookie must be {@code Secure} (the dashboard is reached over TLS). */
  boolean secure() {
    return publicUrl != null && publicUrl.startsWith("https:");
  }

  private static void check(List<String> groups, String at) {
    for (int i = 0; i < groups.size(); i++) {
      if (groups.get(i) == null || groups.get(i).isBlank()) {
        throw new ConfigException(at + "[" + i + "]", "empty group name");
      }
    }
  }
}
