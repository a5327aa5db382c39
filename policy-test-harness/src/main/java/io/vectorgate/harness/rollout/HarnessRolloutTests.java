package io.vectorgate.harness.rollout;

import io.vectorgate.harness.HarnessException;
import io.vectorgate.harness.PolicyTestRunner;
import io.vectorgate.harness.RepoPaths;
import io.vectorgate.harness.source.PolicyLoader;
import io.vectorgate.harness.traffic.CaseResult;
import io.vectorgate.rollout.Problem;
import java.util.List;

/**
 * The rollout's test stage run by the harness: DSL checks, the Rego unit tests ({@code opa test})
 * and the directory's traffic tests, exactly as {@code vectorgate test <dir>} runs them. When the
 * harness is on the class path (the {@code vectorgate} distribution), rollout discovers this runner
 * instead of its opa-only fallback, so a commit whose traffic tests fail never activates.
 */
public final class HarnessRolloutTests implements io.vectorgate.rollout.PolicyTestRunner {

  @Override
  public String name() {
    return "harness";
  }

  @Override
  public Report run(Context context) {
    PolicyTestRunner.TestRun run;
    try {
      run = PolicyTestRunner.run(context.policyDir(), PolicyTestRunner.Options.defaults(),
          PolicyLoader.fromEnvironment(false), context.workDir().resolve("harness"),
          RepoPaths.at(context.policyDir())); // relative to the policy directory: rollout adds its path in the repository
    } catch (HarnessException e) {
      return new Report(List.of(), List.of(problem(e.location(), e.getMessage())));
    }
    List<TestCase> cases = run.results().stream().map(HarnessRolloutTests::toCase).toList();
    return new Report(cases, List.of());
  }

  private static TestCase toCase(CaseResult r) {
    return new TestCase(r.suite() + ": " + r.name(), r.location(), r.passed(), r.failures());
  }

  private static Problem problem(String location, String message) {
    return new Problem(location, 0, 0, message);
  }
}
