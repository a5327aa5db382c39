package io.vectorgate.harness;

import com.fasterxml.jackson.databind.JsonNode;
import io.vectorgate.dsl.DslCompiler;
import io.vectorgate.dsl.diag.Diagnostic;
import io.vectorgate.dsl.rego.OpaTool;
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
  public record Options(boolean withLibrary, int threads, List<Path> extraTrafficFiles, Replayer.Progress progress) {
    public Options {
      extraTrafficFiles = extraTrafficFiles == null ? List.of() : List.copyOf(extraTrafficFiles);
      progress = progress == null ? Replayer.Progress.NONE : progress;
      threads = Math.max(1, threads);
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
    long start = System.nanoTime();
    if (!Files.isDirectory(policyDir)) {
      throw new HarnessException(policyDir.toString(), "policy directory does not exist");
    }
    List<CaseResult> results = new ArrayList<>();
    results.addAll(dslChecks(policyDir));
    PolicyLoader.Prepared prepared;
    try {
      Files.createDirectories(workDir);
      prepared = loader.prepare(policyDir, Files.createTempDirectory(workDir, "test-"));
    } catch (IOException e) {
      throw new HarnessException(workDir.toString(), "cannot create a work directory: " + e.getMessage(), e);
    }
    results.addAll(opaTests(policyDir, prepared.dir(), loader.opa(), workDir));
    List<Path> trafficFiles = new ArrayList<>(find(policyDir, TrafficTestFile::isTrafficFile));
    trafficFiles.addAll(options.extraTrafficFiles());
    String revision = null;
    if (!trafficFiles.isEmpty()) {
      PolicyLoader.Loaded loaded;
      try {
        loaded = loader.load(new PolicySource.Directory(policyDir), workDir);
      } catch (HarnessException e) {
        results.add(new CaseResult("compile", "policy compiles", policyDir.toString(), CaseResult.Status.ERROR,
            List.of(e.getMessage()), null, List.of(), 0));
        return new TestRun(policyDir, null, results, System.nanoTime() - start);
      }
      revision = loaded.revision();
      try (PolicyEngine engine = PolicyEngine.start(HarnessEngines.config(options.threads()),
          loaded.bundle())) {
        TrafficTestRunner runner = new TrafficTestRunner(engine, options.threads());
        for (Path f : trafficFiles) {
          try {
            results.addAll(runner.run(TrafficTestFile.read(f), options.progress()));
          } catch (HarnessException e) {
            results.add(new CaseResult(f.getFileName().toString(), "file is valid", e.location(), CaseResult.Status.ERROR,
                List.of(e.getMessage()), null, List.of(), 0));
          }
        }
      } catch (PolicyActivationException e) {
        results.add(new CaseResult("compile", "policy activates in the engine", policyDir.toString(),
            CaseResult.Status.ERROR, List.of(e.getMessage()), null, List.of(), 0));
      }
    }
    return new TestRun(policyDir, revision, results, System.nanoTime() - start);
  }

  static List<CaseResult> dslChecks(Path dir) {
    List<CaseResult> out = new ArrayList<>();
    for (Path f : find(dir, p -> p.getFileName().toString().endsWith(DslCompiler.EXTENSION))) {
      long t0 = System.nanoTime();
      DslCompiler.Compilation c = DslCompiler.check(f);
      List<String> msgs = c.diagnostics().stream().map(Diagnostic::render).toList();
      String rel = dir.relativize(f).toString();
      out.add(new CaseResult("dsl", rel, f.toString(), c.ok() ? CaseResult.Status.PASSED : CaseResult.Status.FAILED,
          c.ok() ? List.of() : msgs, null, List.of(), System.nanoTime() - t0));
    }
    return out;
  }

  static List<CaseResult> opaTests(Path source, Path prepared, OpaTool opa, Path workDir) {
    List<Path> tests = find(source, p -> p.getFileName().toString().endsWith("_test.rego"));
    if (tests.isEmpty()) {
      return List.of();
    }
    List<CaseResult> out = new ArrayList<>();
    try {
      Path testDir = Files.createTempDirectory(workDir, "opa-tests-");
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
        out.add(new CaseResult("opa", "opa test", source.toString(), CaseResult.Status.ERROR,
            List.of("opa test failed (exit " + run.exitCode() + "): " + (run.stderr().isBlank() ? run.stdout() : run.stderr())
                .replace(testDir.toString(), source.toString()).replace(prepared.toString(), "<prepared>")),
            null, List.of(), 0));
        return out;
      }
      for (JsonNode r : results) {
        String file = r.path("location").path("file").asText("").replace(testDir.toString(), source.toString());
        String loc = file + ":" + r.path("location").path("row").asInt();
        String name = r.path("package").asText() + "." + r.path("name").asText();
        List<String> msgs = new ArrayList<>();
        CaseResult.Status status = CaseResult.Status.PASSED;
        if (r.has("error")) {
          status = CaseResult.Status.ERROR;
          msgs.add(r.get("error").path("message").asText(r.get("error").toString()));
        } else if (r.path("fail").asBoolean(false)) {
          status = CaseResult.Status.FAILED;
          msgs.add("test rule is not true" + (r.has("output") ? ": " + r.get("output").asText() : ""));
        } else if (r.path("skip").asBoolean(false)) {
          status = CaseResult.Status.FAILED;
          msgs.add("skipped (todo_ test): every test must assert behaviour");
        }
        out.add(new CaseResult("opa", name, loc, status, msgs, null, List.of(), r.path("duration").asLong(0)));
      }
    } catch (IOException e) {
      throw new HarnessException(source.toString(), "cannot stage the Rego tests: " + e.getMessage(), e);
    } catch (OpaTool.OpaException e) {
      out.add(new CaseResult("opa", "opa test", source.toString(), CaseResult.Status.ERROR,
          List.of("cannot run opa test: " + e.getMessage()), null, List.of(), 0));
    }
    return out;
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
