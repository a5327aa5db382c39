package io.vectorgate.proxy.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.vectorgate.model.Connection;
import io.vectorgate.model.DatabaseKind;
import io.vectorgate.model.Decision;
import io.vectorgate.model.FilterOp;
import io.vectorgate.model.Obligations;
import io.vectorgate.model.Reason;
import io.vectorgate.model.RowFilter;
import io.vectorgate.proxy.adapter.AdapterRegistry;
import io.vectorgate.proxy.adapter.http.HttpDatabaseAdapter;
import io.vectorgate.proxy.adapter.http.HttpReply;
import io.vectorgate.proxy.adapter.qdrant.HttpViews;
import io.vectorgate.proxy.config.GatewayConfig.IdentityConfig;
import io.vectorgate.proxy.identity.TokenVerifier;
import io.vectorgate.proxy.testing.OidcProvider;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * The pipeline's spans with the OpenTelemetry SDK's in-memory exporter: one server span per
 * request and a child span per stage, the decision id, the client's {@code traceparent} as the
 * parent when it parses and dropped when it does not, the gateway's own {@code traceparent} to the
 * upstream, nothing sensitive in attributes, and nothing propagated with tracing off. The token is
 * verified by the real verifier against mock-oauth2-server; the adapter is the real Qdrant adapter;
 * the upstream is this test's transport (what it was handed is what a listener would send).
 */
class PipelineTracingTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Connection QDRANT = new Connection("docs", DatabaseKind.QDRANT);
  /** A row filter whose value must never reach a span. */
  static final String SECRET_TENANT = "tenant-7f3a-secret";
  static final Obligations UNDER_TENANT = new Obligations(List.of(), false,
      List.of(new RowFilter("tenant_id", FilterOp.EQ, SECRET_TENANT)), null, null, null);
  static final Pattern TRACEPARENT = Pattern.compile("00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}");
  static final String CLIENT_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  static final String CLIENT_SPAN = "00f067aa0ba902b7";

  static OidcProvider oidc;
  static TokenVerifier verifier;
  static String token;

  @BeforeContainer
  static void start() {
    oidc = OidcProvider.start(0);
    verifier = new TokenVerifier(new IdentityConfig(oidc.issuer(), List.of(OidcProvider.AUDIENCE), List.of("RS256"),
        null, 5L, null, null, null, List.of(), null, null, 1L, null), null, Clock.systemUTC());
    token = oidc.token("bob", List.of("analysts"), SECRET_TENANT, 600);
  }

  @AfterContainer
  static void stop() {
    if (oidc != null) {
      oidc.close();
    }
  }

  record Traced(RequestLog log, FakeWire wire, List<SpanData> spans) {
    SpanData server() {
      return spans.stream().filter(s -> s.getKind() == SpanKind.SERVER).findFirst().orElseThrow();
    }

    SpanData stage(String name) {
      return spans.stream().filter(s -> s.getName().equals(name)).findFirst()
          .orElseThrow(() -> new AssertionError("no span " + name + " in " + names()));
    }

    List<String> names() {
      return spans.stream().map(SpanData::getName).toList();
    }
  }

  static Traced run(Decision decision, String incomingTraceparent, boolean tracing) {
    InMemorySpanExporter exporter = InMemorySpanExporter.create();
    SdkTracerProvider provider = SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build();
    PipelineTracer tracer = tracing ? new OtelPipelineTracer(OpenTelemetrySdk.builder().setTracerProvider(provider).build())
        : PipelineTracer.OFF;
    RequestPipeline pipeline = new RequestPipeline(input -> decision, ApprovalGate.DENY,
        new InMemoryUsageTracker(Clock.systemUTC()), new GatewayMetrics(), Clock.systemUTC(), verifier, new Recorder(),
        tracer);
    HttpDatabaseAdapter adapter = AdapterRegistry.defaults().http(DatabaseKind.QDRANT,
        AdapterRegistry.Settings.of("docs", HttpViews.masker()), new AdapterRegistry.UpstreamReads(null, null, null, null));
    FakeWire wire = wire(incomingTraceparent);
    RequestLog log = new RequestLog("qdrant-listener", QDRANT);
    pipeline.run(log, adapter, HttpViews.view("POST", "/collections/docs/points/scroll",
        "{\"limit\":10,\"with_payload\":true,\"filter\":{\"must\":[{\"key\":\"city\",\"match\":{\"value\":\"payload-value-91\"}}]}}"),
        wire);
    provider.forceFlush().join(5, java.util.concurrent.TimeUnit.SECONDS);
    List<SpanData> spans = exporter.getFinishedSpanItems();
    provider.shutdown();
    return new Traced(log, wire, spans);
  }

  static Decision allow(Obligations o) {
    return new Decision(true, List.of(new Reason("allowed", "test")), o, "decision-42", "rev-9");
  }

  @net.jqwik.api.Example
  void aForwardedRequestHasAServerSpanAndOneChildSpanPerStage() {
    Traced t = run(allow(UNDER_TENANT), null, true);
    assertEquals(RequestOutcome.FORWARDED, t.log().outcome());
    assertEquals(List.of("authenticate", "decode", "decide", "apply", "upstream", "rewrite", "record"),
        t.spans().stream().filter(s -> s.getKind() != SpanKind.SERVER).map(SpanData::getName).toList(),
        "the stages in order");
    SpanData server = t.server();
    assertEquals("vectorgate query", server.getName());
    assertFalse(server.getParentSpanContext().isValid(), "no client trace: a root span");
    for (SpanData s : t.spans()) {
      assertEquals(server.getTraceId(), s.getTraceId(), s.getName());
      if (s != server) {
        assertEquals(server.getSpanId(), s.getParentSpanId(), s.getName() + " is a child of the server span");
      }
    }
    assertEquals(SpanKind.CLIENT, t.stage("upstream").getKind());
    Map<String, String> attrs = strings(server);
    assertEquals("qdrant-listener", attrs.get("vectorgate.listener"));
    assertEquals("qdrant", attrs.get("vectorgate.database.kind"));
    assertEquals("docs", attrs.get("vectorgate.collection"));
    assertEquals("query", attrs.get("vectorgate.action"));
    assertEquals("forwarded", attrs.get("vectorgate.outcome"));
    assertEquals("allowed", attrs.get("vectorgate.reason_code"));
    assertEquals("decision-42", attrs.get("vectorgate.decision_id"));
    assertEquals("rev-9", attrs.get("vectorgate.policy_revision"));
    assertEquals(t.log().requestId(), attrs.get("vectorgate.request_id"));
    assertEquals("decision-42", strings(t.stage("decide")).get("vectorgate.decision_id"));
    assertEquals("200", strings(t.stage("upstream")).get("vectorgate.upstream_status"));

    // the upstream got the gateway's upstream span as its parent
    assertEquals(1, t.wire().sentTraceparents.size());
    var m = TRACEPARENT.matcher(t.wire().sentTraceparents.get(0));
    assertTrue(m.matches(), t.wire().sentTraceparents.get(0));
    assertEquals(server.getTraceId(), m.group(1));
    assertEquals(t.stage("upstream").getSpanId(), m.group(2));
  }

  @net.jqwik.api.Example
  void aValidClientTraceparentIsTheParentAndTheUpstreamStaysInTheClientsTrace() {
    Traced t = run(allow(Obligations.NONE), "00-" + CLIENT_TRACE + "-" + CLIENT_SPAN + "-01", true);
    SpanData server = t.server();
    assertEquals(CLIENT_TRACE, server.getTraceId());
    assertEquals(CLIENT_SPAN, server.getParentSpanId());
    assertTrue(server.getParentSpanContext().isRemote());
    String sent = t.wire().sentTraceparents.get(0);
    assertEquals("00-" + CLIENT_TRACE + "-" + t.stage("upstream").getSpanId() + "-01", sent,
        "the gateway's own span id, never the client's string");
  }

  @net.jqwik.api.Example
  void aDenyIsTracedWithItsReasonAndDecisionIdAndNothingGoesUpstream() {
    Decision deny = new Decision(false, List.of(new Reason("not_in_group", "no")), Obligations.NONE, "decision-43", "rev-9");
    Traced t = run(deny, null, true);
    assertEquals(RequestOutcome.DENIED, t.log().outcome());
    Map<String, String> attrs = strings(t.server());
    assertEquals("denied", attrs.get("vectorgate.outcome"));
    assertEquals("not_in_group", attrs.get("vectorgate.reason_code"));
    assertEquals("decision-43", attrs.get("vectorgate.decision_id"));
    assertEquals(StatusCode.UNSET, t.server().getStatus().getStatusCode(), "a deny is the gateway working");
    assertFalse(t.names().contains("upstream"), t.names().toString());
    assertEquals(List.of(), t.wire().sentTraceparents);
  }

  @net.jqwik.api.Example
  void anUnauthenticatedRequestEndsAtItsAuthenticateSpan() {
    InMemorySpanExporter exporter = InMemorySpanExporter.create();
    SdkTracerProvider provider = SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build();
    RequestPipeline pipeline = new RequestPipeline(input -> allow(Obligations.NONE), ApprovalGate.DENY,
        new InMemoryUsageTracker(Clock.systemUTC()), new GatewayMetrics(), Clock.systemUTC(), verifier,
        RequestRecorder.OFF, new OtelPipelineTracer(OpenTelemetrySdk.builder().setTracerProvider(provider).build()));
    FakeWire wire = wire(null);
    wire.token = "not-a-jwt";
    pipeline.run(new RequestLog("qdrant-listener", QDRANT), AdapterRegistry.defaults().http(DatabaseKind.QDRANT,
        AdapterRegistry.Settings.of("docs", HttpViews.masker()), new AdapterRegistry.UpstreamReads(null, null, null, null)),
        HttpViews.view("GET", "/collections/docs", null), wire);
    List<String> names = exporter.getFinishedSpanItems().stream().map(SpanData::getName).toList();
    assertEquals(List.of("authenticate", "vectorgate.request"), names);
    assertEquals(StatusCode.ERROR, exporter.getFinishedSpanItems().get(0).getStatus().getStatusCode());
    assertTrue(allAttributeText(exporter.getFinishedSpanItems()).indexOf("not-a-jwt") < 0);
    provider.shutdown();
  }

  @net.jqwik.api.Example
  void aRequestRefusedWhileItsWireWasParsedHasTheServerSpanOnlyInTheClientsTrace() {
    InMemorySpanExporter exporter = InMemorySpanExporter.create();
    SdkTracerProvider provider = SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build();
    RequestPipeline pipeline = new RequestPipeline(input -> allow(Obligations.NONE), ApprovalGate.DENY,
        new InMemoryUsageTracker(Clock.systemUTC()), new GatewayMetrics(), Clock.systemUTC(), verifier,
        RequestRecorder.OFF, new OtelPipelineTracer(OpenTelemetrySdk.builder().setTracerProvider(provider).build()));
    FakeWire wire = wire("00-" + CLIENT_TRACE + "-" + CLIENT_SPAN + "-01");
    pipeline.refuse(new RequestLog("qdrant-listener", QDRANT), wire, "rejected_request", "duplicate_header",
        "duplicate_header: x", true);
    List<SpanData> spans = exporter.getFinishedSpanItems();
    assertEquals(1, spans.size(), spans.toString());
    assertEquals(CLIENT_TRACE, spans.get(0).getTraceId());
    Map<String, String> attrs = strings(spans.get(0));
    assertEquals("refused", attrs.get("vectorgate.outcome"));
    assertEquals("duplicate_header", attrs.get("vectorgate.reason_code"));
    assertNull(attrs.get("vectorgate.decision_id"));
    assertEquals(0, wire.forwarded.size());
    // the client's sampled flag is followed: a parent marked not sampled exports nothing
    pipeline.refuse(new RequestLog("qdrant-listener", QDRANT), wire("00-" + CLIENT_TRACE + "-" + CLIENT_SPAN + "-00"),
        "rejected_request", "duplicate_header", "duplicate_header: x", true);
    assertEquals(1, exporter.getFinishedSpanItems().size());
    provider.shutdown();
  }

  @net.jqwik.api.Example
  void noSpanCarriesTheTokenClaimsPayloadOrFilterValues() {
    Traced t = run(allow(UNDER_TENANT), null, true);
    String all = allAttributeText(t.spans());
    for (String secret : List.of(token, token.substring(token.lastIndexOf('.') + 1), SECRET_TENANT, "bob", "analysts",
        "payload-value-91", "city")) {
      assertFalse(all.contains(secret), "a span attribute carries `" + secret + "`: " + all);
    }
    Set<String> keys = t.spans().stream().flatMap(s -> s.getAttributes().asMap().keySet().stream())
        .map(AttributeKey::getKey).collect(Collectors.toCollection(java.util.TreeSet::new));
    assertEquals(Set.of("vectorgate.listener", "vectorgate.database.kind", "vectorgate.connection", "vectorgate.action",
        "vectorgate.collection", "vectorgate.outcome", "vectorgate.reason_code", "vectorgate.decision_id",
        "vectorgate.policy_revision", "vectorgate.request_id", "vectorgate.upstream_status", "vectorgate.allow"), keys,
        "the closed list of attribute keys (docs/operations.md, Tracing)");
  }

  @net.jqwik.api.Example
  void withTracingOffNoTraceparentGoesUpstreamEvenWhenTheClientSentOne() {
    Traced t = run(allow(Obligations.NONE), "00-" + CLIENT_TRACE + "-" + CLIENT_SPAN + "-01", false);
    assertEquals(RequestOutcome.FORWARDED, t.log().outcome());
    assertEquals(1, t.wire().forwarded.size());
    assertEquals(List.of(), t.wire().sentTraceparents);
    assertEquals(List.of(), t.spans());
  }

  /** Hostile traceparents: each is dropped (a new root trace), the request is served, the string is not sent on. */
  @Property(tries = 60)
  void aMalformedTraceparentIsDroppedNotRefused(@ForAll("malformed") String incoming) {
    Traced t = run(allow(Obligations.NONE), incoming, true);
    assertEquals(RequestOutcome.FORWARDED, t.log().outcome(), "never refused for its trace context");
    SpanData server = t.server();
    assertFalse(server.getParentSpanContext().isValid(), "dropped: `" + incoming + "`");
    String sent = t.wire().sentTraceparents.get(0);
    assertTrue(TRACEPARENT.matcher(sent).matches(), sent);
    assertEquals(server.getTraceId(), sent.substring(3, 35));
    assertNotEquals(incoming, sent);
  }

  /** Whatever string arrives, the parent is either none or exactly the span context the string spells. */
  @Property(tries = 2000)
  void theParentIsNoneOrExactlyWhatTheStringSpells(@ForAll("anyTraceparent") String incoming) {
    SpanContext parent = Span.fromContext(OtelPipelineTracer.parent(incoming)).getSpanContext();
    if (parent.isValid()) {
      String spelled = "00-" + parent.getTraceId() + "-" + parent.getSpanId() + "-";
      assertTrue(incoming.trim().startsWith(spelled), incoming + " -> " + spelled);
      assertTrue(parent.isRemote());
    } else {
      assertEquals(SpanContext.getInvalid(), parent);
    }
  }

  @Provide
  Arbitrary<String> malformed() {
    return Arbitraries.oneOf(
        Arbitraries.of("garbage", "00", "00-" + CLIENT_TRACE, "00-00000000000000000000000000000000-" + CLIENT_SPAN + "-01",
            "00-" + CLIENT_TRACE + "-0000000000000000-01", "ff-" + CLIENT_TRACE + "-" + CLIENT_SPAN + "-01",
            "00-" + CLIENT_TRACE.toUpperCase(java.util.Locale.ROOT) + "-" + CLIENT_SPAN + "-01",
            "00-" + CLIENT_TRACE + "-" + CLIENT_SPAN + "-01\r\nx-injected: 1",
            "00-" + CLIENT_TRACE + "-" + CLIENT_SPAN + "-zz", "00_" + CLIENT_TRACE + "_" + CLIENT_SPAN + "_01",
            "00-" + CLIENT_TRACE + "-" + CLIENT_SPAN + "-01-extra",
            "00-" + CLIENT_TRACE + "x-" + CLIENT_SPAN + "-01"),
        Arbitraries.strings().ofMaxLength(80).filter(s -> !s.startsWith("00-") && !s.trim().startsWith("0")));
  }

  @Provide
  Arbitrary<String> anyTraceparent() {
    Arbitrary<String> hex32 = Arbitraries.strings().withChars("0123456789abcdefABCDEF-x").ofLength(32);
    Arbitrary<String> hex16 = Arbitraries.strings().withChars("0123456789abcdefABCDEF-x").ofLength(16);
    Arbitrary<String> version = Arbitraries.of("00", "01", "ff", "0", "000", "zz");
    Arbitrary<String> flags = Arbitraries.of("00", "01", "02", "ff", "1", "0x", "01-more", "01\n");
    Arbitrary<String> built = net.jqwik.api.Combinators.combine(version, hex32, hex16, flags)
        .as((v, t, s, f) -> v + "-" + t + "-" + s + "-" + f);
    return Arbitraries.oneOf(built, Arbitraries.strings().ofMaxLength(120));
  }

  static Map<String, String> strings(SpanData s) {
    Map<String, String> out = new java.util.HashMap<>();
    s.getAttributes().forEach((k, v) -> out.put(k.getKey(), String.valueOf(v)));
    return out;
  }

  static String allAttributeText(List<SpanData> spans) {
    StringBuilder b = new StringBuilder();
    for (SpanData s : spans) {
      b.append(s.getName()).append(' ').append(s.getStatus().getDescription()).append(' ');
      s.getAttributes().forEach((k, v) -> b.append(k.getKey()).append('=').append(v).append(' '));
      s.getEvents().forEach(e -> b.append(e.getName()).append(e.getAttributes()).append(' '));
    }
    return b.toString();
  }

  /** Records every request (the record stage runs) without a store. */
  static final class Recorder implements RequestRecorder {
    @Override
    public boolean enabled() {
      return true;
    }

    @Override
    public Failure writable() {
      return null;
    }

    @Override
    public Failure record(RequestLog log, Transport<?, ?> wire, boolean mayWait) {
      return null;
    }
  }

  /** A wire whose client sent {@code incoming} (or no traceparent) and whose upstream answers one point. */
  static FakeWire wire(String incoming) {
    return new FakeWire(token, request -> {
      try {
        return new Transport.UpstreamResult.Answered<>("200", new HttpReply(200, JSON.readTree(
            "{\"result\":{\"points\":[{\"id\":1,\"payload\":{\"tenant_id\":\"" + SECRET_TENANT + "\"}}],"
                + "\"next_page_offset\":null},\"status\":\"ok\"}")));
      } catch (java.io.IOException e) {
        throw new IllegalStateException(e);
      }
    }, false).incoming(incoming);
  }
}
