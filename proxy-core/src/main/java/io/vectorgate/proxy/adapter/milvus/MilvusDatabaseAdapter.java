package io.vectorgate.proxy.adapter.milvus;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.vectorgate.model.DatabaseKind;
import io.vectorgate.model.Obligations;
import io.vectorgate.model.Operation;
import io.vectorgate.proxy.adapter.DatabaseAdapter;
import io.vectorgate.proxy.enforce.ResponseTally;
import java.util.Objects;

/**
 * The Milvus gRPC API under the pipeline's {@link DatabaseAdapter} contract, over the pure
 * {@link MilvusAdapter}. The handle's route is the RPC's entry of {@link MilvusRpcs} (absent for an
 * RPC the proto does not define, which decodes to {@code unknown}).
 */
public final class MilvusDatabaseAdapter implements DatabaseAdapter<MilvusCall, Message> {
  private final MilvusAdapter adapter;

  public MilvusDatabaseAdapter(MilvusAdapter adapter) {
    this.adapter = Objects.requireNonNull(adapter, "adapter");
  }

  /** The adapter underneath (for stage-level tests and replay). */
  public MilvusAdapter adapter() {
    return adapter;
  }

  @Override
  public DatabaseKind kind() {
    return DatabaseKind.MILVUS;
  }

  @Override
  public Handle<MilvusCall> decode(MilvusCall call) {
    Operation op = adapter.decode(call.rpc(), call.request(), call.dbname());
    return new Handle<>(call, op, MilvusRpcs.find(call.rpc()).orElse(null));
  }

  @Override
  public Applied<MilvusCall> applyRequestObligations(Handle<MilvusCall> handle, Obligations obligations) {
    MilvusCall call = handle.request();
    Message forward = adapter.applyRequestObligations(call.rpc(), call.request(), call.dbname(), obligations);
    if (forward == call.request()) {
      return Applied.unchanged(handle);
    }
    return new Applied<>(handle, call.with(forward), filterAdded(call.rpc(), call.request(), forward));
  }

  /**
   * The filter sent in place of the client's: the field the row filter is combined into by
   * {@link MilvusAdapter#applyRequestObligations} ({@code dsl} of a Search, {@code expr} of a Query
   * or Delete), when it changed; a HybridSearch's sub-requests each carry their own (not reported).
   */
  private static String filterAdded(String rpc, Message request, Message forward) {
    String name = switch (rpc) {
      case "Search" -> "dsl";
      case "Query", "Delete" -> "expr";
      default -> null;
    };
    if (name == null) {
      return null;
    }
    FieldDescriptor f = DescriptorFields.named(forward.getDescriptorForType(), name);
    Object after = forward.getField(f);
    return after.equals(request.getField(f)) ? null : (String) after;
  }

  /**
   * Drops the schemas a schema-changing RPC made stale (the upstream answered it), then applies
   * the response guarantees ({@link MilvusAdapter#rewriteResponse}).
   */
  @Override
  public Rewritten<Message> rewriteResponse(Applied<MilvusCall> applied, Message response, Obligations obligations) {
    MilvusCall sent = applied.forward();
    adapter.invalidateAfter(sent.rpc(), sent.request(), sent.dbname());
    ResponseRewrite r = adapter.rewriteResponse(sent.rpc(), applied.handle().operation(), response, obligations);
    return new Rewritten<>(r.response(), ResponseTally.of(r.rowsCut(), r.rowFilterDropped(), r.vectorColumnsStripped(), 0),
        r.rows(), r.vectors(), true);
  }
}
