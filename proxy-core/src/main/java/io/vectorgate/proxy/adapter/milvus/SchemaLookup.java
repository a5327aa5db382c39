package io.vectorgate.proxy.adapter.milvus;

import io.milvus.grpc.CollectionSchema;
import java.util.Optional;

/**
 * Loads a collection's schema, typically with a DescribeCollection call to the upstream using the
 * gateway's own credential. Empty when the collection (or alias) does not exist; an exception when
 * the schema could not be loaded (the adapter then fails closed).
 */
@FunctionalInterface
public interface SchemaLookup {
  Optional<CollectionSchema> describe(String database, String collection) throws Exception;
}
