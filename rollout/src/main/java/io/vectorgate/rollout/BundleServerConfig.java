package io.vectorgate.rollout;

import io.vectorgate.engine.BundleLimits;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * An OPA-compatible bundle server: {@code url} of the {@code bundle.tar.gz}, an optional bearer
 * token (never printed), an optional signature verifier (unsigned or badly signed bundles are then
 * refused), the request timeout and the bundle limits.
 */
public record BundleServerConfig(URI url, String bearerToken, BundleSignatureVerifier verifier, Duration timeout,
    BundleLimits limits) {
  public BundleServerConfig {
    Objects.requireNonNull(url, "url");
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(java.util.Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException("policy.source.url: `" + url + "` must be an http or https URL");
    }
    if (url.getUserInfo() != null) {
      throw new IllegalArgumentException("policy.source.url: put credentials in `token`, not in the URL");
    }
    timeout = timeout == null ? Duration.ofSeconds(30) : timeout;
    limits = limits == null ? BundleLimits.DEFAULTS : limits;
  }

  @Override
  public String toString() {
    return "BundleServerConfig[url=" + url + ", token=" + (bearerToken == null ? "none" : "***") + ", signed="
        + (verifier != null) + "]";
  }
}
