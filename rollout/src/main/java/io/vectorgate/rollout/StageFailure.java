package io.vectorgate.rollout;

import java.util.List;
import java.util.Objects;

/**
 * Why a revision did not become active: the stage that stopped it, a one-line summary, the
 * diagnostics with file:line, and the names of failed tests (for {@link Stage#TEST} and
 * {@link Stage#IMPACT}).
 */
public record StageFailure(Stage stage, String message, List<Problem> problems, List<String> failedTests) {
  public StageFailure {
    Objects.requireNonNull(stage, "stage");
    Objects.requireNonNull(message, "message");
    problems = problems == null ? List.of() : List.copyOf(problems.stream().sorted().toList());
    failedTests = failedTests == null ? List.of() : List.copyOf(failedTests);
  }

  public static StageFailure of(Stage stage, String message) {
    return new StageFailure(stage, message, List.of(), List.of());
  }

  /** Multi-line text: the summary, each problem, each failed test. */
  public String render() {
    StringBuilder sb = new StringBuilder(stage.wireName()).append(": ").append(message);
    problems.forEach(p -> sb.append("\n  ").append(p.render()));
    failedTests.forEach(t -> sb.append("\n  failed test: ").append(t));
    return sb.toString();
  }
}
