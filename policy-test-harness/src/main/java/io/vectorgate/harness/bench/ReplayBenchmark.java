package io.vectorgate.harness.bench;

import io.vectorgate.harness.HarnessEngines;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.milvus.grpc.KeyValuePair;
import io.milvus.grpc.QueryRequest;
import io.milvus.grpc.SearchRequest;
import io.vectorgate.engine.PolicyEngine;
import io.vectorgate.harness.replay.InputRebuilder;
import io.vectorgate.harness.replay.Replayer;
import io.vectorgate.harness.replay.Traffic;
import io.vectorgate.harness.source.PolicyLoader;
import io.vectorgate.harness.source.PolicySource;
import io.vectorgate.model.Decision;
import io.vectorgate.model.PolicyInput;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Replays N recorded requests (default 100,000) through the engine and prints the rates:
 * loading the export, rebuilding inputs through the Milvus adapter, deciding on a pool of
 * {@code threads} instances (default 2), and the whole replay. Usage:
 * {@code ReplayBenchmark [requests] [threads] [policy-dir]} (default policy: {@code samples/org}'s DSL policy).
 * Each run checks its own result: every request must be decided, and the allow count must be the same
 * in the decide-only and the full replay, so a fast wrong run cannot pass.
 */
public final class ReplayBenchmark {
  private ReplayBenchmark() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
    Path root = Path.of(System.getProperty("vectorgate.root", "."));
    Path policy = args.length > 2 ? Path.of(args[2]) : root.resolve("samples/org");
    Path work = Files.createTempDirectory("replay-bench-");
    Path export = work.resolve("traffic.jsonl");
    // full (default): each record holds the operation the gateway's adapter decoded, as a real recording does;
    // partial: only action, resource and protocol (the export of earlier runs; every record then drifts)
    boolean fullOps = !"partial".equals(System.getProperty("vectorgate.bench.recordedOps", "full"));
    long t0 = System.nanoTime();
    write(export, n, fullOps);
    long tWrite = System.nanoTime() - t0;

    PolicyLoader.Loaded loaded = PolicyLoader.fromEnvironment(false).load(new PolicySource.Directory(policy), work);
    try (PolicyEngine engine = PolicyEngine.start(HarnessEngines.config(threads), loaded.bundle())) {
      long cpuLoad0 = processCpuNanos();
      t0 = System.nanoTime();
      Traffic traffic = Traffic.load(export);
      long tLoad = System.nanoTime() - t0;
      long cpuLoad = processCpuNanos() - cpuLoad0;

      InputRebuilder rebuilder = new InputRebuilder(traffic.state());
      java.lang.management.ThreadMXBean tmx = java.lang.management.ManagementFactory.getThreadMXBean();
      long cpuRebuild0 = tmx.getCurrentThreadCpuTime();
      t0 = System.nanoTime();
      List<PolicyInput> inputs = new ArrayList<>(n);
      traffic.requests().forEach(r -> inputs.add(rebuilder.rebuild(r).input()));
      long tRebuild = System.nanoTime() - t0;
      long cpuRebuild = tmx.getCurrentThreadCpuTime() - cpuRebuild0;
      if (inputs.stream().anyMatch(java.util.Objects::isNull)) {
        throw new IllegalStateException("some requests could not be rebuilt");
      }

      // warm-up: JIT of the engine and of the harness
      decideAll(engine, inputs.subList(0, Math.min(20_000, n)), threads);
      long cpu0 = processCpuNanos();
      t0 = System.nanoTime();
      int allowedDecide = decideAll(engine, inputs, threads);
      long tDecide = System.nanoTime() - t0;
      long cpuDecide = processCpuNanos() - cpu0;

      // the replay as `vectorgate test`/`impact` run it, end to end: records read from the export, rebuilt,
      // decided (threads), each decision compared with the recorded one
      cpu0 = processCpuNanos();
      t0 = System.nanoTime();
      Traffic again = Traffic.load(export);
      long tReload = System.nanoTime() - t0;
      long cpuReload = processCpuNanos() - cpu0;
      List<Replayer.Replayed> replayed = Replayer.replay(again.requests(), new InputRebuilder(again.state()),
          List.of(engine), threads, Replayer.Progress.NONE);
      int allowedReplay = 0;
      int asRecorded = 0;
      for (Replayer.Replayed r : replayed) {
        if (!r.rebuilt().ok()) {
          continue;
        }
        Decision d = r.decisions().get(0);
        allowedReplay += d.allow() ? 1 : 0;
        asRecorded += d.allow() == r.source().decision().allow() ? 1 : 0;
      }
      long tReplay = System.nanoTime() - t0;
      long cpuReplay = processCpuNanos() - cpu0;
      if (replayed.size() != n || allowedReplay != allowedDecide) {
        throw new IllegalStateException("inconsistent runs: " + allowedReplay + " vs " + allowedDecide + " allowed");
      }
      System.out.printf(Locale.ROOT, "requests=%d threads=%d cpus=%d policy=%s revision=%s allowed=%d as_recorded=%d "
              + "recorded_ops=%s%n", n, threads, Runtime.getRuntime().availableProcessors(), policy, loaded.revision(),
          allowedDecide, asRecorded, fullOps ? "full" : "partial");
      System.out.printf(Locale.ROOT, "write_export_s=%.2f load=%.0f/s rebuild=%.0f/s (1 thread) decide=%.0f/s (%d threads)"
              + " replay=%.0f/s (load+rebuild+decide+compare, %d threads; load alone %.2f s)%n",
          tWrite / 1e9, n / (tLoad / 1e9), n / (tRebuild / 1e9), n / (tDecide / 1e9), threads, n / (tReplay / 1e9),
          threads, tReload / 1e9);
      System.out.printf(Locale.ROOT, "load_cpu_us=%.1f per record (process CPU) rebuild_cpu_us=%.1f per record (the"
          + " rebuilding thread's CPU)%n", cpuLoad / 1e3 / n, cpuRebuild / 1e3 / n);
      System.out.printf(Locale.ROOT, "replay_cpu_us=%.1f per record (process CPU, all threads; of which the load %.1f) -> %.0f/s"
          + " on %d cores if the process had them%n", cpuReplay / 1e3 / n, cpuReload / 1e3 / n, n / (cpuReplay / 1e9) * threads,
          threads);
      // on a shared machine the wall-clock rates follow the load; CPU per decision does not (much):
      // decisions per CPU-second times the cores is what the replay would reach with the cores to itself
      System.out.printf(Locale.ROOT, "decide_cpu_us=%.1f per decision (process CPU, all threads) -> %.0f decisions/s per"
          + " core, %.0f/s on %d cores if the process had them%n", cpuDecide / 1e3 / n, n / (cpuDecide / 1e9),
          n / (cpuDecide / 1e9) * threads, threads);
    } finally {
      try (var walk = Files.walk(work)) {
        for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  /** CPU time of this process (all threads), from the JVM's operating-system bean. */
  static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
        .getOperatingSystemMXBean()).getProcessCpuTime();
  }

  static int decideAll(PolicyEngine engine, List<PolicyInput> inputs, int threads) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    AtomicInteger allowed = new AtomicInteger();
    try {
      List<Future<?>> fs = new ArrayList<>();
      int chunk = Math.max(1, inputs.size() / (threads * 8));
      for (int s = 0; s < inputs.size(); s += chunk) {
        List<PolicyInput> part = inputs.subList(s, Math.min(inputs.size(), s + chunk));
        fs.add(pool.submit(() -> {
          for (PolicyInput in : part) {
            Decision d = engine.decide(in);
            if (d.allow()) {
              allowed.incrementAndGet();
            }
          }
        }));
      }
      for (Future<?> f : fs) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    return allowed.get();
  }

  /** Writes {@code n} recorded Milvus requests (pymilvus-shaped queries and searches) as an export. */
  public static void write(Path file, int n, boolean fullOps) throws Exception {
    ObjectMapper m = io.vectorgate.engine.ContractJson.mapper();
    String[][] who = {{"alice", "analysts"}, {"bob", "ml-engineers"}, {"carol", "admins"}, {"dave", "contractors"}};
    String[] collections = {"docs", "kb_articles", "customers", "embeddings_v2", "hr"};
    Instant start = Instant.parse("2025-03-04T09:00:00Z");
    JsonFormat.Printer printer = JsonFormat.printer().omittingInsignificantWhitespace();
    InputRebuilder decoder = new InputRebuilder(new io.vectorgate.harness.replay.RecordedState());
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (int i = 0; i < n; i++) {
        String[] u = who[i % who.length];
        String coll = collections[(i / 3) % collections.length];
        boolean search = i % 2 == 0;
        Message req = search
            ? SearchRequest.newBuilder().setCollectionName(coll).setDsl("id > " + (i % 100)).addOutputFields("title")
                .addSearchParams(kv("topk", Integer.toString(10 + i % 200))).addSearchParams(kv("anns_field", "vector"))
                .setNq(1).build()
            : QueryRequest.newBuilder().setCollectionName(coll).setExpr("tenant_id == \"acme\" and id > " + (i % 1000))
                .addOutputFields("title").addQueryParams(kv("limit", Integer.toString(1 + i % 500))).build();
        ObjectNode e = m.createObjectNode();
        e.put("format", "vectorgate-record/v1").put("kind", "request").put("seq", i + 1)
            .put("id", "rec-000000000000-" + (i + 1)).put("time", start.plusMillis(i * 37L).toString()).put("request_id", "r" + i);
        e.putObject("identity").put("subject", u[0]).put("tenant", "acme").putArray("groups").add(u[1]);
        e.putObject("connection").put("name", "milvus-main").put("kind", "milvus");
        ObjectNode op = e.putObject("operation").put("action", search ? "search" : "query");
        op.putObject("resource").put("database", "default").put("collection", coll);
        op.putObject("protocol").put("protocol", "grpc")
            .put("rpc", "/milvus.proto.milvus.MilvusService/" + (search ? "Search" : "Query"));
        e.putObject("decision").put("allow", true);
        e.set("request", m.readTree(printer.print(req)));
        e.put("hash", "0".repeat(64));
        if (fullOps) {
          InputRebuilder.Rebuilt rb = decoder.rebuild(Traffic.parseRequest(e, "bench record " + (i + 1)));
          if (!rb.ok()) {
            throw new IllegalStateException("bench record " + (i + 1) + " does not decode: " + rb.error().message());
          }
          e.set("operation", m.valueToTree(rb.handle().operation())); // the adapter's, as the gateway records it
        }
        w.write(m.writeValueAsString(e));
        w.write('\n');
      }
    }
  }

  private static KeyValuePair kv(String k, String v) {
    return KeyValuePair.newBuilder().setKey(k).setValue(v).build();
  }
}
