package io.vectorgate.proxy.adapter.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.vectorgate.model.DatabaseKind;
import io.vectorgate.model.Decision;
import io.vectorgate.model.Obligations;
import io.vectorgate.model.Operation;
import io.vectorgate.proxy.enforce.ResponseTally;
import java.util.Map;
import java.util.Set;

/**
 * One database's HTTP API as pure code: request → {@link Operation}, obligations → rewritten
 * request, response → rewritten response, decision → error body in the API's own shape. No Netty
 * types: the listener and the policy harness both drive it.
 */
public interface HttpApiAdapter {

  DatabaseKind kind();

  /**
   * Classifies a request. Unknown routes or methods, and bodies the adapter does not understand,
   * throw {@link io.vectorgate.proxy.adapter.AdapterException} (codes {@code unknown_route},
   * {@code malformed_request}, {@code unknown_field}, ...); the listener answers 4xx and forwards
   * nothing.
   */
  Operation decode(HttpRequestView request);

  /**
   * Applies request-side obligations (row filter, limit cap, pinned namespace). Returns the
   * request to forward (often {@code request.withBody(...)}). Throws
   * {@link io.vectorgate.proxy.enforce.ObligationException} when an obligation cannot be honoured.
   */
  HttpRequestView applyRequestObligations(HttpRequestView request, Operation operation, Obligations obligations);

  /**
   * Rewrites a JSON response body the client will receive, enforcing the decision on the response
   * itself whatever the request asked (see docs/contract.md, "Guarantees on the response"): vectors
   * stripped by their type and shape, masks applied to the fields present, rows beyond the limit
   * cap cut, rows carrying a row-filter field with a value outside the filter dropped. Each change
   * is counted in {@code tally}. Returns the body to send. Also the place to learn state from
   * responses (e.g. Chroma's collection id → name map).
   */
  JsonNode rewriteResponse(HttpRequestView request, Operation operation, int status, JsonNode body,
      Obligations obligations, ResponseTally tally);

  /** {@link #rewriteResponse(HttpRequestView, Operation, int, JsonNode, Obligations, ResponseTally)} with a tally nobody reads. */
  default JsonNode rewriteResponse(HttpRequestView request, Operation operation, int status, JsonNode body,
      Obligations obligations) {
    return rewriteResponse(request, operation, status, body, obligations, new ResponseTally());
  }

  /** The HTTP error for a denied request, shaped like the API's own errors. */
  ErrorResponse denial(Decision decision, String message);

  /** The HTTP error for a request the adapter refused (unknown route, malformed body, ...). */
  ErrorResponse rejection(int status, String code, String message);

  /**
   * The headers that carry the gateway's own credential upstream (the caller's credential headers
   * are never forwarded). Default per kind: Chroma {@code x-chroma-token}, Qdrant and Pinecone
   * {@code api-key}, otherwise {@code authorization: Bearer}.
   */
  default Map<String, String> upstreamCredentialHeaders(String credential) {
    return switch (kind()) {
      case CHROMA -> Map.of("x-chroma-token", credential);
      case QDRANT, PINECONE -> Map.of("api-key", credential);
      default -> Map.of("authorization", "Bearer " + credential);
    };
  }

  /**
   * Client request headers (lower-case) passed upstream besides the listener's own set
   * ({@code accept}, {@code user-agent}, {@code x-pinecone-api-version}). Empty by default.
   */
  default Set<String> forwardedHeaders() {
    return Set.of();
  }

  /**
   * Rows and vectors a (rewritten) response hands to the caller, for the caller's usage budgets.
   * {@code ResultCounts.NONE} by default.
   */
  default ResultCounts resultCounts(Operation operation, JsonNode rewrittenBody) {
    return ResultCounts.NONE;
  }

  /** A status and a JSON body. */
  record ErrorResponse(int status, JsonNode body) {}

  /** Rows and vectors returned by one response. */
  record ResultCounts(long rows, long vectors) {
    public static final ResultCounts NONE = new ResultCounts(0, 0);
  }
}
