package io.vectorgate.engine;

import io.vectorgate.model.Decision;
import io.vectorgate.model.PolicyInput;

/**
 * Decides one request. Implementations never throw for a bad policy, input or runtime fault:
 * they fail closed and return a deny {@link Decision} with a reason code.
 */
public interface DecisionEngine {
  Decision decide(PolicyInput input);
}
