package io.vectorgate.engine;

import io.vectorgate.model.Action;
import io.vectorgate.model.Connection;
import io.vectorgate.model.Counts;
import io.vectorgate.model.DatabaseKind;
import io.vectorgate.model.Identity;
import io.vectorgate.model.Operation;
import io.vectorgate.model.PolicyInput;
import io.vectorgate.model.ProtocolFacts;
import io.vectorgate.model.RequestContext;
import io.vectorgate.model.Resource;
import io.vectorgate.model.Usage;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Test policies under {@code src/test/resources/policies}, compiled once per JVM with the real opa. */
public final class TestPolicies {
  private static final Map<String, PolicyBundle> CACHE = new ConcurrentHashMap<>();
  private static volatile PolicyCompiler compiler;

  private TestPolicies() {}

  /** The real opa, as the build configures it. */
  public static OpaCli opa() {
    String p = System.getProperty("vectorgate.opa");
    if (p == null) {
      throw new IllegalStateException("system property vectorgate.opa is not set (run through Maven)");
    }
    return new OpaCli(Path.of(p), Duration.ofSeconds(120));
  }

  public static PolicyCompiler compiler() {
    if (compiler == null) {
      synchronized (TestPolicies.class) {
        if (compiler == null) {
          OpaCli opa = opa();
          compiler = new PolicyCompiler(opa, Capabilities.forEngine(opa), BundleLimits.DEFAULTS);
        }
      }
    }
    return compiler;
  }

  /** A directory under {@code src/test/resources/policies}. */
  public static Path dir(String name) {
    try {
      return Path.of(TestPolicies.class.getResource("/policies/" + name).toURI());
    } catch (URISyntaxException | NullPointerException e) {
      throw new IllegalStateException("test policy " + name + " is missing", e);
    }
  }

  /** The compiled bundle of a test policy directory (entrypoint vectorgate/decision). */
  public static PolicyBundle bundle(String name) {
    return CACHE.computeIfAbsent(name, n -> compiler().compile(
        PolicyCompiler.CompileRequest.of(dir(n)).withRevision(n + "-r1")).orThrow());
  }

  /** A small-pool engine config for tests. */
  public static EngineConfig.Builder config() {
    return EngineConfig.builder().poolSize(2).borrowTimeout(Duration.ofSeconds(5))
        .evaluationTimeout(Duration.ofSeconds(5));
  }

  public static PolicyInput input(String subject, List<String> groups, String tenant, Action action,
      String collection) {
    return PolicyInput.of(
        new Identity(subject, subject + "@example.com", groups, tenant, "https://idp.example", Map.of()),
        new Connection("main", DatabaseKind.MILVUS),
        Operation.builder(action).resource(Resource.collection("default", collection)).limit(1000L)
            .outputFields(List.of("id", "email")).counts(new Counts(0, 0, 1))
            .protocol(ProtocolFacts.grpc("/milvus.proto.milvus.MilvusService/Search")).build(),
        new RequestContext("2026-01-01T00:00:00Z", 1_767_225_600_000_000_000L, "127.0.0.1", "req-1",
            new Usage(1, 0, 0, 0)));
  }
}
