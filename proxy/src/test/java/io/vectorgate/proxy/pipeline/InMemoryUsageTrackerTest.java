package io.vectorgate.proxy.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vectorgate.model.Usage;
import io.vectorgate.proxy.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The in-memory tracker forgets idle subjects by itself: requests sweep subjects idle for more
 * than an hour at most once a minute, and a subject still in its windows is never forgotten.
 */
class InMemoryUsageTrackerTest {
  @Test
  void subjectsIdleForMoreThanAnHourAreForgottenByLaterRequests() {
    MutableClock clock = new MutableClock(Instant.parse("2026-11-25T09:00:00Z"));
    InMemoryUsageTracker t = new InMemoryUsageTracker(clock);
    for (int i = 0; i < 1000; i++) {
      t.recordRequest("user-" + i);
      t.recordResult("user-" + i, 3, 0, false);
    }
    assertEquals(1000, t.subjects());
    clock.advance(Duration.ofMinutes(30));
    t.recordRequest("active");
    t.recordResult("active", 5, 1, true);
    assertEquals(1001, t.subjects(), "nobody is idle for an hour yet");
    assertEquals(new Usage(0, 3, 0, 0), t.usage("user-7"), "rows stay in the hour window");

    clock.advance(Duration.ofMinutes(31)); // user-*: idle 61 min; active: 31 min
    t.recordRequest("newcomer");
    assertEquals(2, t.subjects(), "the idle subjects were not swept");
    assertEquals(Usage.NONE, t.usage("user-7"));
    assertEquals(new Usage(0, 5, 1, 1), t.usage("active"), "a subject inside its windows keeps its usage");
    assertEquals(new Usage(1, 0, 0, 0), t.usage("newcomer"));
  }

  @Test
  void sweepsRunAtMostOncePerPeriod() {
    Instant t0 = Instant.parse("2026-11-25T09:00:00Z");
    MutableClock clock = new MutableClock(t0);
    InMemoryUsageTracker t = new InMemoryUsageTracker(clock);
    t.recordRequest("a");
    clock.advance(Duration.ofMinutes(59).plusSeconds(30));
    t.recordRequest("b"); // a sweep runs (a: idle 59.5 min, kept); the next is due 60 s later
    assertEquals(2, t.subjects());
    clock.advance(Duration.ofSeconds(40));
    t.recordRequest("c"); // a is idle past the hour, but no sweep is due yet
    assertEquals(3, t.subjects());
    assertEquals(Usage.NONE, t.usage("a"), "an idle subject's usage is zero whether swept or not");
    clock.advance(Duration.ofSeconds(20));
    t.recordRequest("d"); // due: a goes
    assertEquals(3, t.subjects());
    assertEquals(new Usage(1, 0, 0, 0), t.usage("d"));
  }
}
