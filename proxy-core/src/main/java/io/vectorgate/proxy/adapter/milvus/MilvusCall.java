package io.vectorgate.proxy.adapter.milvus;

import com.google.protobuf.Message;
import java.util.Objects;

/**
 * One Milvus gRPC call as the adapter sees it.
 *
 * @param rpc the short method name, e.g. {@code Search}
 * @param request the parsed request message
 * @param dbname the one {@code dbname} call metadata value, or null (a repeated key was refused
 *     before; the call is decoded, decided, pre-read, forwarded and invalidated with this one)
 */
public record MilvusCall(String rpc, Message request, String dbname) {
  public MilvusCall {
    Objects.requireNonNull(rpc, "rpc");
    Objects.requireNonNull(request, "request");
  }

  /** The same call with another message (after the request obligations). */
  public MilvusCall with(Message forward) {
    return forward == request ? this : new MilvusCall(rpc, forward, dbname);
  }
}
