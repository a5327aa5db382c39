package io.vectorgate.harness;

import com.fasterxml.jackson.databind.JsonNode;
import io.vectorgate.dsl.DslCompiler;
import io.vectorgate.dsl.diag.Diagnostic;
import io.vectorgate.dsl.rego.OpaTool;
import io.vectorgate.engine.CompileResult;
import io.vectorgate.engine.ContractJson;
import io.vectorgate.engine.PolicyActivationException;
import io.vectorgate.engine.PolicyEngine;
import io.vectorgate.harness.replay.Replayer;
import io.vectorgate.harness.source.PolicyLoader;
import io.vectorgate.harness.source.PolicySource;
import io.vectorgate.harness.traffic.CaseResult;
import io.vectorgate.harness.traffic.TrafficTestFile;
import io.vectorgate.harness.traffic.TrafficTestRunner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code vectorgate test <policy-dir>}: runs a policy directory's tests in one go:
 *
 * <ol>
 *   <li>{@code dsl}: every {@code .vg} file is checked (errors fail, warnings are listed);
 *   <li>{@code opa}: the Rego unit tests ({@code *_test.rego}) with the real {@code opa test}, against
 *       the prepared policy (DSL compiled, decision table, library if asked, data files);
 *   <li>traffic tests: every {@code *.traffic.yaml|yml|json} in the directory (and any extra files),
 *       decided by the compiled Wasm bundle in the gateway's engine.
 * </ol>
 */
public final class PolicyTestRunner {
  /** What to run. */
  /**
   * What to run. {@code coverage}: also measure Rego line coverage with {@code opa test --coverage};
   * {@code coverageThreshold} (percent, null: none) fails the run below it.
   */
  public record Options(boolean withLibrary, int threads, List<Path> extraTrafficFiles, Replayer.Progress progress,
      boolean coverage, Double coverageThreshold) {
    public Options {
      extraTrafficFiles = extraTrafficFiles == null ? List.of() : List.copyOf(extraTrafficFiles);
      progress = progress == null ? Replayer.Progress.NONE : progress;
      threads = Math.max(1, threads);
      if (coverageThreshold != null && (coverageThreshold < 0 || coverageThreshold > 100 || coverageThreshold.isNaN())) {
        throw new HarnessException("--coverage-threshold", "must be a percentage from 0 to 100, was " + coverageThreshold);
      }
      coverage = coverage || coverageThreshold != null;
    }

    public Options(boolean withLibrary, int threads, List<Path> extraTrafficFiles, Replayer.Progress progress) {
      this(withLibrary, threads, extraTrafficFiles, progress, false, null);
    }

    public static Options defaults() {
      return new Options(false, Math.max(2, Runtime.getRuntime().availableProcessors()), List.of(), Replayer.Progress.NONE);
    }
  }

  /** Every case's result. */
  public record TestRun(Path policyDir, String revision, List<CaseResult> results, long elapsedNanos) {
    public long count(CaseResult.Status s) {
      return results.stream().filter(r -> r.status() == s).count();
    }

    public boolean passed() {
      return results.stream().allMatch(CaseResult::passed);
    }
  }

  private PolicyTestRunner() {}

  public static TestRun run(Path policyDir, Options options, PolicyLoader loader, Path workDir) {
    return run(policyDir, options, loader, workDir, RepoPaths.of(policyDir));
  }

  /**
   * Runs the suites in order, each problem reported once: DSL errors stop the run after the
   * {@code dsl} suite, a Rego compile error is one {@code compile} case (not also an opa error),
   * then the Rego unit tests and the traffic tests. Every location and message names files relative
   * to {@code paths}' root.
   */
  public static TestRun run(Path policyDir, Options options, PolicyLoader loader, Path workDir, RepoPaths paths) {
    long start = System.nanoTime();
    if (!Files.isDirectory(policyDir)) {
      throw new HarnessException(policyDir.toString(), "policy directory does not exist");
    }
    List<CaseResult> results = new ArrayList<>();
    results.addAll(dslChecks(policyDir, paths));
    boolean dslOk = results.stream().allMatch(CaseResult::passed);
    PolicyLoader.Prepared prepared;
    try {
      Files.createDirectories(workDir);
      prepared = loader.prepare(policyDir, Files.createTempDirectory(workDir, "test-"));
    } catch (IOException e) {
      throw new HarnessException(workDir.toString(), "cannot create a work directory: " + e.getMessage(), e);
    }
    paths.alias(prepared.dir(), policyDir);
    if (!dslOk || !prepared.ok()) {
      if (dslOk) { // a problem only the whole directory shows (two policies with one name)
        List<Diagnostic> errs = prepared.diagnostics().stream().filter(Diagnostic::isError).toList();
        results.add(new CaseResult("dsl", "policy directory", paths.show(policyDir.resolve(errs.get(0).span().file()))
            + ":" + errs.get(0).span().line(), CaseResult.Status.FAILED,
            errs.stream().map(d -> dslMessage(policyDir.resolve(d.span().file()), d, paths)).toList(), null, List.of(), 0));
      }
      return new TestRun(policyDir, null, results, System.nanoTime() - start);
    }
    CompileResult compiled = loader.compile(prepared);
    if (!compiled.succeeded()) {
      List<String> msgs = new ArrayList<>();
      String first = null;
      for (io.vectorgate.engine.Diagnostic d : compiled.diagnostics()) {
        String file = d.file() == null || d.file().isEmpty() ? "" : paths.show(resolveIn(prepared.dir(), d.file()));
        String loc = file.isEmpty() ? "" : file + (d.line() > 0 ? ":" + d.line() + (d.column() > 0 ? ":" + d.column() : "") : "");
        first = first == null && !loc.isEmpty() ? loc : first;
        msgs.add((loc.isEmpty() ? "" : loc + ": ") + (d.code() == null || d.code().isEmpty() ? "" : d.code() + ": ")
            + paths.text(d.message()));
      }
      results.add(new CaseResult("compile", "policy compiles", first == null ? paths.show(policyDir) : first,
          CaseResult.Status.ERROR, msgs, null, List.of(), 0));
      return new TestRun(policyDir, null, results, System.nanoTime() - start);
    }
    List<CaseResult> opa = opaTests(policyDir, prepared.dir(), loader.opa(), workDir, paths);
    results.addAll(opa);
    if (options.coverage()) {
      results.add(RegoCoverage.measure(policyDir, prepared.dir(), loader.opa(), workDir, paths,
          opa.stream().allMatch(CaseResult::passed), options.coverageThreshold()));
    }
    List<Path> trafficFiles = new ArrayList<>(find(policyDir, TrafficTestFile::isTrafficFile));
    trafficFiles.addAll(options.extraTrafficFiles());
    String revision = null;
    if (!trafficFiles.isEmpty()) {
      PolicyLoader.Loaded loaded = PolicyLoader.loaded(new PolicySource.Directory(policyDir), prepared, compiled);
      revision = loaded.revision();
      try (PolicyEngine engine = PolicyEngine.start(HarnessEngines.config(options.threads()),
          loaded.bundle())) {
        TrafficTestRunner runner = new TrafficTestRunner(engine, options.threads());
        for (Path f : trafficFiles) {
          try {
            for (CaseResult r : runner.run(TrafficTestFile.read(f), options.progress())) {
              results.add(relocated(r, paths));
            }
          } catch (HarnessException e) {
            results.add(new CaseResult(f.getFileName().toString(), "file is valid", paths.location(e.location()),
                CaseResult.Status.ERROR, List.of(paths.text(e.getMessage())), null, List.of(), 0));
          }
        }
      } catch (PolicyActivationException e) {
        results.add(new CaseResult("compile", "policy activates in the engine", paths.show(policyDir),
            CaseResult.Status.ERROR, List.of(paths.text(e.getMessage())), null, List.of(), 0));
      }
    }
    return new TestRun(policyDir, revision, results, System.nanoTime() - start);
  }

  private static Path resolveIn(Path dir, String file) {
    Path f = Path.of(file);
    return f.isAbsolute() ? f : dir.resolve(file);
  }

  private static CaseResult relocated(CaseResult r, RepoPaths paths) {
    return new CaseResult(r.suite(), r.name(), paths.location(r.location()), r.status(),
        r.failures().stream().map(paths::text).toList(), r.decision(), r.drift(), r.nanos());
  }

  /** {@code file:line:col: error VG101: message} with the file as the repository names it, then the snippet. */
  static String dslMessage(Path file, Diagnostic d, RepoPaths paths) {
    String head = paths.show(file) + ":" + d.span().line() + ":" + d.span().column() + ": " + d.severity().label() + " "
        + d.code() + ": " + d.message();
    return d.snippet().isEmpty() ? head : head + "\n" + d.snippet();
  }

  static List<CaseResult> dslChecks(Path dir, RepoPaths paths) {
    List<CaseResult> out = new ArrayList<>();
    for (Path f : find(dir, p -> p.getFileName().toString().endsWith(DslCompiler.EXTENSION))) {
      long t0 = System.nanoTime();
      DslCompiler.Compilation c = DslCompiler.check(f);
      List<String> msgs = c.diagnostics().stream().map(d -> dslMessage(f, d, paths)).toList();
      String shown = paths.show(f);
      Diagnostic firstError = c.diagnostics().stream().filter(Diagnostic::isError).findFirst().orElse(null);
      out.add(new CaseResult("dsl", shown, firstError == null ? shown : shown + ":" + firstError.span().line(),
          c.ok() ? CaseResult.Status.PASSED : CaseResult.Status.FAILED, c.ok() ? List.of() : msgs, null, List.of(),
          System.nanoTime() - t0));
    }
    return out;
  }

  static List<CaseResult> opaTests(Path source, Path prepared, OpaTool opa, Path workDir, RepoPaths paths) {
    List<Path> tests = find(source, p -> p.getFileName().toString().endsWith("_test.rego"));
    if (tests.isEmpty()) {
      return List.of();
    }
    List<CaseResult> out = new ArrayList<>();
    try {
      Path testDir = Files.createTempDirectory(workDir, "opa-tests-");
      paths.alias(testDir, source);
      for (Path t : tests) {
        Path target = testDir.resolve(source.relativize(t).toString());
        Files.createDirectories(target.getParent());
        Files.copy(t, target);
      }
      OpaTool.Run run = opa.run(List.of("test", "--format=json", prepared.toString(), testDir.toString()), null);
      JsonNode results;
      try {
        results = ContractJson.mapper().readTree(run.stdout());
      } catch (IOException e) {
        results = null;
      }
      if (results == null || !results.isArray()) {
        String text = paths.text(run.stderr().isBlank() ? run.stdout() : run.stderr()).strip();
        String first = firstLocation(text);
        out.add(new CaseResult("opa", "opa test", first == null ? paths.show(source) : first, CaseResult.Status.ERROR,
            List.of("opa test failed (exit " + run.exitCode() + "): " + text), null, List.of(), 0));
        return out;
      }
      java.util.Map<String, String> details = java.util.Map.of();
      for (JsonNode r : results) {
        if (r.path("fail").asBoolean(false)) { // the failing expressions with their values, as `opa test --var-values` shows them
          details = RegoTestFailure.details(opa.run(List.of("test", "--var-values", prepared.toString(),
              testDir.toString()), null).stdout(), paths);
          break;
        }
      }
      for (JsonNode r : results) {
        String file = paths.show(resolveIn(testDir, r.path("location").path("file").asText("")));
        String loc = file + ":" + r.path("location").path("row").asInt();
        String name = r.path("package").asText() + "." + r.path("name").asText();
        List<String> msgs = new ArrayList<>();
        CaseResult.Status status = CaseResult.Status.PASSED;
        if (r.has("error")) {
          status = CaseResult.Status.ERROR;
          msgs.add(paths.text(r.get("error").path("message").asText(r.get("error").toString())));
        } else if (r.path("fail").asBoolean(false)) {
          status = CaseResult.Status.FAILED;
          String name0 = r.path("package").asText() + "." + r.path("name").asText();
          String detail = details.get(name0);
          msgs.add("test rule is not true" + (detail == null ? "" : ":\n" + detail));
        } else if (r.path("skip").asBoolean(false)) {
          status = CaseResult.Status.FAILED;
          msgs.add("skipped (todo_ test): every test must assert behaviour");
        }
        out.add(new CaseResult("opa", name, loc, status, msgs, null, List.of(), r.path("duration").asLong(0)));
      }
    } catch (IOException e) {
      throw new HarnessException(source.toString(), "cannot stage the Rego tests: " + e.getMessage(), e);
    } catch (OpaTool.OpaException e) {
      out.add(new CaseResult("opa", "opa test", paths.show(source), CaseResult.Status.ERROR,
          List.of("cannot run opa test: " + e.getMessage()), null, List.of(), 0));
    }
    return out;
  }

  /** The first {@code file:line} at the start of a line of opa's text output. */
  private static String firstLocation(String text) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^\\s*([^\\s:][^:\\n]*:\\d+)").matcher(text);
    return m.find() ? m.group(1) : null;
  }

  static List<Path> find(Path dir, java.util.function.Predicate<Path> p) {
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.filter(Files::isRegularFile)
          .filter(f -> {
            for (Path part : dir.relativize(f)) {
              if (part.toString().startsWith(".")) {
                return false;
              }
            }
            return true;
          })
          .filter(p)
          .sorted(Comparator.naturalOrder())
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
