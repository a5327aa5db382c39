package io.vectorgate.proxy.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vectorgate.model.Usage;
import io.vectorgate.proxy.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The window arithmetic against a naive model: after any sequence of requests, results and clock
 * steps, the ring-buffer tracker reports exactly the events whose bucket lies in
 * {@code (now - 60, now]} (seconds for requests, minutes for rows, vectors and pages).
 */
class UsageWindowProperties {
  record Step(long advanceMs, boolean request, long rows, long vectors, boolean page) {}

  record Event(long atMs, boolean request, long rows, long vectors, boolean page) {}

  @Provide
  Arbitrary<List<Step>> steps() {
    Arbitrary<Long> advance = Arbitraries.oneOf(Arbitraries.longs().between(0, 2_000),
        Arbitraries.longs().between(0, 3_700_000));
    return Combinators.combine(advance, Arbitraries.of(true, false), Arbitraries.longs().between(-5, 1_000),
        Arbitraries.longs().between(0, 1_000), Arbitraries.of(true, false)).as(Step::new).list().ofMaxSize(200);
  }

  @Property(tries = 300)
  void trackerMatchesTheNaiveWindow(@ForAll("steps") List<Step> steps,
      @ForAll("starts") long startMs) {
    MutableClock clock = new MutableClock(Instant.ofEpochMilli(startMs));
    InMemoryUsageTracker tracker = new InMemoryUsageTracker(clock);
    List<Event> events = new ArrayList<>();
    for (Step s : steps) {
      clock.advance(Duration.ofMillis(s.advanceMs()));
      long now = clock.millis();
      assertEquals(model(events, now), tracker.usage("s"), "at " + now);
      if (s.request()) {
        tracker.recordRequest("s");
      } else {
        tracker.recordResult("s", s.rows(), s.vectors(), s.page());
      }
      events.add(new Event(now, s.request(), s.rows(), s.vectors(), s.page()));
    }
    assertEquals(model(events, clock.millis()), tracker.usage("s"));
  }

  @Provide
  Arbitrary<Long> starts() {
    return Arbitraries.longs().between(0, 4_000_000_000_000L);
  }

  private static Usage model(List<Event> events, long nowMs) {
    long req = 0;
    long rows = 0;
    long vectors = 0;
    long pages = 0;
    for (Event e : events) {
      long ageSeconds = nowMs / 1000 - e.atMs() / 1000;
      long ageMinutes = nowMs / 60_000 - e.atMs() / 60_000;
      if (e.request() && ageSeconds < 60) {
        req++;
      }
      if (!e.request() && ageMinutes < 60) {
        rows += Math.max(0, e.rows());
        vectors += e.vectors();
        pages += e.page() ? 1 : 0;
      }
    }
    return new Usage(req, rows, vectors, pages);
  }
}
