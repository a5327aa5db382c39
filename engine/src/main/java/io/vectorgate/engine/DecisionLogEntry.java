package io.vectorgate.engine;

import java.time.Instant;

/**
 * One decision as the engine hands it to a {@link DecisionLogger}, before masking and
 * serialization (which happen off the request path).
 *
 * @param decisionId the id also set on the {@link io.vectorgate.model.Decision}
 * @param timestamp when evaluation started
 * @param revision the bundle revision that decided (empty when none was active)
 * @param path the entrypoint, e.g. {@code vectorgate/decision}
 * @param inputJson the input exactly as evaluated (null when it could not be serialized)
 * @param result the result value: the Decision for {@code decide}, the policy's raw value for
 *     {@code evaluate}; null when undefined or failed
 * @param errorCode the fail-closed {@link ReasonCodes} code, or null
 * @param errorMessage what went wrong, or null
 * @param evalNanos time spent in the guest
 * @param totalNanos time for the whole decision (validation, borrow, evaluation, mapping)
 */
public record DecisionLogEntry(
    String decisionId,
    Instant timestamp,
    String revision,
    String path,
    String inputJson,
    Object result,
    String errorCode,
    String errorMessage,
    long evalNanos,
    long totalNanos) {}
