package io.vectorgate.proxy.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectorgate.approvals.Approver;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class WebSessionsTest {
  /** A clock the test moves. */
  static final class TestClock extends Clock {
    Instant now = Instant.parse("2026-01-01T00:00:00Z");

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  final TestClock clock = new TestClock();
  final WebSessions sessions = new WebSessions(clock, Duration.ofMinutes(30));
  final Approver erin = new Approver("erin", List.of("db-admins"));

  @Test
  void sessionsEndAfterIdleTimeLogoutOrTwelveHours() {
    WebSessions.WebSession s = sessions.create(erin);
    assertEquals(43, s.id().length(), "256 random bits, base64url");
    assertNotEquals(s.id(), s.csrf());
    clock.now = clock.now.plus(Duration.ofMinutes(29));
    assertTrue(sessions.find(s.id()).isPresent(), "a request restarts the idle clock");
    clock.now = clock.now.plus(Duration.ofMinutes(29));
    assertTrue(sessions.find(s.id()).isPresent());
    clock.now = clock.now.plus(Duration.ofMinutes(30));
    assertFalse(sessions.find(s.id()).isPresent(), "idle for 30 minutes");

    WebSessions.WebSession busy = sessions.create(erin);
    for (int i = 0; i < 12 * 3; i++) {
      clock.now = clock.now.plus(Duration.ofMinutes(20));
      boolean alive = sessions.find(busy.id()).isPresent();
      assertEquals(i < 12 * 3 - 1, alive, "at " + (i + 1) * 20 + " minutes");
    }

    WebSessions.WebSession out = sessions.create(erin);
    sessions.end(out.id());
    assertFalse(sessions.find(out.id()).isPresent());
    assertFalse(sessions.find(null).isPresent());
    assertFalse(sessions.find("forged").isPresent());
  }

  @Test
  void aLoginStateIsUsableOnceAndForTenMinutes() {
    String state = sessions.begin(new WebSessions.PendingLogin("b", "v", "n", "/dashboard/", clock.now));
    assertTrue(sessions.complete(state).isPresent());
    assertFalse(sessions.complete(state).isPresent(), "a state is single-use");
    String late = sessions.begin(new WebSessions.PendingLogin("b", "v", "n", "/dashboard/", clock.now));
    clock.now = clock.now.plus(WebSessions.LOGIN_TTL);
    assertFalse(sessions.complete(late).isPresent(), "expired after 10 minutes");
    assertFalse(sessions.complete(null).isPresent());
  }

  @Test
  void tokensCompareExactly() {
    assertTrue(WebSessions.same("abc", "abc"));
    assertFalse(WebSessions.same("abc", "abd"));
    assertFalse(WebSessions.same("abc", "abcd"));
    assertFalse(WebSessions.same(null, "abc"));
    assertFalse(WebSessions.same(null, null));
  }

  @Test
  void pkceChallengeIsTheRfc7636Example() {
    assertEquals("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        OidcLogin.challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"));
  }
}
