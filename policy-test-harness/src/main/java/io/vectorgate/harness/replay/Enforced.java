package io.vectorgate.harness.replay;

import com.fasterxml.jackson.databind.JsonNode;
import io.vectorgate.model.Operation;
import io.vectorgate.proxy.enforce.ResponseTally;
import java.util.List;

/**
 * One recorded request replayed through the adapter's later stages for one decision's obligations
 * ({@link InputRebuilder#enforce}): the request the gateway would forward, and the recorded response
 * rewritten as the client would see it.
 *
 * @param refused the obligations cannot be applied to this request (an {@code ObligationException}
 *     or {@code AdapterException} code: the gateway would deny or refuse it); then nothing else is set
 * @param forwarded the request the gateway would forward, as JSON (Milvus: {@code {rpc, message}} with
 *     proto field names; HTTP: {@code {method, path, query, body}})
 * @param requestChanges JSON pointers where {@code forwarded} differs from the request as recorded
 * @param forwardedOperation the forwarded request decoded again by the same adapter (what it asks the
 *     database for: filter, limit, output fields), or null when the adapter refuses its own rewrite
 * @param client the recorded response after the response rewrite, or null (see {@code responseNotReplayed})
 * @param tally what the rewrite removed from the recorded response (zero when it was not replayed)
 * @param responseNotReplayed why the response could not be rewritten ({@code payload_not_recorded},
 *     {@code payload_omitted}, {@code upstream_error}, {@code upstream_status_not_recorded},
 *     {@code malformed_response}, {@code response_unenforceable}, {@code adapter_error}), or null
 */
public record Enforced(
    ReplayError refused,
    JsonNode forwarded,
    List<String> requestChanges,
    Operation forwardedOperation,
    JsonNode client,
    ResponseTally tally,
    ReplayError responseNotReplayed) {

  public boolean applied() {
    return refused == null;
  }
}
