package io.vectorgate.benchmarks;

import java.io.File;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Several builds of the engine deciding the same workload in one JVM, alternating round by round,
 * so a loaded machine slows every variant alike and the ratio between them stays meaningful.
 * Each variant is a class path (engine classes first) loaded in its own class loader, with
 * {@link DecideRunner} on it.
 *
 * <p>Usage: {@code EngineAb <root> <engine> <workload> <rounds> <decisions-per-round> <name>=<classpath>...};
 * prints, per variant, p50/p99/mean over all rounds, the median of the per-round p50s and the
 * thread CPU time per decision (less sensitive to other processes than wall time), plus the load
 * ({@code /proc/loadavg}) before and after.
 */
public final class EngineAb {
  private EngineAb() {}

  public static void main(String[] args) throws Exception {
    String root = args[0];
    String engine = args[1];
    String workload = args[2];
    int rounds = Integer.parseInt(args[3]);
    int perRound = Integer.parseInt(args[4]);
    List<String> names = new ArrayList<>();
    List<Object> runners = new ArrayList<>();
    List<Method[]> methods = new ArrayList<>();
    for (int i = 5; i < args.length; i++) {
      String[] nv = args[i].split("=", 2);
      List<URL> urls = new ArrayList<>();
      for (String e : nv[1].split(File.pathSeparator)) {
        urls.add(Path.of(e).toUri().toURL());
      }
      ClassLoader cl = new URLClassLoader(nv[0], urls.toArray(new URL[0]), ClassLoader.getPlatformClassLoader());
      Class<?> c = Class.forName("io.vectorgate.benchmarks.DecideRunner", true, cl);
      names.add(nv[0]);
      runners.add(c.getMethod("start", String.class, String.class, String.class).invoke(null, root, engine, workload));
      methods.add(new Method[] {c.getMethod("run", Object.class, int.class), c.getMethod("memo", Object.class)});
    }
    System.out.println("load before: " + Files.readString(Path.of("/proc/loadavg")).trim());
    int n = names.size();
    long[][] all = new long[n][rounds * perRound];
    double[][] p50s = new double[n][rounds];
    long[] cpu = new long[n];
    java.lang.management.ThreadMXBean tmx = java.lang.management.ManagementFactory.getThreadMXBean();
    for (int r = 0; r < rounds; r++) {
      for (int k = 0; k < n; k++) {
        int v = (r % 2 == 0) ? k : n - 1 - k; // alternate the order too
        long c0 = tmx.getCurrentThreadCpuTime();
        long[] t = (long[]) methods.get(v)[0].invoke(null, runners.get(v), perRound);
        if (r >= Math.min(rounds - 1, Math.max(1, rounds / 5))) {
          cpu[v] += tmx.getCurrentThreadCpuTime() - c0;
        }
        System.arraycopy(t, 0, all[v], r * perRound, perRound);
        long[] s = t.clone();
        Arrays.sort(s);
        p50s[v][r] = s[s.length / 2] / 1e3;
      }
    }
    System.out.println("load after: " + Files.readString(Path.of("/proc/loadavg")).trim());
    int warm = Math.min(rounds - 1, Math.max(1, rounds / 5)); // the first rounds are warm-up
    for (int v = 0; v < n; v++) {
      long[] s = Arrays.copyOfRange(all[v], warm * perRound, all[v].length);
      Arrays.sort(s);
      double[] m = Arrays.copyOfRange(p50s[v], warm, rounds);
      Arrays.sort(m);
      double mean = Arrays.stream(s).average().orElse(0) / 1e3;
      @SuppressWarnings("unchecked")
      Map<String, Long> memo = (Map<String, Long>) methods.get(v)[1].invoke(null, runners.get(v));
      System.out.printf("%-12s p50 %8.2f us  p99 %8.2f us  mean %8.2f us  median-of-round-p50 %8.2f us  cpu/decision %7.2f us"
          + "  memo %s%n", names.get(v), s[s.length / 2] / 1e3, s[(int) (s.length * 0.99)] / 1e3, mean, m[m.length / 2],
          cpu[v] / 1e3 / s.length, memo);
    }
  }
}
