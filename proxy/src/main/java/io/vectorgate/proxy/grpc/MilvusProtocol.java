package io.vectorgate.proxy.grpc;

import com.google.protobuf.Message;
import io.vectorgate.model.Obligations;
import io.vectorgate.model.Operation;
import io.vectorgate.proxy.adapter.milvus.ResponseRewrite;

/**
 * The pure protocol work the listener delegates: decode a request into an {@link Operation},
 * apply request obligations, rewrite the response. Implemented over the Milvus adapter
 * ({@code io.vectorgate.proxy.adapter.milvus}); implementations throw
 * {@link io.vectorgate.proxy.adapter.AdapterException} for requests they refuse and
 * {@link io.vectorgate.proxy.enforce.ObligationException} for obligations they cannot apply.
 */
public interface MilvusProtocol {
  /** {@code rpc} is the short method name, e.g. {@code Search}. */
  Operation decode(String rpc, Message request, String dbnameHeader);

  Message applyRequestObligations(String rpc, Message request, Obligations obligations);

  /**
   * As {@link #applyRequestObligations(String, Message, Obligations)}, with the {@code dbname}
   * call metadata (or null) for obligations that read the upstream (the upsert pre-read).
   */
  default Message applyRequestObligations(String rpc, Message request, String dbnameHeader, Obligations obligations) {
    return applyRequestObligations(rpc, request, obligations);
  }

  /**
   * Applies the response guarantees of {@code obligations} to an upstream answer for the decided
   * operation {@code op}; reports what was removed.
   */
  ResponseRewrite rewriteResponse(String rpc, Operation op, Message response, Obligations obligations);

  /** Called after a successful upstream call of an RPC; invalidates cached schemas when it changed one. */
  void afterSuccess(String rpc, Message request, String dbnameHeader);
}
