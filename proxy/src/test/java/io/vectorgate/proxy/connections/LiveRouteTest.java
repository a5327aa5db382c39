package io.vectorgate.proxy.connections;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * New requests take the new route, in-flight ones keep theirs, and a replaced route is closed
 * exactly once, after its last request ended.
 */
class LiveRouteTest {
  final List<String> closed = Collections.synchronizedList(new ArrayList<>());

  @Test
  void aReplacedRouteClosesWhenItsLastRequestEnds() throws Exception {
    LiveRoute<String> r = new LiveRoute<>("old", null, closed::add);
    LiveRoute.Lease<String> inFlight = r.acquire();
    r.serve("new");
    try (LiveRoute.Lease<String> next = r.acquire()) {
      assertEquals("new", next.route());
    }
    assertEquals("old", inFlight.route(), "an in-flight request keeps the route it started with");
    assertEquals(List.of(), closed, "closed while a request still used it");
    inFlight.close();
    inFlight.close(); // a second release is ignored
    assertEquals(List.of("old"), closed);
    r.close();
    assertEquals(List.of("old", "new"), closed);
  }

  @Test
  void aRemovedConnectionRefusesNewRequestsWithItsReasonAndServesAgainWhenPut() throws Exception {
    LiveRoute<String> r = new LiveRoute<>("a", null, closed::add);
    r.refuse(new LiveRoute.Unavailable("connection_removed", "connection `x` was removed through the admin API"));
    LiveRoute.Unavailable u = assertThrows(LiveRoute.Unavailable.class, r::acquire);
    assertEquals("connection_removed", u.code());
    assertTrue(u.getMessage().contains("removed"));
    assertEquals("a", r.last(), "the last route still renders refusals");
    assertEquals(List.of("a"), closed);
    r.serve("b");
    try (LiveRoute.Lease<String> l = r.acquire()) {
      assertEquals("b", l.route());
    }
    assertFalse(r.refusing());
  }

  @Test
  void startingWithoutARouteRefuses() {
    LiveRoute<String> r = new LiveRoute<>(null, new LiveRoute.Unavailable("connection_unavailable", "why"), closed::add);
    assertEquals("connection_unavailable", assertThrows(LiveRoute.Unavailable.class, r::acquire).code());
    r.close();
    assertEquals(List.of(), closed);
  }

  /** Requests racing with swaps: every route but the current one is closed once, never while leased. */
  @Test
  void concurrentRequestsAndSwapsNeverUseAClosedRoute() throws Exception {
    List<String> leasedAfterClose = Collections.synchronizedList(new ArrayList<>());
    LiveRoute<String> r = new LiveRoute<>("r0", null, closed::add);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<?>> fs = new ArrayList<>();
    for (int t = 0; t < 3; t++) {
      fs.add(pool.submit(() -> {
        go.await();
        for (int i = 0; i < 20_000; i++) {
          try (LiveRoute.Lease<String> l = r.acquire()) {
            if (closed.contains(l.route())) {
              leasedAfterClose.add(l.route());
            }
          }
        }
        return null;
      }));
    }
    go.countDown();
    for (int i = 1; i <= 200; i++) {
      r.serve("r" + i);
    }
    for (Future<?> f : fs) {
      f.get(60, TimeUnit.SECONDS);
    }
    pool.shutdown();
    assertEquals(List.of(), leasedAfterClose);
    assertEquals(200, closed.size(), "every replaced route closed exactly once: " + closed.size());
    assertEquals(200, new java.util.HashSet<>(closed).size());
    assertFalse(closed.contains("r200"));
  }
}
