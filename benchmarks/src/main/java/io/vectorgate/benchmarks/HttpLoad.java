package io.vectorgate.benchmarks;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Closed-loop HTTP load with the JDK client: each thread has its own {@link HttpClient} (one
 * keep-alive connection) and POSTs the same JSON body in a loop, recording the round trip after the
 * warm-up. Every response must be 200, arrive in the requested HTTP version and contain the
 * {@code --expect} text; the first that does not ends the run with exit code 1, so a fast failing
 * run cannot pass as a result.
 *
 * <p>HTTP/2 on an {@code http://} URL is h2c: the JDK client has no prior-knowledge mode, it
 * upgrades ({@code Upgrade: h2c}) on a request without a body. So with {@code --http 2} each thread
 * first sends {@code GET --prime} (same headers), which must come back as HTTP/2; the POSTs then
 * travel on that HTTP/2 connection.
 *
 * <p>Usage: {@code HttpLoad --url U --body FILE [--threads 1] [--warmup 5] [--seconds 15]
 * [--http 1.1|2] [--header "Name: value"]... [--prime URL] [--expect TEXT] [--name NAME]}. Prints one
 * JSON line: name, http, threads, samples, ops_per_s, p50_us, p99_us, p999_us, requests (all answered,
 * warm-up included: what CPU per request is divided by).
 */
public final class HttpLoad {
  private HttpLoad() {}

  /** Parsed command line. */
  record Options(URI url, Path body, int threads, long warmupSeconds, long seconds, HttpClient.Version version,
      List<String[]> headers, URI prime, String expect, String name) {}

  public static void main(String[] args) throws Exception {
    Options o;
    try {
      o = parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("HttpLoad: " + e.getMessage());
      System.err.println("usage: HttpLoad --url U --body FILE [--threads N] [--warmup S] [--seconds S]"
          + " [--http 1.1|2] [--header 'Name: value']... [--prime URL] [--expect TEXT] [--name NAME]");
      System.exit(2);
      return;
    }
    byte[] body = Files.readAllBytes(o.body());
    long warmupNs = Duration.ofSeconds(o.warmupSeconds()).toNanos();
    long measureNs = Duration.ofSeconds(o.seconds()).toNanos();

    LatencyRecorder[] recorders = new LatencyRecorder[o.threads()];
    Thread[] workers = new Thread[o.threads()];
    CountDownLatch ready = new CountDownLatch(o.threads());
    CountDownLatch start = new CountDownLatch(1);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    long[] window = new long[2];
    java.util.concurrent.atomic.LongAdder sent = new java.util.concurrent.atomic.LongAdder();
    for (int t = 0; t < o.threads(); t++) {
      LatencyRecorder rec = recorders[t] = new LatencyRecorder();
      workers[t] = new Thread(() -> {
        boolean counted = false;
        try {
          HttpClient client = HttpClient.newBuilder().version(o.version())
              .connectTimeout(Duration.ofSeconds(10)).build();
          HttpRequest.Builder rb = HttpRequest.newBuilder(o.url()).timeout(Duration.ofSeconds(30))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofByteArray(body));
          o.headers().forEach(h -> rb.header(h[0], h[1]));
          HttpRequest request = rb.build();
          if (o.prime() != null) {
            HttpRequest.Builder pb = HttpRequest.newBuilder(o.prime()).timeout(Duration.ofSeconds(30)).GET();
            o.headers().forEach(h -> pb.header(h[0], h[1]));
            check(client.send(pb.build(), HttpResponse.BodyHandlers.ofString()), o.version(), null, "prime GET");
          }
          counted = true;
          ready.countDown();
          start.await();
          while (failure.get() == null) {
            long t0 = System.nanoTime();
            if (t0 >= window[1]) {
              break;
            }
            HttpResponse<String> resp = client.send(request, HttpResponse.BodyHandlers.ofString());
            long dt = System.nanoTime() - t0;
            check(resp, o.version(), o.expect(), "POST");
            sent.increment();
            if (t0 >= window[0]) {
              rec.record(dt);
            }
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          failure.compareAndSet(null, e);
        } catch (Exception | Error e) {
          failure.compareAndSet(null, e);
        } finally {
          if (!counted) {
            ready.countDown(); // a thread that failed before it was ready must not hold up the others
          }
        }
      }, "http-load-" + t);
    }
    for (Thread w : workers) {
      w.start();
    }
    ready.await();
    long now = System.nanoTime();
    window[0] = now + warmupNs;
    window[1] = window[0] + measureNs;
    start.countDown();
    for (Thread w : workers) {
      w.join();
    }
    Throwable f = failure.get();
    if (f != null) {
      System.err.println("HttpLoad " + o.name() + ": run failed: " + f);
      for (Throwable c = f.getCause(); c != null; c = c.getCause()) {
        System.err.println("  caused by: " + c);
      }
      System.exit(1);
    }
    LatencyRecorder.Summary s = LatencyRecorder.summarize(recorders, measureNs / 1e9);
    if (s.samples() == 0) {
      System.err.println("HttpLoad " + o.name() + ": no request completed in the measurement window");
      System.exit(1);
    }
    System.out.println(String.format(Locale.ROOT,
        "{\"name\":\"%s\",\"http\":\"%s\",\"threads\":%d,\"samples\":%d,\"ops_per_s\":%.1f,"
            + "\"p50_us\":%.2f,\"p99_us\":%.2f,\"p999_us\":%.2f,\"requests\":%d}",
        o.name(), o.version() == HttpClient.Version.HTTP_2 ? "2" : "1.1", o.threads(), s.samples(), s.throughput(),
        s.p50() / 1000.0, s.p99() / 1000.0, s.p999() / 1000.0, sent.sum()));
  }

  private static void check(HttpResponse<String> resp, HttpClient.Version version, String expect, String what) {
    if (resp.statusCode() != 200) {
      throw new IllegalStateException(what + " " + resp.uri() + " answered " + resp.statusCode() + ": "
          + abbreviate(resp.body()));
    }
    if (resp.version() != version) {
      throw new IllegalStateException(what + " " + resp.uri() + " came back over " + resp.version() + ", not "
          + version);
    }
    if (expect != null && !resp.body().contains(expect)) {
      throw new IllegalStateException(what + " " + resp.uri() + " answered without `" + expect + "`: "
          + abbreviate(resp.body()));
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 500 ? s : s.substring(0, 500) + "...";
  }

  static Options parse(String[] args) {
    URI url = null;
    Path body = null;
    int threads = 1;
    long warmup = 5;
    long seconds = 15;
    HttpClient.Version version = HttpClient.Version.HTTP_1_1;
    List<String[]> headers = new ArrayList<>();
    URI prime = null;
    String expect = null;
    String name = "http-load";
    for (int i = 0; i < args.length; i += 2) {
      String key = args[i];
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("option " + key + " needs a value");
      }
      String v = args[i + 1];
      switch (key) {
        case "--url" -> url = URI.create(v);
        case "--body" -> body = Path.of(v);
        case "--threads" -> threads = positive(key, v);
        case "--warmup" -> warmup = Long.parseLong(v);
        case "--seconds" -> seconds = positive(key, v);
        case "--http" -> version = switch (v) {
          case "1.1" -> HttpClient.Version.HTTP_1_1;
          case "2" -> HttpClient.Version.HTTP_2;
          default -> throw new IllegalArgumentException("--http is 1.1 or 2, not `" + v + "`");
        };
        case "--header" -> {
          int colon = v.indexOf(':');
          if (colon <= 0) {
            throw new IllegalArgumentException("--header `" + v + "` is not `Name: value`");
          }
          headers.add(new String[] {v.substring(0, colon).trim(), v.substring(colon + 1).trim()});
        }
        case "--prime" -> prime = URI.create(v);
        case "--expect" -> expect = v;
        case "--name" -> name = v;
        default -> throw new IllegalArgumentException("unknown option " + key);
      }
    }
    if (url == null || body == null) {
      throw new IllegalArgumentException("--url and --body are required");
    }
    if (warmup < 0) {
      throw new IllegalArgumentException("--warmup must not be negative");
    }
    if (version == HttpClient.Version.HTTP_2 && "http".equals(url.getScheme()) && prime == null) {
      throw new IllegalArgumentException("--http 2 on an http:// URL needs --prime URL (a GET that upgrades to h2c)");
    }
    if (!name.matches("[A-Za-z0-9._-]+")) {
      throw new IllegalArgumentException("--name may use letters, digits, '.', '_' and '-' only");
    }
    return new Options(url, body, threads, warmup, seconds, version, List.copyOf(headers), prime, expect, name);
  }

  private static int positive(String key, String v) {
    int n = Integer.parseInt(v);
    if (n <= 0) {
      throw new IllegalArgumentException(key + " must be positive, not " + n);
    }
    return n;
  }
}
