package io.vectorgate.harness.traffic;

import com.fasterxml.jackson.databind.JsonNode;
import io.vectorgate.model.Connection;
import io.vectorgate.model.Identity;
import java.time.Instant;

/**
 * One traffic-test case: a recorded request (by {@code record} id) or an inline raw request, the
 * identity/connection/time to decide it under, and the expected decision.
 *
 * @param location {@code file:line:col} of the case
 * @param recordId the record id in the file's recording, or null for inline cases
 * @param identity an identity overriding the record's (or the inline case's identity)
 * @param request the inline raw request: {@code {rpc, message, dbname?}} for Milvus or {@code {method, path, query?, headers?, body?}} for HTTP
 */
public record TrafficCase(
    String name,
    String location,
    String recordId,
    Identity identity,
    Connection connection,
    Instant time,
    String clientAddress,
    JsonNode request,
    JsonNode context,
    Expectation expect) {}
