package io.vectorgate.proxy.grpc;

import io.vectorgate.proxy.adapter.AdapterRegistry;
import io.vectorgate.proxy.adapter.milvus.CollectionSchemaCache;
import java.time.Duration;

/** What the Milvus adapter reads from its upstream, with the gateway's credential. */
public final class MilvusUpstreamReads {
  private MilvusUpstreamReads() {}

  /**
   * A schema cache (1024 entries, 60 s) over upstream DescribeCollection, and upstream Query for
   * the upsert pre-read.
   */
  public static AdapterRegistry.UpstreamReads of(UpstreamMilvus upstream) {
    return new AdapterRegistry.UpstreamReads(
        new CollectionSchemaCache(upstream::describeCollection, 1024, Duration.ofSeconds(60)),
        (db, query) -> (io.milvus.grpc.QueryResults) upstream.call(MilvusMethods.byName("Query"), query, dbnameHeader(db)),
        null, null);
  }

  private static io.grpc.Metadata dbnameHeader(String db) {
    io.grpc.Metadata headers = new io.grpc.Metadata();
    if (db != null && !db.isEmpty()) {
      headers.put(MilvusMetadata.DBNAME, db);
    }
    return headers;
  }
}
