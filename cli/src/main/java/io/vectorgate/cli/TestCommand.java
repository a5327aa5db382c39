package io.vectorgate.cli;

import io.vectorgate.harness.HarnessEngines;
import io.vectorgate.engine.PolicyEngine;
import io.vectorgate.harness.HarnessException;
import io.vectorgate.harness.PolicyTestRunner;
import io.vectorgate.harness.replay.InputRebuilder;
import io.vectorgate.harness.replay.Replayer;
import io.vectorgate.harness.replay.Traffic;
import io.vectorgate.harness.report.ProgressBar;
import io.vectorgate.harness.report.TestReports;
import io.vectorgate.harness.source.PolicyLoader;
import io.vectorgate.harness.source.PolicySource;
import io.vectorgate.harness.traffic.Snapshot;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code vectorgate test <policy-dir>}: DSL checks, {@code opa test} and traffic tests in one run,
 * with JUnit XML / JSON / HTML reports; {@code --snapshot} writes today's decisions on a recording
 * as a traffic-test file instead. Exit 0 = all passed, 1 = a test failed, 2 = unusable input.
 */
@Command(name = "test", mixinStandardHelpOptions = true,
    description = "Run a policy directory's tests: DSL checks, Rego unit tests (opa test) and traffic tests "
        + "(*.traffic.yaml|yml|json), or snapshot a recording's decisions as a traffic-test file.")
public final class TestCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "POLICY_DIR", description = "policy directory (.vg, .rego, data.json, tests)")
  Path policyDir;

  @Option(names = "--traffic", paramLabel = "FILE", description = "extra traffic-test files outside the directory")
  List<Path> traffic;

  @Option(names = "--with-library", description = "add the shipped Rego library (for a directory that configures it with data.json)")
  boolean withLibrary;

  @Option(names = "--threads", description = "engine instances and replay threads (default: ${DEFAULT-VALUE})")
  int threads = Math.max(2, Runtime.getRuntime().availableProcessors());

  @Option(names = "--coverage", description = "also measure Rego line coverage of the directory's modules (opa test --coverage)")
  boolean coverage;

  @Option(names = "--coverage-threshold", paramLabel = "PERCENT",
      description = "fail when Rego line coverage is below PERCENT (implies --coverage)")
  Double coverageThreshold;

  @Option(names = "--junit", paramLabel = "FILE", description = "write JUnit XML")
  Path junit;

  @Option(names = "--json", paramLabel = "FILE", description = "write a JSON report")
  Path json;

  @Option(names = "--html", paramLabel = "FILE", description = "write a self-contained HTML report")
  Path html;

  @Option(names = "--snapshot", paramLabel = "RECORDING",
      description = "instead of testing: decide every request of RECORDING (directory or export) and write the "
          + "decisions as expectations to --out")
  Path snapshot;

  @Option(names = "--out", paramLabel = "FILE", description = "where --snapshot writes the traffic-test file")
  Path out;

  @Override
  public Integer call() throws IOException {
    PrintWriter err = spec.commandLine().getErr();
    PrintWriter stdout = spec.commandLine().getOut();
    Path work = Files.createTempDirectory("vectorgate-test-");
    try {
      PolicyLoader loader = PolicyLoader.fromEnvironment(withLibrary);
      if (snapshot != null) {
        return snapshot(loader, work, stdout, err);
      }
      ProgressBar bar = new ProgressBar(err, "replay");
      PolicyTestRunner.TestRun run = PolicyTestRunner.run(policyDir,
          new PolicyTestRunner.Options(withLibrary, threads, traffic, bar, coverage, coverageThreshold), loader, work);
      bar.finish();
      write(junit, TestReports.junitXml(run));
      write(json, TestReports.json(run));
      write(html, TestReports.html(run));
      stdout.print(TestReports.terminal(run));
      stdout.flush();
      return run.passed() ? 0 : 1;
    } catch (HarnessException e) {
      err.println("vectorgate test: " + e.getMessage());
      return 2;
    } finally {
      delete(work);
    }
  }

  private int snapshot(PolicyLoader loader, Path work, PrintWriter stdout, PrintWriter err) throws IOException {
    if (out == null) {
      err.println("vectorgate test: --snapshot needs --out FILE (e.g. tests/recorded.traffic.yaml)");
      return 2;
    }
    Traffic t = Traffic.load(snapshot);
    PolicyLoader.Loaded loaded = loader.load(new PolicySource.Directory(policyDir), work);
    ProgressBar bar = new ProgressBar(err, "snapshot");
    List<Replayer.Replayed> replayed;
    try (PolicyEngine engine = PolicyEngine.start(HarnessEngines.config(threads), loaded.bundle())) {
      replayed = Replayer.replay(t.requests(), new InputRebuilder(t.state()), List.of(engine), threads, bar);
    } catch (io.vectorgate.engine.PolicyActivationException e) {
      err.println("vectorgate test: policy does not activate: " + e.getMessage());
      return 2;
    }
    bar.finish();
    write(out, Snapshot.yaml(Snapshot.relative(out, snapshot), replayed));
    long errors = replayed.stream().filter(r -> !r.rebuilt().ok()).count();
    stdout.println("wrote " + replayed.size() + " case(s) to " + out + " (revision " + loaded.revision() + ", " + errors
        + " request(s) expected to be refused by the adapter)");
    return 0;
  }

  static void write(Path file, String text) throws IOException {
    if (file == null) {
      return;
    }
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.writeString(file, text, StandardCharsets.UTF_8);
  }

  static void delete(Path dir) throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
