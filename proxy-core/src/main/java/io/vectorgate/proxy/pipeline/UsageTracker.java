package io.vectorgate.proxy.pipeline;

import io.vectorgate.model.Usage;

/**
 * Per-subject usage that feeds {@code context.usage}: requests in the last minute, rows and
 * vectors returned and pages fetched in the last hour (windows: {@link UsageWindow}). One
 * instance keeps it in memory ({@link InMemoryUsageTracker}); several instances share it
 * ({@code io.vectorgate.proxy.budget.SharedUsageTracker}) so a budget holds wherever a request
 * lands.
 */
public interface UsageTracker {
  /**
   * Usage before the current request.
   *
   * @throws UsageUnavailableException when shared usage cannot be read within its tolerance; the
   *     pipeline denies the request (fail closed)
   */
  Usage usage(String subject);

  /** Counts one request (call when a request is decided, allowed or not). */
  void recordRequest(String subject);

  /** Counts what a forwarded request returned. */
  void recordResult(String subject, long rows, long vectors, boolean page);

  /** Shared usage could not be read or written within the documented tolerance. */
  final class UsageUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UsageUnavailableException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
