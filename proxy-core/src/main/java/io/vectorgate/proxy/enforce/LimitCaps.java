package io.vectorgate.proxy.enforce;

import io.vectorgate.model.LimitCap;
import java.util.OptionalLong;

/**
 * The one limit-cap behaviour of every adapter. On the request, for a limit field (limit, top_k,
 * n_results, topK, group_size, a list of ids):
 *
 * <ul>
 *   <li>the effective value is the request's, or when it sends none the API's default, or
 *       unbounded when the API has none;
 *   <li>an effective value within the cap is left as it is;
 *   <li>an explicit value over the cap is refused ({@code limit_exceeded}) in {@code deny} mode
 *       and clamped to the cap in {@code clamp} mode;
 *   <li>a missing value whose default is over the cap (or unbounded) is set to the cap in both
 *       modes: the client asked for nothing the policy forbids.
 * </ul>
 *
 * On the response, whatever the upstream honoured, rows beyond the cap are cut ({@link #allowed}).
 */
public final class LimitCaps {
  private LimitCaps() {}

  /**
   * The value to write into the request, or empty when it stays.
   *
   * @param requested the request's value, or null when it sends none
   * @param apiDefault the API's default for a missing value, or null when a missing value is unbounded
   * @param at where the value is in the request, for the {@code limit_exceeded} message
   * @throws ObligationException {@code limit_exceeded} for an explicit value over a deny-mode cap
   */
  public static OptionalLong clamp(Long requested, Long apiDefault, LimitCap cap, String at) {
    if (cap == null) {
      return OptionalLong.empty();
    }
    Long effective = requested != null ? requested : apiDefault;
    if (effective != null && effective <= cap.max()) {
      return OptionalLong.empty();
    }
    if (requested != null && cap.mode() == LimitCap.CapMode.DENY) {
      throw exceeded(at, requested, cap);
    }
    return OptionalLong.of(cap.max());
  }

  /** The {@code limit_exceeded} failure for {@code value} at {@code at}. */
  public static ObligationException exceeded(String at, long value, LimitCap cap) {
    return new ObligationException(ObligationException.LIMIT_EXCEEDED,
        "`" + at + "` is " + value + "; the policy allows at most " + cap.max());
  }

  /** The most rows one result list of a response may carry: the cap, or unbounded without one. */
  public static long allowed(LimitCap cap) {
    return cap == null ? Long.MAX_VALUE : cap.max();
  }
}
