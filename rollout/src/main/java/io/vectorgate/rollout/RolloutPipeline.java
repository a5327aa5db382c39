package io.vectorgate.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import io.vectorgate.dsl.PolicyDirectory;
import io.vectorgate.dsl.rego.OpaTool;
import io.vectorgate.engine.ActivationReport;
import io.vectorgate.engine.CompileResult;
import io.vectorgate.engine.Diagnostic;
import io.vectorgate.engine.EngineConfig;
import io.vectorgate.engine.Evaluation;
import io.vectorgate.engine.LongAdderEngineMetrics;
import io.vectorgate.engine.PolicyActivationException;
import io.vectorgate.engine.PolicyBundle;
import io.vectorgate.engine.PolicyCompiler;
import io.vectorgate.engine.PolicyEngine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stages a revision goes through: {@link Stage#CHECKOUT} into a fresh staging folder,
 * {@link Stage#COMPILE} (DSL and Rego into a Wasm bundle whose manifest revision is the commit),
 * {@link Stage#TEST} (every {@link PolicyTestRunner}), {@link Stage#IMPACT} (when configured),
 * {@link Stage#SMOKE} (a one-instance engine must give a decision object for the smoke input), and
 * {@link Stage#ACTIVATE} (the live engine's atomic swap; on failure the previous bundle stays).
 * Each stage logs one structured line; a failure is a {@link RolloutException} carrying the
 * {@link StageFailure} and is counted in {@link RolloutMetrics}.
 */
public final class RolloutPipeline {
  private static final Logger LOG = LoggerFactory.getLogger(RolloutPipeline.class);
  private static final Set<String> DATA_FILES = Set.of("data.json", "data.yaml", "data.yml");

  private final PolicyCompiler compiler;
  private final OpaTool opa;
  private final List<PolicyTestRunner> testRunners;
  private final ImpactCheck impact;
  private final Path workDir;
  private final RolloutMetrics metrics;

  /** A revision that passed every stage before activation. */
  public record Built(String revision, PolicyBundle bundle) {}

  public RolloutPipeline(PolicyCompiler compiler, OpaTool opa, List<PolicyTestRunner> testRunners, ImpactCheck impact,
      Path workDir, RolloutMetrics metrics) {
    this.compiler = Objects.requireNonNull(compiler, "compiler");
    this.opa = Objects.requireNonNull(opa, "opa");
    this.testRunners = List.copyOf(testRunners);
    this.impact = impact;
    this.workDir = Objects.requireNonNull(workDir, "workDir");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
  }

  /** The default set-up: the real {@code opa} (from {@code -Dvectorgate.opa} or the PATH), discovered test runners. */
  public static RolloutPipeline standard(ImpactCheck impact, Path workDir, RolloutMetrics metrics) {
    OpaTool opa = OpaTool.fromEnvironment();
    return new RolloutPipeline(PolicyCompiler.create(), opa, PolicyTestRunner.discover(new OpaPolicyTestRunner(opa)),
        impact, workDir, metrics);
  }

  public RolloutMetrics metrics() {
    return metrics;
  }

  /** Checkout, compile, test, impact and smoke; {@code live} is the baseline of the impact check and the smoke config. */
  public Built build(PolicySource source, String revision, PolicyEngine live) throws RolloutException {
    Path staging;
    try {
      Files.createDirectories(workDir);
      staging = Files.createTempDirectory(workDir, "staging-");
    } catch (IOException e) {
      throw fail(Stage.CHECKOUT, revision, StageFailure.of(Stage.CHECKOUT, "cannot create a staging folder under "
          + workDir + ": " + e.getMessage()));
    }
    try {
      Candidate c = stage(Stage.CHECKOUT, revision, () -> source.checkout(revision, staging.resolve("tree")));
      if (!c.revision().equals(revision)) {
        throw fail(Stage.CHECKOUT, revision, StageFailure.of(Stage.CHECKOUT, "source returned revision " + c.revision()
            + " for " + revision));
      }
      PolicyBundle bundle;
      Path prepared = staging.resolve("prepared");
      if (c instanceof Candidate.Tree t) {
        RepoPaths paths = new RepoPaths(t.root(), List.of(prepared, t.dir(), staging));
        bundle = stage(Stage.COMPILE, revision, paths.wrap(() -> compile(t, prepared)));
        PolicyBundle b = bundle;
        stage(Stage.TEST, revision, paths.wrap(() -> {
          test(t, prepared, b, staging);
          return null;
        }));
        if (impact != null) {
          stage(Stage.IMPACT, revision, paths.wrap(() -> {
            impact(t.dir(), b, live, staging);
            return null;
          }));
        }
      } else {
        bundle = ((Candidate.Bundle) c).bundle();
        LOG.info("event=rollout_stage stage=compile revision={} outcome=skipped why=prebuilt_bundle", revision);
      }
      PolicyBundle b = bundle;
      stage(Stage.SMOKE, revision, () -> {
        smoke(b, live);
        return null;
      });
      return new Built(revision, bundle);
    } finally {
      deleteTree(staging);
    }
  }

  /** The atomic swap in {@code live}; the previous bundle stays active when it fails. */
  public ActivationReport activate(PolicyEngine live, Built built) throws RolloutException {
    return stage(Stage.ACTIVATE, built.revision(), () -> {
      try {
        return live.activate(built.bundle());
      } catch (PolicyActivationException e) {
        throw new RolloutException(Stage.ACTIVATE, "the engine refused the bundle: " + e.getMessage(), e);
      }
    });
  }

  private interface StageBody<T> {
    T run() throws RolloutException;
  }

  /**
   * Rewrites a failure's file names and texts so they name files as the repository does: relative
   * files get the policy directory's {@code root} as prefix, and staging folders ({@code dirs}) in
   * texts become that root. A path outside the staging folders (an absolute sample file) is kept.
   */
  record RepoPaths(String root, List<Path> dirs) {
    String file(String f) {
      if (f == null || f.isEmpty()) {
        return "";
      }
      String stripped = strip(f);
      if (stripped.startsWith("/")) {
        return stripped;
      }
      return root.isEmpty() ? stripped : root + "/" + stripped;
    }

    private String strip(String f) {
      for (Path d : dirs) {
        for (String base : List.of(d.toAbsolutePath().normalize().toString(), d.toString())) {
          if (f.startsWith(base + "/")) {
            return f.substring(base.length() + 1);
          }
        }
      }
      return f;
    }

    String text(String s) {
      String out = s;
      for (Path d : dirs) {
        for (String base : List.of(d.toAbsolutePath().normalize().toString(), d.toString())) {
          out = out.replace(base + "/", root.isEmpty() ? "" : root + "/").replace(base, root.isEmpty() ? "." : root);
        }
      }
      return out;
    }

    StageFailure apply(StageFailure f) {
      return new StageFailure(f.stage(), text(f.message()), f.problems().stream()
          .map(p -> new Problem(file(p.file()), p.line(), p.column(), text(p.message()))).toList(),
          f.failedTests().stream().map(this::text).toList());
    }

    <T> StageBody<T> wrap(StageBody<T> body) {
      return () -> {
        try {
          return body.run();
        } catch (RolloutException e) {
          throw new RolloutException(apply(e.failure()), e);
        }
      };
    }
  }

  private <T> T stage(Stage stage, String revision, StageBody<T> body) throws RolloutException {
    long t0 = System.nanoTime();
    try {
      T out = body.run();
      LOG.info("event=rollout_stage stage={} revision={} outcome=ok duration_ms={}", stage.wireName(), revision,
          (System.nanoTime() - t0) / 1_000_000);
      return out;
    } catch (RolloutException e) {
      throw fail(stage, revision, e.failure().stage() == stage ? e.failure()
          : new StageFailure(stage, e.failure().message(), e.failure().problems(), e.failure().failedTests()), e);
    } catch (RuntimeException e) {
      throw fail(stage, revision, StageFailure.of(stage, "unexpected error: " + e), e);
    }
  }

  private RolloutException fail(Stage stage, String revision, StageFailure f) {
    return fail(stage, revision, f, null);
  }

  private RolloutException fail(Stage stage, String revision, StageFailure f, Throwable cause) {
    metrics.failure(stage);
    LOG.warn("event=rollout_stage stage={} revision={} outcome=failed message=\"{}\" problems=\"{}\" failed_tests=\"{}\"",
        stage.wireName(), revision, f.message(), f.problems().stream().map(Problem::render).toList(), f.failedTests());
    return cause == null ? new RolloutException(f) : new RolloutException(f, cause);
  }

  PolicyBundle compile(Candidate.Tree t, Path prepared) throws RolloutException {
    prepare(t, prepared);
    CompileResult r = compiler.compile(PolicyCompiler.CompileRequest.of(prepared).withRevision(t.revision()));
    if (!r.succeeded()) {
      List<Problem> problems = new ArrayList<>();
      for (Diagnostic d : r.diagnostics()) {
        problems.add(new Problem(relative(prepared, d.file()), d.line(), d.column(),
            (d.code() == null || d.code().isEmpty() ? "" : d.code() + ": ") + d.message()));
      }
      throw new RolloutException(new StageFailure(Stage.COMPILE, problems.size() + " Rego error(s)", problems,
          List.of()));
    }
    return r.orThrow();
  }

  /**
   * The Rego tree a checked-out revision compiles from, written to {@code prepared}: its DSL
   * compiled to Rego ({@code x.vg.rego} beside {@code x.vg}), its Rego and its data files.
   */
  public void prepare(Candidate.Tree t, Path prepared) throws RolloutException {
    Path tree = t.dir();
    try {
      boolean any;
      try (Stream<Path> walk = Files.walk(tree)) {
        any = walk.filter(Files::isRegularFile).anyMatch(p -> {
          String n = p.getFileName().toString();
          return (n.endsWith(".rego") && !n.endsWith("_test.rego")) || n.endsWith(".vg");
        });
      }
      if (!any) {
        throw new RolloutException(Stage.COMPILE, "the policy directory has no .rego or .vg files");
      }
      PolicyDirectory.Prepared p = PolicyDirectory.prepare(tree, prepared, opa);
      if (!p.ok()) {
        List<Problem> problems = p.diagnostics().stream().filter(io.vectorgate.dsl.diag.Diagnostic::isError)
            .map(d -> new Problem(d.span().file(), d.span().line(), d.span().column(), d.code() + ": " + d.message()))
            .toList();
        throw new RolloutException(new StageFailure(Stage.COMPILE, problems.size() + " DSL error(s)", problems, List.of()));
      }
      copyDataFiles(tree, prepared);
    } catch (IOException e) {
      throw new RolloutException(Stage.COMPILE, "cannot prepare the policy directory: " + e.getMessage(), e);
    } catch (OpaTool.OpaException e) {
      throw new RolloutException(Stage.COMPILE, "cannot run opa: " + e.getMessage(), e);
    }
  }

  private static void copyDataFiles(Path tree, Path prepared) throws IOException {
    try (Stream<Path> walk = Files.walk(tree)) {
      for (Path f : walk.filter(Files::isRegularFile).filter(x -> DATA_FILES.contains(x.getFileName().toString()))
          .filter(x -> !OpaPolicyTestRunner.hidden(tree.relativize(x))).toList()) {
        Path target = prepared.resolve(tree.relativize(f).toString());
        Files.createDirectories(target.getParent());
        Files.copy(f, target);
      }
    }
  }

  /** A diagnostic's file relative to the policy directory ({@code x.vg.rego} is the Rego generated from {@code x.vg}). */
  static String relative(Path prepared, String file) {
    if (file == null || file.isEmpty()) {
      return "";
    }
    String base = prepared.toAbsolutePath().normalize().toString() + "/";
    String f = file.startsWith(base) ? file.substring(base.length()) : file;
    String alt = prepared.toString() + "/";
    return f.startsWith(alt) ? f.substring(alt.length()) : f;
  }

  private void test(Candidate.Tree t, Path prepared, PolicyBundle bundle, Path staging) throws RolloutException {
    List<String> failedTests = new ArrayList<>();
    List<Problem> problems = new ArrayList<>();
    int total = 0;
    for (PolicyTestRunner runner : testRunners) {
      PolicyTestRunner.Report r = runner.run(new PolicyTestRunner.Context(t.revision(), t.dir(), prepared, bundle, staging));
      total += r.cases().size();
      problems.addAll(r.errors());
      for (PolicyTestRunner.TestCase c : r.failed()) {
        failedTests.add(c.name());
        String[] loc = splitLocation(c.location());
        problems.add(new Problem(loc[0], Integer.parseInt(loc[1]), 0, c.name() + ": "
            + (c.messages().isEmpty() ? "failed" : String.join("; ", c.messages()))));
      }
      LOG.info("event=rollout_tests runner={} revision={} tests={} failed={} errors={}", runner.name(), t.revision(),
          r.cases().size(), r.failed().size(), r.errors().size());
    }
    if (!failedTests.isEmpty() || !problems.isEmpty()) {
      throw new RolloutException(new StageFailure(Stage.TEST, failedTests.size() + " of " + total + " test(s) failed"
          + (problems.size() > failedTests.size() ? ", " + (problems.size() - failedTests.size()) + " error(s)" : ""),
          problems, failedTests));
    }
  }

  private static String[] splitLocation(String location) {
    if (location != null) {
      int i = location.lastIndexOf(':');
      if (i > 0 && location.substring(i + 1).matches("\\d{1,9}")) {
        return new String[] {location.substring(0, i), location.substring(i + 1)};
      }
    }
    return new String[] {location == null ? "" : location, "0"};
  }

  private void impact(Path tree, PolicyBundle candidate, PolicyEngine live, Path staging) throws RolloutException {
    String baselineRev = live == null ? null : live.activeRevision().orElse(null);
    ImpactCheck.Report r = impact.check(new ImpactCheck.Context(baselineRev, baselineRev == null ? null : live,
        candidate.revision(), candidate, tree, staging));
    LOG.info("event=rollout_impact revision={} baseline={} decided={} changes={} unexpected={}", candidate.revision(),
        baselineRev, r.decided(), r.changes(), r.unexpected().size());
    if (!r.accepted()) {
      List<Problem> problems = new ArrayList<>(r.errors());
      r.unexpected().forEach(u -> problems.add(Problem.of("unexpected change: " + u)));
      throw new RolloutException(new StageFailure(Stage.IMPACT, r.unexpected().size() + " unexpected change(s) against "
          + baselineRev + (r.errors().isEmpty() ? "" : ", " + r.errors().size() + " error(s)"), problems,
          r.unexpected()));
    }
  }

  private void smoke(PolicyBundle bundle, PolicyEngine live) throws RolloutException {
    EngineConfig base = live == null ? EngineConfig.defaults() : live.config();
    EngineConfig cfg = base.toBuilder().poolSize(1).decisionLogger(io.vectorgate.engine.DecisionLogger.NONE).metrics(new LongAdderEngineMetrics()).noWarmup().build();
    try (PolicyEngine e = PolicyEngine.start(cfg, bundle)) {
      Evaluation ev = e.evaluate(cfg.entrypoint(), cfg.smokeInputJson());
      if (!ev.defined()) {
        throw new RolloutException(Stage.SMOKE, "entrypoint `" + cfg.entrypoint() + "` gave no result for the smoke "
            + "input (" + ev.reasonCode() + (ev.message() == null ? "" : ": " + ev.message()) + ")");
      }
      JsonNode r = ev.result();
      if (r.isArray() && r.size() == 1) {
        r = r.get(0).path("result");
      }
      if (!r.isBoolean() && !(r.isObject() && r.path("allow").isBoolean())) {
        throw new RolloutException(Stage.SMOKE, "entrypoint `" + cfg.entrypoint() + "` did not give a decision for the "
            + "smoke input: " + abbreviate(r.toString()));
      }
    } catch (PolicyActivationException e) {
      throw new RolloutException(Stage.SMOKE, "the bundle does not load in the engine: " + e.getMessage(), e);
    }
  }

  private static String abbreviate(String s) {
    return s.length() > 200 ? s.substring(0, 200) + "…" : s;
  }

  static void deleteTree(Path dir) {
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      LOG.warn("event=rollout_staging_cleanup_failed dir={} error=\"{}\"", dir, e.toString());
    }
  }
}
