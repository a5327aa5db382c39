package io.vectorgate.proxy.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vectorgate.model.Connection;
import io.vectorgate.model.DatabaseKind;
import io.vectorgate.model.Decision;
import io.vectorgate.model.FilterOp;
import io.vectorgate.model.LimitCap;
import io.vectorgate.model.Obligations;
import io.vectorgate.model.Reason;
import io.vectorgate.model.RowFilter;
import io.vectorgate.proxy.adapter.AdapterRegistry;
import io.vectorgate.proxy.adapter.http.HttpDatabaseAdapter;
import io.vectorgate.proxy.adapter.http.HttpReply;
import io.vectorgate.proxy.adapter.http.HttpRequestView;
import io.vectorgate.proxy.adapter.qdrant.HttpViews;
import io.vectorgate.proxy.config.GatewayConfig.IdentityConfig;
import io.vectorgate.proxy.identity.TokenVerifier;
import io.vectorgate.proxy.testing.OidcProvider;
import java.time.Clock;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The one pipeline's sequence and outcomes, with the real token verifier against a real OIDC
 * provider (mock-oauth2-server) and the real Qdrant adapter from the registry. The decision is
 * fixed per test (the engine is the policy's business, tested elsewhere with the real {@code opa});
 * the upstream is the transport's, answered here in place of a Qdrant server. What it pins down:
 * the outcome of each stage, that nothing is forwarded after a refusal, that an answer is prepared
 * and sent exactly once, and the behaviours chosen when the two listeners were unified
 * (docs/pipeline.md).
 */
class RequestPipelineTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Connection QDRANT = new Connection("docs", DatabaseKind.QDRANT);
  static final Obligations UNDER_ACME = new Obligations(List.of(), false,
      List.of(new RowFilter("tenant_id", FilterOp.EQ, "acme")), null, null, null);
  static final Obligations CAP_TWO = new Obligations(List.of(), false, List.of(),
      new LimitCap(2, LimitCap.CapMode.CLAMP), null, null);

  static OidcProvider oidc;
  static TokenVerifier verifier;

  @BeforeAll
  static void start() {
    oidc = OidcProvider.start(0);
    verifier = new TokenVerifier(new IdentityConfig(oidc.issuer(), List.of(OidcProvider.AUDIENCE), List.of("RS256"),
        null, 5L, null, null, null, List.of(), null, null, 1L, null), null, Clock.systemUTC());
  }

  @AfterAll
  static void stop() {
    if (oidc != null) {
      oidc.close();
    }
  }

  record Run(RequestLog log, FakeWire wire, GatewayMetrics metrics, InMemoryUsageTracker usage) {}

  static Run run(Decision decision, String token, HttpRequestView request,
      Function<HttpRequestView, Transport.UpstreamResult<HttpReply>> upstream, boolean cancelled) {
    GatewayMetrics metrics = new GatewayMetrics();
    InMemoryUsageTracker usage = new InMemoryUsageTracker(Clock.systemUTC());
    RequestPipeline pipeline = new RequestPipeline(input -> decision, ApprovalGate.DENY, usage, metrics,
        Clock.systemUTC(), verifier, RequestRecorder.OFF);
    HttpDatabaseAdapter adapter = AdapterRegistry.defaults().http(DatabaseKind.QDRANT,
        AdapterRegistry.Settings.of("docs", HttpViews.masker()), new AdapterRegistry.UpstreamReads(null, null, null, null));
    FakeWire wire = new FakeWire(token, upstream, cancelled);
    RequestLog log = new RequestLog("qdrant", QDRANT);
    pipeline.run(log, adapter, request, wire);
    return new Run(log, wire, metrics, usage);
  }

  static Decision allow(Obligations o) {
    return new Decision(true, List.of(new Reason("allowed", "test")), o, "d-1", "r-1");
  }

  String bob() {
    return oidc.token("bob", List.of("analysts"), "acme", 600);
  }

  static HttpRequestView scroll() {
    return HttpViews.view("POST", "/collections/docs/points/scroll", "{\"limit\":10,\"with_payload\":true}");
  }

  static Transport.UpstreamResult<HttpReply> fivePoints(HttpRequestView forwarded) {
    try {
      StringBuilder points = new StringBuilder();
      for (int i = 0; i < 5; i++) {
        points.append(i == 0 ? "" : ",").append("{\"id\":").append(i).append(",\"payload\":{\"tenant_id\":\"acme\"}}");
      }
      return new Transport.UpstreamResult.Answered<>("200", new HttpReply(200,
          JSON.readTree("{\"result\":{\"points\":[" + points + "],\"next_page_offset\":null},\"status\":\"ok\"}")));
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void aMissingTokenEndsUnauthenticatedAndNothingIsForwarded() {
    Run r = run(allow(Obligations.NONE), null, scroll(), RequestPipelineTest::fivePoints, false);
    assertEquals(RequestOutcome.UNAUTHENTICATED, r.log().outcome());
    assertEquals("missing_token", r.log().code());
    assertEquals(0, r.wire().forwarded.size());
    assertEquals(1, r.metrics().get("unauthenticated"));
    r.wire().assertAnsweredOnce();
  }

  @Test
  void anUnknownRouteIsRefusedBeforeAnyDecision() {
    Run r = run(allow(Obligations.NONE), bob(), HttpViews.view("GET", "/not/a/route", null),
        RequestPipelineTest::fivePoints, false);
    assertEquals(RequestOutcome.REFUSED, r.log().outcome());
    assertEquals("unknown_route", r.log().code());
    assertNull(r.log().decision());
    assertTrue(r.log().message().startsWith("request refused by the gateway: unknown_route"), r.log().message());
    assertEquals(0, r.wire().forwarded.size());
    r.wire().assertAnsweredOnce();
  }

  @Test
  void anObligationThatCannotBeAppliedIsADenyWithoutObligations() {
    // a collection describe has no filter to carry a row filter
    Run r = run(allow(UNDER_ACME), bob(), HttpViews.view("GET", "/collections/docs", null),
        RequestPipelineTest::fivePoints, false);
    assertEquals(RequestOutcome.DENIED, r.log().outcome());
    assertEquals("row_filter_unenforceable", r.log().code());
    assertEquals(false, r.log().decision().allow());
    assertEquals(Obligations.NONE, r.log().decision().obligations());
    assertEquals("d-1", r.log().decision().decisionId());
    assertTrue(r.log().message().startsWith("denied by policy (decision d-1): row_filter_unenforceable: "),
        r.log().message());
    assertEquals(0, r.wire().forwarded.size());
    assertEquals(1, r.metrics().get("obligation_unenforceable"));
  }

  @Test
  void aClientThatGaveUpIsNotForwarded() {
    Run r = run(allow(Obligations.NONE), bob(), scroll(), RequestPipelineTest::fivePoints, true);
    assertEquals(RequestOutcome.CANCELLED, r.log().outcome());
    assertEquals(0, r.wire().forwarded.size());
    r.wire().assertAnsweredOnce();
  }

  @Test
  void aForwardedAnswerIsCutToTheCapCountedAndChargedToTheCaller() {
    Run r = run(allow(CAP_TWO), bob(), scroll(), RequestPipelineTest::fivePoints, false);
    assertEquals(RequestOutcome.FORWARDED, r.log().outcome());
    assertEquals(1, r.wire().forwarded.size());
    assertEquals(2, r.wire().forwarded.get(0).body().get("limit").asLong(), "the request was clamped");
    assertEquals(2, r.wire().prepared.body().get("result").get("points").size(), "the answer was cut");
    assertEquals(3, r.log().tally().rowsCut());
    assertEquals(1, r.metrics().get(io.vectorgate.proxy.enforce.ResponseTally.RESPONSE_ROWS_CUT));
    assertEquals(2, r.usage().usage("bob").rowsLastHour(), "the caller is charged the rows it got, after the cut");
    assertEquals("200", r.log().upstreamStatus());
    r.wire().assertAnsweredOnce();
  }

  @Test
  void theRowFilterSentInPlaceOfTheClientsIsReportedByTheAdapter() {
    Run r = run(allow(UNDER_ACME), bob(), scroll(), RequestPipelineTest::fivePoints, false);
    assertEquals(RequestOutcome.FORWARDED, r.log().outcome());
    JsonNode sent = r.wire().forwarded.get(0).body().get("filter");
    assertEquals(sent, r.log().filterAdded());
    assertTrue(sent.toString().contains("acme"), sent.toString());
  }

  @Test
  void anUnreachableUpstreamEndsUpstreamUnavailableAndAnUpstreamErrorIsPassedOn() {
    Run down = run(allow(Obligations.NONE), bob(), scroll(),
        f -> new Transport.UpstreamResult.Failed<>(null, "upstream_unavailable", "connection refused", false), false);
    assertEquals(RequestOutcome.UPSTREAM_UNAVAILABLE, down.log().outcome());
    assertEquals("upstream_unavailable", down.log().code());
    assertEquals(1, down.metrics().get("upstream_error"));
    down.wire().assertAnsweredOnce();

    Run passed = run(allow(Obligations.NONE), bob(), scroll(),
        f -> new Transport.UpstreamResult.Failed<>("404", "upstream_error", "the upstream answered 404", true), false);
    assertEquals(RequestOutcome.FORWARDED, passed.log().outcome());
    assertEquals("404", passed.log().upstreamStatus());
    assertNull(passed.wire().prepared);
    passed.wire().assertAnsweredOnce();
  }

  @Test
  void aFailureInsideTheGatewayIsAGatewayErrorAnsweredOnce() {
    Run r = run(allow(Obligations.NONE), bob(), scroll(), f -> {
      throw new NoClassDefFoundError("io/vectorgate/Missing");
    }, false);
    assertEquals(RequestOutcome.GATEWAY_ERROR, r.log().outcome());
    assertEquals(1, r.metrics().get("internal_error"));
    r.wire().assertAnsweredOnce();
  }
}
