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
   * Matches the request's route, once: the object returned is what {@link #decode(Object,
   * HttpRequestView)}, {@link #applyRequestObligations(Object, HttpRequestView, Operation, Obligations)}
   * and {@link #rewriteResponse(Object, HttpRequestView, Operation, int, JsonNode, Obligations,
   * ResponseTally)} take (only this adapter reads it; the pipeline keeps it in the request's
   * {@link io.vectorgate.proxy.adapter.DatabaseAdapter.Handle}). An unknown route throws
   * {@link io.vectorgate.proxy.adapter.AdapterException} {@code unknown_route}.
   */
  Object route(HttpRequestView request);

  /**
   * Classifies a request of the matched {@code route}. Unknown methods, and bodies the adapter
   * does not understand, throw {@link io.vectorgate.proxy.adapter.AdapterException} (codes
   * {@code malformed_request}, {@code unknown_field}, ...); the listener answers 4xx and forwards
   * nothing.
   */
  Operation decode(Object route, HttpRequestView request);

  /** {@link #decode(Object, HttpRequestView)} with the route matched here (tests, replay). */
  default Operation decode(HttpRequestView request) {
    return decode(route(request), request);
  }

  /**
   * Applies request-side obligations (row filter, limit cap, pinned namespace) to a request of the
   * matched {@code route}. Returns the request to forward (often {@code request.withBody(...)}).
   * Throws {@link io.vectorgate.proxy.enforce.ObligationException} when an obligation cannot be
   * honoured.
   */
  HttpRequestView applyRequestObligations(Object route, HttpRequestView request, Operation operation,
      Obligations obligations);

  /** As above, with the route matched here (tests). */
  default HttpRequestView applyRequestObligations(HttpRequestView request, Operation operation, Obligations obligations) {
    return applyRequestObligations(route(request), request, operation, obligations);
  }

  /**
   * Rewrites a JSON response body the client will receive, enforcing the decision on the response
   * itself whatever the request asked (see docs/contract.md, "Guarantees on the response"): vectors
   * stripped by their type and shape, masks applied to the fields present, rows beyond the limit
   * cap cut, rows carrying a row-filter field with a value outside the filter dropped. Each change
   * is counted in {@code tally}. {@code request} is the request as forwarded; {@code route} the
   * route matched when it was decoded. Returns the body to send. Also the place to learn state
   * from responses (e.g. Chroma's collection id → name map).
   */
  JsonNode rewriteResponse(Object route, HttpRequestView request, Operation operation, int status, JsonNode body,
      Obligations obligations, ResponseTally tally);

  /** As above, with the route matched here (tests). */
  default JsonNode rewriteResponse(HttpRequestView request, Operation operation, int status, JsonNode body,
      Obligations obligations, ResponseTally tally) {
    return rewriteResponse(route(request), request, operation, status, body, obligations, tally);
  }

  /** As above, with a tally nobody reads (tests). */
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
