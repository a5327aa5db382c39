package io.vectorgate.harness.traffic;

import io.vectorgate.harness.replay.Drift;
import io.vectorgate.model.Decision;
import java.util.List;

/**
 * The outcome of one test case (traffic, opa or DSL). {@code suite} groups cases in reports (the
 * traffic file, {@code opa}, {@code dsl}); {@code failures} says why a case failed or errored.
 */
public record CaseResult(
    String suite,
    String name,
    String location,
    Status status,
    List<String> failures,
    Decision decision,
    List<Drift> drift,
    long nanos) {

  public enum Status { PASSED, FAILED, ERROR }

  public CaseResult {
    failures = List.copyOf(failures);
    drift = drift == null ? List.of() : List.copyOf(drift);
  }

  public boolean passed() {
    return status == Status.PASSED;
  }
}
