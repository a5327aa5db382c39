package io.vectorgate.proxy.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.vectorgate.model.Connection;
import io.vectorgate.model.DatabaseKind;
import io.vectorgate.model.Decision;
import io.vectorgate.model.Identity;
import io.vectorgate.model.Obligations;
import io.vectorgate.model.Reason;
import io.vectorgate.proxy.adapter.AdapterRegistry;
import io.vectorgate.proxy.adapter.http.HttpDatabaseAdapter;
import io.vectorgate.proxy.adapter.http.HttpReply;
import io.vectorgate.proxy.adapter.http.HttpRequestView;
import io.vectorgate.proxy.adapter.qdrant.HttpViews;
import io.vectorgate.proxy.tracing.GatewayTracing;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The tracing cost per request, in process (docs/performance.md, "Tracing"): the whole pipeline
 * (authenticate with a fixed identity, decode, decide with a fixed decision, apply, forward to an
 * in-memory upstream answering 10 Qdrant points, rewrite, record to a no-op recorder) with tracing
 * off ({@link PipelineTracer#OFF}) and on (the SDK with a batch processor and an exporter that
 * drops the batch; sample ratio 1.0 and 0.0), modes alternating in rounds so load drift hits every
 * mode alike; reported as medians and as the median of each round's ratio to that round's off. Not a test: run by hand, {@code main(rounds, requestsPerRound)}.
 */
public final class TracingCostDriver {
  static final ObjectMapper JSON = new ObjectMapper();

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
    int perRound = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
    ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("io.vectorgate"))
        .setLevel(ch.qos.logback.classic.Level.WARN);
    AtomicLong exported = new AtomicLong();
    SpanExporter dropping = new SpanExporter() {
      @Override
      public CompletableResultCode export(Collection<SpanData> spans) {
        exported.addAndGet(spans.size());
        return CompletableResultCode.ofSuccess();
      }

      @Override
      public CompletableResultCode flush() {
        return CompletableResultCode.ofSuccess();
      }

      @Override
      public CompletableResultCode shutdown() {
        return CompletableResultCode.ofSuccess();
      }
    };
    GatewayTracing on = GatewayTracing.withExporter(dropping, "bench", 1.0);
    GatewayTracing unsampled = GatewayTracing.withExporter(dropping, "bench", 0.0);
    Map<String, PipelineTracer> modes = new LinkedHashMap<>();
    modes.put("off", PipelineTracer.OFF);
    modes.put("on_sampled", on.tracer());
    modes.put("on_ratio_0", unsampled.tracer());
    Map<String, List<Double>> results = new LinkedHashMap<>();
    modes.keySet().forEach(m -> results.put(m, new ArrayList<>()));

    Identity bob = new Identity("bob", null, List.of("analysts"), "acme", "https://issuer", Map.of());
    Decision allow = new Decision(true, List.of(new Reason("allowed", "bench")), Obligations.NONE, "d-1", "r-1");
    HttpDatabaseAdapter adapter = AdapterRegistry.defaults().http(DatabaseKind.QDRANT,
        AdapterRegistry.Settings.of("docs", HttpViews.masker()), new AdapterRegistry.UpstreamReads(null, null, null, null));
    StringBuilder points = new StringBuilder();
    for (int i = 0; i < 10; i++) {
      points.append(i == 0 ? "" : ",").append("{\"id\":").append(i).append(",\"payload\":{\"tenant_id\":\"acme\"}}");
    }
    JsonNode answer = JSON.readTree("{\"result\":{\"points\":[" + points + "],\"next_page_offset\":null},\"status\":\"ok\"}");
    Connection conn = new Connection("docs", DatabaseKind.QDRANT);

    for (int round = -3; round < rounds; round++) { // rounds -3..-1: warm-up (JIT), not reported
      for (Map.Entry<String, PipelineTracer> mode : modes.entrySet()) {
        RequestPipeline pipeline = new RequestPipeline(input -> allow, ApprovalGate.DENY,
            new InMemoryUsageTracker(Clock.systemUTC()), new GatewayMetrics(), Clock.systemUTC(), token -> bob,
            new PipelineTracingTest.Recorder(), mode.getValue());
        long start = System.nanoTime();
        for (int i = 0; i < perRound; i++) {
          HttpRequestView view = HttpViews.view("POST", "/collections/docs/points/scroll", "{\"limit\":10,\"with_payload\":true}");
          pipeline.run(new RequestLog("bench", conn), adapter, view, benchWire(answer));
        }
        double nsPerRequest = (System.nanoTime() - start) / (double) perRound;
        if (round >= 0) {
          results.get(mode.getKey()).add(nsPerRequest);
        }
      }
    }
    on.close();
    unsampled.close();
    double off = median(results.get("off"));
    for (Map.Entry<String, List<Double>> r : results.entrySet()) {
      double med = median(r.getValue());
      List<Double> ratios = new ArrayList<>();
      for (int i = 0; i < r.getValue().size(); i++) {
        ratios.add(r.getValue().get(i) / results.get("off").get(i)); // same round: the same load
      }
      System.out.printf("mode=%s median_us_per_request=%.2f vs_off=%+.1f%% median_round_ratio=%.2f rounds_us=%s%n",
          r.getKey(), med / 1000, (med / off - 1) * 100, median(ratios),
          r.getValue().stream().map(v -> String.format("%.1f", v / 1000)).toList());
    }
    System.out.println("spans_exported=" + exported.get());
  }

  static double median(List<Double> v) {
    List<Double> s = new ArrayList<>(v);
    s.sort(null);
    return s.size() % 2 == 1 ? s.get(s.size() / 2) : (s.get(s.size() / 2 - 1) + s.get(s.size() / 2)) / 2;
  }

  /** A wire answering a fresh copy of a fixed answer each time (the rewrite may edit it). */
  static FakeWire benchWire(JsonNode answer) {
    return new FakeWire("t", request -> new Transport.UpstreamResult.Answered<>("200",
        new HttpReply(200, answer.deepCopy())), false);
  }
}
