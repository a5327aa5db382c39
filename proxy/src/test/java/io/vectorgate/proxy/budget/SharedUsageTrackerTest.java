package io.vectorgate.proxy.budget;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectorgate.model.Usage;
import io.vectorgate.proxy.pipeline.InMemoryUsageTracker;
import io.vectorgate.proxy.pipeline.UsageTracker;
import io.vectorgate.proxy.testing.MutableClock;
import io.vectorgate.proxy.testing.PostgresFixture;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Budgets across instances on a real PostgreSQL (scripts/postgres.sh, loopback): several trackers
 * on one database stand for several gateway instances; requests land on them at random and a
 * budget check ({@code usage < budget}, as a policy writes it) admits at most
 * {@code budget + (N - 1) × (flushUnits - 1)} (plus the concurrently decided requests).
 */
class SharedUsageTrackerTest {
  static PostgresFixture pg;
  final List<AutoCloseable> open = new ArrayList<>();
  final MutableClock clock = new MutableClock(Instant.parse("2026-12-07T12:00:00.100Z"));

  @BeforeAll
  static void start() throws Exception {
    pg = PostgresFixture.start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (pg != null) {
      pg.close();
    }
  }

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
  }

  private List<SharedUsageTracker> instances(String url, int n, long flushUnits) throws Exception {
    List<SharedUsageTracker> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      PostgresUsageStore store = new PostgresUsageStore(url, null, null, 2, 5_000);
      SharedUsageTracker t = new SharedUsageTracker(store, clock, flushUnits, 0);
      open.add(store);
      open.add(t);
      out.add(t);
    }
    return out;
  }

  /** One request as the pipeline runs it: read usage, record the request, admit if under budget. */
  private static boolean requestUnderBudget(UsageTracker t, String subject, long budget) {
    Usage u = t.usage(subject);
    t.recordRequest(subject);
    return u.requestsLastMinute() < budget;
  }

  @Test
  void requestBudgetHoldsWithinToleranceWhereverRequestsLand() throws Exception {
    for (long flushUnits : new long[] {1, 5}) {
      int n = 3;
      long budget = 40;
      List<SharedUsageTracker> gw = instances(pg.freshDatabase("vg_budget"), n, flushUnits);
      Random random = new Random(19 + flushUnits);
      int admitted = 0;
      for (int i = 0; i < 200; i++) {
        if (requestUnderBudget(gw.get(random.nextInt(n)), "alice", budget)) {
          admitted++;
        }
      }
      long tolerance = (n - 1) * (flushUnits - 1);
      assertTrue(admitted >= budget && admitted <= budget + tolerance,
          "flushUnits " + flushUnits + ": admitted " + admitted + ", budget " + budget + " + tolerance " + tolerance);
      if (flushUnits == 1) {
        assertEquals(budget, admitted, "write-through is exact");
      }
      // every request counted, on every instance, once all flushed
      for (SharedUsageTracker t : gw) {
        t.flushAll();
      }
      for (SharedUsageTracker t : gw) {
        assertEquals(200, t.usage("alice").requestsLastMinute());
        assertEquals(0, t.usage("bob").requestsLastMinute());
      }
    }
  }

  @Test
  void perInstanceMemoryWouldGiveEachInstanceTheWholeBudget() {
    // the issue this store fixes: three in-memory trackers admit three budgets
    List<UsageTracker> gw = List.of(new InMemoryUsageTracker(clock), new InMemoryUsageTracker(clock),
        new InMemoryUsageTracker(clock));
    int admitted = 0;
    for (int i = 0; i < 200; i++) {
      if (requestUnderBudget(gw.get(i % 3), "alice", 40)) {
        admitted++;
      }
    }
    assertEquals(120, admitted);
  }

  @Test
  void concurrentRequestsOnTwoInstancesStayWithinToleranceAndConcurrency() throws Exception {
    int n = 2;
    long flushUnits = 4;
    long budget = 60;
    int threads = 4;
    List<SharedUsageTracker> gw = instances(pg.freshDatabase("vg_budget"), n, flushUnits);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    AtomicLong admitted = new AtomicLong();
    CountDownLatch go = new CountDownLatch(1);
    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      UsageTracker tracker = gw.get(t % n);
      done.add(pool.submit(() -> {
        go.await();
        for (int i = 0; i < 50; i++) {
          if (requestUnderBudget(tracker, "carol", budget)) {
            admitted.incrementAndGet();
          }
        }
        return null;
      }));
    }
    go.countDown();
    for (Future<?> f : done) {
      f.get(2, TimeUnit.MINUTES);
    }
    pool.shutdown();
    long bound = budget + (n - 1) * (flushUnits - 1) + (threads - 1);
    assertTrue(admitted.get() >= budget - (threads - 1) && admitted.get() <= bound,
        "admitted " + admitted.get() + ", bound " + bound);
    for (SharedUsageTracker t : gw) {
      t.flushAll();
    }
    assertEquals(200, gw.get(0).usage("carol").requestsLastMinute());
  }

  @Test
  void rowsVectorsAndPagesAddUpAcrossInstancesInTheirHourWindow() throws Exception {
    List<SharedUsageTracker> gw = instances(pg.freshDatabase("vg_budget"), 2, 1000);
    gw.get(0).recordResult("dave", 600, 10, true); // every counter below 1000: stays pending
    gw.get(1).recordResult("dave", 1500, 0, false); // 1500 >= 1000: flushed at once
    assertEquals(new Usage(0, 2100, 10, 1), gw.get(0).usage("dave"), "own pending + shared");
    assertEquals(new Usage(0, 1500, 0, 0), gw.get(1).usage("dave"), "the other's pending is the tolerance");
    gw.get(0).flushAll();
    assertEquals(new Usage(0, 2100, 10, 1), gw.get(1).usage("dave"));
    clock.advance(Duration.ofMinutes(59));
    gw.get(1).recordRequest("dave");
    gw.get(1).recordResult("dave", 1, 1, false);
    gw.get(1).flushAll();
    assertEquals(new Usage(1, 2101, 11, 1), gw.get(0).usage("dave"));
    clock.advance(Duration.ofMinutes(1)); // the first minute leaves the hour; the request the minute
    assertEquals(new Usage(0, 1, 1, 0), gw.get(0).usage("dave"));
  }

  @Test
  void requestsLeaveTheMinuteWindowBySecond() throws Exception {
    List<SharedUsageTracker> gw = instances(pg.freshDatabase("vg_budget"), 2, 1);
    gw.get(0).recordRequest("erin");
    clock.advance(Duration.ofSeconds(30));
    gw.get(1).recordRequest("erin");
    assertEquals(2, gw.get(0).usage("erin").requestsLastMinute());
    clock.advance(Duration.ofSeconds(30));
    assertEquals(1, gw.get(0).usage("erin").requestsLastMinute());
    clock.advance(Duration.ofSeconds(30));
    assertEquals(0, gw.get(1).usage("erin").requestsLastMinute());
  }

  @Test
  void anUnreachableStoreFailsClosedAndLosesNoIncrement() throws Exception {
    String url = pg.freshDatabase("vg_budget");
    List<SharedUsageTracker> gw = instances(url, 2, 3);
    gw.get(0).recordRequest("frank");
    try (var c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
      s.execute("ALTER TABLE vg_usage RENAME TO vg_usage_away");
    }
    UsageTracker.UsageUnavailableException read = assertThrows(UsageTracker.UsageUnavailableException.class,
        () -> gw.get(0).usage("frank"));
    assertTrue(read.getMessage().contains("`frank` cannot be read"), read.getMessage());
    gw.get(0).recordRequest("frank");
    gw.get(0).recordRequest("frank"); // 3 pending: the flush fails, they stay pending
    UsageTracker.UsageUnavailableException flush = assertThrows(UsageTracker.UsageUnavailableException.class,
        () -> gw.get(0).usage("frank"));
    assertTrue(flush.getMessage().contains("`frank` cannot be flushed"), flush.getMessage());
    try (var c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
      s.execute("ALTER TABLE vg_usage_away RENAME TO vg_usage");
    }
    assertEquals(3, gw.get(0).usage("frank").requestsLastMinute(), "flushed on the next decision");
    assertEquals(3, gw.get(1).usage("frank").requestsLastMinute(), "and visible to the other instance");
  }

  @Test
  void thePipelineDeniesWithUsageUnavailableAndNeverAsksThePolicy() throws Exception {
    String url = pg.freshDatabase("vg_budget");
    SharedUsageTracker tracker = instances(url, 1, 1).get(0);
    AtomicLong asked = new AtomicLong();
    // stands in for a policy with a budget: this test is about the pipeline's fail-closed path
    io.vectorgate.engine.DecisionEngine budget = input -> {
      asked.incrementAndGet();
      return input.context().usage().requestsLastMinute() < 2
          ? new io.vectorgate.model.Decision(true, List.of(), null, null, "r1")
          : io.vectorgate.model.Decision.deny("budget", "over budget");
    };
    io.vectorgate.proxy.pipeline.RequestPipeline pipeline = new io.vectorgate.proxy.pipeline.RequestPipeline(budget,
        null, tracker, new io.vectorgate.proxy.pipeline.GatewayMetrics(), clock);
    var alice = new io.vectorgate.model.Identity("alice", null, List.of(), null, "https://issuer", null);
    var conn = new io.vectorgate.model.Connection("m", io.vectorgate.model.DatabaseKind.MILVUS);
    var op = io.vectorgate.model.Operation.builder(io.vectorgate.model.Action.QUERY).build();
    var meta = new io.vectorgate.proxy.pipeline.RequestMeta("req-1", "127.0.0.1");
    assertTrue(pipeline.decide(alice, conn, op, meta) instanceof io.vectorgate.proxy.pipeline.Outcome.Forward);
    assertTrue(pipeline.decide(alice, conn, op, meta) instanceof io.vectorgate.proxy.pipeline.Outcome.Forward);
    var over = pipeline.decide(alice, conn, op, meta);
    assertTrue(over instanceof io.vectorgate.proxy.pipeline.Outcome.Deny d && d.decision().reasons().get(0).code()
        .equals("budget"), over.toString());
    assertEquals(3, asked.get());
    try (var c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
      s.execute("ALTER TABLE vg_usage RENAME TO vg_usage_away");
    }
    var unavailable = pipeline.decide(alice, conn, op, meta);
    assertTrue(unavailable instanceof io.vectorgate.proxy.pipeline.Outcome.Deny d
        && d.decision().reasons().get(0).code().equals("usage_unavailable")
        && d.decision().decisionId() != null, unavailable.toString());
    assertEquals(3, asked.get(), "no decision without usage");
    assertEquals(1, pipeline.metrics().get("usage_unavailable"));
  }

  @Test
  void theBudgetsSectionBuildsSharingTrackersAndAnUnreachableStoreNamesTheKey() throws Exception {
    String url = pg.freshDatabase("vg_budget");
    var cfg = new io.vectorgate.proxy.config.BudgetsConfig("postgres",
        new io.vectorgate.proxy.config.RecordingConfig.Postgres(url, null, null), 1L, 50L, 1);
    UsageTracker a = Budgets.tracker(cfg, k -> null, clock, open::add);
    UsageTracker b = Budgets.tracker(cfg, k -> null, clock, open::add);
    assertTrue(a instanceof SharedUsageTracker && b instanceof SharedUsageTracker);
    a.recordRequest("gina");
    b.recordRequest("gina");
    assertEquals(2, a.usage("gina").requestsLastMinute());
    assertTrue(Budgets.tracker(null, k -> null, clock, open::add) instanceof InMemoryUsageTracker);
    var down = new io.vectorgate.proxy.config.BudgetsConfig("postgres",
        new io.vectorgate.proxy.config.RecordingConfig.Postgres("jdbc:postgresql://127.0.0.1:1/none", null, null),
        null, null, null);
    var e = assertThrows(io.vectorgate.proxy.config.ConfigException.class,
        () -> Budgets.tracker(down, k -> null, clock, open::add));
    assertTrue(e.getMessage().contains("budgets.postgres"), e.getMessage());
  }
}
