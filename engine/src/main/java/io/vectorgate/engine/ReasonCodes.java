package io.vectorgate.engine;

import java.util.List;

/**
 * Reason codes the engine itself puts on a {@link io.vectorgate.model.Decision}. Every fail-closed
 * code is a deny; the two {@code policy_*} codes explain a boolean policy result.
 */
public final class ReasonCodes {
  private ReasonCodes() {}

  /** The guest or the host raised an error during evaluation (not a timeout, not an abort). */
  public static final String ENGINE_ERROR = "engine_error";
  /** The policy called {@code opa_abort} (e.g. a conflict, a bad entrypoint, out of guest memory). */
  public static final String ENGINE_ABORT = "engine_abort";
  /** Evaluation ran past {@link EngineConfig#evaluationTimeout()}. */
  public static final String ENGINE_TIMEOUT = "engine_timeout";
  /** The entrypoint produced no result (an empty result set). */
  public static final String POLICY_UNDEFINED = "policy_undefined";
  /** The result is neither a boolean nor a decision object the contract accepts. */
  public static final String RESULT_INVALID = "result_invalid";
  /** The input is larger than {@link EngineConfig#maxInputBytes()}. */
  public static final String INPUT_TOO_LARGE = "input_too_large";
  /** The input is not JSON, is nested too deeply, or could not be serialized. */
  public static final String INPUT_INVALID = "input_invalid";
  /** No policy instance became free within {@link EngineConfig#borrowTimeout()}. */
  public static final String POOL_EXHAUSTED = "pool_exhausted";
  /** No bundle has been activated (or the engine is closed). */
  public static final String NO_POLICY = "no_policy";
  /** The requested entrypoint is not one the active bundle exports. */
  public static final String UNKNOWN_ENTRYPOINT = "unknown_entrypoint";

  /** A boolean {@code true} result. */
  public static final String POLICY_ALLOW = "policy_allow";
  /** A boolean {@code false} result. */
  public static final String POLICY_DENY = "policy_deny";

  /** Every fail-closed code, in a stable order (for metrics registration). */
  public static final List<String> FAIL_CLOSED = List.of(
      ENGINE_ERROR, ENGINE_ABORT, ENGINE_TIMEOUT, POLICY_UNDEFINED, RESULT_INVALID,
      INPUT_TOO_LARGE, INPUT_INVALID, POOL_EXHAUSTED, NO_POLICY, UNKNOWN_ENTRYPOINT);
}
