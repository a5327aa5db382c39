package io.vectorgate.rollout;

import io.vectorgate.engine.PolicyEngine;
import io.vectorgate.engine.PolicyBundle;
import java.nio.file.Path;
import java.util.List;

/**
 * Stage {@link Stage#IMPACT}: decides a sample of recent traffic with the active policy and the
 * candidate, and accepts the candidate only if every change is one the commit declares as
 * intended. {@link SampleImpactCheck} is the built-in implementation over a sample of policy
 * inputs; the policy test harness can implement it over recordings.
 */
public interface ImpactCheck {
  /** What the check gets: the live engine and its revision (null before the first activation), the candidate. */
  record Context(String baselineRevision, PolicyEngine baseline, String candidateRevision, PolicyBundle candidate,
      Path policyDir, Path workDir) {}

  /** The verdict: changes by kind, each unexpected change (named by sample line), unmatched intentions. */
  record Report(int decided, java.util.Map<String, Integer> changes, List<String> unexpected, List<Problem> errors) {
    public Report {
      changes = java.util.Map.copyOf(changes);
      unexpected = List.copyOf(unexpected);
      errors = List.copyOf(errors);
    }

    public boolean accepted() {
      return unexpected.isEmpty() && errors.isEmpty();
    }
  }

  Report check(Context context);
}
