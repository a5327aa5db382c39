package io.vectorgate.harness.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.gson.JsonObject;
import io.milvus.v2.client.ConnectConfig;
import io.milvus.v2.client.MilvusClientV2;
import io.milvus.v2.common.DataType;
import io.milvus.v2.common.IndexParam;
import io.milvus.v2.service.collection.request.AddFieldReq;
import io.milvus.v2.service.collection.request.CreateCollectionReq;
import io.milvus.v2.service.collection.request.LoadCollectionReq;
import io.milvus.v2.service.vector.request.InsertReq;
import io.milvus.v2.service.vector.request.QueryReq;
import io.milvus.v2.service.vector.request.SearchReq;
import io.milvus.v2.service.vector.request.data.FloatVec;
import io.vectorgate.engine.PolicyEngine;
import io.vectorgate.harness.HarnessEngines;
import io.vectorgate.harness.impact.ImpactAnalyzer;
import io.vectorgate.harness.impact.ImpactExpectations;
import io.vectorgate.harness.impact.ImpactReport;
import io.vectorgate.harness.replay.InputRebuilder;
import io.vectorgate.harness.replay.RecordedRequest;
import io.vectorgate.harness.replay.Replayer;
import io.vectorgate.harness.replay.Traffic;
import io.vectorgate.harness.report.ImpactReports;
import io.vectorgate.harness.source.PolicyLoader;
import io.vectorgate.harness.source.PolicySource;
import io.vectorgate.proxy.Gateway;
import io.vectorgate.proxy.config.ConfigLoader;
import io.vectorgate.proxy.config.GatewayConfig;
import io.vectorgate.proxy.pipeline.ApprovalGate;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A recording made by the real gateway: Milvus Lite behind the gateway (shipped library + the sample
 * organisation and the demo's client-handshake rule, recording on), a real OIDC provider, the Milvus Java SDK as client. The harness then
 * replays that recording: it rebuilds every request through the adapter, re-decides it with the same
 * policy and gets the gateway's decisions back, and the impact of a candidate that takes `kb_*` from
 * the analysts names exactly the analyst's kb requests the gateway allowed.
 */
class RealGatewayRecordingE2ETest {
  static final Path ROOT = Path.of(System.getProperty("vectorgate.root", ".."));
  static final Instant POLICY_TIME = Instant.parse("2026-11-25T09:00:00Z"); // a Wednesday, 10:00 Berlin

  @Test
  void theHarnessReplaysWhatTheGatewayRecorded(@TempDir Path work) throws Exception {
    Path recording = work.resolve("recording");
    Process milvus = null;
    MockOAuth2Server oidc = new MockOAuth2Server();
    try {
      int milvusPort = freePort();
      Path data = Files.createDirectories(work.resolve("milvus-data"));
      milvus = new ProcessBuilder(ROOT.resolve(".venv/bin/milvus-lite").toString(), "server", "--host", "127.0.0.1",
          "--port", String.valueOf(milvusPort), "--data-dir", data.toString())
          .redirectErrorStream(true).redirectOutput(work.resolve("milvus.log").toFile()).start();
      awaitListening(milvus, milvusPort, work.resolve("milvus.log"));
      oidc.start(InetAddress.getByName("127.0.0.1"), 0);
      String issuer = oidc.issuerUrl("vectorgate").toString().replaceAll("/$", "");

      // data set up directly on Milvus with the upstream credential
      MilvusClientV2 direct = new MilvusClientV2(ConnectConfig.builder().uri("http://127.0.0.1:" + milvusPort)
          .token("root:Milvus").build());
      CreateCollectionReq.CollectionSchema schema = direct.createSchema();
      schema.addField(AddFieldReq.builder().fieldName("id").dataType(DataType.Int64).isPrimaryKey(true).build());
      schema.addField(AddFieldReq.builder().fieldName("title").dataType(DataType.VarChar).maxLength(64).build());
      schema.addField(AddFieldReq.builder().fieldName("vector").dataType(DataType.FloatVector).dimension(4).build());
      direct.createCollection(CreateCollectionReq.builder().collectionName("kb_articles").collectionSchema(schema)
          .indexParams(List.of(IndexParam.builder().fieldName("vector").indexType(IndexParam.IndexType.FLAT)
              .metricType(IndexParam.MetricType.L2).build())).build());
      List<JsonObject> rows = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        JsonObject o = new JsonObject();
        o.addProperty("id", i);
        o.addProperty("title", "t" + i);
        com.google.gson.JsonArray v = new com.google.gson.JsonArray();
        for (int d = 0; d < 4; d++) {
          v.add(0.1f * (i + d));
        }
        o.add("vector", v);
        rows.add(o);
      }
      direct.insert(InsertReq.builder().collectionName("kb_articles").data(rows).build());
      direct.loadCollection(LoadCollectionReq.builder().collectionName("kb_articles").build());
      direct.close();

      Path cfgFile = work.resolve("gateway.yaml");
      Files.writeString(cfgFile, """
          listeners:
            - name: milvus
              kind: milvus-grpc
              address: 127.0.0.1:0
              connection: lite
          connections:
            - name: lite
              kind: milvus
              upstream: 127.0.0.1:%d
              credential: {env: VG_MILVUS_TOKEN}
              timeout_seconds: 60
              row_filter_binding: literal
          identity:
            issuer: %s
            audiences: [vectorgate]
            algorithms: [RS256]
            clock_skew_seconds: 5
            groups_claim: groups
            tenant_claim: tenant
          policy:
            rego_dirs: [%s, %s]
            data_file: %s
          masking:
            hmac_key: {env: VG_MASK_KEY}
          recording:
            directory: %s
            fsync: interval
          """.formatted(milvusPort, issuer, ROOT.resolve("rego-policies/src/main/rego"), ROOT.resolve("samples/milvus-demo/rego"),
          ROOT.resolve("samples/org/data.json"), recording));
      GatewayConfig cfg = ConfigLoader.load(cfgFile);
      try (PolicyEngine engine = Gateway.compileEngine(cfg.policy());
           Gateway gateway = Gateway.start(cfg, Map.of("VG_MILVUS_TOKEN", "root:Milvus",
               "VG_MASK_KEY", "test-mask-key-0123456789abcdef")::get,
               Clock.offset(Clock.systemUTC(), Duration.between(Instant.now(), POLICY_TIME)), engine, ApprovalGate.DENY)) {
        String uri = "http://127.0.0.1:" + gateway.port("milvus");
        for (String[] user : new String[][] {{"bob", "analysts"}, {"carol", "ml-engineers"}}) {
          String token = oidc.issueToken("vectorgate", "vectorgate-client", new DefaultOAuth2TokenCallback("vectorgate",
              user[0], "JWT", List.of("vectorgate"), Map.of("groups", List.of(user[1]), "tenant", "acme",
              "email", user[0] + "@example.com"), 3600)).serialize();
          MilvusClientV2 c = new MilvusClientV2(ConnectConfig.builder().uri(uri).token(token).build());
          c.query(QueryReq.builder().collectionName("kb_articles").filter("id >= 0").outputFields(List.of("title"))
              .limit(10).build());
          c.search(SearchReq.builder().collectionName("kb_articles").annsField("vector").topK(2)
              .data(List.of(new FloatVec(new float[] {0.1f, 0.2f, 0.3f, 0.4f}))).outputFields(List.of("title")).build());
          c.close();
        }
      }
    } finally {
      oidc.shutdown();
      if (milvus != null) {
        milvus.destroy();
        if (!milvus.waitFor(10, TimeUnit.SECONDS)) {
          milvus.destroyForcibly();
        }
      }
    }

    Traffic traffic = Traffic.load(recording);
    List<RecordedRequest> requests = traffic.requests();
    assertTrue(requests.size() >= 4, "query and search of two users at least: " + requests.size());
    Path base = Files.createDirectories(work.resolve("base"));
    Files.copy(ROOT.resolve("samples/org/data.json"), base.resolve("data.json"));
    Path cand = Files.createDirectories(work.resolve("cand"));
    ObjectMapper m = new ObjectMapper();
    ObjectNode orgData = (ObjectNode) m.readTree(ROOT.resolve("samples/org/data.json").toFile());
    ArrayNode analystColls = (ArrayNode) orgData.at("/vectorgate_config/roles/analysts/grants/0/collections");
    for (int i = analystColls.size() - 1; i >= 0; i--) {
      if (analystColls.get(i).asText().equals("kb_*")) {
        analystColls.remove(i);
      }
    }
    m.writeValue(cand.resolve("data.json").toFile(), orgData);
    // the demo's client-handshake rule, as in the gateway's config
    try (var rego = Files.list(ROOT.resolve("samples/milvus-demo/rego"))) {
      for (Path f : rego.filter(f -> f.toString().endsWith(".rego") && !f.toString().endsWith("_test.rego")).toList()) {
        Files.copy(f, base.resolve(f.getFileName().toString()));
        Files.copy(f, cand.resolve(f.getFileName().toString()));
      }
    }

    PolicyLoader loader = PolicyLoader.fromEnvironment(true);
    try (PolicyEngine b = PolicyEngine.start(HarnessEngines.config(2), loader.load(new PolicySource.Directory(base), work).bundle());
         PolicyEngine c = PolicyEngine.start(HarnessEngines.config(2), loader.load(new PolicySource.Directory(cand), work).bundle())) {
      // the harness re-decides every rebuilt request as the gateway did
      List<Replayer.Replayed> replayed = Replayer.replay(requests, new InputRebuilder(traffic.state()), List.of(b), 2,
          Replayer.Progress.NONE);
      for (Replayer.Replayed r : replayed) {
        assertTrue(r.rebuilt().ok(), String.valueOf(r.rebuilt().error()));
        assertTrue(r.rebuilt().unexplainedDrift().isEmpty(), r.source().id() + " " + r.rebuilt().drift());
        assertEquals(r.source().decision().allow(), r.decisions().get(0).allow(), r.source().id());
        assertEquals(Set.copyOf(r.source().decision().reasonCodes()), Set.copyOf(r.decisions().get(0).reasonCodes()),
            r.source().id());
      }
      ImpactReport report = ImpactAnalyzer.analyze(traffic, b, "base", "b", c, "cand", "c", ImpactExpectations.none(), 2,
          Replayer.Progress.NONE);
      Set<String> expected = requests.stream()
          .filter(r -> "bob".equals(r.identity().subject()) && r.decision().allow() && r.collection() != null
              && r.collection().startsWith("kb_"))
          .map(RecordedRequest::id).collect(Collectors.toSet());
      assertFalse(expected.isEmpty());
      assertEquals(expected, report.changes().stream().map(x -> x.source().id()).collect(Collectors.toSet()),
          ImpactReports.terminal(report));
      assertTrue(report.errors().isEmpty(), report.errors().toString());
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    }
  }

  static void awaitListening(Process p, int port, Path log) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        throw new IllegalStateException("milvus-lite exited: " + Files.readString(log));
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException e) {
        Thread.sleep(100);
      }
    }
    throw new IllegalStateException("milvus-lite did not listen: " + Files.readString(log));
  }
}
