package io.vectorgate.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.vectorgate.model.Action;
import io.vectorgate.model.Connection;
import io.vectorgate.model.Counts;
import io.vectorgate.model.DatabaseKind;
import io.vectorgate.model.Decision;
import io.vectorgate.model.Identity;
import io.vectorgate.model.Operation;
import io.vectorgate.model.PolicyInput;
import io.vectorgate.model.ProtocolFacts;
import io.vectorgate.model.RequestContext;
import io.vectorgate.model.Resource;
import io.vectorgate.model.Usage;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Builders;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Both engines (OPA Wasm on opa-java-wasm, and the plan engine) against OPA's own evaluator ({@code opa run --server}) on
 * the same policy, data and generated inputs: the raw result values and the typed decisions must
 * be equal.
 */
class DifferentialProperties {
  private static Process opa;
  private static URI decisionUri;
  private static HttpClient http;
  private static PolicyEngine wasm;
  private static PolicyEngine plan;

  @BeforeContainer
  static void start() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    opa = new ProcessBuilder(TestPolicies.opa().binary().toString(), "run", "--server", "--disable-telemetry",
        "--addr", "127.0.0.1:" + port, "--log-level", "error", TestPolicies.dir("acme").toString())
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> opa.destroyForcibly()));
    http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    URI health = URI.create("http://127.0.0.1:" + port + "/health");
    decisionUri = URI.create("http://127.0.0.1:" + port + "/v1/data/vectorgate/decision");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try {
        if (http.send(HttpRequest.newBuilder(health).GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          break;
        }
      } catch (IOException e) {
        if (System.nanoTime() > deadline || !opa.isAlive()) {
          throw new IllegalStateException("opa run --server did not come up on port " + port, e);
        }
      }
      Thread.sleep(100);
    }
    wasm = PolicyEngine.start(TestPolicies.config().engine(EngineConfig.Engine.WASM).poolSize(1).build(),
        TestPolicies.bundle("acme"));
    plan = PolicyEngine.start(TestPolicies.config().engine(EngineConfig.Engine.PLAN).build(), TestPolicies.bundle("acme"));
  }

  @AfterContainer
  static void stop() throws Exception {
    for (PolicyEngine e : new PolicyEngine[] {wasm, plan}) {
      if (e != null) {
        e.close();
      }
    }
    if (opa != null) {
      opa.destroy();
      if (!opa.waitFor(10, TimeUnit.SECONDS)) {
        opa.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  private static JsonNode opaResult(String inputJson) throws Exception {
    String body = "{\"input\":" + inputJson + "}";
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(decisionUri).timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    return ContractJson.mapper().readTree(r.body()).get("result");
  }

  @Property(tries = 300)
  void engineAgreesWithOpa(@ForAll("inputs") PolicyInput input) throws Exception {
    String json = ContractJson.mapper().writeValueAsString(input);
    JsonNode expected = opaResult(json);

    Decision typed = null;
    for (PolicyEngine engine : List.of(wasm, plan)) {
      String which = engine.config().engine().wireName() + ": " + json;
      Evaluation raw = engine.evaluate(json);
      if (expected == null) {
        assertEquals(Evaluation.Status.UNDEFINED, raw.status(), which + " " + raw);
        continue;
      }
      assertEquals(Evaluation.Status.DEFINED, raw.status(), which + " " + raw);
      assertEquals(expected, raw.result(), which);

      typed = engine.decide(input);
      Decision fromOpa = PolicyEngine.toDecision("[{\"result\":" + expected + "}]");
      assertEquals(fromOpa, typed.withIdentity(null, null), which);
    }
    if (typed == null) {
      return;
    }

    // the generator must reach both outcomes and several deny reasons, or agreement means little
    Statistics.label("allow").collect(typed.allow());
    Statistics.label("allow").coverage(c -> {
      c.check(true).count(n -> n >= 10);
      c.check(false).count(n -> n >= 10);
    });
    Statistics.label("first reason").collect(typed.reasonCodes().get(0));
    Statistics.label("first reason").coverage(c -> {
      c.check("role_grant").count(n -> n > 0);
      c.check("no_grant").count(n -> n > 0);
      c.check("blocked_subject").count(n -> n > 0);
    });
  }

  @Provide
  @SuppressWarnings("unchecked")
  Arbitrary<PolicyInput> inputs() {
    Arbitrary<String> subjects = Arbitraries.of("alice", "bob", "carol", "mallory", "eve", "dan");
    Arbitrary<List<String>> groups = Arbitraries.of("analysts", "ml-team", "support", "writers", "admins", "visitors")
        .set().ofMaxSize(3).map(s -> new ArrayList<>(new java.util.TreeSet<>(s)));
    Arbitrary<String> tenants = Arbitraries.of("red", "blue", "green").injectNull(0.3);
    Arbitrary<Action> actions = Arbitraries.of(Action.SEARCH, Action.QUERY, Action.GET, Action.COUNT, Action.INSERT,
        Action.DELETE, Action.DELETE_ALL, Action.DROP_COLLECTION, Action.DESCRIBE, Action.CREATE_INDEX, Action.UNKNOWN);
    Arbitrary<String> collections = Arbitraries.of("docs_red", "docs_blue", "docs_", "kb.main", "kb.x.y",
        "tickets_red", "tickets", "secret", "", "DOCS_red");
    Arbitrary<Identity> identity = Builders.withBuilder(() -> new Object[6])
        .use(subjects).in((o, s) -> { o[0] = s; return o; })
        .use(groups).in((o, g) -> { o[1] = g; return o; })
        .use(tenants).in((o, t) -> { o[2] = t; return o; })
        .build(o -> new Identity((String) o[0], o[0] + "@example.com", (List<String>) o[1], (String) o[2],
            "https://idp.example", Map.of()));
    Arbitrary<Operation> operation = Builders.withBuilder(() -> new Object[5])
        .use(actions).in((o, a) -> { o[0] = a; return o; })
        .use(collections).in((o, c) -> { o[1] = c; return o; })
        .use(Arbitraries.of(true, false)).in((o, v) -> { o[2] = v; return o; })
        .use(Arbitraries.longs().between(0, 2500)).in((o, n) -> { o[3] = n; return o; })
        .use(Arbitraries.longs().between(1, 5000).injectNull(0.2)).in((o, l) -> { o[4] = l; return o; })
        .build(o -> Operation.builder((Action) o[0]).resource(Resource.collection("default", (String) o[1]))
            .vectorsRequested((Boolean) o[2]).counts(new Counts((Long) o[3], 0, 1)).limit((Long) o[4])
            .protocol(ProtocolFacts.grpc("/milvus.proto.milvus.MilvusService/Search")).build());
    Arbitrary<RequestContext> context = Arbitraries.longs().between(0, 1200)
        .map(n -> new RequestContext("2026-01-01T00:00:00Z", 1_767_225_600_000_000_000L, "127.0.0.1", "r",
            new Usage(n, 0, 0, 0)));
    return Builders.withBuilder(() -> new Object[3])
        .use(identity).in((o, i) -> { o[0] = i; return o; })
        .use(operation).in((o, op) -> { o[1] = op; return o; })
        .use(context).in((o, c) -> { o[2] = c; return o; })
        .build(o -> PolicyInput.of((Identity) o[0], new Connection("main", DatabaseKind.MILVUS), (Operation) o[1],
            (RequestContext) o[2]));
  }
}
