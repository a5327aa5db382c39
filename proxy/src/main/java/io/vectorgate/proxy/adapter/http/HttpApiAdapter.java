package io.vectorgate.proxy.adapter.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.vectorgate.model.DatabaseKind;
import io.vectorgate.model.Decision;
import io.vectorgate.model.Obligations;
import io.vectorgate.model.Operation;

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
   * Rewrites a JSON response body the client will receive (mask, drop, strip vectors, and for
   * APIs whose reads take no filter, drop rows the row filter excludes). Returns the body to send.
   * Also the place to learn state from responses (e.g. Chroma's collection id → name map).
   */
  JsonNode rewriteResponse(HttpRequestView request, Operation operation, int status, JsonNode body,
      Obligations obligations);

  /** The HTTP error for a denied request, shaped like the API's own errors. */
  ErrorResponse denial(Decision decision, String message);

  /** The HTTP error for a request the adapter refused (unknown route, malformed body, ...). */
  ErrorResponse rejection(int status, String code, String message);

  /** A status and a JSON body. */
  record ErrorResponse(int status, JsonNode body) {}
}
