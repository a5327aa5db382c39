package io.vectorgate.recorder.index;

import java.time.Instant;

/**
 * A session as the index knows it: who, from where, when it started and ended (null while open or
 * when the gateway stopped without ending it), and how many requests were recorded, allowed and denied.
 */
public record SessionSummary(
    String sessionId,
    String recorderId,
    String subject,
    String issuer,
    String clientAddress,
    String connectionId,
    String transport,
    Instant started,
    Instant ended,
    long requests,
    long allowed,
    long denied) {}
