package io.vectorgate.proxy.adapter;

import io.vectorgate.model.DatabaseKind;
import io.vectorgate.model.Obligations;
import io.vectorgate.model.Operation;
import io.vectorgate.proxy.enforce.ResponseTally;
import java.util.Objects;

/**
 * One database's wire API as the request pipeline drives it, in three stages over one handle:
 * {@link #decode} matches the route (or RPC) once and turns the request into an {@link Operation};
 * {@link #applyRequestObligations} rewrites the request for the decision and says what it changed;
 * {@link #rewriteResponse} enforces the decision on the answer, with the same handle. No stage
 * matches the route again, and nobody compares requests afterwards to find what was changed.
 *
 * <p>Implementations are pure code over messages (no server or transport types): the gateway's
 * listeners and the policy-test-harness both drive them. They are built per connection by the
 * {@link AdapterRegistry}. A request the adapter refuses throws {@link AdapterException}; an
 * obligation it cannot honour throws {@link io.vectorgate.proxy.enforce.ObligationException}.
 *
 * @param <Q> the wire request (a Milvus call: RPC, message, {@code dbname}; an HTTP request view)
 * @param <R> the wire response (a protobuf message; an HTTP status and JSON body)
 */
public interface DatabaseAdapter<Q, R> {

  DatabaseKind kind();

  /**
   * Decodes a request: the matched route or RPC, the operation the policy decides, and what the
   * later stages need. Closed world: a field the adapter does not model is refused.
   */
  Handle<Q> decode(Q request);

  /**
   * Applies the decision's request obligations (row filter, limit cap, pinned namespace, pre-reads
   * of the rows a write addresses). Returns the request to forward and what changed.
   */
  Applied<Q> applyRequestObligations(Handle<Q> handle, Obligations obligations);

  /**
   * Enforces the decision on an upstream answer to {@code applied}, whatever the request asked:
   * vectors stripped by type, masks on the fields present, rows cut to the cap, rows outside a
   * carried row filter dropped. Returns the answer to send, what was removed and what it returns
   * (for the caller's usage budgets). Also the place for state the adapter learns from answers
   * (cached schemas dropped after a schema change, Chroma's collection id → name map).
   */
  Rewritten<R> rewriteResponse(Applied<Q> applied, R response, Obligations obligations);

  /**
   * A decoded request.
   *
   * @param request the wire request as the client sent it
   * @param operation what the policy decides on
   * @param route the adapter's own matched route or RPC; only the adapter that made the handle
   *     reads it
   */
  record Handle<Q>(Q request, Operation operation, Object route) {
    public Handle {
      Objects.requireNonNull(request, "request");
      Objects.requireNonNull(operation, "operation");
    }
  }

  /**
   * A request after its obligations were applied.
   *
   * @param handle the decoded request
   * @param forward the request to send upstream ({@code handle.request()} itself when nothing changed)
   * @param filterAdded the filter the gateway sent in place of the client's (a Milvus expression, a
   *     JSON filter), or null when the filter was left as it was
   */
  record Applied<Q>(Handle<Q> handle, Q forward, Object filterAdded) {
    public Applied {
      Objects.requireNonNull(handle, "handle");
      Objects.requireNonNull(forward, "forward");
    }

    /** Nothing changed: forward the request as decoded. */
    public static <Q> Applied<Q> unchanged(Handle<Q> handle) {
      return new Applied<>(handle, handle.request(), null);
    }

    public boolean changed() {
      return forward != handle.request();
    }
  }

  /**
   * An answer after the response guarantees.
   *
   * @param response the answer to send
   * @param tally what the guarantees removed (rows cut, rows outside the row filter, vectors
   *     stripped, values masked)
   * @param rows rows the answer hands to the caller (for usage budgets)
   * @param vectors vectors the answer hands to the caller
   * @param success whether the answer is a success (only a success counts towards budgets)
   */
  record Rewritten<R>(R response, ResponseTally tally, long rows, long vectors, boolean success) {
    public Rewritten {
      Objects.requireNonNull(tally, "tally");
    }
  }
}
