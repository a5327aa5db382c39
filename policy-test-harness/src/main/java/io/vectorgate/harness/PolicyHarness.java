package io.vectorgate.harness;

import io.vectorgate.engine.PolicyActivationException;
import io.vectorgate.engine.PolicyEngine;
import io.vectorgate.harness.replay.InputRebuilder;
import io.vectorgate.harness.replay.RecordedRequest;
import io.vectorgate.harness.replay.Replayer;
import io.vectorgate.harness.replay.Traffic;
import io.vectorgate.harness.source.PolicyLoader;
import io.vectorgate.harness.source.PolicySource;
import io.vectorgate.harness.traffic.CaseResult;
import io.vectorgate.harness.traffic.TrafficTestFile;
import io.vectorgate.harness.traffic.TrafficTestRunner;
import io.vectorgate.model.Decision;
import io.vectorgate.model.PolicyInput;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The harness as a Java API: a compiled policy in the gateway's engine, to decide inputs, replay
 * recordings and run traffic-test files from a service's own tests (see also
 * {@link io.vectorgate.harness.junit.VectorgatePolicy}).
 *
 * <pre>
 * try (PolicyHarness h = PolicyHarness.open(new PolicySource.Directory(Path.of("policies")), false)) {
 *   h.assertTraffic(Path.of("src/test/resources/service.traffic.yaml"));
 *   Decision d = h.decide(input);
 * }
 * </pre>
 */
public final class PolicyHarness implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PolicyHarness.class);

  private final PolicyLoader.Loaded loaded;
  private final PolicyEngine engine;
  private final Path workDir;
  private final int threads;
  private volatile boolean closed;

  private PolicyHarness(PolicyLoader.Loaded loaded, PolicyEngine engine, Path workDir, int threads) {
    this.loaded = loaded;
    this.engine = engine;
    this.workDir = workDir;
    this.threads = threads;
  }

  /** Compiles {@code source} (with {@code opa} from {@code -Dvectorgate.opa} or the PATH) and starts an engine of 2 instances. */
  public static PolicyHarness open(PolicySource source, boolean withLibrary) {
    return open(source, PolicyLoader.fromEnvironment(withLibrary), 2);
  }

  public static PolicyHarness open(PolicySource source, PolicyLoader loader, int threads) {
    Path work;
    try {
      work = Files.createTempDirectory("vectorgate-harness-");
    } catch (IOException e) {
      throw new HarnessException("", "cannot create a temporary directory: " + e.getMessage(), e);
    }
    try {
      PolicyLoader.Loaded loaded = loader.load(source, work);
      PolicyEngine engine = PolicyEngine.start(HarnessEngines.config(Math.max(1, threads)), loaded.bundle());
      return new PolicyHarness(loaded, engine, work, Math.max(1, threads));
    } catch (PolicyActivationException e) {
      deleteQuietly(work);
      throw new HarnessException(source.describe(), "policy does not activate in the engine: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      deleteQuietly(work);
      throw e;
    }
  }

  /** The bundle revision. */
  public String revision() {
    return loaded.revision();
  }

  public PolicyEngine engine() {
    return engine;
  }

  /** Decides one input with the compiled policy (never throws; fail-closed denies carry a reason code). */
  public Decision decide(PolicyInput input) {
    return engine.decide(input);
  }

  /** Replays a recording or export: every request rebuilt through the gateway's adapters and decided. */
  public List<Replayer.Replayed> replay(Path recording) {
    Traffic t = Traffic.load(recording);
    return Replayer.replay(t.requests(), new InputRebuilder(t.state()), List.of(engine), threads, Replayer.Progress.NONE);
  }

  /** Rebuilds and decides one recorded request. */
  public Replayer.Replayed decideRecorded(RecordedRequest r, Traffic traffic) {
    return Replayer.replay(List.of(r), new InputRebuilder(traffic.state()), List.of(engine), 1, Replayer.Progress.NONE).get(0);
  }

  /** Runs a traffic-test file and returns every case's result. */
  public List<CaseResult> runTrafficTests(Path file) {
    return new TrafficTestRunner(engine, threads).run(TrafficTestFile.read(file), Replayer.Progress.NONE);
  }

  /** Runs a traffic-test file and throws an {@link AssertionError} listing every case that did not pass. */
  public void assertTraffic(Path file) {
    List<CaseResult> results = runTrafficTests(file);
    List<CaseResult> bad = results.stream().filter(r -> !r.passed()).toList();
    if (!bad.isEmpty()) {
      StringBuilder sb = new StringBuilder(bad.size() + " of " + results.size() + " traffic case(s) in " + file
          + " did not pass:");
      for (CaseResult r : bad) {
        sb.append("\n  ").append(r.status()).append(' ').append(r.name()).append(" (").append(r.location()).append(')');
        r.failures().forEach(f -> sb.append("\n    ").append(f));
      }
      throw new AssertionError(sb.toString());
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    engine.close();
    deleteQuietly(workDir);
  }

  static void deleteQuietly(Path dir) {
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      LOG.warn("event=harness_tmp_cleanup_failed dir={} error={}", dir, e.toString());
    }
  }
}
