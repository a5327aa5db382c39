package io.vectorgate.benchmarks;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * Closed-loop load against OPA's REST API (the sidecar pattern): each thread POSTs the same
 * {@code {"input": ...}} to {@code /v1/data/<path>} over a keep-alive HTTP/1.1 connection and
 * records the round trip. Checks every response carries a result, so a fast wrong run can't pass.
 *
 * <p>Usage: {@code SidecarLoad <url> <input.json> <threads> <warmupSeconds> <measureSeconds>}
 */
public final class SidecarLoad {
  private SidecarLoad() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 5) {
      System.err.println("usage: SidecarLoad <url> <input.json> <threads> <warmupSeconds> <measureSeconds>");
      System.exit(2);
    }
    URI url = URI.create(args[0]);
    String body = "{\"input\":" + Files.readString(Path.of(args[1])) + "}";
    int threads = Integer.parseInt(args[2]);
    long warmupNs = Duration.ofSeconds(Long.parseLong(args[3])).toNanos();
    long measureNs = Duration.ofSeconds(Long.parseLong(args[4])).toNanos();

    LatencyRecorder[] recorders = new LatencyRecorder[threads];
    Thread[] workers = new Thread[threads];
    CountDownLatch start = new CountDownLatch(1);
    long[] window = new long[2];
    for (int t = 0; t < threads; t++) {
      LatencyRecorder rec = recorders[t] = new LatencyRecorder();
      workers[t] = new Thread(() -> {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest request = HttpRequest.newBuilder(url)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        try {
          start.await();
          while (System.nanoTime() < window[1]) {
            long t0 = System.nanoTime();
            HttpResponse<String> resp = client.send(request, HttpResponse.BodyHandlers.ofString());
            long dt = System.nanoTime() - t0;
            if (resp.statusCode() != 200 || !resp.body().contains("\"result\"")) {
              throw new IllegalStateException("sidecar answered " + resp.statusCode() + ": " + resp.body());
            }
            if (t0 >= window[0]) {
              rec.record(dt);
            }
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } catch (Exception e) {
          throw new IllegalStateException("sidecar request failed", e);
        }
      }, "sidecar-load-" + t);
    }
    long now = System.nanoTime();
    window[0] = now + warmupNs;
    window[1] = window[0] + measureNs;
    for (Thread w : workers) {
      w.start();
    }
    start.countDown();
    for (Thread w : workers) {
      w.join();
    }
    LatencyRecorder.Summary s = LatencyRecorder.summarize(recorders, measureNs / 1e9);
    System.out.println(s.toJson("opa-rest-sidecar", threads));
  }
}
