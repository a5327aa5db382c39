package io.vectorgate.harness.replay;

import com.fasterxml.jackson.databind.JsonNode;
import io.vectorgate.model.Connection;
import io.vectorgate.model.Decision;
import io.vectorgate.model.Identity;
import io.vectorgate.model.Operation;
import java.time.Instant;

/**
 * One {@code request} entry of a recording ({@code vectorgate-record/v1}), or an inline request of a
 * traffic test.
 *
 * @param id the record id ({@code rec-…-SEQ}); for inline cases the case name
 * @param location where it was read ({@code segment-….jsonl line 7}, {@code export.jsonl line 3}, {@code cases.yaml:12:5})
 * @param time the gateway's request time
 * @param requestId the gateway's request id, or null
 * @param clientAddress the client's address, or null
 * @param identity the caller (never null; an entry without one has an identity with no subject and no groups)
 * @param connection the configured upstream
 * @param operation the operation the gateway decoded, or null (inline cases)
 * @param decision the decision the gateway made, or null (inline cases)
 * @param request the request payload as recorded (protobuf JSON for gRPC; method/path/body or the body for HTTP)
 * @param response the response as recorded, or null
 * @param context the entry's {@code context} object when a newer gateway records one (usage counters), or null
 * @param upstreamStatus the entry's {@code upstream.status} ({@code OK} / a gRPC code, {@code 200}), or null when
 *     the request was not forwarded or the entry has none
 */
public record RecordedRequest(
    String id,
    String location,
    Instant time,
    String requestId,
    String clientAddress,
    Identity identity,
    Connection connection,
    Operation operation,
    Decision decision,
    JsonNode request,
    JsonNode response,
    JsonNode context,
    String upstreamStatus) {

  /** A request without an upstream status (inline cases, tests). */
  public RecordedRequest(String id, String location, Instant time, String requestId, String clientAddress,
      Identity identity, Connection connection, Operation operation, Decision decision, JsonNode request,
      JsonNode response, JsonNode context) {
    this(id, location, time, requestId, clientAddress, identity, connection, operation, decision, request, response,
        context, null);
  }

  /** The Milvus RPC short name ({@code Search}) from the recorded operation's protocol facts, or null. */
  public String rpcName() {
    if (operation == null || operation.protocol() == null || operation.protocol().rpc() == null) {
      return null;
    }
    String rpc = operation.protocol().rpc();
    return rpc.substring(rpc.lastIndexOf('/') + 1);
  }

  /** The collection the gateway decoded, or null. */
  public String collection() {
    return operation == null ? null : operation.resource().collection();
  }
}
