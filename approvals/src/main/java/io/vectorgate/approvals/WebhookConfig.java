package io.vectorgate.approvals;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * A webhook receiving approval notifications: JSON POSTs to {@code url}, in the Vectorgate shape
 * or {@code slack}-compatible ({@code {"text": ...}}), signed with HMAC-SHA256 under
 * {@code secret} (header {@code X-Vectorgate-Signature: v1=<hex>} over
 * {@code <timestamp>.<body>}, timestamp in {@code X-Vectorgate-Timestamp}), retried up to
 * {@code maxAttempts} times with exponential backoff from {@code initialBackoff}.
 */
public record WebhookConfig(URI url, boolean slack, byte[] secret, int maxAttempts, Duration initialBackoff,
    Duration timeout) {
  public WebhookConfig {
    Objects.requireNonNull(url, "url");
    if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme())) {
      throw new IllegalArgumentException("webhook url must be http(s), was `" + url + "`");
    }
    if (maxAttempts < 1 || maxAttempts > 20) {
      throw new IllegalArgumentException("webhook max attempts must be between 1 and 20, was " + maxAttempts);
    }
    secret = secret == null ? null : secret.clone();
    initialBackoff = initialBackoff == null ? Duration.ofMillis(500) : initialBackoff;
    timeout = timeout == null ? Duration.ofSeconds(5) : timeout;
  }
}
