package io.vectorgate.cli;

import io.vectorgate.harness.HarnessEngines;
import io.vectorgate.engine.EngineConfig;
import io.vectorgate.engine.PolicyActivationException;
import io.vectorgate.engine.PolicyEngine;
import io.vectorgate.harness.HarnessException;
import io.vectorgate.harness.impact.ImpactAnalyzer;
import io.vectorgate.harness.impact.ImpactExpectations;
import io.vectorgate.harness.impact.ImpactReport;
import io.vectorgate.harness.replay.Traffic;
import io.vectorgate.harness.report.ImpactReports;
import io.vectorgate.harness.report.ProgressBar;
import io.vectorgate.harness.source.PolicyLoader;
import io.vectorgate.harness.source.PolicySource;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import io.vectorgate.harness.source.GitCheckout;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code vectorgate impact --baseline <bundle|dir|git rev> --candidate <dir|bundle|git rev> --traffic
 * <recording|export>}: re-decides every recorded request with both policies and reports what changes.
 * Exit 0 = only intended changes (and no errors), 1 = unexpected changes, intended changes not seen or
 * requests that could not be replayed, 2 = unusable input.
 */
@Command(name = "impact", mixinStandardHelpOptions = true,
    description = "Re-decide recorded traffic with a baseline and a candidate policy and report what changes: newly "
        + "denied, newly allowed, obligations changed, grouped by action, collection and identity group.")
public final class ImpactCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--baseline", required = true, paramLabel = "SOURCE",
      description = "bundle (.tar.gz), policy directory, or git revision (REV[:PATH] or git:REV[:PATH])")
  String baseline;

  @Option(names = "--candidate", required = true, paramLabel = "SOURCE",
      description = "policy directory, bundle, or git revision (REV[:PATH] or git:REV[:PATH])")
  String candidate;

  @Option(names = "--traffic", required = true, paramLabel = "RECORDING",
      description = "a recording directory or an export file (vectorgate sessions export)")
  Path traffic;

  @Option(names = "--expect", paramLabel = "FILE", description = "intended changes (vectorgate-impact-expectations/v1)")
  Path expect;

  @Option(names = "--repo", paramLabel = "DIR", description = "git work tree for revisions (default: the current directory)")
  Path repo;

  @Option(names = "--policy-path", paramLabel = "PATH",
      description = "the policy directory inside the repository for revisions without :PATH "
          + "(default: the other side's directory, relative to the repository)")
  String policyPath;

  @Option(names = "--with-library", description = "add the shipped Rego library to directory and git sources")
  boolean withLibrary;

  @Option(names = "--threads", description = "engine instances per policy and replay threads (default: ${DEFAULT-VALUE})")
  int threads = Math.max(2, Runtime.getRuntime().availableProcessors());

  @Option(names = "--junit", paramLabel = "FILE", description = "write JUnit XML (one case per change group)")
  Path junit;

  @Option(names = "--json", paramLabel = "FILE", description = "write a JSON report")
  Path json;

  @Option(names = "--html", paramLabel = "FILE", description = "write a self-contained HTML report with a chart")
  Path html;

  @Override
  public Integer call() throws IOException {
    PrintWriter err = spec.commandLine().getErr();
    PrintWriter out = spec.commandLine().getOut();
    Path work = Files.createTempDirectory("vectorgate-impact-");
    try {
      Path repoDir = (repo == null ? Path.of("") : repo).toAbsolutePath();
      String path = policyPath != null ? policyPath : defaultPolicyPath(repoDir);
      PolicySource base = PolicySource.parse(baseline, repoDir, path);
      PolicySource cand = PolicySource.parse(candidate, repoDir, path);
      ImpactExpectations intended = expect == null ? ImpactExpectations.none() : ImpactExpectations.read(expect);
      Traffic t = Traffic.load(traffic);
      PolicyLoader loader = PolicyLoader.fromEnvironment(withLibrary);
      PolicyLoader.Loaded b = loader.load(base, work);
      PolicyLoader.Loaded c = loader.load(cand, work);
      EngineConfig cfg = HarnessEngines.config(threads);
      ImpactReport report;
      ProgressBar bar = new ProgressBar(err, "replay");
      try (PolicyEngine be = PolicyEngine.start(cfg, b.bundle()); PolicyEngine ce = PolicyEngine.start(cfg, c.bundle())) {
        report = ImpactAnalyzer.analyze(t, be, base.describe(), b.revision(), ce, cand.describe(), c.revision(), intended,
            threads, bar);
      } catch (PolicyActivationException e) {
        err.println("vectorgate impact: a policy does not activate in the engine: " + e.getMessage());
        return 2;
      }
      bar.finish();
      TestCommand.write(junit, ImpactReports.junitXml(report));
      TestCommand.write(json, ImpactReports.json(report));
      TestCommand.write(html, ImpactReports.html(report));
      out.print(ImpactReports.terminal(report));
      out.flush();
      return report.passed() ? 0 : 1;
    } catch (HarnessException e) {
      err.println("vectorgate impact: " + e.getMessage());
      return 2;
    } finally {
      TestCommand.delete(work);
    }
  }

  /** The candidate's (else the baseline's) directory relative to the repository's work tree, or "". */
  private String defaultPolicyPath(Path repoDir) {
    for (String s : new String[] {candidate, baseline}) {
      if (!s.startsWith("git:") && s.indexOf('\u0000') < 0) {
        var rel = GitCheckout.pathInRepository(repoDir, Path.of(s));
        if (rel.isPresent()) {
          return rel.get();
        }
      }
    }
    return "";
  }
}
