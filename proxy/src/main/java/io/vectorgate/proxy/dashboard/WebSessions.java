package io.vectorgate.proxy.dashboard;

import io.vectorgate.approvals.Approver;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Server-side dashboard logins: a random 256-bit session id (the cookie's only content) maps to
 * the verified user and a per-session CSRF token. A session ends at logout, after {@code idle}
 * without a request, or 12 hours after login, whichever comes first. Pending logins (PKCE verifier,
 * nonce, browser binding) live here for 10 minutes, keyed by the OAuth {@code state}.
 */
final class WebSessions {
  static final Duration MAX_AGE = Duration.ofHours(12);
  static final Duration LOGIN_TTL = Duration.ofMinutes(10);
  private static final int MAX_PENDING = 10_000;
  private static final SecureRandom RANDOM = new SecureRandom();

  /** A logged-in user. */
  record WebSession(String id, Approver user, String csrf, Instant created, Instant lastSeen) {}

  /** A login in progress: the browser binding cookie, the PKCE verifier, the nonce, where to return. */
  record PendingLogin(String binding, String verifier, String nonce, String returnTo, Instant created) {}

  private final Map<String, WebSession> sessions = new ConcurrentHashMap<>();
  private final Map<String, PendingLogin> pending = new ConcurrentHashMap<>();
  private final Clock clock;
  private final Duration idle;

  WebSessions(Clock clock, Duration idle) {
    this.clock = clock;
    this.idle = idle;
  }

  static String random() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /** A new session for {@code user}. */
  WebSession create(Approver user) {
    sweep();
    Instant now = clock.instant();
    WebSession s = new WebSession(random(), user, random(), now, now);
    sessions.put(s.id(), s);
    return s;
  }

  /** The live session of this cookie value, its idle clock restarted; empty when unknown or expired. */
  Optional<WebSession> find(String id) {
    if (id == null) {
      return Optional.empty();
    }
    WebSession s = sessions.get(id);
    if (s == null) {
      return Optional.empty();
    }
    Instant now = clock.instant();
    if (expired(s, now)) {
      sessions.remove(id, s);
      return Optional.empty();
    }
    WebSession touched = new WebSession(s.id(), s.user(), s.csrf(), s.created(), now);
    sessions.replace(id, s, touched);
    return Optional.of(touched);
  }

  void end(String id) {
    if (id != null) {
      sessions.remove(id);
    }
  }

  /** Remembers a login in progress under a new {@code state}, which it returns. */
  String begin(PendingLogin p) {
    sweep();
    if (pending.size() >= MAX_PENDING) {
      throw new IllegalStateException("too many logins in progress; try again in a few minutes");
    }
    String state = random();
    pending.put(state, p);
    return state;
  }

  /** The login of {@code state}, once: empty when unknown, expired or already used. */
  Optional<PendingLogin> complete(String state) {
    if (state == null) {
      return Optional.empty();
    }
    PendingLogin p = pending.remove(state);
    if (p == null || !clock.instant().isBefore(p.created().plus(LOGIN_TTL))) {
      return Optional.empty();
    }
    return Optional.of(p);
  }

  Instant now() {
    return clock.instant();
  }

  /** Constant-time comparison of two tokens (CSRF, login binding); false when either is null. */
  static boolean same(String a, String b) {
    return a != null && b != null && MessageDigest.isEqual(a.getBytes(java.nio.charset.StandardCharsets.UTF_8),
        b.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  private boolean expired(WebSession s, Instant now) {
    return !now.isBefore(s.lastSeen().plus(idle)) || !now.isBefore(s.created().plus(MAX_AGE));
  }

  private void sweep() {
    Instant now = clock.instant();
    sessions.values().removeIf(s -> expired(s, now));
    pending.values().removeIf(p -> !now.isBefore(p.created().plus(LOGIN_TTL)));
  }
}
