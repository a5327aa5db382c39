package io.vectorgate.proxy.grpc;

import com.google.protobuf.Message;
import io.vectorgate.model.Obligations;
import io.vectorgate.model.Operation;
import io.vectorgate.proxy.adapter.milvus.CollectionSchemaCache;
import io.vectorgate.proxy.adapter.milvus.MilvusAdapter;
import io.vectorgate.proxy.adapter.milvus.ResponseRewrite;
import io.vectorgate.proxy.adapter.milvus.RowFilterBinding;
import io.vectorgate.proxy.enforce.ValueMasker;
import java.time.Duration;

/** {@link MilvusProtocol} over the pure {@link MilvusAdapter}; schemas come from the upstream itself. */
public final class AdapterMilvusProtocol implements MilvusProtocol {
  private final MilvusAdapter adapter;

  public AdapterMilvusProtocol(MilvusAdapter adapter) {
    this.adapter = adapter;
  }

  /**
   * The factory the gateway uses: a schema cache (1024 entries, 60 s) over upstream
   * DescribeCollection, the connection's row-filter binding, and upstream Query (with the
   * gateway's credential) for the upsert pre-read, capped at the connection's {@code max_pre_read_ids}.
   */
  public static MilvusProtocolFactory factory() {
    return (upstream, maskKey, connection) -> new AdapterMilvusProtocol(new MilvusAdapter(
        new CollectionSchemaCache(upstream::describeCollection, 1024, Duration.ofSeconds(60)),
        new ValueMasker(maskKey),
        "literal".equals(connection.rowFilterBinding()) ? RowFilterBinding.LITERAL : RowFilterBinding.TEMPLATE,
        (db, query) -> (io.milvus.grpc.QueryResults) upstream.call(MilvusMethods.byName("Query"), query, dbnameHeader(db)),
        connection.preReadIdCap()));
  }

  private static io.grpc.Metadata dbnameHeader(String db) {
    io.grpc.Metadata headers = new io.grpc.Metadata();
    if (db != null && !db.isEmpty()) {
      headers.put(io.grpc.Metadata.Key.of("dbname", io.grpc.Metadata.ASCII_STRING_MARSHALLER), db);
    }
    return headers;
  }

  @Override
  public Operation decode(String rpc, Message request, String dbnameHeader) {
    return adapter.decode(rpc, request, dbnameHeader);
  }

  @Override
  public Message applyRequestObligations(String rpc, Message request, Obligations obligations) {
    return adapter.applyRequestObligations(rpc, request, obligations);
  }

  @Override
  public Message applyRequestObligations(String rpc, Message request, String dbnameHeader, Obligations obligations) {
    return adapter.applyRequestObligations(rpc, request, dbnameHeader, obligations);
  }

  @Override
  public ResponseRewrite rewriteResponse(String rpc, Operation op, Message response, Obligations obligations) {
    return adapter.rewriteResponse(rpc, op, response, obligations);
  }

  @Override
  public void afterSuccess(String rpc, Message request, String dbnameHeader) {
    adapter.invalidateAfter(rpc, request, dbnameHeader);
  }
}
