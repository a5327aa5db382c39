package io.vectorgate.proxy.adapter.milvus;

import io.milvus.grpc.QueryRequest;
import io.milvus.grpc.QueryResults;

/**
 * Reads rows from the upstream with the gateway's own credential: a Milvus {@code Query} in
 * {@code database}. The adapter uses it to read the rows an upsert addresses by primary key before
 * the write goes upstream (the row-filter pre-read). An exception, or a result whose status is not
 * success, means the rows could not be read: the adapter then refuses the write (fail closed).
 */
@FunctionalInterface
public interface RowReader {
  QueryResults query(String database, QueryRequest request) throws Exception;
}
