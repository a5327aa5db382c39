package io.vectorgate.rollout;

import io.vectorgate.engine.PolicyBundle;
import java.nio.file.Path;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Stage {@link Stage#TEST}: runs a checked-out policy directory's own tests. The default,
 * {@link OpaPolicyTestRunner}, runs the Rego unit tests ({@code *_test.rego}) with the real
 * {@code opa test}; the policy test harness implements this interface (found through
 * {@link ServiceLoader}) to add its traffic tests.
 */
public interface PolicyTestRunner {
  /** What a test run gets: the checked-out directory, the prepared Rego tree, the compiled bundle. */
  record Context(String revision, Path policyDir, Path preparedDir, PolicyBundle bundle, Path workDir) {}

  /** One test: its name ({@code package.rule} or file + case), where it is, whether it passed, why not. */
  record TestCase(String name, String location, boolean passed, List<String> messages) {
    public TestCase {
      messages = messages == null ? List.of() : List.copyOf(messages);
    }
  }

  /** Every test run, and errors that stopped running tests at all. */
  record Report(List<TestCase> cases, List<Problem> errors) {
    public Report {
      cases = List.copyOf(cases);
      errors = errors == null ? List.of() : List.copyOf(errors);
    }

    public boolean passed() {
      return errors.isEmpty() && cases.stream().allMatch(TestCase::passed);
    }

    public List<TestCase> failed() {
      return cases.stream().filter(c -> !c.passed()).toList();
    }
  }

  /** A short name for logs (e.g. {@code opa}). */
  String name();

  Report run(Context context);

  /** Every runner on the class path ({@code META-INF/services}); none found means {@link OpaPolicyTestRunner} alone. */
  static List<PolicyTestRunner> discover(OpaPolicyTestRunner fallback) {
    List<PolicyTestRunner> found = ServiceLoader.load(PolicyTestRunner.class).stream()
        .map(ServiceLoader.Provider::get).toList();
    return found.isEmpty() ? List.of(fallback) : found;
  }
}
