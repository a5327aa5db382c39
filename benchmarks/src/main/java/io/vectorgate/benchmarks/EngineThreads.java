package io.vectorgate.benchmarks;

import io.vectorgate.engine.PolicyEngine;
import io.vectorgate.model.PolicyInput;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.CountDownLatch;

/**
 * Several threads deciding on one shared plan engine, each over its own part of a workload's ring
 * of {@link DecideBenchmark}: decisions per second and thread CPU per decision per round. A quick
 * check of what sharing costs (memo tables, per-thread shortcuts); the JMH runs of
 * {@code engine-bench.sh} ({@code -t 2}) are the measure. Arguments: {@code root workload threads
 * rounds}; 100,000 decisions per thread and round.
 */
public final class EngineThreads {
  private EngineThreads() {}

  public static void main(String[] args) throws Exception {
    Object runner = DecideRunner.start(args[0], "plan", args[1]);
    PolicyEngine engine = DecideRunner.engine(runner);
    PolicyInput[] inputs = DecideRunner.inputs(runner);
    int threads = Integer.parseInt(args[2]);
    int perThread = 100_000;
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    for (int round = 0; round < Integer.parseInt(args[3]); round++) {
      long[] cpu = new long[threads];
      CountDownLatch done = new CountDownLatch(threads);
      long t0 = System.nanoTime();
      for (int t = 0; t < threads; t++) {
        int id = t;
        Thread th = new Thread(() -> {
          long c0 = mx.getCurrentThreadCpuTime();
          for (int i = 0; i < perThread; i++) {
            engine.decide(inputs[(i * 7 + id * (inputs.length / threads)) % inputs.length]);
          }
          cpu[id] = mx.getCurrentThreadCpuTime() - c0;
          done.countDown();
        }, "decide-" + t);
        th.start();
      }
      done.await();
      long wall = System.nanoTime() - t0;
      long total = 0;
      for (long c : cpu) {
        total += c;
      }
      System.out.printf("workload=%s threads=%d round=%d %.0f decisions/s cpu/decision %.2f us%n", args[1], threads,
          round, (double) threads * perThread / (wall / 1e9), total / 1e3 / ((double) threads * perThread));
    }
    DecideRunner.close(runner);
  }
}
